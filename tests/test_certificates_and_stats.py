"""Certificates, statistics and the operator commands, on the small test course and real SQLite files."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.content import Course
from bot.conversation.chat import CourseChat, Who
from bot.core import buttons
from bot.reports import certificates, stats
from bot.store import Store
from scheduler import spacing
from tests.conftest import MINI_COURSE, FakeClock, clean_environment, run_coursebot

SECRET = "a-long-enough-test-secret"
ADMIN = 1
LEARNER = Who(2002, 2002)


def answer(item_id: str, option: int) -> str:
    return buttons.encode(buttons.Answer(item_id, option))


async def finish(chat: CourseChat, who: Who, options: dict[str, int]) -> None:
    """Take the whole test course, answering each question with the given option."""
    await chat.start(who)
    for _ in range(10):
        outcome = await chat.next_bite(who)
        if "You have finished" in outcome.replies[0].text:
            return
        for row in outcome.replies[0].buttons:
            for button in row:
                action = buttons.decode(button.data)
                if isinstance(action, buttons.Answer):
                    await chat.press(who, answer(action.item_id, options[action.item_id]))
                    break


@pytest.fixture
def chat(mini_course: Course, store: Store, clock: FakeClock) -> CourseChat:
    return CourseChat(mini_course, store, clock, secret=SECRET, admins=frozenset({ADMIN}))


async def test_a_learner_who_qualifies_is_asked_for_a_name_and_gets_a_signed_pdf(
    chat: CourseChat, store: Store, mini_course: Course
) -> None:
    await finish(chat, LEARNER, {"one-question-a": 1, "two-question-a": 0})

    asked = await chat.command(LEARNER, "certificate")
    assert "What name should it show?" in asked.replies[0].text
    issued = await chat.text(LEARNER, "  Alex   Rivera ")

    [reply] = issued.replies
    assert reply.attachment is not None
    assert reply.attachment.content.startswith(b"%PDF")
    code = reply.text.rsplit(" ", 1)[-1]
    assert certificates.verify_code(SECRET, code, mini_course) is not None
    kept = await store.certificates.of(LEARNER.user_id)
    assert kept is not None
    assert (kept.name, kept.code) == ("Alex Rivera", code)
    again = await chat.command(LEARNER, "certificate")  # asking again sends the same certificate
    assert again.replies[0].text.endswith(code)


async def test_a_certificate_can_carry_no_name(chat: CourseChat, store: Store) -> None:
    await finish(chat, LEARNER, {"one-question-a": 1, "two-question-a": 0})
    await chat.command(LEARNER, "certificate")
    await chat.press(LEARNER, buttons.encode(buttons.CertificateWithoutName()))
    kept = await store.certificates.of(LEARNER.user_id)
    assert kept is not None
    assert kept.name is None


async def test_below_80_percent_or_unfinished_is_not_yet(chat: CourseChat) -> None:
    await chat.start(LEARNER)
    assert "finish every module" in (await chat.command(LEARNER, "certificate")).replies[0].text
    await finish(chat, LEARNER, {"one-question-a": 0, "two-question-a": 1})
    text = (await chat.command(LEARNER, "certificate")).replies[0].text
    assert "at least 80%" in text
    assert "now 0 of 2" in text


async def test_a_review_answered_right_counts_as_the_best_attempt(
    chat: CourseChat, store: Store, mini_course: Course, clock: FakeClock
) -> None:
    await finish(chat, LEARNER, {"one-question-a": 0, "two-question-a": 0})
    for item in ("one-question-a", "two-question-a"):
        rows = await store.database.fetch(
            "INSERT INTO sends (user_id, kind, item_id, local_day, status, created_at, sent_at) "
            "VALUES (?, 'review', ?, '2026-03-03', 'sent', ?, ?) RETURNING id",
            (LEARNER.user_id, item, clock.now.isoformat(), clock.now.isoformat()),
        )
        [(send_id,)] = list(rows)
        question = mini_course.item(item)
        assert question is not None
        best = question.best_index  # type: ignore[union-attr]
        await chat.press(LEARNER, buttons.encode(buttons.ReviewAnswer(send_id, best)))
    assert "What name" in (await chat.command(LEARNER, "certificate")).replies[0].text


async def test_without_a_secret_certificates_are_not_offered(
    mini_course: Course, store: Store, clock: FakeClock
) -> None:
    chat = CourseChat(mini_course, store, clock)
    await chat.start(LEARNER)
    assert "not set up" in (await chat.command(LEARNER, "certificate")).replies[0].text


def test_a_forged_or_altered_code_does_not_verify(mini_course: Course) -> None:
    code = certificates.make_code(SECRET, 7, date(2026, 3, 2), mini_course)
    assert certificates.verify_code(SECRET, code, mini_course) == certificates.Verified(7, date(2026, 3, 2))
    assert certificates.verify_code("another-secret-of-length", code, mini_course) is None
    assert certificates.verify_code(SECRET, code.replace("-00007-", "-00008-"), mini_course) is None
    assert certificates.verify_code(SECRET, code.replace("20260302", "20260303"), mini_course) is None
    assert certificates.verify_code(SECRET, "HTR-nonsense", mini_course) is None


async def test_forget_erases_the_certificate_and_its_name(chat: CourseChat, store: Store) -> None:
    await finish(chat, LEARNER, {"one-question-a": 1, "two-question-a": 0})
    await chat.command(LEARNER, "certificate")
    await chat.text(LEARNER, "Alex Rivera")
    await chat.command(LEARNER, "forget")
    await chat.press(LEARNER, buttons.encode(buttons.Forget(confirmed=True)))
    assert await store.certificates.all() == []


async def test_the_verify_and_export_commands_for_operators(tmp_path: Path, mini_course: Course) -> None:
    db = tmp_path / "ops.sqlite3"
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    async with await Store.open(db) as store:
        chat = CourseChat(mini_course, store, clock, secret=SECRET)
        await finish(chat, LEARNER, {"one-question-a": 1, "two-question-a": 0})
        await chat.command(LEARNER, "certificate")
        await chat.text(LEARNER, "Alex Rivera")
        issued = await store.certificates.of(LEARNER.user_id)
    assert issued is not None
    env = clean_environment(COURSEBOT_SECRET=SECRET, COURSEBOT_CONTENT=str(MINI_COURSE))

    genuine = run_coursebot("verify", issued.code, "--db", str(db), env=env)
    forged = run_coursebot(
        "verify", issued.code[:-1] + ("A" if issued.code[-1] != "A" else "B"), "--db", str(db), env=env
    )
    exported = run_coursebot("export-completions", "--db", str(db), env=env)

    assert genuine.returncode == 0, genuine.stderr
    assert "GENUINE" in genuine.stdout
    assert "Alex Rivera" in genuine.stdout
    assert forged.returncode == 1
    assert "NOT GENUINE" in forged.stdout
    rows = list(csv.reader(exported.stdout.splitlines()))
    assert rows == [
        ["code", "name", "completed_on", "issued_on"],
        [issued.code, "Alex Rivera", "2026-03-02", "2026-03-02"],
    ]


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
