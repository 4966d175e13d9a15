"""Spotting patient details in free text, so the bot can refuse to search with them or keep them.

Deliberately cautious: a date, a record or account number, a phone number or a long run of digits is
enough. A clinician looking something up never needs any of those, and a false alarm costs a reminder.
"""

from __future__ import annotations

import re

_PATTERNS = (
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),  # 03/07/1990, 3.7.90
    re.compile(r"\b(19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}\b"),  # 1990-07-03
    re.compile(
        r"(?i)\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(19|20)\d{2}\b"
    ),
    re.compile(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+(19|20)\d{2}\b"),
    re.compile(
        r"(?i)\b(dob|d\.o\.b|date of birth|born on|mrn|medical record|record number|chart number|ssn|nhs number)\b"
    ),
    re.compile(r"\+?\d[\d ().-]{8,}\d"),  # phone numbers and long identifiers
    re.compile(r"\b\d{6,}\b"),
)


def looks_like_patient_details(text: str) -> bool:
    return any(pattern.search(text) for pattern in _PATTERNS)
