"""Sending scheduled messages within Telegram's limits, whatever carries them.

A `Sender` (Telegram or the terminal) sends one reply and reports trouble as one of the exceptions below.
The `Pacer` spaces sends evenly under the global rate (no bursts, so a per-second window never overflows)
and pauses everyone for exactly as long as a flood wait says; `deliver` retries what is worth retrying.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Protocol

from bot.conversation.replies import Reply

logger = logging.getLogger(__name__)

# Telegram allows about 30 messages a second in all; staying a little under leaves room for the
# replies the bot sends to learners at the same moment.
DEFAULT_RATE = 27.0
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


class Pacer:
    """Hands out send turns at most `rate` a second, evenly spaced; `hold` pauses every turn."""

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next_turn = 0.0

    async def turn(self) -> None:
        now = self._clock()
        turn = max(self._next_turn, now)
        self._next_turn = turn + self.interval
        if turn > now:
            await self._sleep(turn - now)

    async def pause(self, seconds: float) -> None:
        """Wait `seconds` (a backoff) on the pacer's clock, which tests control."""
        await self._sleep(seconds)

    def hold(self, seconds: float) -> None:
        """Nobody sends for `seconds` from now (a flood wait applies to the whole bot)."""
        self._next_turn = max(self._next_turn, self._clock() + seconds)


async def deliver(sender: Sender, pacer: Pacer, chat_id: int, reply: Reply) -> tuple[Delivery, int | None]:
    """Send `reply`, honouring flood waits and retrying network trouble with backoff; the message id if sent."""
    flood_waits = network_retries = 0
    while True:
        await pacer.turn()
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
