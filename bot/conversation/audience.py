"""Who a message is for: the version of the course their region takes, their region (for their emergency
number), and their id (for the order their options are shown in)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.model import Course, Lesson, Module, Question
from bot.core import options


@dataclass(frozen=True)
class Audience:
    whole: Course  # every version's items: what an old button or a review may still name
    region: str | None
    user_id: int

    @property
    def course(self) -> Course:
        """The course this learner takes."""
        return self.whole.for_region(self.region)

    def fill(self, text: str) -> str:
        """Content text with the learner's own emergency number (and any other placeholder) filled in."""
        return self.whole.fill(text, self.region)

    def position(self, item: Lesson | Question) -> tuple[Module, int, int]:
        """The item's module, its place there and the module's length, in the learner's own course."""
        course = self.course if self.course.item(item.id) is not None else self.whole
        module = course.module_of(item.id)
        return module, course.position(item.id), len(module.items)

    def order(self, question: Question, showing: str) -> tuple[int, ...]:
        return options.shown_order(self.user_id, question.id, showing, len(question.options))
