"""The SQLite file every part of the store shares, and the rules that keep it sane and quick.

One at a time. A transaction spans several awaits, and any statement another coroutine sent meanwhile would
land inside it (or its `BEGIN` would fail with "cannot start a transaction within a transaction"). So every use
of the file holds one lock for as long as it gives the loop up: a transaction for its whole length, work on the
thread until it is done. A point statement on the loop never gives it up, so when nobody holds the lock it just
runs; otherwise it queues like the rest, instead of failing.

Two connections, by the size of the work. A learner's update reads and writes a handful of rows by key, and such
a statement takes SQLite 5 to 30 µs; handing it to aiosqlite's thread and back costs ten times that (a queue, a
thread wake-up, the GIL changing hands twice, a wake-up of the event loop), and with the lock held for the whole
trip it also caps how many updates a second the bot can serve. So point statements run right on the event loop
(`fetch`, `transaction`, ...), and only work that touches many rows or the whole file (reports, pruning, log
checkpoints, backups, migrations) goes to aiosqlite's thread (`scan`, `script`, `backup`), where it cannot hold
up replies. `bench.interactions` measures the difference.

Commits are shared. A commit costs SQLite more than the statements it commits (it appends every page they
changed to the log, and a claim of a bite changes a table and six of its indexes), and under load most of those
pages are the same from one learner to the next. So writes go into a transaction that stays open until the loop
has run what is ready (the other learners' updates): one commit then makes all of them durable ("group
commit"). A writer returns only once its batch has committed, so "returned" still means "on disk", and a claim
is still committed before the bite it claims is sent. Each transaction is a savepoint within the batch, so one
that fails takes only its own statements back. A batch is committed at once before work on aiosqlite's thread,
so that connection never waits for this one's write lock.

Never block the loop on another process. The loop's connection does not wait for a lock held outside this
process (another coursebot command, a backup tool): it fails at once with "database is locked", and the same
statement or transaction is then run on aiosqlite's thread, which waits up to `BUSY_TIMEOUT_MS` off the loop. Nor
does it checkpoint the log on its own (that copies pages and syncs the file): `Database` checkpoints passively
on the thread after every `CHECKPOINT_EVERY` rows written instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

Parameters = Sequence[Any] | dict[str, Any]

BUSY_TIMEOUT_MS = 5000
# Rows written, not commits: a shared commit can carry hundreds of them. SQLite's own default is a log of 1,000
# pages, and a row written is about a page appended (its table's and its indexes').
CHECKPOINT_EVERY = 1000


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


# The statements that write: one of them opens a batch (a read outside one needs no transaction).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _Batch:
    """The writes of one open transaction on the loop's connection, committed together."""

    def __init__(self) -> None:
        self.changes = 0  # rows written in it
        self.done = asyncio.Event()
        self.error: sqlite3.Error | None = None

    async def committed(self) -> None:
        """Return once the batch is committed; raise what stopped it if it could not be."""
        await self.done.wait()
        if self.error is not None:
            raise self.error


