"""A crash loses no lesson and sends none twice: `coursebot run` (a real process) is killed with SIGKILL while
learners use /next and the tick is sending to hundreds, restarted, and run on until everyone is served. Then, for
every learner, each lesson the database records as delivered reached them, none reached them twice, and the
course came in order.

The kill comes with messages in flight: the stand-in holds every request that arrives from a moment on (the
/next replies of all the active learners among them) and, once the process is dead, drops them unanswered, as
a connection lost with its process would. (A message Telegram accepted a moment before a crash, whose
confirmation the crash prevented, is sent again after the restart: the schedule errs toward twice, never toward
losing a bite. That window is a few milliseconds; this test keeps out of it, so that "never twice" is exact.)
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from aiohttp import web

from bot.content.loader import load_course
from bot.store import Store
from scheduler.windows import Preferences
from tests.conftest import MINI_COURSE
from tests.deliveries import ItemReader, delivered_lessons
from tests.running_bot import CEILING, RunningBot, bot_environment
from tests.standin import Call, StandinServer, callback_update, message_update

TOKEN = "424242:CRASH-secret"
COURSE = load_course(MINI_COURSE)
ACTIVE = list(range(70_000, 70_030))  # learners pulling bites with /next
DUE = list(range(80_000, 80_500))  # learners the tick is sending to: about 18 s of sending at 28/s


class HoldingServer(StandinServer):
    """The stand-in, able to hold every request but getUpdates from a moment on, and then drop them unanswered."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.holding = False
        self.held_chats: set[str] = set()
        self._dropped = asyncio.Event()
        self._changed = asyncio.Event()

    async def _bot_api(self, request: web.Request) -> web.Response:
        if not self.holding or request.match_info["method"].lower() == "getupdates":
            return await super()._bot_api(request)
        params, _ = await self._read_params(request)
        self.held_chats.add(str(params.get("chat_id")))
        self._changed.set()
        await self._dropped.wait()
        return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502)

    async def wait_until_held(self, chats: set[int]) -> None:
        async with asyncio.timeout(CEILING):
            while not {str(chat) for chat in chats} <= self.held_chats:
                self._changed.clear()
                await self._changed.wait()

    def drop_held(self) -> None:
        self.holding = False
        self._dropped.set()


async def _learners(db: Path) -> None:
    now = datetime.now(UTC)
    always = Preferences(timezone="UTC", daily_time=time(0, 0), quiet_start=time(0, 0), quiet_end=time(0, 0))
    async with await Store.open(db) as store:
        for user_id in ACTIVE + DUE:
            await store.learners.enrol(user_id, user_id, now)
            await store.learners.set_discreet(user_id, False)  # bites in full, to read which item each is
        for user_id in DUE:
            await store.learners.save_preferences(user_id, always, now - timedelta(minutes=1))


def _scheduled(call: Call) -> bool:
    return call.ok and call.chat_id in DUE and "Later" in str(call.params.get("reply_markup"))


def _scheduled_to(user_id: int) -> Callable[[Call], bool]:
    return lambda call: _scheduled(call) and call.chat_id == user_id


async def _next(server: StandinServer, reader: ItemReader, user_id: int) -> None:
    """/next, and the question answered if that is what came."""
    state = server.state
    mark = len(state.calls)
    server.push_update(message_update(user_id, "/next"))
    reply = await state.wait_for_call(
        "sendMessage", lambda call: call.chat_id == user_id and call.ok, timeout=CEILING, since=mark
    )
    item = reader.item_of(reply)
    if item is not None and reader.is_question(item):
        mark = len(state.calls)
        server.push_update(callback_update(user_id, f"a:{item}:0", message_id=reply.result["message_id"]))
        await state.wait_for_call("answerCallbackQuery", timeout=CEILING, since=mark)


async def test_a_sigkill_during_next_and_a_tick_loses_no_lesson_and_sends_none_twice(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    await _learners(db)
    reader = ItemReader(COURSE)
    server = HoldingServer(token=TOKEN)
    async with server:
        state = server.state
        for user_id in ACTIVE + DUE:
            state.observe_update(message_update(user_id, "/start"))  # Telegram knows their chats
        async with RunningBot(bot_environment(TOKEN, server.base_url, db), tmp_path) as bot:
            await bot.wait_for_event("coursebot is running on Telegram")
            await asyncio.gather(*(_next(server, reader, user_id) for user_id in ACTIVE))
            await state.wait_for_call("sendMessage", _scheduled, timeout=CEILING)

            server.holding = True  # from now on, nothing more goes out
            for user_id in ACTIVE:
                server.push_update(message_update(user_id, "/next"))
            await server.wait_until_held(set(ACTIVE))  # every learner's /next claimed, its reply in flight
            sent_before_the_kill = len([call for call in state.sent_messages() if _scheduled(call)])
            await bot.stop(signal.SIGKILL)
            server.drop_held()
        assert 0 < sent_before_the_kill < len(DUE) // 2, "the kill came in the middle of the tick"

        async with RunningBot(bot_environment(TOKEN, server.base_url, db), tmp_path) as bot:
            await bot.wait_for_event("coursebot is running on Telegram")
            for _ in range(3):
                await asyncio.gather(*(_next(server, reader, user_id) for user_id in ACTIVE))
            for user_id in DUE:
                await state.wait_for_call("sendMessage", _scheduled_to(user_id), timeout=CEILING)
            assert await bot.stop() == 0, bot.log

    recorded = delivered_lessons(db, COURSE)
    for user_id in ACTIVE + DUE:
        calls = [call for call in state.sent_messages(user_id) if call.ok]
        lessons = reader.lessons(calls)
        assert recorded.get(user_id, set()) <= set(lessons), f"learner {user_id}: a lesson recorded, never sent"
        assert len(lessons) == len(set(lessons)), f"learner {user_id} got a lesson twice"
        assert reader.out_of_order(calls) == [], f"learner {user_id} got the course out of order"
    assert all(len(recorded.get(user_id, set())) >= 2 for user_id in ACTIVE)  # /next carried them on after it
