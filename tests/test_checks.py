"""The knowledge checks before and after the course, on the real content (content/assessment.yaml) and a real
SQLite file: offered once, skippable in one tap, never offered again; ratings then shuffled items whose buttons
name the option by its file index; only whether each was answered well is kept; the post-test after the last
module, with or without a cohort."""

from __future__ import annotations

import pytest

from bot.content import Course, Question, load_course
from bot.conversation.chat import CourseChat, Who
from bot.conversation.replies import Outcome, Reply
from bot.core import checks, options
from bot.core import training_buttons as tb
from bot.core.engine import AnswerRecord
from bot.settings import PROJECT_ROOT
from bot.store import Store
from scheduler import spacing
from tests.conftest import FakeClock

NURSE = Who(8101, 8101)


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(PROJECT_ROOT / "content")


@pytest.fixture
def chat(course: Course, store: Store, clock: FakeClock) -> CourseChat:
    return CourseChat(course, store, clock)


def actions(reply: Reply) -> list[tb.TrainingAction]:
    found = [tb.decode(button.data) for row in reply.buttons for button in row]
    return [action for action in found if action is not None]


def labels(reply: Reply) -> list[str]:
    return [button.label for row in reply.buttons for button in row]


async def take(chat: CourseChat, who: Who, phase: str, *, best: bool, ratings: int = 4) -> Outcome:
    """Answer every step of a check as it comes: each rating `ratings`, each item its best option or not."""
    outcome = await chat.press(who, tb.encode(tb.StartCheck(phase)))
    for _ in range(checks.steps(chat.course, phase)):
        step = outcome.replies[-1]
        first = actions(step)[0]
        if isinstance(first, tb.Rate):
            outcome = await chat.press(who, tb.encode(tb.Rate(phase, first.scale, ratings)))
        else:
            assert isinstance(first, tb.CheckAnswer)
            question = checks.item(chat.course, phase, first.item_id)
            assert question is not None
            option = question.best_index if best else (question.best_index + 1) % len(question.options)
            outcome = await chat.press(who, tb.encode(tb.CheckAnswer(phase, question.id, option)))
    return outcome


async def complete_the_course(store: Store, course: Course, who: Who, clock: FakeClock) -> None:
    """Everything of the learner's version of the course done, as the course would record it."""
    for item in course.for_region(await store.learners.region(who.user_id)).items:
        await store.progress.record_delivery(who.user_id, item.id, clock.now)
        if isinstance(item, Question):
            answer = AnswerRecord(item.id, item.best_index, True, clock.now)
            await store.progress.record_answer(who.user_id, answer, spacing.review(None, item.id, True, clock.now))


async def test_the_check_before_the_course_is_offered_at_the_first_bite_and_skipping_it_gives_lesson_one(
    chat: CourseChat, store: Store
) -> None:
    await chat.start(NURSE)
    offer = (await chat.next_bite(NURSE)).replies[0]
    assert "knowledge check (optional)" in offer.text
    assert "3 quick ratings and 8 short cases" in offer.text
    assert labels(offer) == ["Take the check", "Skip: first lesson ▶"]
    assert (await store.progress.record(NURSE.user_id)).delivered == frozenset()

    skipped = await chat.press(NURSE, tb.encode(tb.SkipCheck(checks.PRE)))

    assert "📖" in skipped.replies[-1].text  # the first lesson follows at once
    assert len((await store.progress.record(NURSE.user_id)).delivered) == 1
    for _ in range(3):  # never offered again
        assert "knowledge check" not in (await chat.next_bite(NURSE)).replies[0].text
    assert (
        "closes once module 1 has begun" in (await chat.press(NURSE, tb.encode(tb.StartCheck("pre")))).replies[0].text
    )


async def test_an_offer_not_taken_is_not_repeated(chat: CourseChat) -> None:
    await chat.start(NURSE)
    assert "knowledge check" in (await chat.next_bite(NURSE)).replies[0].text
    assert "📖" in (await chat.next_bite(NURSE)).replies[0].text


async def test_taking_the_check_ratings_first_then_shuffled_items_answered_by_file_index(
    chat: CourseChat, store: Store, course: Course
) -> None:
    await chat.start(NURSE)
    await chat.next_bite(NURSE)
    started = await chat.press(NURSE, tb.encode(tb.StartCheck(checks.PRE)))
    rating = started.replies[0]
    assert "**recognize**" in rating.text
    assert labels(rating) == ["1", "2", "3", "4", "5", "Skip the rest"]

    outcome = started
    for scale in checks.CONFIDENCE:
        outcome = await chat.press(NURSE, tb.encode(tb.Rate(checks.PRE, scale, 2)))
    assert outcome.edit is not None
    assert outcome.edit.text.endswith("Your rating: 2")
    first = course.pretest[0]
    item = outcome.replies[0]
    assert first.title in item.text
    order = options.shown_order(NURSE.user_id, first.id, "check:pre", len(first.options))
    shown = [a for a in actions(item) if isinstance(a, tb.CheckAnswer)]
    assert [a.option for a in shown] == list(order)  # A, B, C, D name the file's options in this learner's order
    assert labels(item)[: len(order)] == ["A", "B", "C", "D"][: len(order)]
    assert item.text.index(first.options[order[0]].text) < item.text.index(first.options[order[1]].text)

    answered = await chat.press(NURSE, tb.encode(tb.CheckAnswer(checks.PRE, first.id, first.best_index)))
    assert answered.edit is not None
    assert answered.edit.text.endswith(f"Your answer: {options.letter_of(order, first.best_index)}")
    again = await chat.press(NURSE, tb.encode(tb.CheckAnswer(checks.PRE, first.id, 0)))
    assert again.notice == "Already answered: the first answer counts."

    rows = await store.privacy.everything_about(NURSE.user_id)
    assert rows["check_answers"] == [{"user_id": NURSE.user_id, "phase": "pre", "item_id": first.id, "correct": 1}]
    assert {row["scale"]: row["value"] for row in rows["ratings"]} == dict.fromkeys(checks.CONFIDENCE, 2)


