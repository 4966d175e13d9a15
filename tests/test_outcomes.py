"""The outcomes report: the paired change and its interval on a known data set, small groups withheld, and the
operator commands (cohort create|list|close, outcomes, stats and export-completions --cohort) as real processes."""

from __future__ import annotations

import asyncio
import csv
import math
import statistics
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.content import Course, load_course
from bot.core import checks
from bot.reports import outcomes
from bot.settings import PROJECT_ROOT
from bot.store import OutcomeRows, Store
from tests.conftest import MINI_COURSE, FakeClock, clean_environment, run_coursebot
from tests.standin import StandinServer

T_975_5 = 2.5705818356363146  # Student's t, 97.5th percentile, 5 degrees of freedom (from the tables)
BEFORE = [0.0, 0.5, 0.5, 0.0, 1.0, 0.5]
AFTER = [1.0, 1.0, 0.5, 0.5, 1.0, 1.0]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(PROJECT_ROOT / "content")


def test_the_paired_change_and_its_interval_on_a_known_data_set() -> None:
    paired = outcomes.paired_change("known", BEFORE, AFTER)

    differences = [1.0, 0.5, 0.0, 0.5, 0.0, 0.5]
    half_width = T_975_5 * statistics.stdev(differences) / math.sqrt(6)
    assert paired.learners == 6
    assert paired.before == pytest.approx(2.5 / 6, abs=1e-12)
    assert paired.after == pytest.approx(5.0 / 6, abs=1e-12)
    assert paired.change == pytest.approx(5 / 12, abs=1e-12)
    assert paired.low == pytest.approx(5 / 12 - half_width, abs=1e-9)
    assert paired.high == pytest.approx(5 / 12 + half_width, abs=1e-9)
    assert (round(paired.low or 0, 4), round(paired.high or 0, 4)) == (0.0217, 0.8117)


def test_a_change_with_no_spread_has_an_interval_of_itself_and_under_five_is_withheld() -> None:
    assert outcomes.paired_change("same", [1.0] * 5, [3.0] * 5).low == 2.0
    withheld = outcomes.paired_change("few", [1.0] * 4, [3.0] * 4)
    assert (withheld.learners, withheld.change, withheld.low) == ("<5", None, None)


def rows_for(course: Course, learners: int) -> OutcomeRows:
    """`learners` learners: learner n answers the check before the course as BEFORE[n] says for objective 1 (its one
    item) and gets every other item wrong; after the course as AFTER[n] says, and every other item right."""
    pre_one = next(q.id for q in course.pretest if q.objective == 1)
    post_one = next(q.id for q in course.posttest if q.objective == 1)
    check_rows: list[tuple[int, str, str, bool]] = []
    ratings: list[tuple[int, str, str, int]] = []
    for user in range(learners):
        for question in course.pretest:
            check_rows.append((user, "pre", question.id, question.id == pre_one and BEFORE[user % 6] == 1.0))
        for question in course.posttest:
            check_rows.append((user, "post", question.id, question.id != post_one or AFTER[user % 6] == 1.0))
        ratings += [(user, "pre", scale, 2) for scale in checks.CONFIDENCE]
        ratings += [(user, "post", scale, 4 + user % 2) for scale in checks.SCALES["post"]]
    taken = course.for_region("US")
    finished = [
        *((user, item.id, START + timedelta(days=user + 1)) for user in range(learners) for item in taken.items)
    ]
    return OutcomeRows(
        learners=[(user, "US", START) for user in range(learners)],
        deliveries=[row for row in finished],
        answers=[row for row in finished if course.item(row[1]) in taken.questions],
        checks=check_rows,
        ratings=ratings,
    )


