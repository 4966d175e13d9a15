"""The peer pulse: after a case, how the other learners answered it ("62% chose the same"), only once at least
20 have answered, so no one's answer can be told apart. Counts are kept for a few minutes, so the busiest path
(answering) reads the database for them at most once per question in that time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.store import Store

MIN_PEERS = 20
FRESH_FOR = timedelta(minutes=10)


class PeerPulse:
    def __init__(self, store: Store, clock: Callable[[], datetime], *, fresh_for: timedelta = FRESH_FOR) -> None:
        self.store = store
        self.clock = clock
        self.fresh_for = fresh_for
        self._counts: dict[str, tuple[datetime, dict[int, int]]] = {}

    async def share_choosing(self, item_id: str, option: int) -> float | None:
        """The share of learners who chose `option`; None while fewer than MIN_PEERS have answered."""
        now = self.clock()
        cached = self._counts.get(item_id)
        if cached is None or now - cached[0] > self.fresh_for:
            cached = (now, await self.store.statistics.answer_counts(item_id))
            self._counts[item_id] = cached
        counts = cached[1]
        total = sum(counts.values())
        if total < MIN_PEERS:
            return None
        return counts.get(option, 0) / total
