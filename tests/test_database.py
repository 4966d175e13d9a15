"""The store's two connections: point statements on the event loop, never blocking it on another process's lock,
and the write-ahead log still checkpointed although the loop's connection never does it itself; and the writes
of updates handled at once, committed together, each returning only once it is in the file."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store, database

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _main_file_learners(path: Path) -> int:
    """Learners in the database file itself, ignoring what is only in its write-ahead log."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as reader:
        return int(reader.execute("SELECT COUNT(*) FROM learners").fetchone()[0])


async def _loop_keeps_running_while(pending: asyncio.Task[object]) -> None:
    """Proof the event loop is free while `pending` waits: other work gets to run, many times."""
    for _ in range(20):
        await asyncio.sleep(0)
    assert not pending.done(), "the statement should be waiting for the other process's lock"


async def test_a_write_waits_for_another_process_off_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "coursebot.sqlite3"
    async with await Store.open(path) as store:
        # The loop's connection never waits on a lock (it would stall every chat); the thread's does.
        assert store.database.inline.execute("PRAGMA busy_timeout").fetchone() == (0,)
        assert await store.database.scan("PRAGMA busy_timeout") == [(database.BUSY_TIMEOUT_MS,)]
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        enrol = asyncio.create_task(store.learners.enrol(1, 1, NOW))
        await _loop_keeps_running_while(enrol)
        other.execute("COMMIT")
        other.close()
        await asyncio.wait_for(enrol, timeout=30)
        assert await store.learners.schedule(1) is not None


async def test_a_transaction_waits_for_another_process_off_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "coursebot.sqlite3"
    async with await Store.open(path) as store:
        await store.learners.enrol(1, 1, NOW)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        forget = asyncio.create_task(store.privacy.forget(1, 1))
        await _loop_keeps_running_while(forget)
        other.execute("ROLLBACK")
        other.close()
        await asyncio.wait_for(forget, timeout=30)
        assert await store.learners.schedule(1) is None


async def _enrol_twice_in_one_transaction(store: Store) -> None:
    async with store.database.transaction() as tx:
        await tx.execute("INSERT INTO learners (user_id, chat_id, enrolled_at) VALUES (1, 1, 'x')")
        await tx.execute("INSERT INTO learners (user_id, chat_id, enrolled_at) VALUES (1, 1, 'x')")


async def test_a_failed_transaction_leaves_nothing_and_the_next_one_works(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "coursebot.sqlite3") as store:
        with pytest.raises(sqlite3.IntegrityError):
            await _enrol_twice_in_one_transaction(store)
        assert await store.database.fetch("SELECT COUNT(*) FROM learners") == [(0,)]
        await store.learners.enrol(2, 2, NOW)
        assert await store.database.fetch("SELECT user_id FROM learners") == [(2,)]


@asynccontextmanager
async def _checkpointing_every_ten_rows(path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Store]:
    """A store whose log is checkpointed after every ten rows written, starting from an empty log."""
    monkeypatch.setattr(database, "CHECKPOINT_EVERY", 10)
    async with await Store.open(path) as store:
        await store.database.scan("PRAGMA wal_checkpoint(TRUNCATE)")  # the schema into the file: a clean start
        yield store


async def test_the_log_is_checkpointed_into_the_file_as_writes_add_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "coursebot.sqlite3"
    async with _checkpointing_every_ten_rows(path, monkeypatch) as store:
        for user in range(1, 10):
            await store.learners.enrol(user, user, NOW)
        assert _main_file_learners(path) == 0, "the loop's connection must not checkpoint by itself"
        await store.learners.enrol(10, 10, NOW)  # the tenth row
        await asyncio.wait_for(asyncio.gather(*store.database._checkpoints), timeout=30)
        assert _main_file_learners(path) == 10


async def test_learners_statements_go_on_while_the_log_is_checkpointed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "CHECKPOINT_EVERY", 1)
    async with await Store.open(tmp_path / "coursebot.sqlite3") as store:
        await store.learners.enrol(1, 1, NOW)  # a commit: a checkpoint is under way on the thread
        (checkpoint,) = store.database._checkpoints
        async with store.database._lock:  # as a learner's transaction would hold it
            await asyncio.wait_for(checkpoint, timeout=30)
        assert await store.learners.schedule(1) is not None


def _learners_seen_by_another_process(path: Path) -> int:
    with sqlite3.connect(path) as reader:
        return int(reader.execute("SELECT COUNT(*) FROM learners").fetchone()[0])


async def test_writes_made_at_once_share_one_commit_and_each_returns_committed(tmp_path: Path) -> None:
    path = tmp_path / "coursebot.sqlite3"
    async with await Store.open(path) as store:
        statements: list[str] = []
        store.database.inline.set_trace_callback(statements.append)

        async def enrol_and_count(user: int) -> int:
            await store.learners.enrol(user, user, NOW)
            return _learners_seen_by_another_process(path)  # what survives a crash from here on

        seen = await asyncio.gather(*(enrol_and_count(user) for user in range(1, 51)))
        assert seen == [50] * 50, "a writer returned before its write was committed"
        assert statements.count("COMMIT") == 1


async def test_a_failed_transaction_takes_back_only_its_own_writes_from_the_shared_commit(tmp_path: Path) -> None:
    path = tmp_path / "coursebot.sqlite3"
    async with await Store.open(path) as store:
        failed, enrolled = await asyncio.gather(
            _enrol_twice_in_one_transaction(store), store.learners.enrol(2, 2, NOW), return_exceptions=True
        )
        assert isinstance(failed, sqlite3.IntegrityError)
        assert enrolled is True
        with sqlite3.connect(path) as reader:
            assert reader.execute("SELECT user_id FROM learners").fetchall() == [(2,)]


async def test_work_on_the_thread_commits_the_shared_transaction_first(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "coursebot.sqlite3") as store:
        # The enrolment's commit is still to come when the scan starts: the thread must not wait for it.
        _, rows = await asyncio.wait_for(
            asyncio.gather(store.learners.enrol(1, 1, NOW), store.database.scan("SELECT COUNT(*) FROM learners")),
            timeout=30,
        )
        assert rows == [(1,)]


async def test_a_shared_commit_counts_every_row_it_writes_towards_the_next_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "coursebot.sqlite3"
    async with _checkpointing_every_ten_rows(path, monkeypatch) as store:
        statements: list[str] = []
        store.database.inline.set_trace_callback(statements.append)
        await asyncio.gather(*(store.learners.enrol(user, user, NOW) for user in range(1, 11)))
        assert statements.count("COMMIT") == 1  # ten learners, one commit: still ten rows in the log
        await asyncio.wait_for(asyncio.gather(*store.database._checkpoints), timeout=30)
        assert _main_file_learners(path) == 10
