"""What a learner gets next, how an answer is scored, and how far along they are.

Everything here is a pure function of the course and a learner's record; the adapters load the record,
call in, and store what comes back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from bot.content.model import Course, Lesson, Module, Question

Item = Lesson | Question


@dataclass(frozen=True)
class Learner:
    """An enrolled learner: a Telegram user id and the private chat the course is sent to."""

    user_id: int
    chat_id: int
    enrolled_at: datetime


@dataclass(frozen=True)
class AnswerRecord:
    """A learner's first answer to a case question (the one that counts)."""

    item_id: str
    option: int
    correct: bool
    answered_at: datetime


@dataclass(frozen=True)
class LearnerRecord:
    """What has happened to one learner so far: items delivered and questions answered."""

    delivered: frozenset[str] = frozenset()
    answers: Mapping[str, AnswerRecord] = field(default_factory=dict)

    def is_done(self, item: Item) -> bool:
        """A lesson is done once delivered; a question once answered."""
        if isinstance(item, Question):
            return item.id in self.answers
        return item.id in self.delivered


def next_item(course: Course, record: LearnerRecord) -> Item | None:
    """The first item in course order the learner has not done yet; None when the course is complete."""
    return next((item for item in course.items if not record.is_done(item)), None)


def is_complete(course: Course, record: LearnerRecord) -> bool:
    return next_item(course, record) is None


class Rejection(Enum):
    """Why a button press cannot count as an answer."""

    UNKNOWN_QUESTION = "unknown_question"
    INVALID_OPTION = "invalid_option"
    NOT_DELIVERED = "not_delivered"
    ALREADY_ANSWERED = "already_answered"


@dataclass(frozen=True)
class Scored:
    """A valid, first answer: to record, then to explain."""

    question: Question
    option: int
    correct: bool

    def record(self, now: datetime) -> AnswerRecord:
        return AnswerRecord(self.question.id, self.option, self.correct, now)


def grade(course: Course, item_id: str, option: int) -> Scored | Rejection:
    """Score `option` for question `item_id` on the content alone, whoever answers."""
    question = course.item(item_id)
    if not isinstance(question, Question):
        return Rejection.UNKNOWN_QUESTION
    if not 0 <= option < len(question.options):
        return Rejection.INVALID_OPTION
    return Scored(question, option, option == question.best_index)


def score_answer(course: Course, record: LearnerRecord, item_id: str, option: int) -> Scored | Rejection:
    """Score `option` for question `item_id`, or say why the press does not count.

    Only a question this learner was sent can be answered (button data can be forged), and only once.
    """
    graded = grade(course, item_id, option)
    if isinstance(graded, Rejection):
        return graded
    question = graded.question
    if question.id not in record.delivered:
        return Rejection.NOT_DELIVERED
    if question.id in record.answers:
        return Rejection.ALREADY_ANSWERED
    return graded


@dataclass(frozen=True)
class ModuleProgress:
    """How far a learner is through one module."""

    module: Module
    done: int
    total: int

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass(frozen=True)
class CourseProgress:
    """How far a learner is through the course, and how well they answer."""

    modules: tuple[ModuleProgress, ...]
    answered: int
    correct: int
    total_questions: int

    @property
    def done(self) -> int:
        return sum(module.done for module in self.modules)

    @property
    def total(self) -> int:
        return sum(module.total for module in self.modules)

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def share_correct(self) -> float | None:
        """Correct first answers among the questions answered; None before the first answer."""
        return self.correct / self.answered if self.answered else None


def progress(course: Course, record: LearnerRecord) -> CourseProgress:
    """Progress per module, counting only items that are still in the course."""
    modules = tuple(
        ModuleProgress(module, sum(record.is_done(item) for item in module.items), len(module.items))
        for module in course.modules
    )
    current = [record.answers[q.id] for q in course.questions if q.id in record.answers]
    return CourseProgress(
        modules=modules,
        answered=len(current),
        correct=sum(answer.correct for answer in current),
        total_questions=len(course.questions),
    )


def position_in_module(course: Course, item: Item) -> tuple[Module, int, int]:
    """The item's module, its 1-based position there, and the module's length (for "3 of 15")."""
    module = course.module_of(item.id)
    return module, course.position(item.id), len(module.items)


def missed_questions(course: Course, attempts: list[tuple[str, bool, datetime]]) -> list[Question]:
    """The course's questions the learner last answered wrong, most useful to practise first.

    Never yet answered right comes before right once and wrong since; within each, the one answered longest ago
    first (the memory most faded). `attempts` is (question, right, when) for every answer and review.
    """
    ever_right: dict[str, bool] = {}
    latest: dict[str, tuple[bool, datetime]] = {}
    for item_id, correct, at in sorted(attempts, key=lambda attempt: attempt[2]):
        ever_right[item_id] = ever_right.get(item_id, False) or correct
        latest[item_id] = (correct, at)
    missed = [question for question in course.questions if question.id in latest and not latest[question.id][0]]
    return sorted(missed, key=lambda question: (ever_right[question.id], latest[question.id][1]))
