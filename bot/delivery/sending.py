"""Sending within Telegram's limits, whatever carries the messages.

A `Sender` (Telegram or the terminal) sends one reply and reports trouble as one of the exceptions below.
The `Pacer` hands out send turns for every message the bot sends, the learners' replies and the schedule's
bulk alike: a token bucket on the real clock, holding one token, so turns come at most `rate` a second and
evenly, even after the event loop stalled (a stall delays turns, it never lets them pile up into a burst).
At 28 a second no sliding second can hold more than 29 turns: under Telegram's 30, with room for the
network's jitter. Replies to what a learner just did go first; the bulk takes every turn left over.
A flood wait pauses every turn for exactly as long as Telegram says; `deliver` retries what is worth it.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import Protocol

from bot.conversation.replies import Reply

logger = logging.getLogger(__name__)

# Every message the bot sends, replies and bulk together: under Telegram's 30 a second.
DEFAULT_RATE = 28.0
MAX_FLOOD_WAITS = 20
MAX_NETWORK_RETRIES = 4
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0)


class SendError(Exception):
    """Base of what a Sender may raise."""


class Blocked(SendError):
    """The learner blocked the bot (Telegram's 403 Forbidden)."""


class FloodWait(SendError):
    """Telegram asked us to wait (429 Too Many Requests) `seconds` before sending again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood wait of {seconds} s")
        self.seconds = seconds


class NetworkTrouble(SendError):
    """A time-out or a dropped connection: worth trying again shortly."""


class Rejected(SendError):
    """Telegram refused this message (400 Bad Request): trying again would not help."""


class Sender(Protocol):
    async def send(self, chat_id: int, reply: Reply) -> int | None:
        """Send `reply`; return the message id, where messages have one."""
        ...


class Delivery(Enum):
    SENT = "sent"
    BLOCKED = "blocked"
    REJECTED = "rejected"
    FAILED = "failed"


class Priority(IntEnum):
    """Who goes first when both wait for a turn: the lower value."""

    REPLY = 0  # an answer to something a learner just did
    BULK = 1  # the schedule's messages


@dataclass(order=True)
class _Waiter:
    priority: int
    order: int
    granted: asyncio.Future[None] = field(compare=False)


class Pacer:
    """Send turns at most `rate` a second, evenly spaced on `clock`; replies before bulk, each in arrival order.

    `clock` and `sleep` are the real monotonic clock and asyncio's sleep; tests pass their own.
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.interval = 0.0 if math.isinf(rate) else 1.0 / rate
        self.clock = clock
        self._sleep = sleep
        self._next_turn = -math.inf  # the bucket's one token is there from this moment on
        self._waiting: list[_Waiter] = []
        self._arrivals = itertools.count()
        self._handing_out: asyncio.Task[None] | None = None

    @classmethod
    def unlimited(cls) -> Pacer:
        """Turns at once, for tests and benchmarks that are about something else than the limits."""
        return cls(math.inf)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def turn(self, priority: Priority = Priority.BULK) -> None:
        """Wait for a turn to send one message."""
        now = self.clock()
        if not self._waiting and now >= self._next_turn:
            self._take(now)  # nobody waits and the token is there: no task, no switch
            return
        waiter = _Waiter(int(priority), next(self._arrivals), asyncio.get_running_loop().create_future())
        bisect.insort(self._waiting, waiter)
        if self._handing_out is None or self._handing_out.done():
            self._handing_out = asyncio.create_task(self._hand_out())
        try:
            await waiter.granted
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):
                self._waiting.remove(waiter)
            raise

    def _take(self, now: float) -> None:
        self._next_turn = max(self._next_turn, now) + self.interval

    async def _hand_out(self) -> None:
        """Give the token to the first in line each time it comes back, until nobody waits."""
        while self._waiting:
            now = self.clock()
            if now < self._next_turn:
                await self._sleep(self._next_turn - now)
                continue
            waiter = self._waiting.pop(0)
            if waiter.granted.done():  # its task was cancelled meanwhile: the token stays for the next
                continue
            self._take(now)
            waiter.granted.set_result(None)

    async def pause(self, seconds: float) -> None:
        """Wait `seconds` (a backoff) on the pacer's clock, which tests control."""
        await self._sleep(seconds)

    def hold(self, seconds: float) -> None:
        """Nobody sends for `seconds` from now (a flood wait applies to the whole bot)."""
        self._next_turn = max(self._next_turn, self.clock() + seconds)


async def deliver(sender: Sender, pacer: Pacer, chat_id: int, reply: Reply) -> tuple[Delivery, int | None]:
    """Send `reply` in a bulk turn, honouring flood waits and retrying network trouble with backoff; the
    message id if sent."""
    flood_waits = network_retries = 0
    while True:
        await pacer.turn(Priority.BULK)
        try:
            return Delivery.SENT, await sender.send(chat_id, reply)
        except FloodWait as wait:
            flood_waits += 1
            if flood_waits > MAX_FLOOD_WAITS:
                logger.warning("gave up a scheduled message after %d flood waits", flood_waits - 1)
                return Delivery.FAILED, None
            pacer.hold(wait.seconds)
        except Blocked:
            return Delivery.BLOCKED, None
        except Rejected as err:
            logger.warning("Telegram rejected a scheduled message: %s", err)
            return Delivery.REJECTED, None
        except NetworkTrouble:
            if network_retries >= MAX_NETWORK_RETRIES:
                logger.warning("gave up a scheduled message after %d network errors", network_retries + 1)
                return Delivery.FAILED, None
            await pacer.pause(BACKOFF_SECONDS[min(network_retries, len(BACKOFF_SECONDS) - 1)])
            network_retries += 1
