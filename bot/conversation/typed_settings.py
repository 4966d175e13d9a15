"""Settings as people type them: a time ("7pm", "7:30 pm", "19.30", "noon"), days ("weekends", "M W F",
"Tu Th", "Mon-Fri"), quiet hours ("10pm-6am", "off") and how long to pause ("7", "2 weeks", "2026-12-24",
"24 Dec", "monday").

Each parser returns the value or None, and never raises: input is folded to plain characters first (NFKC, so a
superscript "²" reads as "2" and full-width digits as digits), bounded in length, and checked before any
arithmetic. Clock times and dates are read by `dateutil`'s parser (a time alone is accepted only when the text
names no date); day names are dateutil's own English table. Nothing typed is ever logged or put in an error.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from dateutil import parser as dateutil_parser

from scheduler.windows import EVERY_DAY, WEEKDAYS, WEEKENDS

LONGEST_INPUT = 60
LONGEST_PAUSE_DAYS = 365
OFF = (time(0, 0), time(0, 0))  # quiet hours that start and end together: none at all

_DAY_NAMES = tuple(full.lower() for _, full in dateutil_parser.parserinfo.WEEKDAYS)
_NAMED_CLOCKS = {"noon": time(12, 0), "12 noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}
_EVERY_DAY_WORDS = {"every day", "everyday", "daily", "all", "all days", "all week", "7 days", "any day"}
_OFF_WORDS = {"off", "none", "no", "never", "nothing", "0", "no quiet hours", "none at all", "no quiet"}
_DIGITS = re.compile(r"^[0-9]{1,4}$")
_DOT_OR_H_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])\s*[.h]\s*(?=[0-9]{2}(?![0-9]))")
_RANGE = re.compile(r"\s*(?:-|–|—|\bto\b|\buntil\b|\btill\b|\bthrough\b)\s*")
_DAYS_SPLIT = re.compile(r"[\s,;/&+]+|\band\b")
_PAUSE_LENGTH = re.compile(r"^(?:for\s+)?([0-9]{1,4}|a|one)\s*(d|day|days|w|wk|week|weeks)?$")
# Two defaults that differ in every date field: a text that names any part of a date changes one of them.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 5))  # noqa: DTZ001 - only dates and times of day are read


def plain(text: str) -> str:
    """Compatibility characters folded (NFKC), lower case, single spaces; empty if too long to be a setting."""
    folded = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    return folded if len(folded) <= LONGEST_INPUT else ""


def parse_clock(text: str) -> time | None:
    """A time of day: "7", "0730", "19:30", "19.30", "7h30", "7pm", "7:30 pm", "noon", "midnight"."""
    cleaned = plain(text)
    if cleaned in _NAMED_CLOCKS:
        return _NAMED_CLOCKS[cleaned]
    if _DIGITS.match(cleaned):
        hours, minutes = (int(cleaned), 0) if len(cleaned) <= 2 else (int(cleaned[:-2]), int(cleaned[-2:]))
        return time(hours, minutes) if hours < 24 and minutes < 60 else None
    if not cleaned or not cleaned.isascii() or not any(char.isdigit() for char in cleaned):
        return None
    cleaned = _DOT_OR_H_BETWEEN_DIGITS.sub(":", cleaned.removesuffix("h"))
    readings = []
    for default in _DEFAULTS:
        try:
            readings.append(dateutil_parser.parse(cleaned, default=default))
        except (ValueError, OverflowError):
            return None
    if any(reading.date() != default.date() for reading, default in zip(readings, _DEFAULTS, strict=True)):
        return None  # it named a day or a month: not a time of day
    if readings[0].tzinfo is not None:
        return None
    return readings[0].time().replace(second=0, microsecond=0)


def parse_days(text: str) -> frozenset[int] | None:
    """Days of the week: "every day", "weekdays", "weekends", "Mon Wed Fri", "M W F", "Tu Th", "mon-fri"."""
    cleaned = plain(text).replace(".", " ")
    if not cleaned:
        return None
    if cleaned in _EVERY_DAY_WORDS:
        return EVERY_DAY
    days: set[int] = set()
    for part in (piece for piece in _DAYS_SPLIT.split(cleaned) if piece and piece.strip()):
        found = _days_in(part.strip())
        if found is None:
            return None
        days |= found
    return frozenset(days) or None


def _days_in(part: str) -> frozenset[int] | None:
    if part in ("weekdays", "weekday", "workdays", "week days", "work days"):
        return WEEKDAYS
    if part in ("weekends", "weekend"):
        return WEEKENDS
    ends = _RANGE.split(part)
    if len(ends) == 2:
        first, last = _day(ends[0]), _day(ends[1])
        if first is None or last is None:
            return None
        return frozenset((first + step) % 7 for step in range((last - first) % 7 + 1))
    day = _day(part)
    return None if day is None else frozenset({day})


def _day(word: str) -> int | None:
    """A day by a prefix only it has: "m", "tu", "th", "wed", "friday" (but not "t" or "s")."""
    word = word.strip()
    if not word.isalpha():
        return None
    matches = [index for index, name in enumerate(_DAY_NAMES) if name.startswith(word)]
    return matches[0] if len(matches) == 1 else None


def parse_quiet(text: str) -> tuple[time, time] | None:
    """Quiet hours as a range ("22:00-06:30", "10pm-6am", "10 pm to 6 am"), or none at all ("off")."""
    cleaned = plain(text)
    if cleaned in _OFF_WORDS:
        return OFF
    parts = _RANGE.split(cleaned)
    if len(parts) != 2:
        return None
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start is None or end is None:
        return None
    return (start, end) if start != end else OFF


def parse_pause(text: str, today: date) -> int | date | None:
    """How long to pause: a number of days (int), or the day bites come back (a date), within a year of `today`.

    "7", "7 days", "2 weeks", "a week"; "2026-12-24", "24 Dec", "Dec 24", "until monday". None if unreadable,
    past, or more than a year away.
    """
    cleaned = plain(text).removeprefix("until ").removeprefix("till ").strip()
    if not cleaned:
        return None
    length = _PAUSE_LENGTH.match(cleaned)
    if length is not None:
        number = 1 if length.group(1) in ("a", "one") else int(length.group(1))
        days = number * 7 if (length.group(2) or "d").startswith("w") else number
        return days if 0 < days <= LONGEST_PAUSE_DAYS else None
    day = _date(cleaned, today)
    if day is None or not today < day <= today + timedelta(days=LONGEST_PAUSE_DAYS):
        return None
    return day


def _date(cleaned: str, today: date) -> date | None:
    if not cleaned.isascii():
        return None
    weekday = _day(cleaned)
    if weekday is not None:  # "monday": the next Monday (a week today, said on a Monday)
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    default = datetime.combine(today, time(0, 0))
    try:
        reading = dateutil_parser.parse(cleaned, default=default)
        other = dateutil_parser.parse(cleaned, default=default.replace(year=today.year + 1))
    except (ValueError, OverflowError):
        return None
    if reading.time() != time(0, 0) or reading.tzinfo is not None:
        return None  # a time of day is no end for a pause
    day = reading.date()
    if day <= today and other.year != reading.year:  # no year was given: the next such day
        day = other.date()
    return day
