"""Free-text search over the reference cards and lessons, for a clinician with thirty seconds.

BM25 ranking over each document's title, keywords and text (titles and keywords weigh more), with the query read
the way clinicians write (bot.core.vocabulary: stems, shorthand, action phrasing, small typos corrected against
the course's own words). Results know the learner: cards and lessons for their region come first, those for other
regions last, and a region named in the query wins over theirs. Each hit carries the line of its text that
matched. A query nothing fits well gets no results rather than a weak one. Pure: the index is built once.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.content.markup import plain_text
from bot.content.model import Course
from bot.core.vocabulary import (
    CALLING,
    STOPWORDS,
    analyse,
    expand,
    region_named,
    stem,
    terms_of,
    units,
    words,
)

TITLE_WEIGHT = 3
KEYWORD_WEIGHT = 3
K1, B = 1.2, 0.75
EXPANSION_WEIGHT = 0.5  # a synonym counts half as much as a word the clinician typed
OWN_REGION = 2.0  # a card for the learner's own region (or the region the query names)
OWN_VERSION = 1.4  # a card or lesson for the version of the course that region takes
OTHER_REGION = 0.35  # a card or lesson meant for somewhere else
CARD = 1.1  # cards are written for the shift; lessons teach
MIN_COVERAGE = 0.34  # a result must match at least this share of what was typed (by weight)
COORDINATION = 0.5  # how much a result's score depends on that share (0: not at all)
MIN_SCORE = 2.0
TYPO_CUTOFF, SHORT_TYPO_CUTOFF = 85, 90  # rapidfuzz ratio; words of 5 letters or fewer need the stricter one
MIN_TYPO_LENGTH = 4
SNIPPET_LENGTH = 70
SNIPPET_CONTEXT = 2  # words shown before the first matching word of a long line
SHARED_LINE, BOILERPLATE = 3, 0.3  # a line in 3 documents or more is boilerplate: it counts 0.3 as a snippet
_BULLET = " •-\t"
# Stems of the words in a title that make a result about calling someone or reporting.
CALLING_TITLE = frozenset(CALLING - {stem("number"), stem("phone")})
CALLING_WORDS = analyse("hotline helpline line number call phone contact report")
_NO_POSTINGS: tuple[tuple[int, ...], tuple[float, ...]] = ((), ())


@dataclass(frozen=True)
class Document:
    """A searchable card or lesson."""

    kind: str  # "card" or "lesson"
    id: str
    title: str
    text: str
    region: str | None = None  # a card's region
    versions: tuple[str, ...] = ()  # the course versions a lesson is for (none: everyone)
    calling: bool = False  # about calling someone or reporting


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float
    snippet: str
    index: int = 0  # the document's place in the index
    line: int = 0  # the line of its text the snippet comes from
    start: int = 0  # the word of that line the snippet starts at


@dataclass(frozen=True)
class Results:
    hits: tuple[Hit, ...]
    region: str | None  # the region the ranking favoured: the one the query names, else the learner's
    named: bool  # the query named that region
    about_calling: bool  # the query, or one of its results, is about calling someone or reporting


class SearchIndex:
    """BM25 over the course's cards and lessons."""

    def __init__(
        self, documents: list[Document], fields: list[list[str]], versions: Mapping[str, str] | None = None
    ) -> None:
        self.documents = documents
        self._versions = dict(versions or {})
        self._counts = [Counter(field) for field in fields]
        self._lengths = [len(field) for field in fields]
        self._average = sum(self._lengths) / max(len(fields), 1)
        frequency: Counter[str] = Counter()
        for counts in self._counts:
            frequency.update(counts.keys())
        total = len(fields)
        self._idf = {term: math.log(1 + (total - seen + 0.5) / (seen + 0.5)) for term, seen in frequency.items()}
        self._rarest = max(self._idf.values(), default=1.0)
        surface = {word for document in documents for word in words(f"{document.title}\n{document.text}")}
        self._vocabulary = sorted(word for word in surface if len(word) >= MIN_TYPO_LENGTH and word.isalpha())
        self._by_length: dict[int, list[str]] = {}
        for word in self._vocabulary:
            self._by_length.setdefault(len(word), []).append(word)
        self._near: dict[tuple[int, int], list[str]] = {}  # (length, cutoff) → words that may be that close
        self._lines = [_lines(document.text) for document in documents]
        # Analysed once here, not per query: the snippet's line is chosen for every hit shown. Per document,
        # which of its lines hold each term, so a query looks only at the lines it matches.
        self._line_postings: list[dict[str, tuple[int, ...]]] = []
        for lines in self._lines:
            holding: dict[str, list[int]] = {}
            for number, line in enumerate(lines):
                for term in dict.fromkeys(analyse(line)):
                    holding.setdefault(term, []).append(number)
            self._line_postings.append({term: tuple(numbers) for term, numbers in holding.items()})
        # The terms of each word of a long line, worked out the first time the line is a snippet.
        self._chunk_terms: dict[tuple[int, int], list[frozenset[str]]] = {}
        # Which documents hold each term, and the term's BM25 part in each (two tuples side by side, half the
        # memory of a pair per posting): a query adds up only those.
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for index, counts in enumerate(self._counts):
            length_factor = K1 * (1 - B + B * self._lengths[index] / self._average)
            for term, seen_here in counts.items():
                part = self._idf[term] * seen_here * (K1 + 1) / (seen_here + length_factor)
                holders, parts = postings.setdefault(term, ([], []))
                holders.append(index)
                parts.append(part)
        self._postings = {term: (tuple(holders), tuple(parts)) for term, (holders, parts) in postings.items()}
        self._factors: dict[str | None, list[float]] = {}  # each document's region factor, per region favoured
        shared = Counter(line for lines in self._lines for line in set(lines))
        self._boilerplate = [
            frozenset(number for number, line in enumerate(lines) if shared[line] >= SHARED_LINE)
            for lines in self._lines
        ]
        self.fingerprint = hashlib.blake2s(" ".join(d.id for d in documents).encode(), digest_size=2).hexdigest()

    @classmethod
    def build(cls, course: Course) -> SearchIndex:
        documents: list[Document] = []
        fields: list[list[str]] = []
        for card in course.cards:
            calling = card.group == "resources" or _about_calling(card.title)
            documents.append(Document("card", card.id, card.title, card.text, card.region, (), calling))
            weighted = analyse(card.title) * TITLE_WEIGHT + analyse(" ; ".join(card.keywords)) * KEYWORD_WEIGHT
            # A region's lines are what anyone asking whom to call, or where to report, wants first.
            lines = CALLING_WORDS if calling and card.region is not None else []
            fields.append(weighted + analyse(card.text) + lines)
        for module in course.modules:
            for lesson in module.lessons:
                calling = _about_calling(lesson.title)
                documents.append(
                    Document("lesson", lesson.id, lesson.title, lesson.text, None, tuple(lesson.regions), calling)
                )
                fields.append(analyse(lesson.title) * TITLE_WEIGHT + analyse(lesson.text))
        versions = {code: info.version for code, info in course.regions.items()}
        return cls(documents, fields, versions)

    # --- the query ----------------------------------------------------------------------------

    def query_words(self, query: str) -> list[tuple[str, dict[str, float]]]:
        """Each unit the clinician typed (a word, or a phrase read as one meaning) that the index can use, with
        the terms it stands for and their weights; a word the course never uses comes with no terms."""
        found: list[tuple[str, dict[str, float]]] = []
        seen: set[tuple[str, ...]] = set()
        for unit in units(query):
            terms: dict[str, float] = {}
            # A bare number (an age, a count) says little about the topic, unless it means something ("911").
            content = [w for w in unit if stem(w) not in STOPWORDS and len(w) > 1 and (not w.isdigit() or expand(w))]
            if not content:
                continue
            for word in content:
                known = word if self._knows(word) else self._correct(word)
                if known is None:
                    continue
                terms.update(dict.fromkeys(terms_of(known), 1.0))
                for synonym in expand(known):
                    for term in terms_of(synonym):
                        terms.setdefault(term, EXPANSION_WEIGHT)
            key = tuple(sorted(terms)) if terms else content
            if tuple(key) not in seen:  # a word typed twice counts once
                seen.add(tuple(key))
                found.append((" ".join(content), terms))
        return found

    def query_terms(self, query: str) -> dict[str, float]:
        """The query as weighted index terms."""
        return _weights(self.query_words(query))

    def _knows(self, word: str) -> bool:
        return bool(expand(word)) or any(term in self._idf for term in terms_of(word))

    def _correct(self, word: str) -> str | None:
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return None
        cutoff = SHORT_TYPO_CUTOFF if len(word) <= 5 else TYPO_CUTOFF
        # Imported at the first typo, not at start: rapidfuzz is 3.5 MB of an idle bot's memory.
        from rapidfuzz import fuzz, process

        match = process.extractOne(
            word, self._near_in_length(len(word), cutoff), scorer=fuzz.ratio, score_cutoff=cutoff
        )
        return None if match is None else str(match[0])

    def _near_in_length(self, length: int, cutoff: int) -> list[str]:
        """The course's words that can be within `cutoff` of a word of `length`, in the vocabulary's order (so
        the best match, and the first of equals, is the same as over all of them). The ratio of two words is at
        most 200 x the shorter's length / both lengths: comparing only these makes an unknown word (a typo, or a
        word the course never uses, as most of a query can be) several times cheaper."""
        near = self._near.get((length, cutoff))
        if near is None:
            near = self._near[(length, cutoff)] = sorted(  # the vocabulary is sorted: the same order
                word
                for other, words_of_length in self._by_length.items()
                if 200 * min(length, other) >= cutoff * (length + other)
                for word in words_of_length
            )
        return near

    # --- ranking ------------------------------------------------------------------------------

    def find(self, query: str, region: str | None = None, limit: int = 3) -> Results:
        """The best `limit` results for a learner in `region` (None: not known), or none when nothing fits."""
        named = region_named(query)
        favoured = named or region
        typed = self.query_words(query)
        weights = _weights(typed)
        about_calling = any(stem(word) in CALLING for text, _ in typed for word in text.split())
        if not weights:
            return Results((), favoured, named is not None, about_calling)
        scores, coverage_of = self._scores_and_coverage(typed, weights)
        factors = self._factors.get(favoured)
        if factors is None:  # worked out once per region: a handful of regions, a few hundred documents
            factors = self._factors[favoured] = [self._factor(document, favoured) for document in self.documents]
        # (minus the score, the document): sorted as they come, the best first and equals in the index's order.
        ranked = [
            (-(scores[index] * (factors[index] * (1 - COORDINATION + COORDINATION * coverage))), index)
            for index, coverage in coverage_of.items()
            if coverage >= MIN_COVERAGE and scores[index] > 0
        ]
        ranked.sort()
        if not ranked or -ranked[0][0] < MIN_SCORE:
            return Results((), favoured, named is not None, about_calling)
        hits: list[Hit] = []
        titles: set[str] = set()
        wanted = {term for _, unit in typed for term in unit}
        for negative, index in ranked:
            score = -negative
            document = self.documents[index]
            if document.title in titles:  # one "Chart and code", the learner's, not five
                continue
            titles.add(document.title)
            line, start = self._best_line(index, typed, wanted)
            hits.append(Hit(document, score, _snippet(self._lines[index], line, start), index, line, start))
            if len(hits) == limit:
                break
        about_calling = about_calling or (bool(hits) and hits[0].document.calling)
        return Results(tuple(hits), favoured, named is not None, about_calling)

    def search(self, query: str, limit: int = 3, region: str | None = None) -> list[Hit]:
        return list(self.find(query, region, limit).hits)

    def _factor(self, document: Document, region: str | None) -> float:
        factor = CARD if document.kind == "card" else 1.0
        if region is None:
            return factor
        version = self._versions.get(region, "INTL")
        if document.region is not None:
            if document.region == region:
                return factor * OWN_REGION
            return factor * (OWN_VERSION if document.region == version else OTHER_REGION)
        if document.versions:
            return factor * (OWN_VERSION if version in document.versions else OTHER_REGION)
        return factor

    def _scores_and_coverage(
        self, typed: list[tuple[str, dict[str, float]]], weights: dict[str, float]
    ) -> tuple[list[float], dict[int, float]]:
        """Each document's BM25 score (by place in the index), and, for each document that matches any of the
        query, the share of what was typed it matches: each unit weighted by how rare its rarest term is. A word
        the course never uses counts like a fairly rare one: it may be the point of the question. One pass over
        the postings for both: this is a quarter of a search's work."""
        scores = [0.0] * len(self.documents)
        matched: dict[int, float] = {}
        scored: set[str] = set()
        total = 0.0
        for _, terms in typed:
            weight = max((self._idf.get(term, 0.0) for term in terms), default=0.0) or self._rarest * 1.0
            total += weight
            holding: set[int] = set()  # the documents that match this unit, each counted once
            for term in terms:
                holders, parts = self._postings.get(term, _NO_POSTINGS)
                holding.update(holders)
                if term not in scored:  # a term of two units scores once (at its greater weight)
                    scored.add(term)
                    term_weight = weights[term]
                    for index, part in zip(holders, parts, strict=True):
                        scores[index] += term_weight * part
            for index in holding:
                matched[index] = matched.get(index, 0.0) + weight
        if not total:
            return scores, {}
        return scores, {index: share / total for index, share in matched.items()}

    # --- snippets -----------------------------------------------------------------------------

    def _best_line(self, index: int, typed: list[tuple[str, dict[str, float]]], wanted: set[str]) -> tuple[int, int]:
        """The line that matches the query best (the first of equals), and where its snippet starts. Each unit
        typed counts once, by its best term; a line many documents share ("No single indicator proves
        trafficking") counts for less than one of this document's own."""
        lines = self._lines[index]
        if not lines:
            return 0, 0
        postings = self._line_postings[index]
        scores: dict[int, float] = {}
        for _, unit in typed:
            best_here: dict[int, float] = {}  # each line's best term of this unit
            for term, weight in unit.items():
                value = weight * self._idf.get(term, 0.0)
                for number in postings.get(term, ()):
                    best_here[number] = max(best_here.get(number, 0.0), value)
            for number, value in best_here.items():
                scores[number] = scores.get(number, 0.0) + value
        boilerplate = self._boilerplate[index]
        ranked = [
            (score * (BOILERPLATE if number in boilerplate else 1.0), -number) for number, score in scores.items()
        ]
        top = max(ranked, default=(0.0, 0))
        best = -top[1] if top[0] > 0 else 0  # no line matches: the first
        return best, self._start(index, best, wanted)

    def _start(self, index: int, number: int, wanted: set[str]) -> int:
        """Where the snippet of a document's line starts (see `_start`), from the line's words analysed once."""
        line = self._lines[index][number]
        if len(line) <= SNIPPET_LENGTH:
            return 0
        chunks = self._chunk_terms.get((index, number))
        if chunks is None:
            chunks = self._chunk_terms[(index, number)] = [frozenset(analyse(chunk)) for chunk in line.split()]
        for position, terms in enumerate(chunks):
            if not terms.isdisjoint(wanted):
                return max(0, position - SNIPPET_CONTEXT)
        return 0

    def hit_at(self, index: int, line: int, start: int) -> Hit | None:
        """A hit rebuilt from where it was found (for "back to the results"), or None if that is out of range."""
        if not 0 <= index < len(self.documents):
            return None
        lines = self._lines[index]
        if lines and not 0 <= line < len(lines):
            return None
        return Hit(self.documents[index], 0.0, _snippet(lines, line, start), index, line, start)


