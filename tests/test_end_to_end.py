"""End to end: `coursebot run` as a real process, long polling a local HTTP stand-in for the Bot API.

Everything is real — the command line, settings from the environment, PTB's HTTP client, the SQLite file,
the content — except Telegram, which is the stand-in on loopback.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.store import Store
from scheduler.windows import Preferences
from tests.conftest import MINI_COURSE, clean_environment
from tests.standin import StandinServer, callback_update, message_update

TOKEN = "424242:END-TO-END-secret"
LEARNER = 9001
STEP_TIMEOUT = 20.0


async def test_the_bot_runs_a_lesson_a_question_and_progress_over_http(tmp_path: Path) -> None:
    db = tmp_path / "e2e.sqlite3"
    async with StandinServer(token=TOKEN) as server:
        env = clean_environment(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=server.base_url,
            COURSEBOT_DB=str(db),
            COURSEBOT_CONTENT=str(MINI_COURSE),
            COURSEBOT_LOG_LEVEL="DEBUG",
        )
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            state = server.state
            await state.wait_for_call("setMyCommands", timeout=STEP_TIMEOUT)
            await state.wait_for_call("getUpdates", timeout=STEP_TIMEOUT)

            async def say(text: str, replies: int = 1) -> None:
                mark = len(state.calls)
                server.push_update(message_update(LEARNER, text))
                for _ in range(replies):
                    call = await state.wait_for_call("sendMessage", timeout=STEP_TIMEOUT, since=mark)
                    mark = state.calls.index(call) + 1

            await say("/start", replies=2)  # the welcome, then the first schedule question
            await say("/next")
            await say("/next")
            question = state.sent_messages(LEARNER)[-1]
            assert "First question" in (question.text or "")

            mark = len(state.calls)
            server.push_update(
                callback_update(
                    LEARNER,
                    "a:one-question-a:1",
                    message_id=question.result["message_id"],
                    message_text=question.result["text"],
                )
            )
            await state.wait_for_call("answerCallbackQuery", timeout=STEP_TIMEOUT, since=mark)
            edit = await state.wait_for_call("editMessageText", timeout=STEP_TIMEOUT, since=mark)
            assert "B is the best answer" in (edit.text or "")

            await say("my patient Jane Doe, born 1990-01-01")  # stray text: a hint, and never logged
            await say("/progress")
            assert "1 of 1 answered correctly (100%)" in (state.sent_messages(LEARNER)[-1].text or "")
        finally:
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(bot.communicate(), timeout=STEP_TIMEOUT)

    assert bot.returncode == 0, stderr.decode()
    log = stderr.decode()
    assert "coursebot is running on Telegram" in log
    assert TOKEN not in log
    assert "Jane Doe" not in log
    assert "Traceback" not in log
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT user_id, item_id, option, correct FROM answers").fetchall() == [
            (LEARNER, "one-question-a", 1, 1)
        ]


async def test_the_running_bot_ticks_and_sends_a_scheduled_bite(tmp_path: Path) -> None:
    db = tmp_path / "tick.sqlite3"
    async with await Store.open(db) as store:
        await store.enrol(LEARNER, LEARNER, datetime.now(UTC))
        settings = Preferences(timezone="UTC", daily_time=time(0, 0), quiet_start=time(0, 0), quiet_end=time(0, 0))
        await store.save_preferences(LEARNER, settings, datetime.now(UTC) - timedelta(minutes=1))
    async with StandinServer(token=TOKEN) as server:
        server.state.observe_update(message_update(LEARNER, "/start"))  # Telegram knows the chat
        env = clean_environment(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=server.base_url,
            COURSEBOT_DB=str(db),
            COURSEBOT_CONTENT=str(MINI_COURSE),
        )
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            bite = await server.state.wait_for_call(
                "sendMessage", lambda call: call.chat_id == LEARNER, timeout=STEP_TIMEOUT
            )
        finally:
            bot.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(bot.communicate(), timeout=STEP_TIMEOUT)

    assert "First lesson" in (bite.text or "")
    assert "Later" in str(bite.params.get("reply_markup"))
    assert bot.returncode == 0, stderr.decode()
