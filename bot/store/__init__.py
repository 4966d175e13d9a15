"""The SQLite store: the truth about who is enrolled and what each learner has done.

One class owns the aiosqlite connection and offers intent-named methods that return the core's
dataclasses, never rows. The schema is versioned with `PRAGMA user_version` and migrated at open.
Times are stored as ISO 8601 text in UTC.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import aiosqlite

from bot.core.engine import AnswerRecord, Learner, LearnerRecord
from bot.errors import StoreError
from bot.store.migrations import MIGRATIONS
from scheduler.planning import LearnerSchedule, ReviewDue, Today
from scheduler.spacing import ReviewState
from scheduler.windows import Preferences

logger = logging.getLogger(__name__)

SCHEMA_VERSION = len(MIGRATIONS)
# Every table with rows about one learner (keyed by user_id), besides `learners` itself.
LEARNER_TABLES = ("deliveries", "answers", "sends", "reviews", "certificates")


def _to_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the store keeps aware UTC times only")
    return moment.astimezone(UTC).isoformat()


def _from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _optional_text(moment: datetime | None) -> str | None:
    return None if moment is None else _to_text(moment)


def _days_mask(days: frozenset[int]) -> int:
    return sum(1 << day for day in days)


def _days_from(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


def _clock(text: str) -> time:
    return time.fromisoformat(text)


_SCHEDULE_COLUMNS = (
    "user_id, chat_id, timezone, daily_time, days, pace, quiet_start, quiet_end, active, paused, paused_until, "
    "snoozed_until, unanswered, reminded, discreet"
)


def _schedule_from(row: Any) -> LearnerSchedule:
    (user_id, chat_id, timezone, daily_time, days, pace, quiet_start, quiet_end, active, paused, paused_until,
     snoozed_until, unanswered, reminded, discreet) = row  # fmt: skip
    prefs = None
    if timezone is not None:
        prefs = Preferences(
            timezone=timezone,
            daily_time=_clock(daily_time),
            days=_days_from(days),
            pace=pace,
            quiet_start=_clock(quiet_start),
            quiet_end=_clock(quiet_end),
        )
    return LearnerSchedule(
        user_id=user_id,
        chat_id=chat_id,
        prefs=prefs,
        active=bool(active),
        paused=bool(paused),
        paused_until=_from_text(paused_until) if paused_until else None,
        snoozed_until=_from_text(snoozed_until) if snoozed_until else None,
        unanswered=unanswered,
        reminded=bool(reminded),
        discreet=bool(discreet),
    )


@dataclass(frozen=True)
class Certificate:
    """A certificate issued: its code and serial, the name printed (if any), and the dates."""

    code: str
    serial: int
    name: str | None
    completed_on: date
    issued_at: datetime


def _certificate_from(row: Any) -> Certificate:
    return Certificate(row[0], row[1], row[2], date.fromisoformat(row[3]), _from_text(row[4]))


@dataclass(frozen=True)
class StatisticsRows:
    """Raw rows for the course statistics: (user, enrolled, active, paused), (user, item, when),
    (user, item, option, correct, when), (user, last activity), (card, openings)."""

    learners: list[tuple[int, datetime, bool, bool]]
    deliveries: list[tuple[int, str, datetime]]
    answers: list[tuple[int, str, int, bool, datetime]]
    activity: list[tuple[int, datetime]]
    lookups: list[tuple[str, int]]


@dataclass(frozen=True)
class DueLearner:
    """A learner the tick must decide for, with everything the decision needs."""

    schedule: LearnerSchedule
    record: LearnerRecord
    reviews: tuple[ReviewDue, ...]
    today: Today


@dataclass(frozen=True)
class Intent:
    """What the tick is about to do for one learner."""

    user_id: int
    kind: str | None
    item_id: str | None
    local_day: date
    next_due: datetime | None
    pause: bool = False
    resume: bool = False
    reminder: bool = False
    skip_if_delivered: bool = False  # a lesson: send it only if this intent is the one that delivers it


class Store:
    """The learners' data in one SQLite file. Use `await Store.open(path)`, then `await store.close()`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        """Open (creating it private to this user if new) and migrate the database at `path`."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Create the file ourselves so it is 0600 from its first byte; SQLite gives its WAL and
            # shared-memory files the same permissions as the database file.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            # Autocommit: every write is one statement and commits on its own, with no extra round trip.
            connection = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"cannot open the database {path}: {err}") from err
        store = cls(connection, path)
        try:
            await store._configure()
            await store._migrate()
        except sqlite3.Error as err:
            await connection.close()
            raise StoreError(f"cannot prepare the database {path}: {err}") from err
        except BaseException:
            await connection.close()
            raise
        return store

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._db.close()

    async def _configure(self) -> None:
        await self._db.execute("PRAGMA journal_mode = WAL")
        await self._db.execute("PRAGMA foreign_keys = ON")
        await self._db.execute(
            "PRAGMA synchronous = NORMAL"
        )  # safe with WAL; a power cut loses at most the last commit
        await self._db.execute("PRAGMA busy_timeout = 5000")
        # Deleted rows are overwritten, not just unlinked: /forget must leave nothing behind in the file.
        await self._db.execute("PRAGMA secure_delete = ON")

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"the database {self.path} has schema version {current}, newer than this coursebot "
                f"({SCHEMA_VERSION}); upgrade coursebot"
            )
        for version in range(current, SCHEMA_VERSION):
            # executescript commits first; the version bump rides in the same script so a crash
            # cannot leave a migrated schema with an old version number.
            await self._db.executescript(
                f"BEGIN;\n{MIGRATIONS[version]}\nPRAGMA user_version = {version + 1};\nCOMMIT;"
            )
            logger.info("database migrated to schema version %d", version + 1)

    # Every method below makes one trip to the database thread (execute_fetchall runs, fetches and
    # closes in one go): on the answer path those trips, not SQLite itself, are what costs time.

    # --- learners -------------------------------------------------------------------------------

    async def enrol(self, user_id: int, chat_id: int, now: datetime) -> bool:
        """Enrol the learner (True) or, if already enrolled, just note their current chat (False)."""
        inserted = await self._db.execute_fetchall(
            "INSERT INTO learners (user_id, chat_id, enrolled_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO NOTHING RETURNING 1",
            (user_id, chat_id, _to_text(now)),
        )
        if inserted:
            return True
        # Coming back with /start also undoes a block: the learner can be sent to again.
        await self._db.execute_fetchall(
            "UPDATE learners SET chat_id = ?, active = 1 WHERE user_id = ?", (chat_id, user_id)
        )
        return False

    async def learner(self, user_id: int) -> Learner | None:
        rows = list(
            await self._db.execute_fetchall(
                "SELECT user_id, chat_id, enrolled_at FROM learners WHERE user_id = ?", (user_id,)
            )
        )
        if not rows:
            return None
        row = rows[0]
        return Learner(user_id=row[0], chat_id=row[1], enrolled_at=_from_text(row[2]))

    # --- progress -------------------------------------------------------------------------------

    async def record(self, user_id: int, *, only: str | None = None) -> LearnerRecord:
        """Everything the learner has done (or, with `only`, all about that one item)."""
        item_filter = "" if only is None else " AND item_id = :item"
        rows = await self._db.execute_fetchall(
            f"SELECT 'delivered', item_id, NULL, NULL, NULL FROM deliveries WHERE user_id = :user{item_filter} "
            f"UNION ALL SELECT 'answered', item_id, option, correct, answered_at FROM answers "
            f"WHERE user_id = :user{item_filter}",
            {"user": user_id, "item": only},
        )
        delivered: set[str] = set()
        answers: dict[str, AnswerRecord] = {}
        for kind, item_id, option, correct, answered_at in rows:
            if kind == "delivered":
                delivered.add(item_id)
            else:
                answers[item_id] = AnswerRecord(item_id, option, bool(correct), _from_text(answered_at))
        return LearnerRecord(delivered=frozenset(delivered), answers=answers)

    async def record_delivery(self, user_id: int, item_id: str, now: datetime) -> None:
        """Note that the item was sent to the learner (the first time counts)."""
        await self._db.execute_fetchall(
            "INSERT INTO deliveries (user_id, item_id, delivered_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (user_id, item_id, _to_text(now)),
        )

    async def record_answer(self, user_id: int, answer: AnswerRecord, state: ReviewState) -> bool:
        """Keep the learner's first answer to a question they were sent, with its memory state for review.

        False, and nothing kept, when the question was never sent to them or already has their answer:
        the check and the write are one statement, so two taps at once still count once.
        """
        inserted = await self._db.execute_fetchall(
            "INSERT INTO answers (user_id, item_id, option, correct, answered_at, rating, card, due_at) "
            "SELECT :user, :item, :option, :correct, :at, :rating, :card, :due "
            "WHERE EXISTS (SELECT 1 FROM deliveries WHERE user_id = :user AND item_id = :item) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            {
                "user": user_id,
                "item": answer.item_id,
                "option": answer.option,
                "correct": int(answer.correct),
                "at": _to_text(answer.answered_at),
                "rating": state.rating,
                "card": state.card,
                "due": _to_text(state.due),
            },
        )
        return bool(inserted)

    async def record_pull(self, user_id: int, item_id: str, now: datetime, local_day: date) -> bool:
        """The learner asked for this item (/next): it counts toward the day's pace and is delivered.

        Returns False when the item had already been delivered (a question sent again, or a lesson the
        schedule claimed a moment earlier).
        """
        claimed = await self._claim_delivery(user_id, item_id, now)
        await self._db.execute_fetchall(
            "INSERT INTO sends (user_id, kind, item_id, local_day, status, created_at, sent_at, claimed) "
            "VALUES (?, 'pull', ?, ?, 'sent', ?, ?, ?)",
            (user_id, item_id, local_day.isoformat(), _to_text(now), _to_text(now), int(claimed)),
        )
        return claimed

    async def _claim_delivery(self, user_id: int, item_id: str, now: datetime) -> bool:
        rows = await self._db.execute_fetchall(
            "INSERT INTO deliveries (user_id, item_id, delivered_at) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            (user_id, item_id, _to_text(now)),
        )
        return bool(rows)

    # --- the schedule ---------------------------------------------------------------------------

    async def schedule(self, user_id: int) -> LearnerSchedule | None:
        rows = list(
            await self._db.execute_fetchall(f"SELECT {_SCHEDULE_COLUMNS} FROM learners WHERE user_id = ?", (user_id,))
        )
        return _schedule_from(rows[0]) if rows else None

    async def awaiting(self, user_id: int) -> str | None:
        """What free text the bot asked this learner for (such as a time of day), if anything."""
        rows = list(await self._db.execute_fetchall("SELECT awaiting FROM learners WHERE user_id = ?", (user_id,)))
        return rows[0][0] if rows else None

    async def set_awaiting(self, user_id: int, what: str | None) -> None:
        await self._db.execute_fetchall("UPDATE learners SET awaiting = ? WHERE user_id = ?", (what, user_id))

    async def save_preferences(self, user_id: int, prefs: Preferences, next_due: datetime | None) -> None:
        await self._db.execute_fetchall(
            "UPDATE learners SET timezone = ?, daily_time = ?, days = ?, pace = ?, quiet_start = ?, quiet_end = ?, "
            "next_due_at = ?, awaiting = NULL WHERE user_id = ?",
            (
                prefs.timezone,
                prefs.daily_time.strftime("%H:%M"),
                _days_mask(prefs.days),
                prefs.pace,
                prefs.quiet_start.strftime("%H:%M"),
                prefs.quiet_end.strftime("%H:%M"),
                _optional_text(next_due),
                user_id,
            ),
        )

    async def set_pause(self, user_id: int, *, paused: bool, until: datetime | None, next_due: datetime | None) -> None:
        await self._db.execute_fetchall(
            "UPDATE learners SET paused = ?, paused_until = ?, snoozed_until = NULL, next_due_at = ?, "
            "unanswered = CASE WHEN ? THEN unanswered ELSE 0 END, reminded = CASE WHEN ? THEN reminded ELSE 0 END "
            "WHERE user_id = ?",
            (int(paused), _optional_text(until), _optional_text(next_due), int(paused), int(paused), user_id),
        )

    async def snooze(self, user_id: int, send_id: int, until: datetime) -> str | None:
        """Put off a scheduled bite: it comes back at `until`. Returns its item, or None if it can't be."""
        rows = list(
            await self._db.execute_fetchall(
                "UPDATE sends SET status = 'snoozed' WHERE id = ? AND user_id = ? AND status = 'sent' "
                "AND kind IN ('new', 'review') AND answered_at IS NULL RETURNING kind, item_id",
                (send_id, user_id),
            )
        )
        if not rows:
            return None
        kind, item_id = rows[0]
        if kind == "new":
            # Delivered no more, so the course hands it out again when the snooze is over.
            await self._db.execute_fetchall(
                "DELETE FROM deliveries WHERE user_id = ? AND item_id = ? "
                "AND NOT EXISTS (SELECT 1 FROM answers WHERE user_id = ? AND item_id = ?)",
                (user_id, item_id, user_id, item_id),
            )
        await self._db.execute_fetchall(
            "UPDATE learners SET snoozed_until = ?, next_due_at = ?, unanswered = 0, reminded = 0 WHERE user_id = ?",
            (_to_text(until), _to_text(until), user_id),
        )
        return str(item_id)

    async def set_inactive(self, user_id: int) -> None:
        """The learner blocked the bot: nothing more is sent until they /start again."""
        await self._db.execute_fetchall("UPDATE learners SET active = 0 WHERE user_id = ?", (user_id,))

    async def set_next_due(self, user_id: int, next_due: datetime | None) -> None:
        await self._db.execute_fetchall(
            "UPDATE learners SET next_due_at = ? WHERE user_id = ?", (_optional_text(next_due), user_id)
        )

    async def sent_send(self, send_id: int, user_id: int) -> tuple[str, str] | None:
        """(kind, item) of a message sent to this learner that is still waiting for its answer."""
        rows = list(
            await self._db.execute_fetchall(
                "SELECT kind, item_id FROM sends WHERE id = ? AND user_id = ? AND status = 'sent' "
                "AND answered_at IS NULL",
                (send_id, user_id),
            )
        )
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    async def record_review(
        self, user_id: int, send_id: int, item_id: str, option: int, correct: bool, state: ReviewState, now: datetime
    ) -> bool:
        """Keep the answer to a review question; False when that review was already answered (a double tap)."""
        claimed = await self._db.execute_fetchall(
            "UPDATE sends SET answered_at = ? WHERE id = ? AND user_id = ? AND kind = 'review' "
            "AND status = 'sent' AND answered_at IS NULL RETURNING id",
            (_to_text(now), send_id, user_id),
        )
        if not claimed:
            return False
        await self._db.execute_fetchall(
            "INSERT INTO reviews (user_id, item_id, send_id, option, correct, reviewed_at, rating, card, due_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                item_id,
                send_id,
                option,
                int(correct),
                _to_text(now),
                state.rating,
                state.card,
                _to_text(state.due),
            ),
        )
        return True

    async def latest_card(self, user_id: int, item_id: str) -> str | None:
        """The question's memory state after its latest review (or its first answer)."""
        rows = list(
            await self._db.execute_fetchall(
                "SELECT card FROM ("
                "SELECT card, reviewed_at AS at FROM reviews WHERE user_id = :user AND item_id = :item UNION ALL "
                "SELECT card, answered_at FROM answers WHERE user_id = :user AND item_id = :item) "
                "WHERE card IS NOT NULL ORDER BY at DESC LIMIT 1",
                {"user": user_id, "item": item_id},
            )
        )
        return str(rows[0][0]) if rows else None

    # --- look-ups and privacy ------------------------------------------------------------------

    async def set_region(self, user_id: int, region: str) -> None:
        await self._db.execute_fetchall("UPDATE learners SET region = ? WHERE user_id = ?", (region, user_id))

    async def region(self, user_id: int) -> str | None:
        rows = list(await self._db.execute_fetchall("SELECT region FROM learners WHERE user_id = ?", (user_id,)))
        return rows[0][0] if rows else None

    async def set_discreet(self, user_id: int, discreet: bool) -> None:
        await self._db.execute_fetchall("UPDATE learners SET discreet = ? WHERE user_id = ?", (int(discreet), user_id))

    async def remember_message(self, chat_id: int, message_id: int, now: datetime) -> None:
        """Keep the id of a message the bot sent, so /hide can delete it (ids only; gone after 48 hours)."""
        await self._db.execute_fetchall(
            "INSERT INTO bot_messages (chat_id, message_id, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (chat_id, message_id, _to_text(now)),
        )

    async def recent_messages(self, chat_id: int, since: datetime) -> list[int]:
        rows = await self._db.execute_fetchall(
            "SELECT message_id FROM bot_messages WHERE chat_id = ? AND sent_at >= ? ORDER BY message_id",
            (chat_id, _to_text(since)),
        )
        return [row[0] for row in rows]

    async def forget_messages(self, chat_id: int, message_ids: list[int]) -> None:
        await self._db.executemany(
            "DELETE FROM bot_messages WHERE chat_id = ? AND message_id = ?", [(chat_id, id_) for id_ in message_ids]
        )

    async def everything_about(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about this learner, table by table (for /mydata)."""
        learners = await self.store_rows("SELECT * FROM learners WHERE user_id = ?", (user_id,))
        chat_ids = [row["chat_id"] for row in learners] or [user_id]
        found = {"learners": learners}
        for table in LEARNER_TABLES:
            found[table] = await self.store_rows(f"SELECT * FROM {table} WHERE user_id = ?", (user_id,))
        found["bot_messages"] = await self.store_rows(
            "SELECT * FROM bot_messages WHERE chat_id IN (SELECT value FROM json_each(?))", (json.dumps(chat_ids),)
        )
        return found

    async def store_rows(self, query: str, parameters: tuple[Any, ...]) -> list[dict[str, Any]]:
        async with self._db.execute(query, parameters) as cursor:
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in await cursor.fetchall()]

    async def forget(self, user_id: int, chat_id: int) -> None:
        """Erase every row about this learner from every table, and make sure no copy survives in the file.

        Deleted content is overwritten (secure_delete) and the write-ahead log is checkpointed and truncated,
        so neither the database file nor its log still holds the learner's rows.
        """
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            for table in reversed(LEARNER_TABLES):  # children (reviews point at sends) before parents
                await self._db.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
            await self._db.execute("DELETE FROM bot_messages WHERE chat_id IN (?, ?)", (chat_id, user_id))
            await self._db.execute("DELETE FROM learners WHERE user_id = ?", (user_id,))
            await self._db.execute("COMMIT")
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise
        await self.checkpoint()

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and empty the log."""
        await self._db.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")

    async def forget_inactive(self, inactive_since: datetime) -> int:
        """Erase learners with no activity since `inactive_since` (the retention period); returns how many."""
        since = _to_text(inactive_since)
        rows = list(
            await self._db.execute_fetchall(
                "SELECT user_id, chat_id FROM learners l WHERE enrolled_at < :since "
                "AND NOT EXISTS (SELECT 1 FROM answers WHERE user_id = l.user_id AND answered_at >= :since) "
                "AND NOT EXISTS (SELECT 1 FROM reviews WHERE user_id = l.user_id AND reviewed_at >= :since) "
                "AND NOT EXISTS (SELECT 1 FROM sends WHERE user_id = l.user_id AND kind = 'pull' "
                "AND created_at >= :since)",
                {"since": since},
            )
        )
        for user_id, chat_id in rows:
            await self.forget(user_id, chat_id)
        return len(rows)

    async def prune_messages(self, older_than: datetime) -> None:
        """Drop message ids past Telegram's 48-hour window for deleting them."""
        await self._db.execute_fetchall("DELETE FROM bot_messages WHERE sent_at < ?", (_to_text(older_than),))

    # --- certificates and statistics -----------------------------------------------------------

    async def best_results(self, user_id: int) -> dict[str, bool]:
        """For each question the learner answered, whether any attempt (first answer or review) was right."""
        rows = await self._db.execute_fetchall(
            "SELECT item_id, MAX(correct) FROM (SELECT item_id, correct FROM answers WHERE user_id = :user "
            "UNION ALL SELECT item_id, correct FROM reviews WHERE user_id = :user) GROUP BY item_id",
            {"user": user_id},
        )
        return {row[0]: bool(row[1]) for row in rows}

    async def certificate(self, user_id: int) -> Certificate | None:
        rows = list(
            await self._db.execute_fetchall(
                "SELECT code, serial, name, completed_on, issued_at FROM certificates WHERE user_id = ?", (user_id,)
            )
        )
        return _certificate_from(rows[0]) if rows else None

    async def certificate_by_serial(self, serial: int) -> Certificate | None:
        rows = list(
            await self._db.execute_fetchall(
                "SELECT code, serial, name, completed_on, issued_at FROM certificates WHERE serial = ?", (serial,)
            )
        )
        return _certificate_from(rows[0]) if rows else None

    async def next_certificate_serial(self) -> int:
        rows = list(await self._db.execute_fetchall("SELECT COALESCE(MAX(serial), 0) + 1 FROM certificates"))
        return int(rows[0][0])

    async def save_certificate(self, user_id: int, certificate: Certificate) -> None:
        await self._db.execute_fetchall(
            "INSERT INTO certificates (code, serial, user_id, name, completed_on, issued_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                certificate.code,
                certificate.serial,
                user_id,
                certificate.name,
                certificate.completed_on.isoformat(),
                _to_text(certificate.issued_at),
            ),
        )

    async def certificates(self) -> list[Certificate]:
        rows = await self._db.execute_fetchall(
            "SELECT code, serial, name, completed_on, issued_at FROM certificates ORDER BY serial"
        )
        return [_certificate_from(row) for row in rows]

    async def completed_on(self, user_id: int) -> date | None:
        """The day the learner's last item was done (delivered lesson or answered question)."""
        rows = list(
            await self._db.execute_fetchall(
                "SELECT MAX(at) FROM (SELECT delivered_at AS at FROM deliveries WHERE user_id = :user "
                "UNION ALL SELECT answered_at FROM answers WHERE user_id = :user)",
                {"user": user_id},
            )
        )
        return _from_text(rows[0][0]).date() if rows and rows[0][0] else None

    async def count_lookup(self, card_id: str, day: date) -> None:
        """One more opening of a reference card (counted per card and day, with no learner)."""
        await self._db.execute_fetchall(
            "INSERT INTO lookup_counts (card_id, day, opened) VALUES (?, ?, 1) "
            "ON CONFLICT (card_id, day) DO UPDATE SET opened = opened + 1",
            (card_id, day.isoformat()),
        )

    async def statistics_rows(self) -> StatisticsRows:
        """Everything the course statistics are computed from (no names, no message text)."""
        fetch = self._db.execute_fetchall
        return StatisticsRows(
            learners=[
                (row[0], _from_text(row[1]), bool(row[2]), bool(row[3]))
                for row in await fetch("SELECT user_id, enrolled_at, active, paused FROM learners")
            ],
            deliveries=[
                (row[0], row[1], _from_text(row[2]))
                for row in await fetch("SELECT user_id, item_id, delivered_at FROM deliveries")
            ],
            answers=[
                (row[0], row[1], row[2], bool(row[3]), _from_text(row[4]))
                for row in await fetch("SELECT user_id, item_id, option, correct, answered_at FROM answers")
            ],
            activity=[
                (row[0], _from_text(row[1]))
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

    async def backup(self, destination: Path) -> None:
        """A consistent copy of the database while the bot runs (SQLite's online backup API)."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(destination, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600))
        async with aiosqlite.connect(destination) as target:
            await self._db.backup(target)

    async def ping(self) -> bool:
        rows = list(await self._db.execute_fetchall("SELECT 1"))
        return bool(rows)

    # --- the tick -------------------------------------------------------------------------------

    async def due_batch(self, now: datetime, limit: int) -> list[DueLearner]:
        """Up to `limit` learners whose next delivery is due, longest-waiting first, with all a plan needs."""
        learners = [
            _schedule_from(row)
            for row in await self._db.execute_fetchall(
                f"SELECT {_SCHEDULE_COLUMNS} FROM learners WHERE active = 1 AND next_due_at <= ? "
                "ORDER BY next_due_at LIMIT ?",
                (_to_text(now), limit),
            )
        ]
        return await self._with_plan_inputs(learners, now)

    async def upcoming(self, now: datetime, limit: int) -> list[tuple[DueLearner, datetime]]:
        """The next `limit` scheduled deliveries (due or not), soonest first, for operators."""
        rows = list(
            await self._db.execute_fetchall(
                f"SELECT {_SCHEDULE_COLUMNS}, next_due_at FROM learners WHERE active = 1 AND next_due_at IS NOT NULL "
                "ORDER BY next_due_at LIMIT ?",
                (limit,),
            )
        )
        learners = await self._with_plan_inputs([_schedule_from(row[:-1]) for row in rows], now)
        return [(due, _from_text(row[-1])) for due, row in zip(learners, rows, strict=True)]

    async def _with_plan_inputs(self, learners: list[LearnerSchedule], now: datetime) -> list[DueLearner]:
        """Each learner with their progress, review memory and what they had today, in four queries."""
        if not learners:
            return []
        ids = json.dumps([learner.user_id for learner in learners])
        in_batch = "user_id IN (SELECT value FROM json_each(:ids))"
        progress = await self._db.execute_fetchall(
            f"SELECT 'd', user_id, item_id, NULL, NULL, NULL FROM deliveries WHERE {in_batch} "
            f"UNION ALL SELECT 'a', user_id, item_id, option, correct, answered_at FROM answers WHERE {in_batch}",
            {"ids": ids},
        )
        cards = await self._db.execute_fetchall(
            "SELECT user_id, item_id, due_at, MAX(at) FROM ("
            f"SELECT user_id, item_id, due_at, reviewed_at AS at FROM reviews WHERE {in_batch} "
            "UNION ALL SELECT user_id, item_id, COALESCE(due_at, answered_at), answered_at "
            f"FROM answers WHERE {in_batch}"
            ") GROUP BY user_id, item_id",
            {"ids": ids},
        )
        recent = await self._db.execute_fetchall(
            f"SELECT user_id, local_day, kind FROM sends WHERE {in_batch} AND created_at >= :since "
            "AND status = 'sent' AND kind IN ('pull', 'new', 'review')",
            {"ids": ids, "since": _to_text(now - timedelta(days=2))},
        )
        delivered: dict[int, set[str]] = {}
        answers: dict[int, dict[str, AnswerRecord]] = {}
        for kind, user_id, item_id, option, correct, answered_at in progress:
            if kind == "d":
                delivered.setdefault(user_id, set()).add(item_id)
            else:
                answers.setdefault(user_id, {})[item_id] = AnswerRecord(
                    item_id, option, bool(correct), _from_text(answered_at)
                )
        reviews: dict[int, list[ReviewDue]] = {}
        for user_id, item_id, due_at, _ in cards:
            reviews.setdefault(user_id, []).append(ReviewDue(item_id, _from_text(due_at)))
        sends: dict[int, list[tuple[str, str]]] = {}
        for user_id, local_day, kind in recent:
            sends.setdefault(user_id, []).append((local_day, kind))
        batch = []
        for learner in learners:
            day = learner.prefs.local_day(now).isoformat() if learner.prefs else None
            todays = [kind for sent_day, kind in sends.get(learner.user_id, []) if sent_day == day]
            batch.append(
                DueLearner(
                    schedule=learner,
                    record=LearnerRecord(
                        frozenset(delivered.get(learner.user_id, ())), answers.get(learner.user_id, {})
                    ),
                    reviews=tuple(reviews.get(learner.user_id, ())),
                    today=Today(bites=len(todays), reviews=todays.count("review")),
                )
            )
        return batch

    async def record_intents(self, intents: list[Intent], now: datetime) -> list[int | None]:
        """Before sending: note each planned message (pending) and move each learner's next due time.

        One transaction for the whole batch, so a crash leaves either all of it or none.
        """
        send_ids: list[int | None] = []
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            for intent in intents:
                send_id = None
                claimed = False
                if intent.kind == "new" and intent.item_id is not None:
                    cursor = await self._db.execute(
                        "INSERT INTO deliveries (user_id, item_id, delivered_at) VALUES (?, ?, ?) "
                        "ON CONFLICT DO NOTHING",
                        (intent.user_id, intent.item_id, _to_text(now)),
                    )
                    claimed = cursor.rowcount == 1
                    await cursor.close()
                # A lesson someone else just delivered (the learner's /next) is not sent again; a question
                # already sent is, since it stays due until answered.
                if intent.kind is not None and (claimed or not intent.skip_if_delivered):
                    cursor = await self._db.execute(
                        "INSERT INTO sends (user_id, kind, item_id, local_day, status, created_at, claimed) "
                        "VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                        (
                            intent.user_id,
                            intent.kind,
                            intent.item_id,
                            intent.local_day.isoformat(),
                            _to_text(now),
                            int(claimed),
                        ),
                    )
                    send_id = cursor.lastrowid
                    await cursor.close()
                await self._db.execute(
                    "UPDATE learners SET next_due_at = ?, "
                    "snoozed_until = CASE WHEN ? THEN NULL ELSE snoozed_until END, "
                    "paused = CASE WHEN ? THEN 1 WHEN ? THEN 0 ELSE paused END, "
                    "paused_until = CASE WHEN ? THEN NULL ELSE paused_until END, "
                    "reminded = CASE WHEN ? THEN 1 ELSE reminded END WHERE user_id = ?",
                    (
                        _optional_text(intent.next_due),
                        int(intent.kind is not None),
                        int(intent.pause),
                        int(intent.resume),
                        int(intent.resume),
                        int(intent.reminder),
                        intent.user_id,
                    ),
                )
                send_ids.append(send_id)
            await self._db.execute("COMMIT")
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise
        return send_ids

    async def confirm_sent(self, send_id: int, now: datetime) -> None:
        """After sending: the message went out; count it as unanswered until the learner acts."""
        rows = await self._db.execute_fetchall(
            "UPDATE sends SET status = 'sent', sent_at = ? WHERE id = ? AND status = 'pending' RETURNING user_id, kind",
            (_to_text(now), send_id),
        )
        for user_id, kind in rows:
            if kind in ("new", "review"):
                await self._db.execute_fetchall(
                    "UPDATE learners SET unanswered = unanswered + 1 WHERE user_id = ?", (user_id,)
                )

    async def confirm_failed(self, send_id: int) -> None:
        """The message did not go out: the send failed, and the delivery it claimed is given back."""
        rows = await self._db.execute_fetchall(
            "UPDATE sends SET status = 'failed' WHERE id = ? AND status = 'pending' "
            "RETURNING user_id, item_id, claimed",
            (send_id,),
        )
        await self._give_back_claims(list(rows))

    async def _give_back_claims(self, rows: list[Any]) -> None:
        for user_id, item_id, claimed in rows:
            if claimed and item_id is not None:
                await self._db.execute_fetchall(
                    "DELETE FROM deliveries WHERE user_id = ? AND item_id = ? "
                    "AND NOT EXISTS (SELECT 1 FROM answers WHERE user_id = ? AND item_id = ?)",
                    (user_id, item_id, user_id, item_id),
                )

    async def recover_pending(self, now: datetime) -> int:
        """At start-up: messages whose sending a crash interrupted are planned again.

        Whether Telegram got such a message is unknowable, so this errs toward sending a bite twice rather
        than losing it: the send is marked failed and its learner is due at once.
        """
        rows = list(
            await self._db.execute_fetchall(
                "UPDATE sends SET status = 'failed' WHERE status = 'pending' RETURNING user_id, item_id, claimed"
            )
        )
        await self._give_back_claims(rows)
        users = {row[0] for row in rows}
        for user_id in users:
            await self._db.execute_fetchall(
                "UPDATE learners SET next_due_at = ? WHERE user_id = ? AND active = 1 AND paused = 0",
                (_to_text(now), user_id),
            )
        return len(users)
