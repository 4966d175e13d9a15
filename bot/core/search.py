"""Free-text search over the reference cards and lessons, for a clinician with thirty seconds.

BM25 ranking over each document's title, keywords and text (titles and keywords weigh more), with the
query normalised the way clinicians write: case and plurals folded, shorthand and lay words expanded
("STD" finds STI, "AVS" the after-visit summary, "pimp" the trafficker), and small typos corrected against
the course's own vocabulary. Pure: the index is built once from the course.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.content.markup import plain_text
from bot.content.model import Course

TITLE_WEIGHT = 3
KEYWORD_WEIGHT = 3
K1, B = 1.2, 0.75
TYPO_CUTOFF = 80  # rapidfuzz ratio (0-100) for a misspelt word to count as a known one
MIN_TYPO_LENGTH = 4
SNIPPET_LENGTH = 70

_STOPWORDS = (
    "a an and are as at be by can do does for from how i if in into is it its me my of on or our should "
    "so that the their them there these they this to up was we what when where which who why will with "
    "you your about any look looking find show tell need know safely safe"
)
STOPWORDS = frozenset(_STOPWORDS.split())

# Clinical shorthand and lay words, mapped to the words the course uses (after normalising).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "std": ("sti", "infection"),
    "vd": ("sti",),
    "sti": ("infection",),
    "pimp": ("trafficker", "controller", "companion"),
    "john": ("buyer", "commercial"),
    "brand": ("tattoo", "branding"),
    "branding": ("tattoo", "brand"),
    "tattoo": ("branding",),
    "icd": ("code", "icd-10-cm"),
    "icd10": ("code", "icd-10-cm"),
    "code": ("icd-10-cm",),
    "coding": ("code",),
    "dx": ("code", "diagnosis"),
    "portal": ("proxy", "record"),
    "mychart": ("portal", "proxy"),
    "avs": ("after-visit", "summary", "discharge", "paperwork"),
    "discharge": ("after-visit", "summary", "paperwork"),
    "paperwork": ("after-visit", "summary"),
    "interpreter": ("language", "translator"),
    "translator": ("interpreter",),
    "translate": ("interpreter",),
    "minor": ("child", "under", "18", "youth"),
    "kid": ("child", "minor"),
    "teen": ("minor", "child", "youth"),
    "teenager": ("minor", "child", "youth"),
    "adolescent": ("minor", "youth"),
    "child": ("minor",),
    "ehr": ("record", "chart"),
    "chart": ("record", "document"),
    "charting": ("record", "document"),
    "document": ("record",),
    "documentation": ("record", "document"),
    "photo": ("photograph", "photographing"),
    "pic": ("photograph",),
    "picture": ("photograph",),
    "cop": ("police",),
    "cops": ("police",),
    "law": ("police", "legal"),
    "cps": ("child", "protective", "report"),
    "mandated": ("report", "reporting"),
    "mandatory": ("report", "reporting"),
    "hipaa": ("privacy", "disclosure"),
    "hotline": ("helpline", "number"),
    "helpline": ("hotline",),
    "phone": ("hotline", "number"),
    "number": ("hotline",),
    "call": ("hotline",),
    "911": ("emergency",),
    "emergency": ("danger",),
    "danger": ("emergency",),
    "labour": ("labor",),
    "work": ("labor",),
    "worker": ("labor",),
    "sex": ("sexual",),
    "prostitution": ("sex", "commercial"),
    "ptsd": ("mental", "trauma"),
    "depression": ("mental",),
    "suicide": ("mental", "self-harm"),
    "passport": ("documents", "id"),
    "id": ("documents", "passport"),
    "visa": ("immigration", "documents"),
    "debt": ("money", "owe"),
    "cash": ("money",),
    "respond": ("pearr", "response"),
    "pearr": ("respond", "privacy", "educate"),
    "sign": ("indicator", "red", "flag"),
    "indicator": ("sign", "red", "flag"),
    "redflag": ("indicator",),
    "uk": ("united", "kingdom"),
    "us": ("united", "states"),
    "usa": ("united", "states"),
    "canada": ("canadian",),
    "australia": ("australian",),
    "lgbt": ("lgbtq",),
    "lgbtq": ("lgbtq+",),
    "trans": ("transgender",),
    "gay": ("lgbtq",),
    "boy": ("male", "men"),
    "men": ("male",),
    "man": ("male", "men"),
}
PHRASES = {
    "after visit summary": "avs",
    "after-visit summary": "avs",
    "red flag": "indicator",
    "red flags": "indicator",
    "under 18": "minor",
    "mandated reporter": "mandated",
    "sexually transmitted": "sti",
    "icd 10": "icd",
    "icd-10": "icd",
}

_TOKEN = re.compile(r"[a-z]\d{2}\.\d{1,3}[a-z0-9]*|[a-z0-9]+(?:[-+][a-z0-9]+)*\+?")


def normalise(word: str) -> str:
    """Fold simple plurals so "infections" finds "infection" (and "injuries" "injury")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        # "diagnosis", "pelvis" keep their s; "STIs" loses it.
        return word if len(word) > 5 and word.endswith("is") else word[:-1]
    return word


