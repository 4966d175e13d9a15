"""The one SQLite connection every part of the store shares, and the rule that keeps it sane: one at a time.

aiosqlite runs every statement on one thread, but a transaction spans several awaits, and any statement another
coroutine sends meanwhile would land inside it (or its `BEGIN` would fail with "cannot start a transaction within
a transaction"). So every use of the connection holds one lock: a single statement for its moment, a transaction
for its whole length. Uncontended, the lock costs nothing; contended, work queues instead of failing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

Parameters = Sequence[Any] | dict[str, Any]


class Transaction:
    """Statements inside one write transaction (only valid within `Database.transaction()`)."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def fetch(self, sql: str, parameters: Parameters = ()) -> list[sqlite3.Row]:
        return list(await self._connection.execute_fetchall(sql, parameters))

    async def execute(self, sql: str, parameters: Parameters = ()) -> tuple[int, int | None]:
        """Run one statement; returns (rows changed, the new row's id)."""
        cursor = await self._connection.execute(sql, parameters)
        try:
            return cursor.rowcount, cursor.lastrowid
        finally:
            await cursor.close()


class Database:
    """The connection, serialized. Every method makes one trip to the database thread where it can."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self._lock = asyncio.Lock()
        # Set the first time SQLite reports the file damaged; the health check reports it from then on.
        self.corruption: str | None = None

    def _watch(self, err: sqlite3.Error) -> None:
        message = str(err)
        # SQLite reports damage as a bare DatabaseError ("database disk image is malformed"); constraint and
        # lock errors are subclasses and say nothing about the file.
        if type(err) is sqlite3.DatabaseError or "malformed" in message or "not a database" in message:
            self.corruption = self.corruption or message

    async def fetch(self, sql: str, parameters: Parameters = ()) -> list[sqlite3.Row]:
        """One statement (autocommitted when it writes), its rows fetched and its cursor closed in one go."""
        async with self._lock:
            try:
                return list(await self.connection.execute_fetchall(sql, parameters))
            except sqlite3.Error as err:
                self._watch(err)
                raise

    async def execute_many(self, sql: str, rows: Iterable[Parameters]) -> None:
        async with self._lock:
            await self.connection.executemany(sql, rows)

    async def rows_as_dicts(self, sql: str, parameters: Parameters = ()) -> list[dict[str, Any]]:
        async with self._lock, self.connection.execute(sql, parameters) as cursor:
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in await cursor.fetchall()]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A write transaction, taken at once (BEGIN IMMEDIATE), committed on success, rolled back on error."""
        async with self._lock:
            await self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self.connection)
                await self.connection.execute("COMMIT")
            except BaseException as err:
                if isinstance(err, sqlite3.Error):
                    self._watch(err)
                if self.connection.in_transaction:
                    await self.connection.execute("ROLLBACK")
                raise

    async def script(self, sql: str) -> None:
        async with self._lock:
            await self.connection.executescript(sql)

    async def backup(self, target: aiosqlite.Connection) -> None:
        async with self._lock:
            await self.connection.backup(target)

    async def close(self) -> None:
        async with self._lock:
            await self.connection.close()