async def test_a_whole_check_ends_with_the_score_and_the_first_lesson_button(chat: CourseChat, store: Store) -> None:
    await chat.start(NURSE)
    await chat.next_bite(NURSE)
    end = await take(chat, NURSE, checks.PRE, best=False)

    assert "You answered 0 of 8 well" in end.replies[-1].text
    assert labels(end.replies[-1]) == ["Start the first lesson ▶"]
    record = await store.assessments.record(NURSE.user_id, checks.PRE)
    assert record.status is checks.Status.DONE
    assert "📖" in (await chat.next_bite(NURSE)).replies[0].text


async def test_skip_the_rest_keeps_what_was_answered(chat: CourseChat, store: Store, course: Course) -> None:
    await chat.start(NURSE)
    await chat.next_bite(NURSE)
    await chat.press(NURSE, tb.encode(tb.StartCheck(checks.PRE)))
    await chat.press(NURSE, tb.encode(tb.Rate(checks.PRE, "recognize", 3)))
    skipped = await chat.press(NURSE, tb.encode(tb.SkipCheck(checks.PRE)))
    assert "📖" in skipped.replies[-1].text
    record = await store.assessments.record(NURSE.user_id, checks.PRE)
    assert (record.status, dict(record.ratings)) == (checks.Status.SKIPPED, {"recognize": 3})


async def test_after_the_last_module_the_check_after_is_offered_once_and_needs_no_cohort(
    chat: CourseChat, store: Store, course: Course, clock: FakeClock
) -> None:
    await chat.start(NURSE)
    await chat.next_bite(NURSE)
    await take(chat, NURSE, checks.PRE, best=False, ratings=2)
    assert "You answered 0 of 8 well" in (await chat.command(NURSE, "check")).replies[0].text
    await complete_the_course(store, course, NURSE, clock)
    assert await store.cohorts.membership(NURSE.user_id) is None

    done, offer = (await chat.next_bite(NURSE)).replies
    assert "You have finished" in done.text
    assert "knowledge check after the course" in offer.text
    end = await take(chat, NURSE, checks.POST, best=True, ratings=5)

    assert "You answered 8 of 8 well (before the course: 0 of 8)" in end.replies[-1].text
    assert len((await chat.next_bite(NURSE)).replies) == 1  # not offered again
    ratings = (await store.privacy.everything_about(NURSE.user_id))["ratings"]
    assert {(row["phase"], row["scale"]) for row in ratings} == {
        *(("pre", scale) for scale in checks.CONFIDENCE),
        *(("post", scale) for scale in checks.SCALES["post"]),
    }
    assert "after it 8 of 8" in (await chat.command(NURSE, "check")).replies[0].text


async def test_skipping_the_check_after_is_never_nagged_but_check_still_takes_it(
    chat: CourseChat, store: Store, course: Course, clock: FakeClock
) -> None:
    await chat.start(NURSE)
    await complete_the_course(store, course, NURSE, clock)
    await chat.next_bite(NURSE)
    await chat.press(NURSE, tb.encode(tb.SkipCheck(checks.POST)))
    clock.advance(days=30)
    for _ in range(2):
        assert [reply.text for reply in (await chat.next_bite(NURSE)).replies if "knowledge check" in reply.text] == []

    asked = await chat.command(NURSE, "check")

    assert "**recognize**" in asked.replies[0].text
    assert (await store.assessments.record(NURSE.user_id, checks.POST)).status is checks.Status.STARTED


async def test_check_during_the_course_explains_when_the_checks_come(chat: CourseChat) -> None:
    await chat.start(NURSE)
    await chat.next_bite(NURSE)
    await chat.next_bite(NURSE)  # the first lesson: module 1 has begun
    text = (await chat.command(NURSE, "check")).replies[0].text
    assert "before module 1" in text
    assert "finished the last module" in text
    assert "not enrolled" in (await chat.command(Who(1, 1), "check")).replies[0].text


async def test_a_forged_check_answer_is_refused(chat: CourseChat, store: Store, course: Course) -> None:
    await chat.start(NURSE)
    for forged in (
        tb.CheckAnswer(checks.PRE, "no-such-item", 0),
        tb.CheckAnswer(checks.PRE, course.pretest[0].id, 9),
        tb.CheckAnswer(checks.POST, course.posttest[0].id, 0),  # the course is not finished
    ):
        await chat.press(NURSE, tb.encode(forged))
    assert (await store.privacy.everything_about(NURSE.user_id))["check_answers"] == []
    assert tb.decode("chk:r:pre:relevance:3") is None  # rated after the course only
    assert tb.decode("chk:r:pre:recognize:6") is None
    assert tb.decode("chk:a:later:x:1") is None
