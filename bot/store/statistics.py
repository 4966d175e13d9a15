"""What the course statistics are computed from: no names, no message text; look-ups counted per card and day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.store.codec import from_text
from bot.store.database import Database


@dataclass(frozen=True)
class StatisticsRows:
    """Raw rows for the course statistics: (user, enrolled, active, paused, region), (user, item, when),
    (user, item, option, correct, when), (user, last activity), (card, openings)."""

    learners: list[tuple[int, datetime, bool, bool, str | None]]
    deliveries: list[tuple[int, str, datetime]]
    answers: list[tuple[int, str, int, bool, datetime]]
    activity: list[tuple[int, datetime]]
    lookups: list[tuple[str, int]]


class Statistics:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def count_lookup(self, card_id: str, day: date) -> None:
        """One more opening of a reference card (counted per card and day, with no learner)."""
        await self._db.fetch(
            "INSERT INTO lookup_counts (card_id, day, opened) VALUES (?, ?, 1) "
            "ON CONFLICT (card_id, day) DO UPDATE SET opened = opened + 1",
            (card_id, day.isoformat()),
        )

    async def answer_counts(self, item_id: str) -> dict[int, int]:
        """How many learners chose each option of a question at their first answer (no learner in it)."""
        rows = await self._db.fetch(
            "SELECT option, COUNT(*) FROM answers WHERE item_id = ? GROUP BY option", (item_id,)
        )
        return {int(row[0]): int(row[1]) for row in rows}

    async def rows(self) -> StatisticsRows:
        """Everything the course statistics are computed from."""
        fetch = self._db.scan  # whole tables: off the event loop
        return StatisticsRows(
            learners=[
                (row[0], from_text(row[1]), bool(row[2]), bool(row[3]), row[4])
                for row in await fetch("SELECT user_id, enrolled_at, active, paused, region FROM learners")
            ],
            deliveries=[
                (row[0], row[1], from_text(row[2]))
                for row in await fetch("SELECT user_id, item_id, delivered_at FROM deliveries")
            ],
            answers=[
                (row[0], row[1], row[2], bool(row[3]), from_text(row[4]))
                for row in await fetch("SELECT user_id, item_id, option, correct, answered_at FROM answers")
            ],
            activity=[
                (row[0], from_text(row[1]))
                for row in await fetch(
                    "SELECT user_id, MAX(at) FROM (SELECT user_id, answered_at AS at FROM answers "
                    "UNION ALL SELECT user_id, reviewed_at FROM reviews "
                    "UNION ALL SELECT user_id, created_at FROM sends WHERE kind = 'pull') GROUP BY user_id"
                )
            ],
            lookups=[
                (row[0], row[1])
                for row in await fetch("SELECT card_id, SUM(opened) FROM lookup_counts GROUP BY card_id")
            ],
        )
