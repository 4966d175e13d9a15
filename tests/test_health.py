"""The health check tells the truth: 200 only while a write reaches the database file and the tick completes its
database work; 503 with the reason for a held write lock, a full disk, a damaged file or a stalled tick.
And a file coursebot must refuse is refused before anything is written to it."""

from __future__ import annotations

import errno
import shutil
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.content import Course
from bot.delivery.tick import Ticker
from bot.errors import StoreError
from bot.store import SCHEMA_VERSION, Store
from bot.telegram.health import STALE_AFTER, HealthServer
from tests.conftest import FakeClock


class _NoSender:
    async def send(self, chat_id: int, reply: object) -> int | None:
        raise AssertionError("nothing is due in these tests")


async def _serve(store: Store, course: Course, clock: FakeClock) -> tuple[HealthServer, Ticker]:
    ticker = Ticker(course, store, _NoSender(), clock=clock)
    await ticker.tick()
    health = HealthServer(store, ticker, "polling", clock, probe_timeout=0.5)
    assert await health.start("127.0.0.1", 0)
    return health, ticker


async def _get(health: HealthServer) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{health.port}/healthz") as response:
        return response.status, await response.json()


@pytest.fixture
async def served(store: Store, mini_course: Course, clock: FakeClock) -> AsyncIterator[HealthServer]:
    health, _ = await _serve(store, mini_course, clock)
    yield health
    await health.close()


async def test_healthy_means_a_write_went_through_and_the_tick_ran(served: HealthServer) -> None:
    status, body = await _get(served)
    assert (status, body["status"], body["database"]) == (200, "ok", "ok")


async def test_a_held_write_lock_is_reported_and_clears_when_released(served: HealthServer, store: Store) -> None:
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        status, body = await _get(served)
        assert status == 503
        assert "did not complete a write" in str(body["problems"])
    finally:
        other.execute("ROLLBACK")
        other.close()
    status, _ = await _get(served)
    assert status == 200


async def test_a_stalled_tick_is_reported(served: HealthServer, clock: FakeClock) -> None:
    clock.advance(seconds=(STALE_AFTER + timedelta(seconds=1)).total_seconds())
    status, body = await _get(served)
    assert status == 503
    assert "tick has not completed" in str(body["problems"])


async def test_a_damaged_file_is_reported(tmp_path: Path, mini_course: Course, clock: FakeClock) -> None:
    path = tmp_path / "damaged.sqlite3"
    async with await Store.open(path) as store:
        await store.probe(clock())
        await store.checkpoint()
        rows = await store.database.fetch("SELECT rootpage FROM sqlite_master WHERE name = 'health_probe'")
        page = int(rows[0][0])
        size = int((await store.database.fetch("PRAGMA page_size"))[0][0])
    with path.open("r+b") as raw:  # the page the probe writes to goes bad while the bot is down
        raw.seek((page - 1) * size)
        raw.write(b"\xff" * size)
    async with await Store.open(path) as store:
        health, _ = await _serve(store, mini_course, clock)
        try:
            status, body = await _get(health)
        finally:
            await health.close()
    assert status == 503
    assert "malformed" in str(body["problems"]) or "damaged" in str(body["problems"])


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB file system of its own, so filling it fills no one else's disk."""
    disk = tmp_path / "tiny"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], check=False).returncode:
        pytest.skip("needs permission to mount a small tmpfs")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> None:
    """Write until the disk is full to its last byte."""
    with (disk / "filler").open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as err:
            if err.errno != errno.ENOSPC:
                raise


async def test_a_full_disk_is_reported(tiny_disk: Path, mini_course: Course, clock: FakeClock) -> None:
    async with await Store.open(tiny_disk / "full.sqlite3") as store:
        health, _ = await _serve(store, mini_course, clock)
        try:
            _fill(tiny_disk)
            clock.advance(seconds=1)
            status, body = await _get(health)
        finally:
            await health.close()
    assert status == 503
    assert "full" in str(body["problems"])


async def test_a_busy_port_is_one_clear_line_and_no_crash(
    store: Store, mini_course: Course, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    first, _ = await _serve(store, mini_course, clock)
    try:
        second = HealthServer(store, Ticker(mini_course, store, _NoSender(), clock=clock), "polling", clock)
        assert await second.start("127.0.0.1", first.port or 0) is False
    finally:
        await first.close()
    refused = [record for record in caplog.records if "health check not started" in record.getMessage()]
    assert len(refused) == 1
    assert "COURSEBOT_HEALTH_PORT" in refused[0].getMessage()
    assert refused[0].exc_info is None


def _file_bytes(path: Path) -> bytes:
    return path.read_bytes()


async def test_a_newer_schema_is_refused_and_the_file_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE t (x)")
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = _file_bytes(path)
    with pytest.raises(StoreError, match=r"newer than this coursebot.*not changed"):
        await Store.open(path)
    assert _file_bytes(path) == before
    assert not (tmp_path / "newer.sqlite3-wal").exists()


async def test_a_damaged_file_is_refused_at_start_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    async with await Store.open(path) as store:
        await store.checkpoint()
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(path, copy)
    data = bytearray(copy.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 2 : page_size * 3] = b"\xee" * page_size  # a table's page, not the header
    copy.write_bytes(bytes(data))
    before = _file_bytes(copy)
    with pytest.raises(StoreError, match=r"damaged.*backup"):
        await Store.open(copy, check_integrity=True)
    assert _file_bytes(copy) == before
