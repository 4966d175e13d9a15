"""`coursebot run` itself, as a real process, against the HTTP Bot API stand-in enforcing Telegram's limits (30
messages a second, one a second per chat): the harness `bench.schedule` and `bench.load` measure through. Times
come from the stand-in's own clock: when an update was pushed, when each message arrived."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import statistics
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.schedule import populate
from bot.content import load_course
from bot.settings import PROJECT_ROOT
from tests.conftest import clean_environment
from tests.running_bot import RunningBot
from tests.standin import Call, StandinServer, message_update

TOKEN = "123456:BENCH-live-token"
FUTURE = "2999-01-01T00:00:00+00:00"
PAST = "2000-01-01T00:00:00+00:00"
TELEGRAM_LIMIT = 30


def prepare(db: Path, due: int, others: Iterable[int]) -> None:
    """`due` learners with progress (ids 1..due), not yet due, with no quiet hours (so the real clock of
    `coursebot run` finds each of them sendable); and enrolled learners `others`, who never fall due."""
    populate(db, load_course(PROJECT_ROOT / "content"), due)
    enrolled = datetime.now(UTC).isoformat()
    with contextlib.closing(sqlite3.connect(db)) as raw, raw:
        raw.execute("UPDATE learners SET next_due_at = ?, quiet_start = '00:00', quiet_end = '00:00'", (FUTURE,))
        raw.executemany(
            "INSERT INTO learners (user_id, chat_id, enrolled_at) VALUES (?, ?, ?)",
            [(user_id, user_id, enrolled) for user_id in others],
        )


def make_due(db: Path) -> None:
    """Every learner with a schedule falls due now: the next tick sends to all of them."""
    with contextlib.closing(sqlite3.connect(db)) as raw, raw:
        raw.execute("UPDATE learners SET next_due_at = ? WHERE next_due_at IS NOT NULL", (PAST,))


@contextlib.asynccontextmanager
async def running(db: Path, folder: Path, chats: Iterable[int]) -> AsyncIterator[tuple[StandinServer, RunningBot]]:
    """The stand-in (knowing `chats`, enforcing the limits) and `coursebot run` on `db`, running."""
    async with StandinServer(token=TOKEN, long_poll_cap=1.0) as server:
        for user_id in chats:
            server.state.observe_update(message_update(user_id, "/start"))
        server.state.enforce_limits(global_per_second=TELEGRAM_LIMIT, per_chat_interval=1.0)
        env = clean_environment(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=server.base_url,
            COURSEBOT_DB=str(db),
            COURSEBOT_HEALTH_PORT="0",
            COURSEBOT_HEALTH_LISTEN="127.0.0.1",
            COURSEBOT_LOG_LEVEL="INFO",
        )
        async with RunningBot(env, folder) as bot:
            await bot.wait_for_event("coursebot is running on Telegram", within=120)
            yield server, bot
            await bot.stop()


@dataclass
class Asked:
    """One update pushed, and when (the stand-in's clock)."""

    user_id: int
    at: float
    mark: int  # how many calls the stand-in had seen when it was pushed


def push(server: StandinServer, user_id: int, text: str) -> Asked:
    state = server.state
    asked = Asked(user_id, state.clock(), len(state.calls))
    server.push_update(message_update(user_id, text))
    return asked


async def latency(server: StandinServer, asked: Asked) -> float:
    """Seconds from the push to the first message the bot sent that chat after it."""
    reply = await server.state.wait_for_call(
        "sendMessage", lambda call: call.chat_id == asked.user_id and call.ok, timeout=600, since=asked.mark
    )
    return reply.at - asked.at


def sent(calls: Iterable[Call]) -> list[Call]:
    return [call for call in calls if call.method in ("sendMessage", "sendDocument") and call.ok]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    if not values:
        return "no replies"
    return (
        f"p50 {statistics.median(values):5.2f} s, p99 {percentile(values, 0.99):5.2f} s, "
        f"max {max(values):5.2f} s ({len(values)} replies)"
    )


async def chatter(
    server: StandinServer, users: list[int], every: float, stop: asyncio.Event
) -> list[tuple[float, float]]:
    """Learners chatting (/help), one every `every` seconds, taking turns; (asked at, latency) for each."""
    waits: list[asyncio.Task[float]] = []
    stamps: list[float] = []
    for user_id in itertools.cycle(users):
        if stop.is_set():
            break
        asked = push(server, user_id, "/help")
        stamps.append(asked.at)
        waits.append(asyncio.create_task(latency(server, asked)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
    return list(zip(stamps, await asyncio.gather(*waits), strict=True))