def test_knowledge_confidence_and_evaluation_from_known_answers(course: Course) -> None:
    report = outcomes.compute(course, rows_for(course, 6))

    objective_one = report.knowledge[0]
    assert objective_one.label.startswith("1. Recall the definition")
    assert (objective_one.learners, objective_one.before, objective_one.after) == (6, 1 / 6, 4 / 6)
    assert objective_one.change == pytest.approx(0.5)
    two = report.knowledge[1]
    assert (two.before, two.after, two.change, two.low, two.high) == (0.0, 1.0, 1.0, 1.0, 1.0)
    overall = report.knowledge[-1]
    assert overall.label == "All objectives"
    assert overall.before == pytest.approx(1 / 6 / 8)
    assert overall.after == pytest.approx((7 + 4 / 6) / 8)
    assert [row.change for row in report.confidence] == [pytest.approx(2.5)] * 3
    assert [(row.learners, row.mean) for row in report.evaluation] == [(6, 4.5), (6, 4.5)]
    assert (report.enrolled, report.completed, report.took_pretest, report.took_posttest) == (6, 6, 6, 6)
    assert report.median_days_to_complete == 3.5
    assert report.completion_curve == [(date(2026, 3, 7), 5), (date(2026, 3, 8), 6)]
    text = outcomes.render_text(report)
    assert "1. Recall the definition of human trafficking and its dynamics.: 17% -> 67%, change +50" in text


def test_every_figure_about_fewer_than_five_is_withheld(course: Course) -> None:
    report = outcomes.compute(course, rows_for(course, 4))

    assert (report.enrolled, report.completed, report.took_pretest) == ("<5", "<5", "<5")
    assert report.median_days_to_complete is None
    assert all(row.change is None and row.before is None for row in report.knowledge + report.confidence)
    assert all(row.mean is None for row in report.evaluation)
    assert report.completion_curve == []
    text = outcomes.render_text(report)
    assert "33%" not in text
    assert "withheld (n=<5)" in text


async def fill(db: Path, course: Course, learners: int, *, cohort: str | None = None, first: int = 1000) -> None:
    """`learners` learners in the store, with the answers of `rows_for`, in `cohort` if named."""
    rows = rows_for(course, learners)
    async with await Store.open(db) as store:
        made = await store.cohorts.named(cohort) if cohort else None
        for user, region, start in rows.learners:
            await store.learners.enrol(first + user, first + user, start)
            await store.learners.set_region(first + user, region or "US")
            if made is not None:
                await store.cohorts.join(first + user, made.code, start)
        for user, phase, item_id, correct in rows.checks:
            await store.assessments.record_answer(first + user, phase, item_id, correct)
        for user, phase, scale, value in rows.ratings:
            await store.assessments.record_rating(first + user, phase, scale, value)


def run(*arguments: str, content: Path = PROJECT_ROOT / "content", **env: str) -> str:
    result = run_coursebot(*arguments, env=clean_environment(COURSEBOT_CONTENT=str(content), **env))
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_outcomes_command_writes_the_report_csv_and_charts(tmp_path: Path, course: Course) -> None:
    db = tmp_path / "outcomes.sqlite3"
    await fill(db, course, 6)

    out = run("outcomes", "--db", str(db), "--csv", str(tmp_path / "csv"), "--plot", str(tmp_path / "png"))

    assert "Outcomes: all learners" in out
    assert "change +50 (95% CI" in out
    with (tmp_path / "csv" / "knowledge.csv").open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert table[0]["learners"] == "6"
    assert float(table[0]["change"]) == 0.5
    for png in ("knowledge.png", "completion.png"):
        assert (tmp_path / "png" / png).read_bytes().startswith(b"\x89PNG")


