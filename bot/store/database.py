"""The SQLite file every part of the store shares, and the rules that keep it sane and quick.

One at a time. A transaction spans several awaits, and any statement another coroutine sent meanwhile would
land inside it (or its `BEGIN` would fail with "cannot start a transaction within a transaction"). So every use
of the file holds one lock: a single statement for its moment, a transaction for its whole length. Uncontended,
the lock costs nothing; contended, work queues instead of failing.

Two connections, by the size of the work. A learner's update reads and writes a handful of rows by key, and such
a statement takes SQLite 5 to 30 µs; handing it to aiosqlite's thread and back costs ten times that (a queue, a
thread wake-up, the GIL changing hands twice, a wake-up of the event loop), and with the lock held for the whole
trip it also caps how many updates a second the bot can serve. So point statements run right on the event loop
(`fetch`, `transaction`, ...), and only work that touches many rows or the whole file (reports, pruning, log
checkpoints, backups, migrations) goes to aiosqlite's thread (`scan`, `script`, `backup`), where it cannot hold
up replies. `bench.interactions` measures the difference.

Never block the loop on another process. The loop's connection does not wait for a lock held outside this
process (another coursebot command, a backup tool): it fails at once with "database is locked", and the same
statement or transaction is then run on aiosqlite's thread, which waits up to `BUSY_TIMEOUT_MS` off the loop. Nor
does it checkpoint the log on its own (that copies pages and syncs the file): `Database` checkpoints passively
on the thread after every `CHECKPOINT_EVERY` commits instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

Parameters = Sequence[Any] | dict[str, Any]

BUSY_TIMEOUT_MS = 5000
CHECKPOINT_EVERY = 1000  # commits; SQLite's own default is a log of 1,000 pages


def _busy(err: sqlite3.Error) -> bool:
    return isinstance(err, sqlite3.OperationalError) and "locked" in str(err)


def _rows(connection: sqlite3.Connection, sql: str, parameters: Parameters) -> list[Any]:
    cursor = connection.execute(sql, parameters)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _changes(connection: sqlite3.Connection, sql: str, parameters: Parameters) -> tuple[int, int | None]:
    cursor = connection.execute(sql, parameters)
    try:
        return cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class Transaction:
    """Statements inside one write transaction (only valid within `Database.transaction()`)."""

    def __init__(self, inline: sqlite3.Connection | None, background: aiosqlite.Connection) -> None:
        self._inline = inline  # None when the transaction had to wait off the loop
        self._background = background

    async def fetch(self, sql: str, parameters: Parameters = ()) -> list[sqlite3.Row]:
        if self._inline is not None:
            return _rows(self._inline, sql, parameters)
        return list(await self._background.execute_fetchall(sql, parameters))

    async def execute(self, sql: str, parameters: Parameters = ()) -> tuple[int, int | None]:
        """Run one statement; returns (rows changed, the new row's id)."""
        if self._inline is not None:
            return _changes(self._inline, sql, parameters)
        cursor = await self._background.execute(sql, parameters)
        try:
            return cursor.rowcount, cursor.lastrowid
        finally:
            await cursor.close()

    async def execute_many(self, sql: str, rows: list[Parameters]) -> None:
        if self._inline is not None:
            self._inline.executemany(sql, rows).close()
        else:
            await self._background.executemany(sql, rows)


class Database:
    """The file, serialized: point statements on the event loop, heavy ones on aiosqlite's thread."""

    def __init__(self, background: aiosqlite.Connection, inline: sqlite3.Connection, path: Path) -> None:
        self.background = background
        self.inline = inline
        self.path = path
        self._lock = asyncio.Lock()
        self._commits = 0
        self._checkpoints: set[asyncio.Task[None]] = set()
        # Set the first time SQLite reports the file damaged; the health check reports it from then on.
        self.corruption: str | None = None

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Both connections to `path`, in autocommit: every write is one statement and commits on its own. The
        loop's waits for no lock (timeout 0): it hands a locked moment to the thread."""
        background = await aiosqlite.connect(path, isolation_level=None)
        try:
            inline = sqlite3.connect(path, isolation_level=None, timeout=0)
        except BaseException:
            await background.close()
            raise
        return cls(background, inline, path)

    async def configure(self, pragmas: Iterable[str]) -> None:
        """Settings that belong to a connection (foreign keys, secure delete, ...), on both."""
        async with self._lock:
            for pragma in pragmas:
                await self.background.execute_fetchall(f"PRAGMA {pragma}")
                _rows(self.inline, f"PRAGMA {pragma}", ())
            await self.background.execute_fetchall(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _rows(self.inline, "PRAGMA wal_autocheckpoint = 0", ())  # left to the thread

    def _watch(self, err: sqlite3.Error) -> None:
        message = str(err)
        # SQLite reports damage as a bare DatabaseError ("database disk image is malformed"); constraint and
        # lock errors are subclasses and say nothing about the file.
        if type(err) is sqlite3.DatabaseError or "malformed" in message or "not a database" in message:
            self.corruption = self.corruption or message

    def _committed(self, changes_before: int) -> None:
        if self.inline.total_changes == changes_before:
            return  # a read
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY:
            self._commits = 0
            task = asyncio.get_running_loop().create_task(self._checkpoint_passively())
            self._checkpoints.add(task)
            task.add_done_callback(self._checkpoints.discard)

    async def _checkpoint_passively(self) -> None:
        # PASSIVE copies what it can without waiting for anyone (SQLite never calls the busy handler for it), and
        # a busy moment just leaves the rest to the next one. So it does not take the lock either: copying pages
        # and syncing the file takes milliseconds, and the learners' statements go on on the loop meanwhile.
        with contextlib.suppress(sqlite3.Error, ValueError):  # ValueError: the connection closed meanwhile
            await self.background.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")

    async def fetch(self, sql: str, parameters: Parameters = ()) -> list[sqlite3.Row]:
        """One point statement (autocommitted when it writes), its rows fetched and its cursor closed."""
        async with self._lock:
            changes_before = self.inline.total_changes
            try:
                rows = _rows(self.inline, sql, parameters)
            except sqlite3.Error as err:
                if not _busy(err):
                    self._watch(err)
                    raise
                return await self._fetch_in_background(sql, parameters)
            self._committed(changes_before)
            return rows

    async def scan(self, sql: str, parameters: Parameters = ()) -> list[sqlite3.Row]:
        """Like `fetch`, for a statement that may touch many rows: run off the loop."""
        async with self._lock:
            return await self._fetch_in_background(sql, parameters)

    async def _fetch_in_background(self, sql: str, parameters: Parameters) -> list[sqlite3.Row]:
        try:
            return list(await self.background.execute_fetchall(sql, parameters))
        except sqlite3.Error as err:
            self._watch(err)
            raise

    async def execute_many(self, sql: str, rows: Iterable[Parameters]) -> None:
        """One statement over many rows, in one transaction."""
        rows = list(rows)
        async with self.transaction() as tx:
            await tx.execute_many(sql, rows)

    async def rows_as_dicts(self, sql: str, parameters: Parameters = ()) -> list[dict[str, Any]]:
        async with self._lock:
            cursor = self.inline.execute(sql, parameters)
            try:
                names = [column[0] for column in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            finally:
                cursor.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A write transaction, taken at once (BEGIN IMMEDIATE), committed on success, rolled back on error."""
        async with self._lock:
            changes_before = self.inline.total_changes
            try:
                _rows(self.inline, "BEGIN IMMEDIATE", ())
                connection: sqlite3.Connection | None = self.inline
            except sqlite3.Error as err:
                if not _busy(err):
                    self._watch(err)
                    raise
                await self.background.execute("BEGIN IMMEDIATE")  # waits for the other process, off the loop
                connection = None
            try:
                yield Transaction(connection, self.background)
                if connection is not None:
                    _rows(connection, "COMMIT", ())
                else:
                    await self.background.execute("COMMIT")
            except BaseException as err:
                if isinstance(err, sqlite3.Error):
                    self._watch(err)
                if connection is not None and connection.in_transaction:
                    connection.rollback()
                elif connection is None and self.background.in_transaction:
                    await self.background.execute("ROLLBACK")
                raise
            self._committed(changes_before)

    async def script(self, sql: str) -> None:
        async with self._lock:
            await self.background.executescript(sql)

    async def backup(self, target: aiosqlite.Connection) -> None:
        async with self._lock:
            await self.background.backup(target)

    async def close(self) -> None:
        for task in list(self._checkpoints):
            await task
        async with self._lock:
            self.inline.close()
            await self.background.close()