class Database:
    """The file, serialized: point statements on the event loop, heavy ones on aiosqlite's thread."""

    def __init__(self, background: aiosqlite.Connection, inline: sqlite3.Connection, path: Path) -> None:
        self.background = background
        self.inline = inline
        self.path = path
        self._lock = asyncio.Lock()
        self._batch: _Batch | None = None
        self._written = 0
        self._committers: set[asyncio.Task[None]] = set()
        self._checkpoints: set[asyncio.Task[None]] = set()
        # Set the first time SQLite reports the file damaged; the health check reports it from then on.
        self.corruption: str | None = None

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Both connections to `path`, in autocommit (the loop's opens its batches itself). The loop's waits for
        no lock (timeout 0): it hands a locked moment to the thread."""
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
            self._commit_batch()
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

    @staticmethod
    def _start(work: Coroutine[Any, Any, None], tasks: set[asyncio.Task[None]]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def _open_batch(self) -> _Batch | None:
        """The open batch (opened now if there is none), or None if another process holds the write lock."""
        if self._batch is not None:
            return self._batch
        try:
            _rows(self.inline, "BEGIN IMMEDIATE", ())
        except sqlite3.Error as err:
            if not _busy(err):
                self._watch(err)
                raise
            return None
        batch = self._batch = _Batch()
        # The commit runs after what the loop has ready now, so the writes of those updates join this batch.
        self._start(self._commit_when_free(batch), self._committers)
        return batch

    async def _commit_when_free(self, batch: _Batch) -> None:
        async with self._lock:
            if self._batch is batch:
                self._commit_batch()

    def _commit_batch(self) -> None:
        """Commit the open batch now, if there is one (under the lock)."""
        batch, self._batch = self._batch, None
        if batch is None:
            return
        try:
            if not self.inline.in_transaction:  # SQLite rolled it all back after a failure (disk full, I/O)
                raise sqlite3.OperationalError("the transaction was rolled back by an earlier error")
            _rows(self.inline, "COMMIT", ())
        except sqlite3.Error as err:
            self._watch(err)
            if self.inline.in_transaction:
                self.inline.rollback()
            batch.error = err
        batch.done.set()
        if batch.error is None:
            self._count_written(batch.changes)

    def _broken(self, err: sqlite3.Error) -> None:
        """After a failed statement: if it took the whole batch back, its writers are told, not left waiting."""
        self._watch(err)
        if self._batch is not None and not self.inline.in_transaction:
            self._commit_batch()

    def _count_written(self, rows: int) -> None:
        self._written += rows
        if self._written >= CHECKPOINT_EVERY:
            self._written = 0
            self._start(self._checkpoint_passively(), self._checkpoints)

    async def _checkpoint_passively(self) -> None:
        # PASSIVE copies what it can without waiting for anyone (SQLite never calls the busy handler for it), and
        # a busy moment just leaves the rest to the next one. So it does not take the lock either: copying pages
        # and syncing the file takes milliseconds, and the learners' statements go on on the loop meanwhile.
        with contextlib.suppress(sqlite3.Error, ValueError):  # ValueError: the connection closed meanwhile
            await self.background.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")

    async def fetch(self, sql: str, parameters: Parameters = ()) -> list[sqlite3.Row]:
        """One point statement, its rows fetched and its cursor closed; a write returns once committed."""
        if self._lock.locked():  # a transaction or work on the thread is under way: after it
            async with self._lock:
                rows, batch = await self._point(sql, parameters)
        else:
            # Nobody is inside: the statement runs to its end without giving the loop up, so it cannot land in
            # anyone's transaction, and queueing on the lock (on the busiest path of every update) is skipped.
            done = self._point_at_once(sql, parameters)
            if done is None:  # it must wait after all (another process holds the file): under the lock
                async with self._lock:
                    done = await self._point(sql, parameters)
            rows, batch = done
        if batch is not None:
            await batch.committed()
        return rows

    async def _point(self, sql: str, parameters: Parameters) -> tuple[list[sqlite3.Row], _Batch | None]:
        """The statement, under the lock: at once on the loop, or waiting off it while another process writes."""
        done = self._point_at_once(sql, parameters)
        return done if done is not None else (await self._fetch_in_background(sql, parameters), None)

    def _point_at_once(self, sql: str, parameters: Parameters) -> tuple[list[sqlite3.Row], _Batch | None] | None:
        """The statement on the loop's connection: its rows, and the batch its write must wait for; None if
        another process holds the file (the batch is committed first, so the thread does not wait for it)."""
        batch = self._batch
        if batch is None and sql.lstrip()[:7].upper().startswith(_WRITES):
            batch = self._open_batch()
            if batch is None:
                return None
        changes_before = self.inline.total_changes
        try:
            rows = _rows(self.inline, sql, parameters)
        except sqlite3.Error as err:
            if not _busy(err):
                self._broken(err)
                raise
            self._commit_batch()
            return None
        changes = self.inline.total_changes - changes_before
        if batch is None:  # a read, or a write that did not look like one (WITH ... INSERT): committed on its own
            self._count_written(changes)
            return rows, None
        batch.changes += changes
        return rows, batch if changes else None

    async def scan(self, sql: str, parameters: Parameters = ()) -> list[sqlite3.Row]:
        """Like `fetch`, for a statement that may touch many rows: run off the loop."""
        async with self._lock:
            self._commit_batch()
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
        """A write transaction, committed on success (with the batch: this returns once that is committed), taken
        back on error, and atomic either way."""
        async with self._lock:
            batch = self._open_batch()
            if batch is None:  # another process is writing: wait for it off the loop, and commit on our own
                async with self._in_background() as transaction:
                    yield transaction
                return
            changes_before = self.inline.total_changes
            _rows(self.inline, "SAVEPOINT step", ())
            try:
                yield Transaction(self.inline, self.background)
                _rows(self.inline, "RELEASE step", ())
            except BaseException as err:
                if self.inline.in_transaction:
                    _rows(self.inline, "ROLLBACK TO step", ())
                    _rows(self.inline, "RELEASE step", ())
                if isinstance(err, sqlite3.Error):
                    self._broken(err)
                raise
            changes = self.inline.total_changes - changes_before
            batch.changes += changes
        if changes:
            await batch.committed()

    @asynccontextmanager
    async def _in_background(self) -> AsyncIterator[Transaction]:
        await self.background.execute("BEGIN IMMEDIATE")  # waits for the other process, off the loop
        changes_before = self.background.total_changes
        try:
            yield Transaction(None, self.background)
            await self.background.execute("COMMIT")
        except BaseException as err:
            if isinstance(err, sqlite3.Error):
                self._watch(err)
            if self.background.in_transaction:
                await self.background.execute("ROLLBACK")
            raise
        self._count_written(self.background.total_changes - changes_before)

    async def script(self, sql: str) -> None:
        async with self._lock:
            self._commit_batch()
            await self.background.executescript(sql)

    async def backup(self, target: aiosqlite.Connection) -> None:
        async with self._lock:
            self._commit_batch()
            await self.background.backup(target)

    async def close(self) -> None:
        async with self._lock:
            self._commit_batch()
        for task in [*self._committers, *self._checkpoints]:
            await task
        async with self._lock:
            self.inline.close()
            await self.background.close()
