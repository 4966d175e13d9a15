"""Completion certificates: who may have one, the signed verification code, and the one-page PDF.

A learner qualifies once every module is finished and at least 80% of the case questions were answered
correctly at their best attempt (the first answer or any review). The code carries its serial number and
completion date, signed with COURSEBOT_SECRET (HMAC-SHA256), so it cannot be forged and can be checked
without the database: `coursebot verify CODE`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.content.model import Course
from bot.core import engine

PASS_SHARE = 0.8
PREFIX = "HTR"
_CODE = re.compile(rf"^{PREFIX}-(\d{{5,}})-(\d{{8}})-([A-Z2-7]{{10}})$")
NAME_MAX = 80


@dataclass(frozen=True)
class Eligibility:
    complete: bool
    correct: int
    questions: int

    @property
    def share(self) -> float:
        return self.correct / self.questions if self.questions else 1.0

    @property
    def qualifies(self) -> bool:
        return self.complete and self.share >= PASS_SHARE

    @property
    def correct_needed(self) -> int:
        """How many more right answers reach the pass mark (0 once reached)."""
        return max(0, math.ceil(PASS_SHARE * self.questions - 1e-9) - self.correct)


def eligibility(course: Course, record: engine.LearnerRecord, best: Mapping[str, bool]) -> Eligibility:
    """`best` maps each answered question to whether any attempt at it was right."""
    questions = course.questions
    return Eligibility(
        complete=engine.is_complete(course, record),
        correct=sum(best.get(question.id, False) for question in questions),
        questions=len(questions),
    )


# Codes signed before certificates kept their hours carried the course's hours in the signature; they were all
# issued when the course stated 2.5 hours.
LEGACY_HOURS = 2.5


def _signature(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:10]


def _payload(serial: int, completed_on: date, course: Course) -> str:
    return f"{serial}|{completed_on.isoformat()}|{course.title}"


def make_code(secret: str, serial: int, completed_on: date, course: Course) -> str:
    signature = _signature(secret, _payload(serial, completed_on, course))
    return f"{PREFIX}-{serial:05d}-{completed_on:%Y%m%d}-{signature}"


@dataclass(frozen=True)
class Verified:
    serial: int
    completed_on: date


def verify_code(secret: str, code: str, course: Course) -> Verified | None:
    """The certificate a code stands for, or None if the code is malformed or forged."""
    match = _CODE.match(code.strip().upper())
    if match is None:
        return None
    serial, day, signature = int(match.group(1)), match.group(2), match.group(3)
    try:
        completed_on = date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        return None
    payload = _payload(serial, completed_on, course)
    for expected in (_signature(secret, payload), _signature(secret, f"{payload}|{LEGACY_HOURS:g}")):
        if hmac.compare_digest(expected, signature):
            return Verified(serial, completed_on)
    return None


def clean_name(text: str) -> str | None:
    """The name as it will be printed, or None when it is empty or too long."""
    name = " ".join(text.split())
    return name if 0 < len(name) <= NAME_MAX else None
