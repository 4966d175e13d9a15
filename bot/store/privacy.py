"""Privacy: the ids of the bot's messages for /hide (48 hours only), everything about a learner for /mydata,
and erasure for /forget and the retention period, leaving no copy in the file or its log."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from datetime import datetime
from typing import Any

from bot.store.codec import to_text
from bot.store.database import Database

logger = logging.getLogger(__name__)

# Every table with rows about one learner (keyed by user_id), besides `learners` itself.
LEARNER_TABLES = (
    "deliveries",
    "answers",
    "sends",
    "reviews",
    "certificates",
    "cohort_members",
    "checks",
    "check_answers",
    "ratings",
)
# Truncating the log can meet a reader mid-step ("database table is locked"); it is retried, never reported
# as a failed erasure, because the erasure itself has committed by then.
CHECKPOINT_ATTEMPTS = 5
CHECKPOINT_BACKOFF_S = 0.05


# Message ids are written behind, a batch at a time: two of them come with nearly every update (the learner's
# message and the reply), and one write each was a fifth of a reply's database work. Everything that reads or
# deletes them writes the batch first; an erasure drops the erased chat's ids from it. A crash loses at most
# the last FLUSH_AFTER_S of ids, so /hide could miss a message sent in that second.
FLUSH_AT = 200
FLUSH_AFTER_S = 1.0
REMEMBER = "INSERT INTO bot_messages (chat_id, message_id, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"


class Privacy:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._unwritten: list[tuple[int, int, str]] = []
        self._flush_soon: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    async def remember_message(self, chat_id: int, message_id: int, now: datetime) -> None:
        """Keep the id of a message the bot sent, so /hide can delete it (ids only; gone after 48 hours)."""
        self._unwritten.append((chat_id, message_id, to_text(now)))
        if len(self._unwritten) >= FLUSH_AT:
            await self.flush()
        elif self._flush_soon is None:
            self._flush_soon = asyncio.get_running_loop().call_later(FLUSH_AFTER_S, self._flush_in_background)

    def _flush_in_background(self) -> None:
        self._flush_soon = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def flush(self) -> None:
        """Write the message ids not written yet."""
        if self._flush_soon is not None:
            self._flush_soon.cancel()
            self._flush_soon = None
        rows, self._unwritten = self._unwritten, []
        if rows:
            try:
                await self._db.execute_many(REMEMBER, rows)
            except (sqlite3.Error, ValueError) as err:  # ValueError: the connection was closed under us
                logger.warning("could not keep %d message ids for /hide: %s", len(rows), err)

    async def close(self) -> None:
        await self.flush()
        if self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)

    async def recent_messages(self, chat_id: int, since: datetime) -> list[int]:
        await self.flush()
        rows = await self._db.fetch(
            "SELECT message_id FROM bot_messages WHERE chat_id = ? AND sent_at >= ? ORDER BY message_id",
            (chat_id, to_text(since)),
        )
        return [row[0] for row in rows]

    async def forget_messages(self, chat_id: int, message_ids: list[int]) -> None:
        await self.flush()
        await self._db.execute_many(
            "DELETE FROM bot_messages WHERE chat_id = ? AND message_id = ?", [(chat_id, id_) for id_ in message_ids]
        )

    async def prune_messages(self, older_than: datetime) -> None:
        """Drop message ids past Telegram's 48-hour window for deleting them."""
        await self.flush()
        await self._db.scan("DELETE FROM bot_messages WHERE sent_at < ?", (to_text(older_than),))

    async def everything_about(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about this learner, table by table (for /mydata)."""
        await self.flush()
        learners = await self._db.rows_as_dicts("SELECT * FROM learners WHERE user_id = ?", (user_id,))
        chat_ids = [row["chat_id"] for row in learners] or [user_id]
        found = {"learners": learners}
        for table in LEARNER_TABLES:
            found[table] = await self._db.rows_as_dicts(f"SELECT * FROM {table} WHERE user_id = ?", (user_id,))
        found["bot_messages"] = await self._db.rows_as_dicts(
            "SELECT * FROM bot_messages WHERE chat_id IN (SELECT value FROM json_each(?))", (json.dumps(chat_ids),)
        )
        return found

    async def forget(self, user_id: int, chat_id: int) -> None:
        """Erase every row about this learner from every table, and make sure no copy survives in the file.

        Deleted content is overwritten (secure_delete) and the write-ahead log is checkpointed and truncated,
        so neither the database file nor its log still holds the learner's rows.
        """
        self._unwritten = [row for row in self._unwritten if row[0] not in (chat_id, user_id)]
        async with self._db.transaction() as tx:
            for table in reversed(LEARNER_TABLES):  # children (reviews point at sends) before parents
                await tx.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM bot_messages WHERE chat_id IN (?, ?)", (chat_id, user_id))
            await tx.execute("DELETE FROM learners WHERE user_id = ?", (user_id,))
        await self.checkpoint()

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and empty the log; False if it could not, for now.

        A checkpoint the log's readers hold up is retried a few times; after that the next one (the next erasure
        or housekeeping) finishes the job, and SQLite's own checkpoints overwrite the log in the meantime.
        """
        for attempt in range(1, CHECKPOINT_ATTEMPTS + 1):
            try:
                rows = await self._db.scan("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError as err:
                logger.info("log truncation deferred (attempt %d): %s", attempt, err)
            else:
                if not rows or rows[0][0] == 0:  # the first column is 1 when the checkpoint was blocked
                    return True
            await asyncio.sleep(CHECKPOINT_BACKOFF_S * attempt)
        logger.warning("the write-ahead log could not be truncated now; it will be at the next checkpoint")
        return False

    async def forget_inactive(self, inactive_since: datetime) -> int:
        """Erase learners with no activity since `inactive_since` (the retention period); returns how many."""
        rows = await self._db.scan(
            "SELECT user_id, chat_id FROM learners l WHERE enrolled_at < :since "
            "AND NOT EXISTS (SELECT 1 FROM answers WHERE user_id = l.user_id AND answered_at >= :since) "
            "AND NOT EXISTS (SELECT 1 FROM reviews WHERE user_id = l.user_id AND reviewed_at >= :since) "
            "AND NOT EXISTS (SELECT 1 FROM sends WHERE user_id = l.user_id AND kind = 'pull' "
            "AND created_at >= :since)",
            {"since": to_text(inactive_since)},
        )
        for user_id, chat_id in rows:
            await self.forget(user_id, chat_id)
        return len(rows)
