"""Replies first, fair to everyone: through the real Application, a learner's reply goes ahead of the schedule's
bulk already waiting; callback answers and edits take no message turn; a 429 on a reply waits and tries
again; and one learner flooding the bot is throttled with one polite notice while everyone else is served
as if nothing happened. The pacer runs on a clock the tests move."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import time
from typing import TYPE_CHECKING

import pytest
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.conversation import texts
from bot.conversation.chat import CourseChat, Who
from bot.delivery.sending import Pacer, Priority
from bot.delivery.tick import Ticker
from bot.store import Store
from bot.telegram.app import CourseApplication, TelegramSender, build_application
from bot.telegram.ordering import FLOOD_BURST
from scheduler.windows import Preferences
from tests.conftest import FakeClock
from tests.standin import BotAPIState, Call, StandinRequest, callback_update, message_update
from tests.test_pacing import FakeMonotonic

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

TOKEN = "123456:REPLIES"
ANNA = 777


class HeldClock(FakeMonotonic):
    """A moved clock that a test can stop: while it is held, nobody's sleep on it ends."""

    def __init__(self) -> None:
        super().__init__()
        self.running = asyncio.Event()
        self.running.set()

    async def sleep(self, seconds: float) -> None:
        await self.running.wait()
        await super().sleep(seconds)


class CountingPacer(Pacer):
    """A pacer on a moved clock that notes every turn it gives, by priority."""

    def __init__(self, clock: FakeMonotonic) -> None:
        super().__init__(28, clock=clock, sleep=clock.sleep)
        self.turns: list[Priority] = []
        self.replies: list[tuple[int, int, int]] = []  # (turns given before it asked, then waiting, its turn)
        self.reply_asked = asyncio.Event()

    async def turn(self, priority: Priority = Priority.BULK) -> None:
        asked, waiting = len(self.turns), self.waiting
        if priority is Priority.REPLY:
            self.reply_asked.set()
        await super().turn(priority)
        self.turns.append(priority)
        if priority is Priority.REPLY:
            self.replies.append((asked, waiting, len(self.turns) - 1))


@pytest.fixture
def state() -> BotAPIState:
    return BotAPIState()


@pytest.fixture
def pacing() -> HeldClock:
    return HeldClock()


@pytest.fixture
def pacer(pacing: HeldClock) -> CountingPacer:
    return CountingPacer(pacing)


@pytest.fixture
async def app(state: BotAPIState, course_chat: CourseChat, pacer: CountingPacer) -> AsyncIterator[CourseApplication]:
    application = build_application(course_chat, TOKEN, request=StandinRequest(state), pacer=pacer)
    async with application:
        yield application


async def push(app: CourseApplication, update: dict[str, object]) -> None:
    await app.process_update(Update.de_json(update, app.bot))


async def test_a_reply_goes_ahead_of_the_bulk_already_waiting(
    app: CourseApplication,
    state: BotAPIState,
    store: Store,
    course_chat: CourseChat,
    clock: FakeClock,
    pacer: CountingPacer,
    pacing: HeldClock,
) -> None:
    for user_id in range(100, 160):
        await course_chat.start(Who(user_id, user_id))
        prefs = Preferences(timezone="Europe/London", daily_time=time(9, 0))
        await store.learners.save_preferences(user_id, prefs, clock.now)
    ticker = Ticker(course_chat.course, store, TelegramSender(app.bot), clock=clock, pacer=pacer)
    broadcast = asyncio.create_task(ticker.tick())
    mark = 0
    for _ in range(5):  # the broadcast is under way, the rest of it waiting for turns
        mark = state.calls.index(await state.wait_for_call("sendMessage", since=mark)) + 1
    pacing.running.clear()  # time stands still: the rest of the broadcast waits for its turns

    reply = asyncio.create_task(push(app, message_update(ANNA, "/help")))
    await asyncio.wait_for(pacer.reply_asked.wait(), 60)
    pacing.running.set()
    await reply
    await broadcast

    assert len(state.sent_messages()) == 61
    [(asked, waiting, given)] = pacer.replies
    assert waiting >= 10  # much of the broadcast was still waiting for its turns when the reply asked for one
    assert given <= asked + 1  # and the reply had the next turn (one given out already may not be noted yet)


