"""Starting `coursebot run` (a real process) when things are not as they should be: a Bot API that cannot be reached
is tried again with backoff, one log line per attempt and no traceback, and the bot starts once it answers; a
database file with damaged pages is refused at start with one clear message, and left exactly as it was."""

from __future__ import annotations

import asyncio
import hashlib
import signal
from datetime import UTC, datetime
from pathlib import Path

from bot.store import Store
from tests.conftest import run_coursebot
from tests.running_bot import CEILING, RunningBot, bot_environment, free_port
from tests.standin import StandinServer

TOKEN = "424242:STARTUP-secret"
UNREACHABLE = "cannot reach the Bot API; trying again"


async def test_an_unreachable_bot_api_is_retried_with_backoff_one_line_each_until_it_answers(tmp_path: Path) -> None:
    port = free_port()  # nobody listens there: every connection is refused
    async with RunningBot(
        bot_environment(TOKEN, f"http://127.0.0.1:{port}/bot", tmp_path / "retry.sqlite3"), tmp_path
    ) as bot:
        first = await bot.wait_for_event(UNREACHABLE)
        second = await bot.wait_for_event(UNREACHABLE, where=lambda event: event.get("attempt") == 2)
        async with StandinServer(token=TOKEN, port=port):  # the Bot API comes back where it was
            await bot.wait_for_event("coursebot is running on Telegram")
            code = await bot.stop()

    assert code == 0, bot.log
    assert (first["attempt"], first["level"], first["retry_in_s"]) == (1, "WARNING", 1)
    assert second["retry_in_s"] > first["retry_in_s"]  # backing off
    assert "Traceback" not in bot.log
    attempts = [event for event in bot.events if event["event"] == UNREACHABLE]
    assert [event["attempt"] for event in attempts] == list(range(1, len(attempts) + 1))  # one line per attempt
    assert all("exception" not in event for event in attempts)
    assert TOKEN not in bot.log


async def test_told_to_stop_while_the_bot_api_is_unreachable_it_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    async with RunningBot(
        bot_environment(TOKEN, f"http://127.0.0.1:{port}/bot", tmp_path / "stop.sqlite3"), tmp_path
    ) as bot:
        await bot.wait_for_event(UNREACHABLE)
        code = await bot.stop(signal.SIGTERM)

    assert code == 0, bot.log
    assert any(event["event"] == "stopped before the Bot API answered" for event in bot.events)
    assert "Traceback" not in bot.log


def test_a_damaged_database_is_refused_at_start_untouched_with_one_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "damaged.sqlite3"
    asyncio.run(_a_learner_in(db))
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 2 : page_size * 3] = b"\xee" * page_size  # a table's page, not the header
    db.write_bytes(bytes(data))
    before = hashlib.sha256(db.read_bytes()).hexdigest()

    # The file is refused before the Bot API is asked anything: no stand-in needed.
    result = run_coursebot(
        "run", env=bot_environment(TOKEN, f"http://127.0.0.1:{free_port()}/bot", db), cwd=tmp_path, timeout=CEILING
    )

    assert result.returncode != 0
    assert "damaged" in result.stderr
    assert "COURSEBOT_DB" in result.stderr
    assert "backup" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not Path(f"{db}-wal").exists()


async def _a_learner_in(db: Path) -> None:
    async with await Store.open(db) as store:
        await store.learners.enrol(5, 5, datetime.now(UTC))
        await store.checkpoint()
