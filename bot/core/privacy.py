"""Spotting patient details in free text, so the bot can refuse to search with them, delete them and keep nothing.

Deliberately cautious: a date, a record or account number, a phone number, a long run of digits, or a name
with an age ("Maria, 16", "Mr Lopez 42", "16yo Maria") is enough. A clinician looking something up never needs
any of those, and a false alarm costs a reminder. The numbers the course itself teaches (its hotlines) are not
patient details: the guard is told them, and lets them through. A capitalised word is taken for a name unless it
is an ordinary word: one the guard knows, or one the course itself writes in lower case ("Call", "Bed").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DETAILS = (
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),  # 03/07/1990, 3.7.90
    re.compile(r"\b(19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}\b"),  # 1990-07-03
    re.compile(rf"(?i)\b\d{{1,2}}(st|nd|rd|th)?\s+({_MONTHS})[a-z]*\.?\s+(19|20)\d{{2}}\b"),
    re.compile(rf"(?i)\b({_MONTHS})[a-z]*\.?\s+\d{{1,2}},?\s+(19|20)\d{{2}}\b"),
    _NAMED_IDENTIFIER := re.compile(
        r"(?i)\b(dob|d\.o\.b|date of birth|born on|mrn|medical record|record number|chart number|ssn|nhs number)\b"
    ),
)
_DIGIT = re.compile(r"\d")  # every other pattern here, and every age, needs one
_NUMBERS = (
    re.compile(r"\+?\d[\d ().-]{8,}\d"),  # phone numbers and long identifiers
    re.compile(r"\b\d{6,}\b"),
)
_HOTLINE_LIKE = re.compile(r"\+?\d[\d ().-]{4,}\d")  # how the course writes the numbers it teaches

# Capitalised words that are not names: sentence openers, people and places a clinician names in a question.
_NAMELESS = """
    a an the i im i'm she he they we you it my our his her their this that these those what how when who why
    where which can could do does did should would is are was were if and or but so for of on in at to with
    patient pt female male woman man women men girl boy child kid teen teenager baby infant youth adult minor
    mother father mom mum dad aunt uncle sister brother cousin friend husband wife partner boyfriend girlfriend
    victim survivor case client resident worker employer companion nurse doctor under over about around age aged
    old young new possible suspected likely maybe bed bay room ward unit module lesson step page day week month
    year years hours today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december ontario canada australia
    ireland england scotland wales britain europe america us usa uk eu nhs icd hiv sti std tb call ring dial
    text phone hotline helpline line number code triple zero version level stage grade type table question item
    part
"""
_NOT_NAMES = frozenset(_NAMELESS.split())
_NAME = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?"
_AGE_UNIT = r"(?:\s*(?:yo|y/o|y\.o\.|yrs?|years?(?:\s+old)?|-year-old)\b)"
_AGE = r"(?:1[01]\d|\d{1,2})(?!\d)"  # 0 to 119
_NAME_THEN_AGE = re.compile(
    rf"(?<![A-Za-z])({_NAME})(?:\s*,\s*(?:a\s+|aged\s+)?|\s*\(\s*|\s+(?:is|aged|age)\s+|\s+){_AGE}"
    rf"(?:{_AGE_UNIT}|\s*\)|\s*,|\s*[MF]\b|\s+[a-z]|(?=\s*[.!?]?\s*$))"
)
_AGE_THEN_NAME = re.compile(rf"\b{_AGE}{_AGE_UNIT}\s+({_NAME})(?![a-z])")
_TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+[A-Z][a-z'’-]+")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def numbers_in(texts: Iterable[str]) -> set[str]:
    """Every phone number (as its digits) in `texts`: what the course teaches, for PatientDetailsGuard."""
    return {_digits(match.group()) for text in texts for match in _HOTLINE_LIKE.finditer(text)}


class PatientDetailsGuard:
    """Says whether a text looks like patient details; the numbers the course teaches pass."""

    def __init__(self, taught_numbers: Iterable[str] = (), ordinary_words: Iterable[str] = ()) -> None:
        self._taught = frozenset(_digits(number) for number in taught_numbers if _digits(number))
        self._ordinary = _NOT_NAMES | {word.lower() for word in ordinary_words}

    def flags(self, text: str) -> bool:
        """Free text someone typed to look something up: any date, identifier, number or name with an age."""
        if not _DIGIT.search(text):  # most look-ups: then only a named identifier ("DOB", "MRN") can be one
            return bool(_NAMED_IDENTIFIER.search(text))
        return self.holds_dates_or_numbers(text) or self._name_with_age(text)

    def holds_dates_or_numbers(self, text: str) -> bool:
        """A date, a record or phone number, a long run of digits (a name alone, or a name with an age, passes)."""
        if any(pattern.search(text) for pattern in _DETAILS):
            return True
        return any(not self._is_taught(match.group()) for pattern in _NUMBERS for match in pattern.finditer(text))

    def _is_taught(self, number: str) -> bool:
        if _digits(number) in self._taught:
            return True
        # Numbers side by side ("1-888-373-7888 (233733)"): each must be one the course teaches.
        parts = [_digits(part) for part in re.split(r"[ ()]+", number) if _digits(part)]
        return bool(parts) and all(part in self._taught for part in parts)

    def _name_with_age(self, text: str) -> bool:
        if _TITLED_NAME.search(text) and re.search(r"\b\d{1,3}\b", text):
            return True
        candidates = [match.group(1) for match in _NAME_THEN_AGE.finditer(text)]
        candidates += [match.group(1) for match in _AGE_THEN_NAME.finditer(text)]
        return any(self._is_name(candidate) for candidate in candidates)

    def _is_name(self, words: str) -> bool:
        parts = [part for part in words.split() if part.rstrip(".") not in _TITLES]
        return bool(parts) and all(part.lower().strip("'’-") not in self._ordinary for part in parts)


_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr")


def ordinary_words(texts: Iterable[str]) -> set[str]:
    """The words `texts` write in lower case somewhere: not names, even when a sentence starts with one."""
    return {word for text in texts for word in re.findall(r"(?<![A-Za-z])[a-z][a-z'’-]+", text)}


def looks_like_patient_details(text: str) -> bool:
    """A date, an identifier or a number, with no numbers taught: for text that is meant to be a name (the one on
    a certificate). Search uses PatientDetailsGuard.flags, which also knows the course's numbers and names."""
    return PatientDetailsGuard().holds_dates_or_numbers(text)
