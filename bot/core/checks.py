"""The knowledge checks: an optional one before the course and a parallel one after it, each opening with a few
1-5 ratings. Pure rules: when a check may be taken, and what comes next in it.

Where they sit in a learner's journey:
- Before: offered once, when the learner first asks for a bite and has done nothing of the course yet. It can be
  skipped in one tap (then the first lesson follows, and it is never offered again); once begun, it can be
  finished. /check takes it up to the first bite of module 1.
- After: offered once, when the learner has finished the last module; skipping it ends the matter. /check takes
  it any time after the course is finished. Neither check needs a cohort.
- Each check is the ratings (confidence to recognize, respond and document; after the course also relevance and
  intention to change practice), then the items in file order. "Skip the rest" keeps what was answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from bot.content.model import Course, TestQuestion
from bot.core import engine

PRE, POST = "pre", "post"
PHASES = (PRE, POST)
CONFIDENCE = ("recognize", "respond", "document")
EVALUATION = ("relevance", "intention")
SCALES: dict[str, tuple[str, ...]] = {PRE: CONFIDENCE, POST: CONFIDENCE + EVALUATION}
RATING_MIN, RATING_MAX = 1, 5


class Status(Enum):
    OFFERED = "offered"
    STARTED = "started"
    SKIPPED = "skipped"
    DONE = "done"


@dataclass(frozen=True)
class CheckRecord:
    """Where one learner is in one check: its status, the ratings given, and which items were answered well."""

    status: Status | None = None
    ratings: Mapping[str, int] = field(default_factory=dict)
    answers: Mapping[str, bool] = field(default_factory=dict)

    @property
    def correct(self) -> int:
        return sum(self.answers.values())


def items(course: Course, phase: str) -> tuple[TestQuestion, ...]:
    return course.pretest if phase == PRE else course.posttest


def item(course: Course, phase: str, item_id: str) -> TestQuestion | None:
    return next((question for question in items(course, phase) if question.id == item_id), None)


def has_check(course: Course, phase: str) -> bool:
    return bool(items(course, phase))


def steps(course: Course, phase: str) -> int:
    return len(SCALES[phase]) + len(items(course, phase))


def next_step(course: Course, phase: str, record: CheckRecord) -> str | TestQuestion | None:
    """The next rating (its scale) or item of the check; None when everything is answered."""
    for scale in SCALES[phase]:
        if scale not in record.ratings:
            return scale
    return next((question for question in items(course, phase) if question.id not in record.answers), None)


def number_of(course: Course, phase: str, step: str | TestQuestion) -> int:
    """The 1-based place of a rating (its scale) or an item in the check, ratings first."""
    if isinstance(step, str):
        return SCALES[phase].index(step) + 1
    return len(SCALES[phase]) + [question.id for question in items(course, phase)].index(step.id) + 1


def may_take(course: Course, phase: str, progress: engine.LearnerRecord, record: CheckRecord) -> bool:
    """Whether the learner may answer the check of `phase` now (taking `course`, their version of it).

    Before the course: while nothing of the course is done yet, or to finish a check already begun. After it:
    once every module is finished.
    """
    if not has_check(course, phase):
        return False
    if phase == PRE:
        begun = bool(progress.delivered or progress.answers)
        return not begun or record.status is Status.STARTED
    return engine.is_complete(course, progress)


def offer_due(course: Course, phase: str, progress: engine.LearnerRecord, record: CheckRecord) -> bool:
    """Whether to offer the check now, unasked: only once, and only when it may be taken."""
    return record.status is None and may_take(course, phase, progress, record)
