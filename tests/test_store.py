"""The SQLite store, on a real temporary file."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.engine import AnswerRecord
from bot.errors import StoreError
from bot.store import SCHEMA_VERSION, Store
from scheduler import spacing

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MEMORY = spacing.review(None, "q-1", True, NOW)


async def test_a_new_database_is_private_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "data" / "coursebot.sqlite3"
    async with await Store.open(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"learners", "deliveries", "answers"} <= tables


async def test_an_existing_empty_file_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    async with await Store.open(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION


async def test_reopening_keeps_the_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "coursebot.sqlite3"
    async with await Store.open(path) as store:
        await store.learners.enrol(42, 4200, NOW)
    async with await Store.open(path) as store:
        learner = await store.learners.learner(42)
    assert learner is not None
    assert (learner.user_id, learner.chat_id, learner.enrolled_at) == (42, 4200, NOW)


async def test_a_database_from_a_newer_coursebot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this coursebot"):
        await Store.open(path)


async def test_a_database_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open the database"):
        await Store.open(blocker / "coursebot.sqlite3")


async def test_enrolling_twice_keeps_the_first_enrolment_and_updates_the_chat(store: Store) -> None:
    assert await store.learners.enrol(7, 70, NOW) is True
    assert await store.learners.enrol(7, 71, NOW + timedelta(days=1)) is False
    learner = await store.learners.learner(7)
    assert learner is not None
    assert (learner.chat_id, learner.enrolled_at) == (71, NOW)


async def test_an_unknown_learner_is_none(store: Store) -> None:
    assert await store.learners.learner(404) is None


async def test_deliveries_and_answers_make_up_the_record(store: Store) -> None:
    await store.learners.enrol(7, 70, NOW)
    await store.progress.record_delivery(7, "l-1", NOW)
    await store.progress.record_delivery(7, "q-1", NOW)
    await store.progress.record_delivery(7, "q-1", NOW + timedelta(minutes=5))
    assert await store.progress.record_answer(7, AnswerRecord("q-1", 2, False, NOW), MEMORY) is True

    record = await store.progress.record(7)

    assert record.delivered == frozenset({"l-1", "q-1"})
    assert record.answers == {"q-1": AnswerRecord("q-1", 2, False, NOW)}


async def test_only_the_first_answer_to_a_question_counts(store: Store) -> None:
    await store.learners.enrol(7, 70, NOW)
    await store.progress.record_delivery(7, "q-1", NOW)
    assert await store.progress.record_answer(7, AnswerRecord("q-1", 1, True, NOW), MEMORY) is True
    assert (
        await store.progress.record_answer(7, AnswerRecord("q-1", 0, False, NOW + timedelta(seconds=1)), MEMORY)
        is False
    )
    assert (await store.progress.record(7)).answers["q-1"].option == 1


async def test_an_answer_to_a_question_never_sent_is_not_kept(store: Store) -> None:
    await store.learners.enrol(7, 70, NOW)
    await store.learners.enrol(8, 80, NOW)
    await store.progress.record_delivery(8, "q-1", NOW)
    assert await store.progress.record_answer(7, AnswerRecord("q-1", 1, True, NOW), MEMORY) is False
    assert (await store.progress.record(7)).answers == {}


async def test_record_can_be_narrowed_to_one_item(store: Store) -> None:
    await store.learners.enrol(7, 70, NOW)
    for item_id in ("l-1", "q-1", "q-2"):
        await store.progress.record_delivery(7, item_id, NOW)
    await store.progress.record_answer(7, AnswerRecord("q-1", 0, False, NOW), MEMORY)
    await store.progress.record_answer(7, AnswerRecord("q-2", 1, True, NOW), MEMORY)

    record = await store.progress.record(7, only="q-1")

    assert record.delivered == frozenset({"q-1"})
    assert set(record.answers) == {"q-1"}


async def test_learners_records_are_kept_apart(store: Store) -> None:
    await store.learners.enrol(1, 10, NOW)
    await store.learners.enrol(2, 20, NOW)
    await store.progress.record_delivery(1, "l-1", NOW)
    assert (await store.progress.record(2)).delivered == frozenset()


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        await store.learners.enrol(1, 10, datetime(2026, 3, 2, 9, 0))  # noqa: DTZ001 - the point of the test


async def _message_ids_in_file(path: Path) -> list[tuple[int, int]]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT chat_id, message_id FROM bot_messages ORDER BY 1, 2").fetchall()


async def test_message_ids_written_behind_are_seen_by_hide_and_kept_at_close(tmp_path: Path) -> None:
    path = tmp_path / "coursebot.sqlite3"
    async with await Store.open(path) as store:
        await store.learners.enrol(1, 1, NOW)
        for message_id in (10, 11):
            await store.privacy.remember_message(1, message_id, NOW)
        assert await store.privacy.recent_messages(1, NOW - timedelta(hours=48)) == [10, 11]
        await store.privacy.remember_message(1, 12, NOW)  # not yet written when the bot stops
    assert await _message_ids_in_file(path) == [(1, 10), (1, 11), (1, 12)]


async def test_an_erasure_drops_the_erased_chats_unwritten_message_ids(tmp_path: Path) -> None:
    path = tmp_path / "coursebot.sqlite3"
    async with await Store.open(path) as store:
        for user_id in (1, 2):
            await store.learners.enrol(user_id, user_id, NOW)
            await store.privacy.remember_message(user_id, 20 + user_id, NOW)
        await store.privacy.forget(1, 1)
        assert (await store.privacy.everything_about(2))["bot_messages"] == [
            {"chat_id": 2, "message_id": 22, "sent_at": NOW.isoformat()}
        ]
    assert await _message_ids_in_file(path) == [(2, 22)]


async def test_unwritten_message_ids_are_written_within_moments(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.store.privacy.FLUSH_AFTER_S", 0.0)
    await store.learners.enrol(1, 1, NOW)
    flushed = asyncio.Event()
    flush = store.privacy.flush

    async def flush_and_tell() -> None:
        await flush()
        flushed.set()

    monkeypatch.setattr(store.privacy, "flush", flush_and_tell)
    await store.privacy.remember_message(1, 30, NOW)
    await asyncio.wait_for(flushed.wait(), timeout=30)  # no read asked for it: the timer wrote it
    assert await store.database.fetch("SELECT chat_id, message_id FROM bot_messages") == [(1, 30)]