async def test_callback_answers_and_edits_take_no_message_turn(
    app: CourseApplication, state: BotAPIState, pacer: CountingPacer
) -> None:
    await push(app, message_update(ANNA, "/start"))
    await push(app, message_update(ANNA, "/next"))
    await push(app, message_update(ANNA, "/next"))
    question = state.sent_messages(ANNA)[-1]
    before = list(pacer.turns)

    update = callback_update(ANNA, "a:one-question-a:1", message_id=question.result["message_id"])
    state.observe_update(update)
    await push(app, update)

    assert [call.method for call in state.calls[-3:]] == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    assert pacer.turns[len(before) :] == [Priority.REPLY]  # the feedback message only
    assert before == [Priority.REPLY] * 3  # welcome with the schedule question, lesson, question


async def test_a_flood_wait_on_a_reply_is_waited_out_and_the_reply_arrives(
    app: CourseApplication, state: BotAPIState, pacing: FakeMonotonic
) -> None:
    state.fail_next("sendMessage", chat_id=ANNA, error_code=429, retry_after=4)
    started = pacing.now

    await push(app, message_update(ANNA, "/help"))

    [reply] = state.sent_messages(ANNA)
    assert "/next" in (reply.text or "")
    assert pacing.now >= started + 4
    assert not any("Sorry" in (call.text or "") for call in state.sent_messages())


async def test_a_flooding_learner_gets_one_polite_notice_and_the_rest_is_declined(
    state: BotAPIState, course_chat: CourseChat
) -> None:
    application = build_application(course_chat, TOKEN, request=StandinRequest(state), rate_limiter=False)
    flooder = 666
    async with application:
        await application.start()
        for _ in range(300):
            await application.update_queue.put(Update.de_json(message_update(flooder, "/help"), application.bot))
        await application.update_queue.join()  # every queued update handled
        await application.stop()

    replies = [call.text or "" for call in state.sent_messages(flooder)]
    assert replies.count(texts.slow_down().text) == 1
    assert FLOOD_BURST <= len(replies) <= FLOOD_BURST + 3  # its burst, a token perhaps regained, the notice


def _to(chat_id: int) -> Callable[[Call], bool]:
    return lambda call: call.chat_id == chat_id


class FlooderHeld(StandinRequest):
    """The stand-in, except that answers to one chat's button presses wait until `release` is set."""

    def __init__(self, state: BotAPIState, held: set[str]) -> None:
        super().__init__(state)
        self.held = held  # callback query ids whose answers wait
        self.release = asyncio.Event()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is not None and request_data.parameters.get("callback_query_id") in self.held:
            await self.release.wait()
        return await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )


async def test_a_flooding_learner_delays_nobody_else_and_every_press_is_answered(
    state: BotAPIState, course_chat: CourseChat
) -> None:
    flooder, others = 666, list(range(500, 530))
    presses = [callback_update(flooder, "next-gone", message_id=1) for _ in range(300)]
    request = FlooderHeld(state, {press["callback_query"]["id"] for press in presses})
    application = build_application(course_chat, TOKEN, request=request, rate_limiter=False)
    async with application:
        await application.start()
        for press in presses:  # pressing a stale button as fast as a script can
            await application.update_queue.put(Update.de_json(press, application.bot))
        for user_id in others:
            await application.update_queue.put(Update.de_json(message_update(user_id, "/help"), application.bot))
        # The flooder's chat is stuck (its answers held), its 300 updates queued: everyone else is served all
        # the same. (Were the flooder's waiting updates to hold places among those at work, nobody would be.)
        for user_id in others:
            await state.wait_for_call("sendMessage", _to(user_id), timeout=60)
        assert not state.calls_of("answerCallbackQuery")
        request.release.set()
        await application.update_queue.join()
        await application.stop()

    assert len(state.calls_of("answerCallbackQuery")) == 300  # every press answered, declined or not
    declined = [
        call for call in state.calls_of("answerCallbackQuery") if call.params.get("text") == texts.NOTICE_SLOW_DOWN
    ]
    assert len(declined) >= 300 - FLOOD_BURST - 3
    assert len({call.chat_id for call in state.sent_messages() if call.chat_id in others}) == len(others)