async def test_cohort_create_list_close_and_its_reports(tmp_path: Path, course: Course) -> None:
    db = tmp_path / "cohorts.sqlite3"
    created = run("cohort", "create", "Ward 9", "--due", "2099-05-01", "--owner", "42", "--bot-username", "@my_bot",
                  "--db", str(db))  # fmt: skip
    link = created.strip().splitlines()[-1]
    assert link.startswith("https://t.me/my_bot?start=")
    code = link.rsplit("=", 1)[1]
    assert len(code) >= 22
    await fill(db, course, 5, cohort="Ward 9")
    await fill(db, course, 1, first=2000)  # another learner, in no cohort

    listed = run("cohort", "list", "--db", str(db))
    assert "Ward 9" in listed
    assert "2099-05-01" in listed
    assert code in listed

    cohort_stats = run("stats", "--cohort", "ward 9", "--db", str(db))
    assert 'Cohort "Ward 9"' in cohort_stats
    assert "Members: 5" in cohort_stats
    scoped = run("outcomes", "--cohort", "Ward 9", "--db", str(db))
    assert 'Outcomes: cohort "Ward 9"' in scoped
    assert "n=5" in scoped
    exported = run("export-completions", "--cohort", "Ward 9", "--db", str(db))
    assert exported.splitlines() == ["code,name,completed_on,issued_on"]

    closed = run("cohort", "close", "Ward 9", "--db", str(db))
    assert "is closed" in closed
    assert "closed" in run("cohort", "list", "--db", str(db))
    async with await Store.open(db) as store:
        await store.learners.enrol(5555, 5555, START)
        assert await store.cohorts.join(5555, code, START) is None


def test_cohort_commands_refuse_what_cannot_be_done(tmp_path: Path) -> None:
    db = str(tmp_path / "refuse.sqlite3")
    env = clean_environment(COURSEBOT_CONTENT=str(MINI_COURSE))
    run_coursebot("cohort", "create", "Ward 9", "--bot-username", "b", "--db", db, env=env)
    for arguments, expected in (
        (("cohort", "create", "ward 9", "--bot-username", "b"), "exists already"),
        (("cohort", "create", "Old", "--due", "2020-01-01", "--bot-username", "b"), "in the past"),
        (("cohort", "create", "No link"), "--bot-username"),
        (("cohort", "close", "Nope"), "no cohort named"),
        (("stats", "--cohort", "Nope"), "no cohort named"),
    ):
        result = run_coursebot(*arguments, "--db", db, env=env)
        assert result.returncode != 0, arguments
        assert expected in result.stderr, (arguments, result.stderr)
    bad_date = run_coursebot("cohort", "create", "X", "--due", "1 May", "--db", db, env=env)
    assert "YYYY-MM-DD" in bad_date.stderr


async def test_cohort_create_asks_telegram_for_the_bots_username(tmp_path: Path) -> None:
    token = "123456:COHORT-create-token"
    async with StandinServer(token=token) as server:
        env = {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BASE_URL": server.base_url}
        result = await asyncio.to_thread(
            run_coursebot,
            "cohort", "create", "Ward 10", "--db", str(tmp_path / "tg.sqlite3"),
            env=clean_environment(COURSEBOT_CONTENT=str(MINI_COURSE), **env),
        )  # fmt: skip
        assert server.state.calls_of("getMe")
    assert result.returncode == 0, result.stderr
    assert "https://t.me/coursebot_test_bot?start=" in result.stdout
    assert token not in result.stdout + result.stderr


async def test_outcome_rows_of_a_cohort_are_its_members_from_when_they_joined(store: Store, clock: FakeClock) -> None:
    cohort = await store.cohorts.create("Rows", clock.now, due_on=None, owner_id=None)
    assert cohort is not None
    for user in (1, 2):
        await store.learners.enrol(user, user, clock.now - timedelta(days=10))
    await store.cohorts.join(1, cohort.code, clock.now)
    await store.assessments.record_answer(1, "pre", "pre-minor-harboured", True)
    await store.assessments.record_answer(2, "pre", "pre-minor-harboured", False)

    rows = await store.assessments.outcome_rows(await store.cohorts.members(cohort.id))

    assert rows.learners == [(1, None, clock.now)]
    assert rows.checks == [(1, "pre", "pre-minor-harboured", True)]
    assert len((await store.assessments.outcome_rows()).checks) == 2
