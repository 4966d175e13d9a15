"""The words of a clinician's search, as the search index reads them: tokens, stems, shorthand, phrasing, places.

`analyse` turns text into index terms: lower case, apostrophes dropped ("won't" is "wont"), each word stemmed
with the Snowball English stemmer ("leaving" and "leave" meet), diagnosis codes kept whole and also by their
category ("T76.61XA" also counts as "t76.61" and "t76"), hyphenated words also by their parts. `read` turns a
query into units of meaning with the tables of bot.core.shorthand (what shorthand, lay words and action phrasing
mean in the course's own words); `region_named` finds the region a query names. Pure: no state but caches.
"""

from __future__ import annotations

import functools
import re

import Stemmer  # PyStemmer: the Snowball project's own stemmers, in C

from bot.content.markup import plain_text
from bot.core import shorthand

_STEMMER = Stemmer.Stemmer("english")
_APOSTROPHES = re.compile(r"(?<=\w)['’](?=\w)")
_CODE = r"[a-z]\d{2}(?:\.\d{1,3}[a-z0-9]*)?"
_TOKEN = re.compile(rf"{_CODE}(?![a-z0-9])|[a-z0-9]+(?:[-+][a-z0-9]+)*\+?")
_IS_CODE = re.compile(rf"^{_CODE}$")


@functools.cache
def stem(word: str) -> str:
    """A word's stem; codes, numbers and words with digits stay as they are."""
    if not word.isalpha():
        return word
    stemmed = str(_STEMMER.stemWord(word))
    if stemmed == word and len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        return str(_STEMMER.stemWord(word[:-1]))  # abbreviations: Snowball leaves "STIs" and "UTIs" alone
    return stemmed


def words(text: str) -> list[str]:
    """The words of `text` as typed, lower case, markup and apostrophes removed."""
    return _TOKEN.findall(_APOSTROPHES.sub("", plain_text(text).lower()))


def terms_of(word: str) -> list[str]:
    """The index terms one word stands for: its stem, and a code's category or a hyphenated word's parts."""
    found = [stem(word.rstrip("+")) if word.endswith("+") and len(word) > 1 else stem(word)]
    if _IS_CODE.match(word):
        category, _, rest = word.partition(".")
        if rest:
            found.append(f"{category}.{rest[:2]}" if len(rest) > 2 else category)
            found.append(category)
    elif "-" in word:
        found.extend(stem(part) for part in word.split("-") if len(part) > 1)
    return list(dict.fromkeys(found))


def analyse(text: str) -> list[str]:
    """Every index term of `text`, in order, repeats kept (BM25 counts them)."""
    return [term for word in words(text) for term in terms_of(word)]


STOPWORDS = frozenset(stem(word) for word in shorthand.STOPWORDS_TEXT.split())
# Stems of the words that make a query about calling someone or reporting.
_CALLING = "call hotline helpline line phone number ring tty report police refer referral notify"
CALLING = frozenset(stem(word) for word in _CALLING.split(" "))
_AGE = re.compile(r"(?<![a-z0-9])(\d{1,2})\s*(?:yo|y/o|y\.o\.|yrs?|-?years?-old)(?![a-z])")
_MARK = re.compile("\ue000(\\d+)\ue001")  # where a phrase was read, in the query being read


@functools.cache
def _stemmed_synonyms() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for word, meanings in shorthand.SYNONYMS.items():
        table[stem(word)] = (*table.get(stem(word), ()), *meanings)
    return table


def expand(word: str) -> tuple[str, ...]:
    """What a typed word also means, in the course's words ("STDs" as much as "STD")."""
    return shorthand.SYNONYMS.get(word) or _stemmed_synonyms().get(stem(word), ())


@functools.cache
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])")


class _Reading:
    """A query being read: the phrases found so far, each left in the text as a mark."""

    def __init__(self) -> None:
        self.meanings: list[str] = []
        self.used: set[str] = set()  # the table entries the reading drew on

    def mark(self, meaning: str, rest: str = "") -> str:
        self.meanings.append(meaning)
        return f" \ue000{len(self.meanings) - 1}\ue001 {rest}"

    def replace(self, pattern: re.Pattern[str], meaning: str, text: str, entry: str) -> str:
        def marked(match: re.Match[str]) -> str:
            self.used.add(entry)
            # What a pattern leaves out between its words (its groups) is read on as ordinary words.
            return self.mark(meaning, " ".join(match.groups("")))

        return pattern.sub(marked, text)


@functools.cache
def _phrases_longest_first() -> list[str]:
    return sorted(shorthand.PHRASES, key=len, reverse=True)


def read(query: str) -> tuple[list[tuple[str, ...]], set[str]]:
    """The query as units of meaning (each known phrase, as the words the course uses for it; each other word),
    and the entries of the tables above that reading it drew on ("phrase:what now", "synonym:hx")."""
    found, reading = _read(query)
    for word in {word for unit in found for word in unit}:
        if word in shorthand.SYNONYMS:
            reading.used.add(f"synonym:{word}")
        elif stem(word) in _stemmed_synonyms():
            reading.used.update(f"synonym:{key}" for key in shorthand.SYNONYMS if stem(key) == stem(word))
    return found, reading.used


def _read(query: str) -> tuple[list[tuple[str, ...]], _Reading]:
    reading = _Reading()
    text = _AGE.sub(r" \1 year old ", _APOSTROPHES.sub("'", query.lower()))
    for pattern, meaning in shorthand.PATTERNS:
        text = reading.replace(pattern, meaning, text, f"pattern:{meaning}")
    for phrase in _phrases_longest_first():
        if phrase in text:
            text = reading.replace(_phrase_pattern(phrase), shorthand.PHRASES[phrase], text, f"phrase:{phrase}")
    found: list[tuple[str, ...]] = []
    for number, piece in enumerate(_MARK.split(text)):
        if number % 2:
            found.append(tuple(words(reading.meanings[int(piece)])))
        else:
            found.extend((word,) for word in words(piece))
    return found, reading


def units(query: str) -> list[tuple[str, ...]]:
    """The query as units of meaning: each known phrase (as the words the course uses for it), each other word."""
    return _read(query)[0]


@functools.cache
def _region_names() -> tuple[re.Pattern[str], dict[str, str]]:
    """Every region's names as one pattern, longest first (so where names overlap the longest is read), and
    the region each name belongs to (the first in the table's order of regions, where two share a name)."""
    region_of: dict[str, str] = {}
    for region, names in sorted(shorthand.REGION_WORDS.items()):
        for name in names:
            region_of.setdefault(name, region)
    alternatives = "|".join(re.escape(name) for name in sorted(region_of, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])"), region_of


_US = re.compile(r"(?<![A-Za-z])U\.?S\.?(?![A-Za-z])")  # "us" in lower case is a pronoun


def region_named(query: str) -> str | None:
    """The region a query names, if any: the first one mentioned (the longest name, where names overlap)."""
    pattern, region_of = _region_names()
    found: list[tuple[int, int, str]] = []  # (start, -length, region)
    named = pattern.search(query.lower())
    if named is not None:
        found.append((named.start(), -len(named.group()), region_of[named.group()]))
    us = _US.search(query)
    if us is not None:
        found.append((us.start(), -len(us.group()), "US"))
    return min(found)[2] if found else None


def clear_caches() -> None:
    """Forget what was worked out from the tables (after a change to them, as bench/lookups.py makes)."""
    _stemmed_synonyms.cache_clear()
    _phrases_longest_first.cache_clear()
    _phrase_pattern.cache_clear()
    _region_names.cache_clear()
