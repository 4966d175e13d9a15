"""The schedule end to end in process: the tick, a real SQLite file, the real PTB Application and bot, the
Bot API stand-in, and clocks the tests move (nothing here sleeps)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

import pytest
from telegram import Update

from bot.content import Course
from bot.conversation.chat import CourseChat, Who
from bot.core import buttons
from bot.delivery.sending import Pacer
from bot.delivery.tick import Ticker
from bot.store import Intent, Store
from bot.telegram.app import CourseApplication, TelegramSender, build_application
from scheduler.windows import Preferences
from tests.conftest import FakeClock
from tests.standin import BotAPIState, Call, StandinRequest, callback_update, message_update

TOKEN = "123456:TICK"


class FakeMonotonic:
    """The pacer's clock and sleep: sleeping just moves the clock, and is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Rig:
    state: BotAPIState
    app: CourseApplication
    chat: CourseChat
    ticker: Ticker
    clock: FakeClock
    pacing: FakeMonotonic
    store: Store

    async def say(self, user_id: int, text: str) -> None:
        await self.app.process_update(Update.de_json(message_update(user_id, text), self.app.bot))

    async def press(self, user_id: int, data: str, message: Call) -> None:
        update = callback_update(user_id, data, message_id=message.result["message_id"], message_text="...")
        self.state.observe_update(update)
        await self.app.process_update(Update.de_json(update, self.app.bot))

    def sent_to(self, chat_id: int) -> list[Call]:
        return self.state.sent_messages(chat_id)


async def make_rig(store: Store, course: Course, clock: FakeClock, state: BotAPIState | None = None) -> Rig:
    state = state or BotAPIState()
    chat = CourseChat(course, store, clock)
    app = build_application(chat, TOKEN, request=StandinRequest(state))
    await app.initialize()
    pacing = FakeMonotonic()
    ticker = Ticker(
        course, store, TelegramSender(app.bot), clock=clock, pacer=Pacer(27, clock=pacing, sleep=pacing.sleep)
    )
    await ticker.start()
    return Rig(state, app, chat, ticker, clock, pacing, store)


@pytest.fixture
async def rig(store: Store, mini_course: Course, clock: FakeClock) -> AsyncIterator[Rig]:
    made = await make_rig(store, mini_course, clock)
    yield made
    await made.app.shutdown()


async def enrol_with_schedule(rig: Rig, user_id: int, *, pace: int = 2, daily: time = time(9, 0)) -> None:
    await rig.chat.start(Who(user_id, user_id))
    settings = Preferences(timezone="Europe/London", daily_time=daily, pace=pace)
    await rig.store.learners.save_preferences(user_id, settings, rig.clock.now)  # due now
    await rig.store.learners.set_discreet(user_id, False)  # bites in full, not discreet mode's teaser


def later_button(call: Call) -> str:
    markup = call.params["reply_markup"]
    assert isinstance(markup, dict)
    return str(markup["inline_keyboard"][-1][-1]["callback_data"])


async def test_a_due_learner_gets_one_bite_with_a_later_button_and_is_due_again_at_the_next_slot(rig: Rig) -> None:
    await enrol_with_schedule(rig, 7)

    report = await rig.ticker.tick()

    assert report.sent == 1
    [bite] = rig.sent_to(7)
    assert "First lesson" in (bite.text or "")
    assert later_button(bite).startswith("later:")
    assert await rig.ticker.plan(rig.clock.now) == []  # nothing more is due right now
    rig.clock.advance(hours=2)
    assert (await rig.ticker.tick()).sent == 1


async def test_after_downtime_what_fell_due_is_sent_once(rig: Rig) -> None:
    await enrol_with_schedule(rig, 7)
    rig.clock.advance(days=3)

    await rig.ticker.tick()
    await rig.ticker.tick()

    assert len(rig.sent_to(7)) == 1


async def test_a_new_application_on_the_same_database_delivers_what_is_due_exactly_once(
    tmp_path: Path, mini_course: Course, clock: FakeClock
) -> None:
    path = tmp_path / "restart.sqlite3"
    state = BotAPIState()
    async with await Store.open(path) as store:
        first = await make_rig(store, mini_course, clock, state)
        await enrol_with_schedule(first, 7)
        await enrol_with_schedule(first, 8)
        await first.ticker.tick()
        await first.app.shutdown()
    clock.advance(hours=2)  # both are due again while the bot is down

    async with await Store.open(path) as store:
        second = await make_rig(store, mini_course, clock, state)
        await second.ticker.tick()
        await second.ticker.tick()
        await second.app.shutdown()

    assert [len(state.sent_messages(chat)) for chat in (7, 8)] == [2, 2]


