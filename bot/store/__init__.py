"""The SQLite store: the truth about who is enrolled and what each learner has done.

`Store` opens, configures and migrates the file (`PRAGMA user_version`), and offers one part per aggregate,
all sharing one serialized `database` (point statements on the event loop, heavy ones on aiosqlite's thread):
`learners` (enrolment and settings), `progress` (what was sent and answered), `outbox` (the schedule's planned
messages and reviews), `pruning` (what is no longer needed, and buttons that should go), `privacy` (message
ids, /mydata, erasure), `certificates`, `statistics`, `cohorts` (training offices' groups and their members) and
`assessments` (the knowledge checks and ratings).
Each part's methods are named for intent and return dataclasses,
never rows. Times are stored as ISO 8601 text in UTC.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.errors import StoreError
from bot.store.assessments import Assessments, OutcomeRows
from bot.store.certificates import Certificate, Certificates
from bot.store.cohorts import Cohort, Cohorts
from bot.store.database import Database
from bot.store.learners import Learners
from bot.store.migrations import MIGRATIONS
from bot.store.outbox import DueLearner, Intent, Outbox
from bot.store.privacy import LEARNER_TABLES, Privacy
from bot.store.progress import Progress, PullClaim
from bot.store.pruning import Pruning
from bot.store.statistics import Statistics, StatisticsRows

__all__ = [
    "LEARNER_TABLES",
    "SCHEMA_VERSION",
    "Certificate",
    "Cohort",
    "DueLearner",
    "Intent",
    "OutcomeRows",
    "PullClaim",
    "StatisticsRows",
    "Store",
]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """The learners' data in one SQLite file. Use `await Store.open(path)`, then `await store.close()`."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.path = database.path
        self.learners = Learners(database)
        self.progress = Progress(database)
        self.outbox = Outbox(database)
        self.pruning = Pruning(database)
        self.privacy = Privacy(database)
        self.certificates = Certificates(database)
        self.statistics = Statistics(database)
        self.cohorts = Cohorts(database)
        self.assessments = Assessments(database)

    @classmethod
    async def open(cls, path: Path | str, *, check_integrity: bool = False) -> Store:
        """Open (creating it private to this user if new) and migrate the database at `path`.

        A file this coursebot must refuse (a newer schema, or, with `check_integrity`, damaged pages) is
        refused before anything is written to it, so it stays exactly as it was found.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Create the file ourselves so it is 0600 from its first byte; SQLite gives its WAL and
            # shared-memory files the same permissions as the database file.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            database = await Database.open(path)
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"cannot open the database {path} (COURSEBOT_DB): {err}") from err
        store = cls(database)
        try:
            await store._refuse_what_cannot_be_opened(check_integrity)
            await store._configure()
            await store._migrate()
        except sqlite3.Error as err:
            await database.close()
            raise StoreError(f"cannot prepare the database {path} (COURSEBOT_DB): {err}") from err
        except BaseException:
            await database.close()
            raise
        return store

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self.privacy.close()
        await self.database.close()

    async def _configure(self) -> None:
        await self.database.configure(
            (
                "journal_mode = WAL",
                "foreign_keys = ON",
                "synchronous = NORMAL",  # safe with WAL; a power cut loses at most the last commit
                # Deleted rows are overwritten, not just unlinked: /forget must leave nothing behind in the file.
                "secure_delete = ON",
            )
        )

    async def schema_version(self) -> int:
        rows = await self.database.fetch("PRAGMA user_version")
        return int(rows[0][0]) if rows else 0

    async def _refuse_what_cannot_be_opened(self, check_integrity: bool) -> None:
        """Only reads: a newer schema, or damage found by `PRAGMA quick_check`, stops the opening here."""
        current = await self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"the database {self.path} (COURSEBOT_DB) has schema version {current}, newer than this "
                f"coursebot ({SCHEMA_VERSION}); upgrade coursebot. The file was not changed."
            )
        if check_integrity:
            try:
                found = [str(row[0]) for row in await self.database.scan("PRAGMA quick_check")]
            except sqlite3.DatabaseError as err:
                found = [str(err)]
            if found != ["ok"]:
                raise StoreError(
                    f"the database {self.path} (COURSEBOT_DB) is damaged ({'; '.join(found[:3])}); restore it from "
                    "a backup (see the README). The file was not changed."
                )

    async def _migrate(self) -> None:
        current = await self.schema_version()
        for version in range(current, SCHEMA_VERSION):
            # executescript commits first; the version bump rides in the same script so a crash
            # cannot leave a migrated schema with an old version number.
            await self.database.script(f"BEGIN;\n{MIGRATIONS[version]}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
            logger.info("database migrated to schema version %d", version + 1)

    async def backup(self, destination: Path) -> None:
        """A consistent copy of the database while the bot runs (SQLite's online backup API)."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(destination, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600))
        async with aiosqlite.connect(destination) as target:
            await self.database.backup(target)

    async def probe(self, now: datetime) -> None:
        """A write that must reach the file and read back, for the health check; raises what went wrong."""
        stamp = now.astimezone(UTC).isoformat()
        rows = await self.database.fetch(
            "INSERT INTO health_probe (id, probed_at) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at RETURNING probed_at",
            (stamp,),
        )
        if not rows or rows[0][0] != stamp:
            raise StoreError("the health probe's write did not read back")
        if self.database.corruption:
            raise StoreError(f"the database file is damaged: {self.database.corruption}")

    async def checkpoint(self) -> bool:
        return await self.privacy.checkpoint()
