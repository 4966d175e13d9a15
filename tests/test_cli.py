"""The operator commands of `coursebot`, run as a real process."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, time
from pathlib import Path

from bot.store import Store
from scheduler.windows import Preferences
from tests.conftest import MINI_COURSE, clean_environment, run_coursebot


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return run_coursebot(*arguments, env=clean_environment(COURSEBOT_CONTENT=str(MINI_COURSE)))


async def test_schedule_lists_upcoming_deliveries_in_utc_and_local_time(tmp_path: Path) -> None:
    db = tmp_path / "ops.sqlite3"
    due = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    async with await Store.open(db) as store:
        await store.learners.enrol(4242, 4242, due)
        await store.learners.save_preferences(
            4242, Preferences(timezone="America/New_York", daily_time=time(8, 0)), due
        )
        await store.learners.enrol(5151, 5151, due)  # no schedule yet: not listed

    result = run("schedule", "--db", str(db))

    assert result.returncode == 0, result.stderr
    [header, row] = result.stdout.strip().splitlines()
    assert "when (UTC)" in header
    assert row.split()[:3] == ["4242", "new", "one-lesson-a"]
    assert "2026-07-01 12:00" in row
    assert "2026-07-01 08:00 America/New_York" in row


def test_schedule_on_an_empty_database_says_so(tmp_path: Path) -> None:
    result = run("schedule", "--db", str(tmp_path / "empty.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert "No deliveries are scheduled." in result.stdout


def test_an_invalid_setting_stops_with_the_variable_named(tmp_path: Path) -> None:
    env_result = run_coursebot("run", env=clean_environment(COURSEBOT_ADMINS="alice"), cwd=tmp_path)
    assert env_result.returncode == 2
    assert "COURSEBOT_ADMINS" in env_result.stderr
    assert "Traceback" not in env_result.stderr