def tokens(text: str) -> list[str]:
    return [normalise(token) for token in _TOKEN.findall(plain_text(text).lower())]


@dataclass(frozen=True)
class Document:
    """A searchable card or lesson."""

    kind: str  # "card" or "lesson"
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float
    snippet: str


class SearchIndex:
    """BM25 over the course's cards and lessons."""

    def __init__(self, documents: list[Document], fields: list[list[str]]) -> None:
        self.documents = documents
        self._counts = [Counter(field) for field in fields]
        self._lengths = [len(field) for field in fields]
        self._average = sum(self._lengths) / max(len(fields), 1)
        frequency: Counter[str] = Counter()
        for counts in self._counts:
            frequency.update(counts.keys())
        total = len(fields)
        self._idf = {term: math.log(1 + (total - seen + 0.5) / (seen + 0.5)) for term, seen in frequency.items()}
        self._vocabulary = [term for term in self._idf if len(term) >= MIN_TYPO_LENGTH and term.isalpha()]

    @classmethod
    def build(cls, course: Course) -> SearchIndex:
        documents: list[Document] = []
        fields: list[list[str]] = []
        for card in course.cards:
            documents.append(Document("card", card.id, card.title, card.text))
            weighted = tokens(card.title) * TITLE_WEIGHT + tokens(" ".join(card.keywords)) * KEYWORD_WEIGHT
            fields.append(weighted + tokens(card.text))
        for module in course.modules:
            for lesson in module.lessons:
                documents.append(Document("lesson", lesson.id, lesson.title, lesson.text))
                fields.append(tokens(lesson.title) * TITLE_WEIGHT + tokens(lesson.text))
        return cls(documents, fields)

    def query_terms(self, query: str) -> list[str]:
        """The query as index terms: phrases and shorthand expanded, stop words dropped, typos corrected."""
        lowered = query.lower()
        for phrase, replacement in PHRASES.items():
            lowered = lowered.replace(phrase, f" {replacement} ")
        terms: list[str] = []
        for token in tokens(lowered):
            if token in STOPWORDS:
                continue
            known = token if token in self._idf or token in SYNONYMS else self._correct(token)
            if known is None:
                continue
            terms.append(known)
            terms.extend(normalise(word) for word in SYNONYMS.get(known, ()))
        return terms

    def _correct(self, token: str) -> str | None:
        if len(token) < MIN_TYPO_LENGTH or not token.isalpha():
            return None
        candidates = [*self._vocabulary, *(word for word in SYNONYMS if len(word) >= MIN_TYPO_LENGTH)]
        match = process.extractOne(token, candidates, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
        return None if match is None else str(match[0])

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        terms = self.query_terms(query)
        if not terms:
            return []
        weights = Counter(terms)
        scored = []
        for index, counts in enumerate(self._counts):
            score = self._score(index, counts, weights)
            if score > 0:
                scored.append((score, index))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [
            Hit(self.documents[index], score, snippet(self.documents[index].text, weights.keys()))
            for score, index in scored[:limit]
        ]

    def _score(self, index: int, counts: Counter[str], weights: Counter[str]) -> float:
        length_factor = K1 * (1 - B + B * self._lengths[index] / self._average)
        score = 0.0
        for term, weight in weights.items():
            frequency = counts.get(term, 0)
            if frequency:
                # Expanded synonyms count for less than the words the clinician actually typed.
                score += min(weight, 2) * self._idf[term] * frequency * (K1 + 1) / (frequency + length_factor)
        return score


def snippet(text: str, terms: Iterable[str]) -> str:
    """The line of `text` that mentions most of `terms`, cut to one short line."""
    wanted = set(terms)
    lines = [line.strip(" •-\t") for line in plain_text(text).splitlines() if line.strip(" •-\t")]
    if not lines:
        return ""
    best = max(lines, key=lambda line: (len(wanted & set(tokens(line))), -lines.index(line)))
    return best if len(best) <= SNIPPET_LENGTH else best[: SNIPPET_LENGTH - 1].rstrip() + "…"
