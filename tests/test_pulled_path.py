"""/next as safe as the schedule: the bite is claimed, sent, then confirmed; a send that fails or a crash gives
the claim back; and whatever /next races (the tick, mostly), each learner gets the course in its order.

The real Application and bot, a real SQLite file, the Bot API stand-in; the clock is one the tests move.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import time
from pathlib import Path

import pytest
from telegram import Update

from bot.content import Course
from bot.conversation.chat import CourseChat, Who
from bot.delivery.sending import Pacer
from bot.delivery.tick import Ticker, _intent
from bot.store import Store
from bot.telegram.app import CourseApplication, TelegramSender, build_application
from scheduler.windows import Preferences
from tests.conftest import FakeClock
from tests.deliveries import ItemReader, delivered_lessons
from tests.standin import BotAPIState, StandinRequest, callback_update, message_update

TOKEN = "123456:PULLED"
ANNA = 4242


async def say(app: CourseApplication, user_id: int, text: str) -> None:
    await app.process_update(Update.de_json(message_update(user_id, text), app.bot))


async def enrol_due(store: Store, chat: CourseChat, user_id: int, clock: FakeClock, *, pace: int = 5) -> None:
    await chat.start(Who(user_id, user_id))
    prefs = Preferences(timezone="Europe/London", daily_time=time(9, 0), pace=pace)
    await store.learners.save_preferences(user_id, prefs, clock.now)
    await store.learners.set_discreet(user_id, False)  # bites in full, not discreet mode's teaser


async def scheduled_lesson_on_its_way(
    app: CourseApplication, store: Store, course_chat: CourseChat, clock: FakeClock
) -> int:
    """Anna enrolled and due; the tick has claimed her first lesson and is about to send it (its send id)."""
    await enrol_due(store, course_chat, ANNA, clock)
    ticker = Ticker(course_chat.course, store, TelegramSender(app.bot), clock=clock, pacer=Pacer.unlimited())
    due = await ticker.plan(clock.now)
    [send_id] = await store.outbox.record_intents(
        [_intent(d, p, clock.now, course_chat.course) for d, p in due], clock.now
    )
    assert send_id is not None
    return send_id


@pytest.fixture
def state() -> BotAPIState:
    return BotAPIState()


@pytest.fixture
async def app(
    state: BotAPIState, course_chat: CourseChat, store: Store, clock: FakeClock
) -> AsyncIterator[CourseApplication]:
    application = build_application(course_chat, TOKEN, request=StandinRequest(state), rate_limiter=False)
    async with application:
        yield application


def texts_to(state: BotAPIState, user_id: int) -> list[str]:
    return [call.text or "" for call in state.sent_messages(user_id)]


async def test_a_pulled_lesson_is_recorded_only_once_it_was_sent(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await say(app, ANNA, "/start")

    await say(app, ANNA, "/next")

    assert "First lesson" in texts_to(state, ANNA)[-1]
    assert (await store.progress.record(ANNA)).delivered == {"one-lesson-a"}
    rows = await store.database.fetch("SELECT kind, status, claimed FROM sends WHERE user_id = ?", (ANNA,))
    assert [tuple(row) for row in rows] == [("pull", "sent", 1)]


@pytest.mark.parametrize(
    ("error_code", "description"),
    [(502, "Bad Gateway"), (400, "Bad Request: message is too long"), (403, "Forbidden: bot was blocked by the user")],
)
async def test_a_pulled_lesson_that_could_not_be_sent_is_given_back_and_comes_again(
    app: CourseApplication, state: BotAPIState, store: Store, error_code: int, description: str
) -> None:
    await say(app, ANNA, "/start")
    state.fail_next("sendMessage", chat_id=ANNA, error_code=error_code, description=description)

    await say(app, ANNA, "/next")

    assert (await store.progress.record(ANNA)).delivered == frozenset()
    rows = await store.database.fetch("SELECT status FROM sends WHERE user_id = ? AND kind = 'pull'", (ANNA,))
    assert [row[0] for row in rows] == ["failed"]
    await say(app, ANNA, "/next")
    assert "First lesson" in texts_to(state, ANNA)[-1]
    assert (await store.progress.record(ANNA)).delivered == {"one-lesson-a"}


async def test_a_crash_after_the_claim_gives_it_back_at_start_up(
    tmp_path: Path, mini_course: Course, clock: FakeClock
) -> None:
    path = tmp_path / "crash.sqlite3"
    async with await Store.open(path) as store:
        chat = CourseChat(mini_course, store, clock)
        await enrol_due(store, chat, ANNA, clock)
        await store.learners.set_next_due(ANNA, None)
        outcome = await chat.next_bite(Who(ANNA, ANNA))  # claimed; then the process dies before sending it
        assert outcome.pulled is not None
        assert (await store.progress.record(ANNA)).delivered == {"one-lesson-a"}

    async with await Store.open(path) as store:
        ticker = Ticker(mini_course, store, _NeverSends(), clock=clock, pacer=Pacer.unlimited())
        assert await ticker.start() == 1
        assert (await store.progress.record(ANNA)).delivered == frozenset()
        schedule = await store.outbox.upcoming(clock.now, 5)
        assert [(due.schedule.user_id, when) for due, when in schedule] == [(ANNA, clock.now)]  # sent again now


class _NeverSends:
    async def send(self, chat_id: int, reply: object) -> int | None:
        raise AssertionError("nothing is sent in this test")


async def test_next_while_a_scheduled_bite_is_on_its_way_waits_for_it(
    app: CourseApplication, state: BotAPIState, store: Store, course_chat: CourseChat, clock: FakeClock
) -> None:
    send_id = await scheduled_lesson_on_its_way(app, store, course_chat, clock)

    await say(app, ANNA, "/next")

    assert "on its way" in texts_to(state, ANNA)[-1]
    assert (await store.progress.record(ANNA)).delivered == {"one-lesson-a"}  # nothing more claimed
    await store.outbox.confirm_sent(send_id, clock.now)  # it went out
    await say(app, ANNA, "/next")
    assert "First question" in texts_to(state, ANNA)[-1]


async def test_a_second_next_while_the_scheduled_bite_is_still_on_its_way_brings_the_one_after_it(
    app: CourseApplication, state: BotAPIState, store: Store, course_chat: CourseChat, clock: FakeClock
) -> None:
    """One scheduled bite answers one /next, not two: two taps while it is in flight bring it and the next."""
    send_id = await scheduled_lesson_on_its_way(app, store, course_chat, clock)
    await say(app, ANNA, "/next")
    assert "on its way" in texts_to(state, ANNA)[-1]

    answered = len(texts_to(state, ANNA))
    second = asyncio.create_task(say(app, ANNA, "/next"))
    for _ in range(20):  # the second /next is waiting for the lesson, not answering yet
        await asyncio.sleep(0)
    assert not second.done()
    assert len(texts_to(state, ANNA)) == answered
    await store.outbox.confirm_sent(send_id, clock.now)  # the scheduled lesson went out
    await asyncio.wait_for(second, timeout=30)
    assert "First question" in texts_to(state, ANNA)[-1]


async def test_the_tick_leaves_a_learner_alone_while_their_next_is_being_sent(
    store: Store, course_chat: CourseChat, clock: FakeClock
) -> None:
    await enrol_due(store, course_chat, ANNA, clock)
    ticker = Ticker(course_chat.course, store, _NeverSends(), clock=clock, pacer=Pacer.unlimited())
    stale = await ticker.plan(clock.now)  # the tick plans the first lesson ...
    outcome = await course_chat.next_bite(Who(ANNA, ANNA))  # ... and /next claims it and is sending it

    assert await store.outbox.record_intents(
        [_intent(d, p, clock.now, course_chat.course) for d, p in stale], clock.now
    ) == [None]
    assert await ticker.plan(clock.now) == []  # not due for the tick until the /next is settled
    await course_chat.settle(outcome, sent=True)
    [(_, plan)] = await ticker.plan(clock.now)
    assert plan.item_id == "one-question-a"


LEARNERS = 150
ROUNDS = 3
RATE = 500  # sends a second: the tick's round takes a good part of a second, long enough to be raced


async def test_next_racing_the_tick_keeps_every_learners_course_in_order(
    tmp_path: Path, mini_course: Course, clock: FakeClock
) -> None:
    state = BotAPIState()
    rng = random.Random(150)
    async with await Store.open(tmp_path / "race.sqlite3") as store:
        chat = CourseChat(mini_course, store, clock)
        # A real pacer on the real clock: the tick's sends take their time, and the learners act meanwhile.
        pacer = Pacer(RATE)
        app = build_application(chat, TOKEN, request=StandinRequest(state), pacer=pacer)
        learners = range(9000, 9000 + LEARNERS)
        async with app:
            ticker = Ticker(mini_course, store, TelegramSender(app.bot), clock=clock, pacer=pacer)
            for user_id in learners:
                await enrol_due(store, chat, user_id, clock)

            async def the_schedule() -> None:
                for _ in range(ROUNDS):
                    await ticker.tick()
                    clock.advance(hours=2)

            async def a_learner(user_id: int) -> None:
                for _ in range(ROUNDS):
                    await asyncio.sleep(rng.random() * LEARNERS / RATE)  # at some moment of the tick's round
                    await say(app, user_id, "/next")
                    last = state.sent_messages(user_id)[-1]
                    question = reader.item_of(last)
                    if question is not None and reader.is_question(question):
                        update = callback_update(user_id, f"a:{question}:0", message_id=last.result["message_id"])
                        state.observe_update(update)
                        await app.process_update(Update.de_json(update, app.bot))

            reader = ItemReader(mini_course)
            await asyncio.gather(the_schedule(), *(a_learner(user_id) for user_id in learners))
            await ticker.stop()

        recorded = delivered_lessons(store.path, mini_course)

    for user_id in learners:
        calls = state.sent_messages(user_id)
        assert reader.out_of_order(calls) == [], f"learner {user_id} got the course out of order"
        lessons = reader.lessons(calls)
        assert len(lessons) == len(set(lessons)), f"learner {user_id} got a lesson twice"
        assert recorded.get(user_id, set()) <= set(lessons), "a lesson recorded as delivered was never sent"
    assert sum(len(reader.items(state.sent_messages(user_id))) for user_id in learners) > LEARNERS * ROUNDS
