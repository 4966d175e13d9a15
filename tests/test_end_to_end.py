"""End to end: `coursebot run` as a real process, long polling a local HTTP stand-in for the Bot API.

Everything is real — the command line, settings from the environment, PTB's HTTP client, the SQLite file,
the content — except Telegram, which is the stand-in on loopback.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import aiohttp

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
        await store.learners.enrol(LEARNER, LEARNER, datetime.now(UTC))
        settings = Preferences(timezone="UTC", daily_time=time(0, 0), quiet_start=time(0, 0), quiet_end=time(0, 0))
        await store.learners.save_preferences(LEARNER, settings, datetime.now(UTC) - timedelta(minutes=1))
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_checks_the_secret_serves_a_health_check_and_stops_cleanly(tmp_path: Path) -> None:
    webhook_port, health_port = _free_port(), _free_port()
    secret = "webhook-secret-token-1234"
    async with StandinServer(token=TOKEN) as server, aiohttp.ClientSession() as http:
        env = clean_environment(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=server.base_url,
            COURSEBOT_DB=str(tmp_path / "webhook.sqlite3"),
            COURSEBOT_CONTENT=str(MINI_COURSE),
            COURSEBOT_WEBHOOK_URL="https://coursebot.example.test/telegram",
            COURSEBOT_WEBHOOK_SECRET=secret,
            COURSEBOT_WEBHOOK_LISTEN="127.0.0.1",
            COURSEBOT_WEBHOOK_PORT=str(webhook_port),
            COURSEBOT_HEALTH_LISTEN="127.0.0.1",
            COURSEBOT_HEALTH_PORT=str(health_port),
        )
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            registered = await server.state.wait_for_call("setWebhook", timeout=STEP_TIMEOUT)
            assert registered.params["url"] == "https://coursebot.example.test/telegram"
            assert registered.params["secret_token"] == secret
            hook = f"http://127.0.0.1:{webhook_port}/telegram"
            update = message_update(LEARNER, "/start")
            server.state.observe_update(update)
            for _ in range(50):  # the webhook server starts listening just after setWebhook
                try:
                    async with http.post(hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as r:
                        refused = r.status
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            assert refused == 403
            async with http.post(hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as r:
                assert r.status == 200
            welcome = await server.state.wait_for_call("sendMessage", timeout=STEP_TIMEOUT)
            assert "You are enrolled" in (welcome.text or "")
            async with http.get(f"http://127.0.0.1:{health_port}/healthz") as r:
                health = await r.json()
                assert r.status == 200
            assert (health["status"], health["mode"], health["database"]) == ("ok", "webhook", "ok")
        finally:
            bot.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(bot.communicate(), timeout=STEP_TIMEOUT)

    assert bot.returncode == 0, stderr.decode()
    events = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
    assert any(event["event"] == "stopped cleanly" for event in events)
    assert all(event["level"] != "ERROR" for event in events)
    enrolled = next(event for event in events if event["event"] == "learner enrolled")
    assert len(enrolled["learner"]) == 12
    assert str(LEARNER) not in stderr.decode()
