"""The tick never overruns its interval, and pacing never bursts: the real Application with PTB's JobQueue
(APScheduler) running the tick at its interval, more learners due than one interval can send to, and learners
chatting meanwhile. APScheduler never skips a run ("maximum number of running instances reached"), everyone due
is served, every chatter answered, and no sliding second holds more than Telegram's 30 messages.

The interval is short here (half a second, with chunks of a seventh of a second) so that many ticks follow
each other in a few seconds of sending; `coursebot run` uses 45 s and chunks of a second.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import time, timedelta

import pytest
from telegram import Update

from bot.conversation.chat import CourseChat, Who
from bot.delivery.sending import DEFAULT_RATE, Pacer
from bot.delivery.tick import Ticker
from bot.store import Store
from bot.telegram.app import TelegramSender, build_application, schedule_jobs
from scheduler.windows import Preferences
from tests.conftest import FakeClock
from tests.standin import BotAPIState, Call, StandinRequest, message_update, most_in_any_second

TOKEN = "123456:INTERVAL"
DUE = list(range(40_000, 40_160))  # about 5.7 s of sending at 28 a second: eleven intervals
CHATTERS = list(range(41_000, 41_010))
INTERVAL = timedelta(seconds=0.5)
SKIPPED = "maximum number of running instances reached"


def _scheduled(call: Call) -> bool:
    return call.chat_id in DUE and "Later" in str(call.params.get("reply_markup"))


async def test_ticks_follow_each_other_without_a_skipped_run_or_a_burst_while_learners_chat(
    store: Store, course_chat: CourseChat, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    state = BotAPIState()
    pacer = Pacer(DEFAULT_RATE)  # the real token bucket on the real clock
    app = build_application(course_chat, TOKEN, request=StandinRequest(state), pacer=pacer)
    always = Preferences(timezone="Europe/London", daily_time=time(9, 0))
    for user_id in DUE:
        await course_chat.start(Who(user_id, user_id))
        await store.learners.save_preferences(user_id, always, clock.now)
        await store.learners.set_discreet(user_id, False)
    ticker = Ticker(course_chat.course, store, TelegramSender(app.bot), clock=clock, pacer=pacer, interval=INTERVAL)
    ticker.batch_size = 4  # a seventh of a second of sending
    caplog.set_level(logging.WARNING, logger="apscheduler")
    async with app:
        schedule_jobs(app, ticker, retention=timedelta(days=365), interval=INTERVAL)
        await app.start()
        # Learners chat while the schedule sends: a round of /help from each of them as the broadcast passes
        # its first, second and third quarter.
        for quarter in (1, 2, 3):
            await _until_scheduled(state, len(DUE) * quarter // 4)
            for user_id in CHATTERS:
                await app.update_queue.put(Update.de_json(message_update(user_id, "/help"), app.bot))
        await _until_scheduled(state, len(DUE))
        for user_id in CHATTERS:
            await _until(state, _to(user_id), 3)
        await ticker.stop()
        await app.stop()

    assert not [record for record in caplog.records if SKIPPED in record.getMessage()]
    assert all(len([call for call in state.sent_messages(user_id) if _scheduled(call)]) == 1 for user_id in DUE)
    sends = [call.at for call in state.calls if call.method == "sendMessage"]
    assert most_in_any_second(sends) <= 30


async def _until_scheduled(state: BotAPIState, count: int) -> None:
    await _until(state, _scheduled, count)


async def _until(state: BotAPIState, which: Callable[[Call], bool], count: int) -> None:
    """Wait until `count` messages for which `which` holds have gone out."""
    while True:
        mark = len(state.calls)
        if len([call for call in state.calls[:mark] if call.method == "sendMessage" and which(call)]) >= count:
            return
        await state.wait_for_call("sendMessage", which, timeout=60, since=mark)


def _to(chat_id: int) -> Callable[[Call], bool]:
    return lambda call: call.chat_id == chat_id
