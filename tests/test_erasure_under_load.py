"""Erasure that always completes: ten learners confirming /forget at the same moment, and erasures while the tick
sends to a thousand learners. Every erasure is reported done, the tick's batch all goes out in that tick, and
nothing of the erased learners remains in the database file or its write-ahead log.

The real Application (its concurrent update processing), a real SQLite file, the Bot API stand-in.
"""

from __future__ import annotations

import asyncio
from datetime import time
from pathlib import Path

from telegram import Update

from bot.conversation.chat import CourseChat, Who
from bot.conversation.replies import Reply
from bot.delivery.sending import Delivery, Pacer
from bot.delivery.tick import Ticker
from bot.store import Store
from bot.telegram.app import CourseApplication, TelegramSender, build_application
from scheduler.windows import Preferences
from tests.conftest import FakeClock
from tests.standin import BotAPIState, StandinRequest, callback_update, message_update

TOKEN = "123456:ERASE"
FIRST = 300_000_000_000  # ids of six bytes: stored as such, easy to look for in the raw file


class HeldSend:
    """A sender that holds the send to one chat until told to go on."""

    def __init__(self, sender: TelegramSender, chat_id: int) -> None:
        self.sender = sender
        self.chat_id = chat_id
        self.reached = asyncio.Event()
        self.resume = asyncio.Event()

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        if chat_id == self.chat_id:
            self.reached.set()
            await self.resume.wait()
        return await self.sender.send(chat_id, reply)


def needle(user_id: int) -> bytes:
    return user_id.to_bytes(6, "big")


def leftovers(store: Store, user_ids: list[int]) -> list[tuple[str, int]]:
    """(file, learner) for every erased learner whose id can still be found in the file or its log."""
    found = []
    for path in (store.path, Path(f"{store.path}-wal")):
        content = path.read_bytes() if path.exists() else b""
        found += [(path.name, user_id) for user_id in user_ids if needle(user_id) in content]
    return found


async def say(app: CourseApplication, user_id: int, text: str) -> None:
    await app.process_update(Update.de_json(message_update(user_id, text), app.bot))


async def enrol_with_progress(app: CourseApplication, chat: CourseChat, store: Store, user_id: int) -> None:
    await say(app, user_id, "/start")
    await say(app, user_id, "/next")
    await say(app, user_id, "/next")


async def confirm_forget(app: CourseApplication, state: BotAPIState, user_id: int) -> None:
    update = callback_update(user_id, "forget:yes", message_id=state.sent_messages(user_id)[-1].result["message_id"])
    state.observe_update(update)
    await app.process_update(Update.de_json(update, app.bot))


def erased_notices(state: BotAPIState, user_ids: list[int]) -> dict[int, str]:
    return {
        call.chat_id: call.text or ""
        for call in state.calls_of("editMessageText")
        if call.chat_id in user_ids and isinstance(call.chat_id, int)
    }


async def test_ten_learners_confirming_forget_at_the_same_moment_are_all_erased(
    store: Store, course_chat: CourseChat
) -> None:
    state = BotAPIState()
    app = build_application(course_chat, TOKEN, request=StandinRequest(state), rate_limiter=False)
    learners = [FIRST + number for number in range(10)]
    async with app:
        for user_id in learners:
            await enrol_with_progress(app, course_chat, store, user_id)
            await say(app, user_id, "/forget")
        await store.checkpoint()  # their rows are in the database file itself, as after any checkpoint
        assert leftovers(store, learners)

        await asyncio.gather(*(confirm_forget(app, state, user_id) for user_id in learners))

    notices = erased_notices(state, learners)
    assert sorted(notices) == learners
    assert all("I erased everything" in text for text in notices.values())
    assert not any("went wrong" in (call.text or "") for call in state.sent_messages())
    for user_id in learners:
        assert all(rows == [] for rows in (await store.privacy.everything_about(user_id)).values())
    assert leftovers(store, learners) == []


async def test_erasures_during_a_thousand_learner_tick_all_complete_and_the_batch_goes_out_in_it(
    store: Store, course_chat: CourseChat, clock: FakeClock
) -> None:
    state = BotAPIState()
    app = build_application(course_chat, TOKEN, request=StandinRequest(state), rate_limiter=False)
    due = [FIRST + 1000 + number for number in range(1000)]
    erased = [FIRST + number for number in range(10)] + due[::100]  # some outside the batch, some in it
    async with app:
        for user_id in erased[:10]:
            await enrol_with_progress(app, course_chat, store, user_id)
        prefs = Preferences(timezone="Europe/London", daily_time=time(9, 0))
        for user_id in due:
            await course_chat.start(Who(user_id, user_id))
            await store.learners.save_preferences(user_id, prefs, clock.now)
        for user_id in erased:
            await say(app, user_id, "/forget")
        # Paced on the real clock, fast. One send, halfway through the batch, is held until the second erasures
        # are done: they happen during the tick for certain, every other send of the batch free to go on.
        sender = HeldSend(TelegramSender(app.bot), kept_chat := due[501])
        ticker = Ticker(course_chat.course, store, sender, clock=clock, pacer=Pacer(2000))
        ticker.batch_size = len(due)  # the whole batch in one chunk: planned and claimed at once

        kept = [user_id for user_id in due if user_id not in erased]
        assert kept_chat in kept

        ticking = asyncio.create_task(ticker.tick())
        # Half as the tick plans and claims its batch, half while it is sending it.
        first, second = erased[::2], erased[1::2]
        await asyncio.gather(*(confirm_forget(app, state, user_id) for user_id in first))
        await asyncio.wait_for(sender.reached.wait(), 60)
        await asyncio.gather(*(confirm_forget(app, state, user_id) for user_id in second))
        erased_during_the_tick = not ticking.done()
        sender.resume.set()
        report = await ticking
        await store.checkpoint()

    assert erased_during_the_tick
    assert sorted(erased_notices(state, erased)) == sorted(erased)
    assert all("I erased everything" in text for text in erased_notices(state, erased).values())
    assert not any("went wrong" in (call.text or "") for call in state.sent_messages())
    assert report.deliveries.get(Delivery.SENT, 0) >= len(kept)  # the whole batch, in this one tick
    assert all(
        any("Later" in str(call.params.get("reply_markup")) for call in state.sent_messages(user_id))
        for user_id in kept
    )
    for user_id in erased:
        assert all(rows == [] for rows in (await store.privacy.everything_about(user_id)).values()), user_id
    assert leftovers(store, erased) == []
