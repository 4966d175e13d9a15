"""End to end: `coursebot run` as a real process, long polling a local HTTP stand-in for the Bot API.

Everything is real — the command line, settings from the environment, PTB's HTTP client, the SQLite file,
the content — except Telegram, which is the stand-in on loopback. Every wait is for an event (a call the bot
makes, a line it logs) with a generous ceiling; a bot that dies early fails the test at once.
"""

from __future__ import annotations

import socket
import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import aiohttp

from bot.store import Store
from scheduler.windows import Preferences
from tests.running_bot import CEILING, RunningBot, bot_environment, free_port
from tests.standin import StandinServer, callback_update, message_update

TOKEN = "424242:END-TO-END-secret"
LEARNER = 9001


async def test_the_bot_runs_a_lesson_a_question_and_progress_over_http(tmp_path: Path) -> None:
    db = tmp_path / "e2e.sqlite3"
    async with StandinServer(token=TOKEN) as server:
        state = server.state
        async with RunningBot(
            bot_environment(TOKEN, server.base_url, db, COURSEBOT_LOG_LEVEL="DEBUG"), tmp_path
        ) as bot:
            await bot.wait_for_event("coursebot is running on Telegram")
            await state.wait_for_call("getUpdates", timeout=CEILING)

            async def say(text: str, replies: int = 1) -> None:
                mark = len(state.calls)
                server.push_update(message_update(LEARNER, text))
                for _ in range(replies):
                    call = await state.wait_for_call("sendMessage", timeout=CEILING, since=mark)
                    mark = state.calls.index(call) + 1

            await say("/start")  # the welcome and the first schedule question, in one message
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
            await state.wait_for_call("answerCallbackQuery", timeout=CEILING, since=mark)
            await state.wait_for_call("editMessageText", timeout=CEILING, since=mark)
            feedback = await state.wait_for_call("sendMessage", timeout=CEILING, since=mark)
            assert "is the best answer" in (feedback.text or "")

            await say("my patient Jane Doe, born 1990-01-01")  # stray text: a hint, and never logged
            await say("/progress")
            assert "1 of 1 answered correctly (100%)" in (state.sent_messages(LEARNER)[-1].text or "")
            code = await bot.stop()

    assert code == 0, bot.log
    assert TOKEN not in bot.log
    assert "Jane Doe" not in bot.log
    assert "Traceback" not in bot.log
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
        await store.learners.set_discreet(LEARNER, False)  # the bite in full, not discreet mode's teaser
    async with StandinServer(token=TOKEN) as server:
        server.state.observe_update(message_update(LEARNER, "/start"))  # Telegram knows the chat
        async with RunningBot(bot_environment(TOKEN, server.base_url, db), tmp_path) as bot:
            bite = await server.state.wait_for_call(
                "sendMessage", lambda call: call.chat_id == LEARNER, timeout=CEILING
            )
            code = await bot.stop()

    assert "First lesson" in (bite.text or "")
    assert "Later" in str(bite.params.get("reply_markup"))
    assert code == 0, bot.log


async def test_webhook_mode_checks_the_secret_serves_a_health_check_and_stops_cleanly(tmp_path: Path) -> None:
    webhook_port = free_port()
    secret = "webhook-secret-token-1234"
    async with StandinServer(token=TOKEN) as server, aiohttp.ClientSession() as http:
        env = bot_environment(
            TOKEN,
            server.base_url,
            tmp_path / "webhook.sqlite3",
            COURSEBOT_WEBHOOK_URL="https://coursebot.example.test/telegram",
            COURSEBOT_WEBHOOK_SECRET=secret,
            COURSEBOT_WEBHOOK_LISTEN="127.0.0.1",
            COURSEBOT_WEBHOOK_PORT=str(webhook_port),
        )
        async with RunningBot(env, tmp_path) as bot:
            health_port = (await bot.wait_for_event("health check listening"))["port"]
            registered = await server.state.wait_for_call("setWebhook", timeout=CEILING)
            assert registered.params["url"] == "https://coursebot.example.test/telegram"
            assert registered.params["secret_token"] == secret
            await bot.wait_for_event("coursebot is running on Telegram")  # logged once the webhook listens
            hook = f"http://127.0.0.1:{webhook_port}/telegram"
            update = message_update(LEARNER, "/start")
            server.state.observe_update(update)
            async with http.post(hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as r:
                assert r.status == 403
            async with http.post(hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as r:
                assert r.status == 200
            welcome = await server.state.wait_for_call("sendMessage", timeout=CEILING)
            assert "You are enrolled" in (welcome.text or "")
            async with http.get(f"http://127.0.0.1:{health_port}/healthz") as r:
                health = await r.json()
                assert r.status == 200
            assert (health["status"], health["mode"], health["database"]) == ("ok", "webhook", "ok")
            code = await bot.stop()

    assert code == 0, bot.log
    events = bot.events
    assert any(event["event"] == "stopped cleanly" for event in events)
    assert all(event["level"] != "ERROR" for event in events)
    enrolled = next(event for event in events if event["event"] == "learner enrolled")
    assert len(enrolled["learner"]) == 12
    assert str(LEARNER) not in bot.log


async def test_a_busy_health_port_is_one_line_and_the_bot_runs_on(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        async with StandinServer(token=TOKEN) as server:
            env = bot_environment(TOKEN, server.base_url, tmp_path / "busy.sqlite3", COURSEBOT_HEALTH_PORT=str(busy))
            async with RunningBot(env, tmp_path) as bot:
                refused = await bot.wait_for_event(
                    f"health check not started: 127.0.0.1:{busy} is in use; set COURSEBOT_HEALTH_PORT (0 for any "
                    "free port, or leave it empty to turn the check off); the bot runs on without it"
                )
                await bot.wait_for_event("coursebot is running on Telegram")
                mark = len(server.state.calls)
                server.push_update(message_update(LEARNER, "/help"))
                await server.state.wait_for_call("sendMessage", timeout=CEILING, since=mark)
                code = await bot.stop()
    assert code == 0
    assert "exception" not in refused
    assert "Traceback" not in bot.log