async def test_a_crash_between_intent_and_send_resends_on_restart(
    tmp_path: Path, mini_course: Course, clock: FakeClock
) -> None:
    path = tmp_path / "crash.sqlite3"
    state = BotAPIState()
    async with await Store.open(path) as store:
        rig = await make_rig(store, mini_course, clock, state)
        await enrol_with_schedule(rig, 7)
        due = await rig.ticker.plan(clock.now)
        from bot.delivery.tick import _intent

        await store.outbox.record_intents(
            [_intent(d, p, clock.now, mini_course) for d, p in due], clock.now
        )  # then "crash"
        await rig.app.shutdown()

    async with await Store.open(path) as store:
        again = await make_rig(store, mini_course, clock, state)  # start() recovers the pending send
        await again.ticker.tick()
        await again.ticker.tick()
        await again.app.shutdown()

    assert len(state.sent_messages(7)) == 1


async def test_flood_waits_are_honoured_and_every_message_arrives_in_order_per_chat(rig: Rig) -> None:
    learners = (11, 12, 13)
    for user_id in learners:
        await enrol_with_schedule(rig, user_id, pace=3)
    rig.state.fail_next("sendMessage", error_code=429, retry_after=3, times=2)

    for _ in range(3):
        await rig.ticker.tick()
        rig.clock.advance(hours=2)

    for user_id in learners:
        texts = [call.text or "" for call in rig.sent_to(user_id)]
        assert len(texts) == 3
        # The unanswered question is not sent again at the next slot: the course moves on.
        assert ["First lesson" in texts[0], "First question" in texts[1], "Second lesson" in texts[2]] == [True] * 3
    assert sum(rig.pacing.slept) >= 3 * 2  # waited out both flood waits, as long as each said


async def test_a_blocked_learner_gets_nothing_more_until_start(rig: Rig) -> None:
    await enrol_with_schedule(rig, 7)
    rig.state.blocked_chats.add(7)
    await rig.ticker.tick()
    attempts = len([call for call in rig.state.calls_of("sendMessage") if call.chat_id == 7])

    rig.clock.advance(days=2)
    await rig.ticker.tick()
    assert len([call for call in rig.state.calls_of("sendMessage") if call.chat_id == 7]) == attempts

    rig.state.blocked_chats.discard(7)
    await rig.say(7, "/start")
    rig.clock.advance(days=1)
    await rig.ticker.tick()
    assert any("First lesson" in (call.text or "") for call in rig.sent_to(7))


