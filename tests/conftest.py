"""Shared fixtures: the small test course, a controllable clock, a real SQLite file per test."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.content import Course, load_course
from bot.conversation.chat import CourseChat
from bot.store import Store

# CI must be repeatable: there, property tests draw the same examples every run. Locally they explore.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"
MINI_COURSE = FIXTURES / "mini"
REPO_ROOT = Path(__file__).resolve().parent.parent


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any coursebot or Telegram setting, plus `extra`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "COURSEBOT_"))}
    return {**env, **extra}


def run_coursebot(
    *arguments: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path = REPO_ROOT, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`coursebot ARGUMENTS` as a real process (`python -m bot`), with `stdin` piped in."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=clean_environment() if env is None else env,
        check=False,
    )


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
