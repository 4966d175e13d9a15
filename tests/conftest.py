"""Shared fixtures: the small test course, a controllable clock, a real SQLite file per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.chat import CourseChat
from bot.content import Course, load_course
from bot.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
MINI_COURSE = FIXTURES / "mini"
REPO_ROOT = Path(__file__).resolve().parent.parent


class FakeClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def mini_course() -> Course:
    return load_course(MINI_COURSE)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "coursebot.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
def course_chat(mini_course: Course, store: Store, clock: FakeClock) -> CourseChat:
    return CourseChat(mini_course, store, clock)
