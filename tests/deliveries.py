"""Reading back what reached each learner: which course item each message the stand-in delivered carries, and
checks that hold whatever raced what (course order, no lesson twice, nothing recorded that never went out)."""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from bot.content import Course, Lesson, Question
from tests.standin import Call

_ANSWER = re.compile(r"^a:(.+):\d+$")


class ItemReader:
    """Which item of `course` (one version of it) a delivered message carries, if any."""

    def __init__(self, course: Course) -> None:
        self.course = course
        self.position = {item.id: index for index, item in enumerate(course.items)}
        titles: dict[str, str] = {}
        for item in course.items:
            if isinstance(item, Lesson):
                assert item.title not in titles, f"two lessons called {item.title!r}: cannot tell them apart"
                titles[item.title] = item.id
        self._lessons = titles

    def item_of(self, call: Call) -> str | None:
        markup = call.params.get("reply_markup")
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        for row in rows:
            for button in row:
                found = _ANSWER.match(str(button.get("callback_data", "")))
                if found and found.group(1) in self.position:
                    return found.group(1)
        text = call.text or ""
        for title, item_id in self._lessons.items():
            if f"<b>{html.escape(title, quote=False)}</b>" in text:
                return item_id
        return None

    def items(self, calls: Iterable[Call]) -> list[str]:
        return [item for call in calls if (item := self.item_of(call)) is not None]

    def lessons(self, calls: Iterable[Call]) -> list[str]:
        return [item for item in self.items(calls) if isinstance(self.course.item(item), Lesson)]

    def out_of_order(self, calls: Iterable[Call]) -> list[str]:
        """Items whose first arrival came after that of an item later in the course."""
        seen: list[str] = []
        late = []
        for item in self.items(calls):
            if item in seen:
                continue
            if seen and self.position[item] < max(self.position[earlier] for earlier in seen):
                late.append(item)
            seen.append(item)
        return late

    def is_question(self, item_id: str) -> bool:
        return isinstance(self.course.item(item_id), Question)


def delivered_lessons(db: Path, course: Course) -> dict[int, set[str]]:
    """Per learner, the lessons the database records as delivered."""
    with sqlite3.connect(db) as raw:
        rows = raw.execute("SELECT user_id, item_id FROM deliveries").fetchall()
    found: dict[int, set[str]] = {}
    for user_id, item_id in rows:
        if isinstance(course.item(item_id), Lesson):
            found.setdefault(user_id, set()).add(item_id)
    return found
