"""Updates from different learners are handled at once; updates from one learner, one after another; and one
learner who floods the bot slows nobody else.

PTB handles updates strictly one at a time by default, so one learner waiting on the database or the
network would hold up every other clinician. Handling everything concurrently instead would let two
quick taps by the same learner race each other. This processor gives each chat its own queue.

It is fair, too. PTB's own limit on concurrent updates counts an update from the moment it arrives, so a
learner who sends 300 messages would fill every place with updates that only wait for their own chat's turn,
and everyone else would wait behind them. Here only updates at work count: a chat's queue waits outside.
And each chat has a token bucket on arrivals (a burst of `burst`, then `rate` a second): an update that comes
faster than a person acts is marked, as it arrives, as part of a flood, for the adapter to decline cheaply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

DEFAULT_MAX_CONCURRENT_UPDATES = 64
FLOOD_BURST = 10  # updates a learner may send in a rush
FLOOD_RATE = 1.0  # and then this many a second, sustained
_WAITING_MAY_BE = 2**31 - 1  # PTB's own semaphore must never be what holds an update back
_PRUNE_AT = 10_000  # chats with a bucket before idle ones are forgotten


class PerChatOrder(BaseUpdateProcessor):
    """Concurrent across chats (up to `max_concurrent_updates` at work), in arrival order within a chat."""

    __slots__ = ("_at_work", "_buckets", "_clock", "_flood", "_queues", "burst", "rate")

    def __init__(
        self,
        max_concurrent_updates: int = DEFAULT_MAX_CONCURRENT_UPDATES,
        *,
        burst: float = FLOOD_BURST,
        rate: float = FLOOD_RATE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(_WAITING_MAY_BE)
        self._at_work = asyncio.Semaphore(max_concurrent_updates)
        # chat key -> (lock, how many updates hold or wait for it); a chat's entry goes once it is idle.
        self._queues: dict[int | None, tuple[asyncio.Lock, int]] = {}
        # chat key -> (tokens, when they were counted): arrivals each take a token.
        self._buckets: dict[int, tuple[float, float]] = {}
        self._flood: set[int] = set()  # ids of updates that arrived as part of a flood, until handled
        self.burst = burst
        self.rate = rate
        self._clock = clock

    @staticmethod
    def _key(update: object) -> int | None:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return update.effective_chat.id
            if update.effective_user is not None:
                return update.effective_user.id
        return None

    def flooded(self, update: Update) -> bool:
        """Whether `update` came as part of a flood from its chat."""
        return update.update_id in self._flood

    def _arrives(self, key: int | None) -> bool:
        """Count an arrival from chat `key`; True when it is one too many."""
        if key is None:
            return False
        now = self._clock()
        tokens, counted = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - counted) * self.rate)
        if len(self._buckets) >= _PRUNE_AT:
            self._forget_idle(now)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return True
        self._buckets[key] = (tokens - 1, now)
        return False

    def _forget_idle(self, now: float) -> None:
        full = [
            key
            for key, (tokens, counted) in self._buckets.items()
            if tokens + (now - counted) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self._key(update)
        if self._arrives(key) and isinstance(update, Update):
            self._flood.add(update.update_id)
        lock, users = self._queues.get(key, (asyncio.Lock(), 0))
        self._queues[key] = (lock, users + 1)
        try:
            async with lock, self._at_work:  # asyncio.Lock wakes its waiters in the order they came
                await coroutine
        finally:
            if isinstance(update, Update):
                self._flood.discard(update.update_id)
            lock, users = self._queues[key]
            if users == 1:
                del self._queues[key]
            else:
                self._queues[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
