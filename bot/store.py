"""The SQLite store: the truth about who is enrolled and what each learner has done.

One class owns the aiosqlite connection and offers intent-named methods that return the core's
dataclasses, never rows. The schema is versioned with `PRAGMA user_version` and migrated at open.
Times are stored as ISO 8601 text in UTC.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.core.engine import AnswerRecord, Learner, LearnerRecord
from bot.errors import StoreError

logger = logging.getLogger(__name__)

# Each entry moves the schema from version N to N+1; never edit one that has shipped, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE learners (
        user_id     INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        enrolled_at TEXT    NOT NULL
    );
    CREATE TABLE deliveries (
        user_id      INTEGER NOT NULL REFERENCES learners(user_id) ON DELETE CASCADE,
        item_id      TEXT    NOT NULL,
        delivered_at TEXT    NOT NULL,
        PRIMARY KEY (user_id, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE answers (
        user_id     INTEGER NOT NULL REFERENCES learners(user_id) ON DELETE CASCADE,
        item_id     TEXT    NOT NULL,
        option      INTEGER NOT NULL,
        correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
        answered_at TEXT    NOT NULL,
        PRIMARY KEY (user_id, item_id)
    ) WITHOUT ROWID;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def _to_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the store keeps aware UTC times only")
    return moment.astimezone(UTC).isoformat()


def _from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


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
        await self._db.execute_fetchall("UPDATE learners SET chat_id = ? WHERE user_id = ?", (chat_id, user_id))
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

    async def record_answer(self, user_id: int, answer: AnswerRecord) -> bool:
        """Keep the learner's first answer to a question they were sent.

        False, and nothing kept, when the question was never sent to them or already has their answer:
        the check and the write are one statement, so two taps at once still count once.
        """
        inserted = await self._db.execute_fetchall(
            "INSERT INTO answers (user_id, item_id, option, correct, answered_at) "
            "SELECT :user, :item, :option, :correct, :at "
            "WHERE EXISTS (SELECT 1 FROM deliveries WHERE user_id = :user AND item_id = :item) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            {
                "user": user_id,
                "item": answer.item_id,
                "option": answer.option,
                "correct": int(answer.correct),
                "at": _to_text(answer.answered_at),
            },
        )
        return bool(inserted)