async def test_network_errors_are_retried_and_a_bad_request_is_skipped(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    await enrol_with_schedule(rig, 7)
    await enrol_with_schedule(rig, 8)
    rig.state.fail_next("sendMessage", chat_id=7, error_code=502, times=2)
    rig.state.fail_next("sendMessage", chat_id=8, error_code=400, description="Bad Request: chat not found")

    with caplog.at_level(logging.WARNING):
        report = await rig.ticker.tick()

    assert len(rig.sent_to(7)) == 1
    assert rig.sent_to(8) == []
    assert report.planned == 2
    assert any("rejected" in record.getMessage() for record in caplog.records)
    assert rig.pacing.slept  # backed off before retrying


async def tick_hourly(rig: Rig, days: float) -> None:
    for _ in range(int(days * 24)):
        await rig.ticker.tick()
        rig.clock.advance(hours=1)


async def test_a_week_of_silence_brings_one_reminder_then_a_pause_with_a_resume_button(rig: Rig) -> None:
    enrolled = rig.clock.now
    await enrol_with_schedule(rig, 7, pace=2)
    await tick_hourly(rig, days=8)

    texts = [call.text or "" for call in rig.sent_to(7)]
    assert sum("No rush" in text for text in texts) == 1
    assert sum("paused your daily bites" in text for text in texts) == 1
    assert "paused your daily bites" in texts[-1]
    paused = await rig.store.learners.schedule(7)
    assert paused is not None
    assert paused.paused_at is not None
    assert paused.paused_at - enrolled >= timedelta(days=7)  # only after a week of silence
    resume = rig.sent_to(7)[-1]
    await rig.press(7, later_button(resume), resume)
    schedule = await rig.store.learners.schedule(7)
    assert schedule is not None
    assert not schedule.paused


async def test_a_wrong_answer_comes_back_for_review_about_a_day_later(rig: Rig, store: Store) -> None:
    await enrol_with_schedule(rig, 7, pace=3, daily=time(9, 0))
    await rig.say(7, "/next")
    await rig.say(7, "/next")
    await rig.chat.press(Who(7, 7), buttons.encode(buttons.Answer("one-question-a", 0)))  # wrong

    rig.clock.advance(days=1, hours=2)
    for _ in range(3):
        await rig.ticker.tick()
        rig.clock.advance(hours=2)

    review = next(call for call in rig.sent_to(7) if "🔁 Review" in (call.text or ""))
    markup = review.params["reply_markup"]
    assert isinstance(markup, dict)
    answer = markup["inline_keyboard"][0][1]["callback_data"]
    await rig.press(7, answer, review)
    await rig.press(7, answer, review)  # a double tap counts once
    assert len(list(await store.database.fetch("SELECT rating FROM reviews WHERE user_id = 7"))) == 1


async def test_later_puts_a_bite_off_and_it_comes_back(rig: Rig) -> None:
    await enrol_with_schedule(rig, 7)
    await rig.ticker.tick()
    [bite] = rig.sent_to(7)

    await rig.press(7, later_button(bite), bite)
    menu = rig.sent_to(7)[-1]
    markup = menu.params["reply_markup"]
    assert isinstance(markup, dict)
    await rig.press(7, markup["inline_keyboard"][0][0]["callback_data"], menu)  # in 2 hours
    rig.clock.advance(hours=1)
    assert (await rig.ticker.tick()).sent == 0
    rig.clock.advance(hours=1)
    await rig.ticker.tick()

    assert "First lesson" in (rig.sent_to(7)[-1].text or "")


async def test_setting_up_the_schedule_with_buttons_makes_the_learner_due(rig: Rig, store: Store) -> None:
    await rig.say(7, "/start")
    for data in ("set:region:uk!", "set:tz:Europe/London!", "set:time:0900!", "set:days:127!", "set:pace:3!"):
        await rig.press(7, data, rig.sent_to(7)[-1])
        assert await store.outbox.upcoming(rig.clock.now, 10) == []  # nothing scheduled until the last step
    await rig.press(7, "set:quiet:2100-0700!", rig.sent_to(7)[-1])

    schedule = await store.learners.schedule(7)
    assert schedule is not None
    assert schedule.prefs is not None
    assert (schedule.prefs.timezone, schedule.prefs.daily_time, schedule.prefs.pace) == (
        "Europe/London",
        time(9, 0),
        3,
    )
    assert "Schedule saved" in (rig.sent_to(7)[-1].text or "")
    assert await store.outbox.upcoming(rig.clock.now, 10)


async def test_a_typed_time_is_read_and_nonsense_is_asked_again(rig: Rig, store: Store) -> None:
    await enrol_with_schedule(rig, 7)
    await rig.say(7, "/settings")
    await rig.press(7, "set:type:time", rig.sent_to(7)[-1])
    await rig.say(7, "half past seven")  # not a time: answered as a search, and the question is still open
    assert "still waiting for a time" in (rig.sent_to(7)[-1].text or "")
    await rig.say(7, "7:45")
    schedule = await store.learners.schedule(7)
    assert schedule is not None
    assert schedule.prefs is not None
    assert schedule.prefs.daily_time == time(7, 45)
    assert await store.learners.awaiting(7) is None


async def test_pause_until_a_date_and_resume(rig: Rig, store: Store) -> None:
    await enrol_with_schedule(rig, 7)
    await rig.say(7, "/pause 2026-03-10")
    assert (await rig.ticker.tick()).sent == 0
    await rig.say(7, "/pause sometime")
    assert "To pause for some days" in (rig.sent_to(7)[-1].text or "")
    await rig.say(7, "/resume")
    assert "back on" in (rig.sent_to(7)[-1].text or "")
    rig.clock.advance(days=1)
    assert (await rig.ticker.tick()).sent == 1


async def test_a_lesson_the_learner_just_pulled_is_not_sent_again_by_the_tick(rig: Rig, store: Store) -> None:
    await enrol_with_schedule(rig, 7)
    due = await rig.ticker.plan(rig.clock.now)  # the tick decides on the first lesson ...
    await rig.say(7, "/next")  # ... and the learner pulls it with /next before the tick sends

    from bot.delivery.tick import _intent

    [send_id] = await store.outbox.record_intents(
        [_intent(d, p, rig.clock.now, rig.chat.course) for d, p in due], rig.clock.now
    )

    assert send_id is None
    assert await rig.ticker.plan(rig.clock.now) == []


async def test_next_moves_on_when_the_tick_claimed_its_lesson_a_moment_earlier(
    rig: Rig, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await enrol_with_schedule(rig, 7)
    stale = await store.progress.record(7)  # what /next read, just before the tick delivered the first lesson
    [send_id] = await store.outbox.record_intents([_intent_for_first_lesson(rig)], rig.clock.now)
    assert send_id is not None
    await store.outbox.confirm_sent(send_id, rig.clock.now)
    reads = iter([stale])
    original = store.progress.record

    async def record_once_stale(user_id: int, *, only: str | None = None) -> object:
        return next(reads, None) or await original(user_id, only=only)

    monkeypatch.setattr(store.progress, "record", record_once_stale)
    outcome = await rig.chat.next_bite(Who(7, 7))

    assert "First question" in outcome.replies[0].text


def _intent_for_first_lesson(rig: Rig) -> Intent:
    return Intent(user_id=7, kind="new", item_id="one-lesson-a", local_day=rig.clock.now.date(), next_due=None,
                  skip_if_delivered=True)  # fmt: skip
