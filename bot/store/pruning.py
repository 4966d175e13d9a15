"""What the store no longer needs, and the buttons that should no longer be live.

Buttons: each scheduled or pulled message's Telegram id is kept for 48 hours (as long as /hide may delete it).
Within that time a message that was put off ("Later"), answered elsewhere (the same question answered in another
copy), or superseded (a newer copy of the same item went out) is listed for its buttons to be removed; after it,
the id is dropped, as /privacy promises.

Pruning: a send (one row per scheduled or pulled message) is kept SENDS_KEPT, which covers everything the
schedule reads from them (what was had today, what is half-sent after a crash, the "Later" and review buttons of
recent messages). After that it goes, except the rows still meaning something: a pending send (never pruned: a
restart re-plans it), the send a review answer points at, the showings of a question not yet answered (they stop
it being re-sent for ever), and each learner's latest pull (the last activity that statistics and the retention
period read).

The review log is what grows longest (a learner who keeps up answers two or three reviews a day, for months).
A review older than REVIEWS_KEPT goes, except each question's latest (its memory state, which schedules the next
review, and the learner's last activity) and, for a question first answered wrong, its earliest right review
(what the certificate counts): so the log per learner is bounded, and nothing the bot reads changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store.codec import to_text
from bot.store.database import Database

SENDS_KEPT = timedelta(days=14)
REVIEWS_KEPT = timedelta(days=30)
MESSAGE_IDS_KEPT = timedelta(hours=48)


@dataclass(frozen=True)
class StaleButtons:
    """A message whose buttons should go."""

    send_id: int
    chat_id: int
    message_id: int


class Pruning:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def stale_buttons(self, limit: int = 100) -> list[StaleButtons]:
        """Messages put off, answered elsewhere or superseded, whose buttons are still live."""
        rows = await self._db.scan(
            "SELECT s.id, l.chat_id, s.message_id FROM sends s INDEXED BY sends_with_buttons "
            "JOIN learners l ON l.user_id = s.user_id "
            "WHERE s.message_id IS NOT NULL AND ("
            " s.status = 'snoozed'"
            " OR (s.kind IN ('new', 'pull') AND EXISTS (SELECT 1 FROM answers a WHERE a.user_id = s.user_id "
            "     AND a.item_id = s.item_id))"
            " OR EXISTS (SELECT 1 FROM sends n WHERE n.user_id = s.user_id AND n.item_id = s.item_id "
            "     AND n.id > s.id AND n.status = 'sent' AND n.kind IN ('new', 'pull', 'review'))"
            ") ORDER BY s.id LIMIT ?",
            (limit,),
        )
        return [StaleButtons(row[0], row[1], row[2]) for row in rows]

    async def only_copy_answered(self) -> list[int]:
        """Answered questions whose one copy is the message the learner answered in (whose buttons the answer
        already removed): nothing to edit, only the id to drop."""
        rows = await self._db.scan(
            "SELECT s.id FROM sends s INDEXED BY sends_with_buttons WHERE s.message_id IS NOT NULL "
            "AND s.kind IN ('new', 'pull') "
            "AND s.status = 'sent' "
            "AND EXISTS (SELECT 1 FROM answers a WHERE a.user_id = s.user_id AND a.item_id = s.item_id) "
            "AND NOT EXISTS (SELECT 1 FROM sends o WHERE o.user_id = s.user_id AND o.item_id = s.item_id "
            "AND o.id != s.id AND o.kind IN ('new', 'pull', 'review'))"
        )
        return [row[0] for row in rows]

    async def buttons_cleared(self, send_ids: list[int]) -> None:
        """Their buttons are gone (or the message is): the ids are not needed any more."""
        if send_ids:
            await self._db.fetch(
                "UPDATE sends SET message_id = NULL WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(send_ids),),
            )

    async def forget_message_ids(self, now: datetime) -> None:
        """Telegram's message ids are kept 48 hours, no longer."""
        await self._db.scan(
            "UPDATE sends SET message_id = NULL WHERE message_id IS NOT NULL AND sent_at < ?",
            (to_text(now - MESSAGE_IDS_KEPT),),
        )

    async def prune(self, now: datetime, questions: frozenset[str]) -> int:
        """Delete the reviews and sends no longer needed (see the module's docstring); how many rows went."""
        reviews = await self._db.scan(
            "DELETE FROM reviews WHERE reviewed_at < :before "
            "AND id != (SELECT l.id FROM reviews l WHERE l.user_id = reviews.user_id AND l.item_id = reviews.item_id "
            "    ORDER BY l.reviewed_at DESC, l.id DESC LIMIT 1) "
            "AND NOT (correct = 1 "
            "    AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.user_id = reviews.user_id "
            "        AND a.item_id = reviews.item_id AND a.correct = 1) "
            "    AND id = (SELECT r.id FROM reviews r WHERE r.user_id = reviews.user_id "
            "        AND r.item_id = reviews.item_id AND r.correct = 1 ORDER BY r.reviewed_at, r.id LIMIT 1)) "
            "RETURNING 1",
            {"before": to_text(now - REVIEWS_KEPT)},
        )
        rows = await self._db.scan(
            "DELETE FROM sends WHERE created_at < :before AND status != 'pending' "
            "AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.send_id = sends.id) "
            "AND NOT (kind = 'pull' AND id = (SELECT MAX(p.id) FROM sends p WHERE p.user_id = sends.user_id "
            "    AND p.kind = 'pull')) "
            "AND NOT (kind IN ('new', 'pull') AND item_id IN (SELECT value FROM json_each(:questions)) "
            "    AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.user_id = sends.user_id "
            "    AND a.item_id = sends.item_id)) "
            "RETURNING 1",
            {"before": to_text(now - SENDS_KEPT), "questions": json.dumps(sorted(questions))},
        )
        return len(reviews) + len(rows)
