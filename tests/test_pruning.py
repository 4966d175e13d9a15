"""Pruning keeps the store bounded without changing anything the bot reads: today's counts, what a restart
re-plans, review memory, certificates, statistics and the retention period."""

from __future__ import annotations

from datetime import timedelta

from bot.content import Course
from bot.conversation.chat import CourseChat, Who
from bot.core import buttons
from bot.store import Store
from scheduler import spacing
from tests.conftest import FakeClock

ANNA = Who(5, 5)


async def _next(chat: CourseChat) -> None:
    """/next, its bite sent (as the adapter confirms it)."""
    await chat.settle(await chat.command(ANNA, "next"), sent=True)


async def _sends(store: Store) -> list[tuple[str, str | None, str]]:
    rows = await store.database.fetch("SELECT kind, item_id, status FROM sends WHERE user_id = 5 ORDER BY id")
    return [(row[0], row[1], row[2]) for row in rows]


async def test_old_sends_go_but_the_ones_still_meaning_something_stay(
    course_chat: CourseChat, store: Store, clock: FakeClock, mini_course: Course
) -> None:
    await course_chat.command(ANNA, "start")
    await _next(course_chat)  # lesson
    await _next(course_chat)  # question, left unanswered
    await _next(course_chat)  # the question again (the latest pull)
    before_stats = await store.statistics.rows()
    clock.advance(days=40)
    questions = frozenset(question.id for question in mini_course.questions)

    await store.pruning.prune(clock.now, questions)

    # The lesson's pull went; the unanswered question's showings stay (they limit its re-sending).
    assert await _sends(store) == [("pull", "one-question-a", "sent"), ("pull", "one-question-a", "sent")]
    assert (await store.statistics.rows()).activity == before_stats.activity
    # The latest pull is kept: the retention period still sees the learner's last activity.
    assert await store.privacy.forget_inactive(clock.now - timedelta(days=40, minutes=1)) == 0


async def test_the_review_log_keeps_each_questions_latest_state_and_first_right_review(
    course_chat: CourseChat, store: Store, clock: FakeClock, mini_course: Course
) -> None:
    await course_chat.command(ANNA, "start")
    await _next(course_chat)
    await _next(course_chat)
    await course_chat.press(ANNA, buttons.encode(buttons.Answer("one-question-a", 0)))  # wrong at first
    previous = await store.outbox.latest_card(5, "one-question-a")
    for correct in (False, True, False, True, True):
        clock.advance(days=5)
        send_id = await _review_send(store, clock)
        memory = spacing.review(previous, "one-question-a", correct, clock.now)
        await store.outbox.record_review(5, send_id, "one-question-a", 1 if correct else 0, correct, memory, clock.now)
        previous = memory.card
    best = await store.progress.best_results(5)
    latest = await store.outbox.latest_card(5, "one-question-a")
    clock.advance(days=60)

    await store.pruning.prune(clock.now, frozenset(question.id for question in mini_course.questions))

    kept = [(row[0], row[1]) for row in await store.database.fetch("SELECT correct, reviewed_at FROM reviews")]
    assert len(kept) == 2  # the first right review (certificates count it) and the latest (the memory state)
    assert await store.progress.best_results(5) == best
    assert await store.outbox.latest_card(5, "one-question-a") == latest


async def _review_send(store: Store, clock: FakeClock) -> int:
    rows = await store.database.fetch(
        "INSERT INTO sends (user_id, kind, item_id, local_day, status, created_at, sent_at) "
        "VALUES (5, 'review', 'one-question-a', ?, 'sent', ?, ?) RETURNING id",
        (clock.now.date().isoformat(), clock.now.isoformat(), clock.now.isoformat()),
    )
    return int(rows[0][0])


async def test_a_pending_send_is_never_pruned(store: Store, clock: FakeClock, course_chat: CourseChat) -> None:
    await course_chat.command(ANNA, "start")
    await store.database.fetch(
        "INSERT INTO sends (user_id, kind, item_id, local_day, status, created_at) "
        "VALUES (5, 'new', 'one-lesson-a', '2026-03-02', 'pending', ?)",
        (clock.now.isoformat(),),
    )
    clock.advance(days=100)
    await store.pruning.prune(clock.now, frozenset())
    assert await _sends(store) == [("new", "one-lesson-a", "pending")]
