"""Updates from different learners are handled at once; updates from one learner, one after another.

PTB handles updates strictly one at a time by default, so one learner waiting on the database or the
network would hold up every other clinician. Handling everything concurrently instead would let two
quick taps by the same learner race each other. This processor gives each chat its own queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

DEFAULT_MAX_CONCURRENT_UPDATES = 64


class PerChatOrder(BaseUpdateProcessor):
    """Concurrent across chats (up to `max_concurrent_updates`), in arrival order within a chat."""

    __slots__ = ("_queues",)

    def __init__(self, max_concurrent_updates: int = DEFAULT_MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # chat key -> (lock, how many updates hold or wait for it); a chat's entry goes once it is idle.
        self._queues: dict[int | None, tuple[asyncio.Lock, int]] = {}

    @staticmethod
    def _key(update: object) -> int | None:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return update.effective_chat.id
            if update.effective_user is not None:
                return update.effective_user.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self._key(update)
        lock, users = self._queues.get(key, (asyncio.Lock(), 0))
        self._queues[key] = (lock, users + 1)
        try:
            async with lock:  # asyncio.Lock wakes its waiters in the order they came
                await coroutine
        finally:
            lock, users = self._queues[key]
            if users == 1:
                del self._queues[key]
            else:
                self._queues[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