def _weights(typed: list[tuple[str, dict[str, float]]]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for _, terms in typed:
        for term, weight in terms.items():
            weights[term] = max(weights.get(term, 0.0), weight)
    return weights


def _about_calling(title: str) -> bool:
    return any(stem(word) in CALLING_TITLE for word in words(title))


def _lines(text: str) -> list[str]:
    return [line.strip(_BULLET) for line in plain_text(text).splitlines() if line.strip(_BULLET)]


def _start(line: str, terms: Iterable[str]) -> int:
    """Where a long line's snippet starts: a couple of words before the first word that matched."""
    if len(line) <= SNIPPET_LENGTH:
        return 0
    wanted = set(terms)
    for number, chunk in enumerate(line.split()):
        if wanted.intersection(analyse(chunk)):
            return max(0, number - SNIPPET_CONTEXT)
    return 0


def _snippet(lines: list[str], line: int, start: int) -> str:
    if not lines or not 0 <= line < len(lines):
        return ""
    chunks = lines[line].split()
    shown = " ".join(chunks[start:])
    lead = "…" if start > 0 else ""
    if len(lead) + len(shown) <= SNIPPET_LENGTH:
        return lead + shown
    cut = shown[: SNIPPET_LENGTH - len(lead) - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    if cut.rfind("{") > cut.rfind("}"):  # never cut a placeholder ("{emergency}") in two
        cut = cut[: cut.rfind("{")]
    return f"{lead}{cut.rstrip(' ,;:')}…"


def snippet(text: str, terms: Iterable[str]) -> str:
    """The line of `text` that mentions most of `terms` (index terms), cut to one short line around them."""
    wanted = set(terms)
    lines = _lines(text)
    if not lines:
        return ""
    best = max(range(len(lines)), key=lambda number: (len(wanted & set(analyse(lines[number]))), -number))
    return _snippet(lines, best, _start(lines[best], wanted))


def normalise(word: str) -> str:
    """A word as the index keeps it (its stem), so "infections" finds "infection"."""
    return stem(word.lower())
