"""Course statistics (small groups withheld), their operator commands and backups, on real SQLite files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.content import Course, Question, load_course
from bot.conversation.certificate_chat import CertificateOptions
from bot.conversation.chat import CourseChat, Who
from bot.reports import stats
from bot.settings import PROJECT_ROOT
from bot.store import StatisticsRows, Store
from scheduler import spacing
from tests.conftest import MINI_COURSE, FakeClock, clean_environment, run_coursebot

SECRET = "a-long-enough-test-secret"
LEARNER = Who(2002, 2002)
ADMIN = 1


@pytest.fixture
def chat(mini_course: Course, store: Store, clock: FakeClock) -> CourseChat:
    return CourseChat(
        mini_course, store, clock, certificates=CertificateOptions(secret=SECRET), admins=frozenset({ADMIN})
    )


async def _answers(
    store: Store, clock: FakeClock, learners: int, item: str, options: list[int], correct_option: int
) -> None:
    for number in range(learners):
        user = 100 + number
        await store.learners.enrol(user, user, clock.now - timedelta(days=3))
        await store.progress.record_delivery(user, item, clock.now)
        option = options[number % len(options)]
        record = spacing.review(None, item, option == correct_option, clock.now)
        from bot.core.engine import AnswerRecord

        await store.progress.record_answer(
            user, AnswerRecord(item, option, option == correct_option, clock.now), record
        )


async def test_statistics_withhold_every_figure_about_fewer_than_five(
    store: Store, mini_course: Course, clock: FakeClock
) -> None:
    await _answers(store, clock, 6, "one-question-a", [1, 1, 0, 2, 0, 1], correct_option=1)
    await store.progress.record_delivery(100, "two-question-a", clock.now)

    report = stats.compute(mini_course, await store.statistics.rows(), clock.now)

    first = next(q for q in report.questions if q.item_id == "one-question-a")
    second = next(q for q in report.questions if q.item_id == "two-question-a")
    assert (first.answered, first.right_first_time, first.most_chosen_wrong) == (6, 0.5, "#1 Option zero")
    assert (second.answered, second.right_first_time) == (0, None)
    assert report.enrolled == 6
    assert report.paused == stats.WITHHELD  # zero is a group under five too
    assert report.median_days_to_complete is None
    assert "withheld" in stats.render_text(report)


async def test_stats_for_admins_only(chat: CourseChat, store: Store, clock: FakeClock) -> None:
    await _answers(store, clock, 5, "one-question-a", [1], correct_option=1)
    assert "Course statistics" in (await chat.command(Who(ADMIN, ADMIN), "stats")).replies[0].text
    assert "I don't know the command" in (await chat.command(LEARNER, "stats")).replies[0].text
    assert "I don't know the command" in (await chat.command(LEARNER, "verify", "HTR-1")).replies[0].text


async def test_stats_command_writes_csv_and_png_charts(tmp_path: Path, mini_course: Course) -> None:
    db = tmp_path / "stats.sqlite3"
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    async with await Store.open(db) as store:
        await _answers(store, clock, 7, "one-question-a", [1, 0], correct_option=1)

    result = run_coursebot(
        "stats", "--db", str(db), "--csv", str(tmp_path / "csv"), "--plot", str(tmp_path / "png"),
        env=clean_environment(COURSEBOT_CONTENT=str(MINI_COURSE)),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "Learners enrolled: 7" in result.stdout
    assert {path.name for path in (tmp_path / "csv").iterdir()} == {
        "summary.csv",
        "funnel.csv",
        "questions.csv",
        "lookups.csv",
    }
    for png in ("funnel.png", "item-difficulty.png"):
        assert (tmp_path / "png" / png).read_bytes().startswith(b"\x89PNG")


async def test_backup_copies_the_database_while_it_is_open(tmp_path: Path, store: Store, clock: FakeClock) -> None:
    await store.learners.enrol(77, 77, clock.now)
    destination = tmp_path / "backups" / "copy.sqlite3"

    await store.backup(destination)

    async with await Store.open(destination) as copy:
        assert await copy.learners.learner(77) is not None


def test_a_learner_finishes_the_version_of_the_course_their_region_takes(clock: FakeClock) -> None:
    real = load_course(PROJECT_ROOT / "content")
    start = clock.now - timedelta(days=10)
    learners: list[tuple[int, datetime, bool, bool, str | None]] = []
    deliveries: list[tuple[int, str, datetime]] = []
    answers: list[tuple[int, str, int, bool, datetime]] = []
    for user, region in enumerate(("US", "US", "UK", "CA", "AU", "INTL"), start=1):
        learners.append((user, start, True, False, region))
        for item in real.for_region(region).items:
            if isinstance(item, Question):
                answers.append((user, item.id, item.best_index, True, clock.now))
            else:
                deliveries.append((user, item.id, clock.now))
    rows = StatisticsRows(learners=learners, deliveries=deliveries, answers=answers, activity=[], lookups=[])

    report = stats.compute(real, rows, clock.now)

    assert report.completed_course == 6
    assert all(count == 6 for _, count in report.funnel)
    assert report.median_days_to_complete == 10
