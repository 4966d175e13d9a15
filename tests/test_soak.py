"""Soak: 200 simulated learners at once (onboarding, lessons, an answer, a look-up, progress) while the
schedule's tick delivers, through the real running Application (its update processor and JobQueue) and
the Bot API stand-in. At the end every learner's progress in SQLite must match what they did, nothing may
be lost or sent twice, and nothing may have been logged as an error. Bounded: it gives up after 100 s.

Telegram's flood limits are left out here (no rate limiter): they are tested on their own, and at 30
messages a second the run would be about the limiter rather than the bot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Update

from bot.content import Course
from bot.conversation.chat import CourseChat
from bot.delivery.tick import Ticker
from bot.store import Store
from bot.telegram.app import CourseApplication, TelegramSender, build_application, schedule_jobs
from tests.standin import BotAPIState, Call, StandinRequest, callback_update, message_update

LEARNERS = 200
FIRST = 7_000_000
DEADLINE_SECONDS = 100
STEP_TIMEOUT = 30.0
TICK_EVERY = timedelta(seconds=0.5)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Learner:
    """One simulated clinician, acting only after the bot has answered the last step."""

    def __init__(self, number: int, app: CourseApplication, state: BotAPIState, store: Store) -> None:
        self.user_id = FIRST + number
        self.app = app
        self.state = state
        self.store = store
        self.option = number % 3
        self.updates = 0

    async def push(self, update: dict[str, object]) -> None:
        self.state.observe_update(update)
        self.updates += 1
        await self.app.update_queue.put(Update.de_json(update, self.app.bot))

    async def say(self, text: str, method: str = "sendMessage") -> Call:
        mark = len(self.state.calls)
        await self.push(message_update(self.user_id, text))
        return await self.state.wait_for_call(method, self._mine, timeout=STEP_TIMEOUT, since=mark)

    async def press(self, data: str, message_id: int, method: str) -> Call:
        mark = len(self.state.calls)
        await self.push(callback_update(self.user_id, data, message_id=message_id))
        return await self.state.wait_for_call(method, self._mine, timeout=STEP_TIMEOUT, since=mark)

    def _mine(self, call: Call) -> bool:
        return call.chat_id == self.user_id

    def last_message(self) -> Call:
        return self.state.sent_messages(self.user_id)[-1]

    async def take_the_course(self) -> None:
        await self.say("/start")
        await self.state.wait_for_call("sendMessage", lambda c: self._mine(c) and "Where are you" in (c.text or ""))
        region = self.last_message().result["message_id"]
        for step in ("set:region:uk!", "set:tz:Europe/London!", "set:time:0700!", "set:days:127!", "set:pace:5!"):
            await self.press(step, region, "editMessageText")  # each step edits the question into the next
        await self.press("set:quiet:2100-0700!", region, "sendMessage")  # the last one saves, with a summary
        await self.store.learners.set_discreet(self.user_id, False)  # bites in full, not discreet mode's teaser
        await self.store.learners.set_next_due(self.user_id, utc_now())  # their slot comes round: the tick will send
        await self.say("/next")
        await self.say("/next")
        # Sent by /next, or by the tick (then /next said it was on its way): either way it arrives.
        question = await self.state.wait_for_call(
            "sendMessage",
            lambda call: self._mine(call) and "a:one-question-a:" in str(call.params.get("reply_markup")),
            timeout=STEP_TIMEOUT,
        )
        await self.press(f"a:one-question-a:{self.option}", question.result["message_id"], "editMessageText")
        await self.say("look for alpha")
        await self.say("/progress")


async def test_two_hundred_learners_at_once_while_the_tick_delivers(
    tmp_path: Path, mini_course: Course, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    state = BotAPIState()
    started = time.perf_counter()
    async with await Store.open(tmp_path / "soak.sqlite3") as store:
        application = build_application(
            CourseChat(mini_course, store, utc_now), "123:SOAK", request=StandinRequest(state), rate_limiter=False
        )
        async with application:
            ticker = Ticker(mini_course, store, TelegramSender(application.bot), clock=utc_now)
            await ticker.start()
            schedule_jobs(application, ticker, retention=timedelta(days=365), interval=TICK_EVERY)
            await application.start()
            learners = [Learner(number, application, state, store) for number in range(LEARNERS)]
            await asyncio.wait_for(
                asyncio.gather(*(learner.take_the_course() for learner in learners)), DEADLINE_SECONDS
            )
            await asyncio.sleep(2 * TICK_EVERY.total_seconds())  # the last tick's sends confirmed
            await ticker.stop()
            await application.stop()
        elapsed = time.perf_counter() - started

        answers = list(await store.database.fetch("SELECT user_id, item_id, option FROM answers"))
        sends = Counter(
            (row[0], row[1])
            for row in await store.database.fetch("SELECT kind, status FROM sends WHERE kind != 'pull'")
        )
        delivered = list(await store.database.fetch("SELECT user_id, item_id FROM deliveries"))

    expected = {(learner.user_id, "one-question-a", learner.option) for learner in learners}
    assert set(answers) == expected, "every learner's one answer, as they gave it"
    assert len(answers) == LEARNERS
    assert sends[("new", "pending")] == 0, "no delivery left half-done"
    scheduled = [call for call in state.sent_messages() if "Later" in str(call.params.get("reply_markup"))]
    assert len(scheduled) == sends[("new", "sent")], "every scheduled send confirmed once, and only those"
    for learner in learners:
        texts = [call.text or "" for call in state.sent_messages(learner.user_id)]
        assert sum("<b>First lesson</b>" in text for text in texts) == 1, "no lesson sent twice"
    assert {user for user, _ in delivered} == {learner.user_id for learner in learners}
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert not errors, [record.getMessage() for record in errors]

    updates = sum(learner.updates for learner in learners)
    messages = len(state.sent_messages())
    print(
        f"\nsoak: {LEARNERS} learners, {updates} updates, {messages} messages sent "
        f"({sends[('new', 'sent')]} by the tick), {len(answers)} answers, in {elapsed:.1f} s "
        f"({updates / elapsed:.0f} updates/s)"
    )
