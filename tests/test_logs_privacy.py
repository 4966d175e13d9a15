"""Logs without personal data, whatever COURSEBOT_LOG_LEVEL says: a whole course run by `coursebot run` at DEBUG,
typed settings, a look-up, a certificate with a name in two scripts, /mydata, /hide and /forget, and not one
log line holds the learner's id, what they typed, or their name. Libraries included: aiosqlite (which logs
SQL parameters at DEBUG), PTB (whole updates, and an update it cannot parse), fpdf and fontTools.

The second half checks the guards one by one, on the same logging set-up `coursebot run` uses.
"""

from __future__ import annotations

import io
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.core import buttons
from bot.logs import WITHHELD, configure_logging
from bot.store import Store
from tests.running_bot import CEILING, RunningBot, bot_environment, free_port
from tests.standin import StandinServer, callback_update, message_update

TOKEN = "424242:LOGS-secret-token"
LEARNER = 918273645
TYPED_ZONE = "Asia/Kathmandu"
TYPED_TIME = "7h05"  # read as 07:05; written so, it cannot turn up in a log line's time
TYPED_SEARCH = "patient Dagny Whitfield-Okonkwo"
NAME = "Nguyễn Dagny Whitfield-Okonkwo"  # printed (with the certificate's Unicode font)
UNPRINTABLE = "王小明 Dagny"  # beyond the font: refused with a message, and written nowhere
SECRET = "logs-test-secret-0123456789abcdef"


def _env(server: StandinServer, db: Path, **extra: str) -> dict[str, str]:
    return bot_environment(TOKEN, server.base_url, db, COURSEBOT_LOG_LEVEL="DEBUG", COURSEBOT_SECRET=SECRET, **extra)


def assert_nothing_personal(log: str) -> None:
    typed = (TYPED_ZONE, TYPED_TIME, TYPED_SEARCH, "Whitfield", "Dagny", "Nguyễn", *UNPRINTABLE.split()[0])
    for secret in (str(LEARNER), *typed, TOKEN):
        assert secret not in log, f"{secret!r} is in the log"


async def test_a_whole_course_at_debug_logs_no_id_no_typed_text_and_no_name(tmp_path: Path) -> None:
    db = tmp_path / "logs.sqlite3"
    logs: list[str] = []
    async with StandinServer(token=TOKEN) as server:
        state = server.state

        async def act(update: dict[str, Any], method: str, expect: str) -> None:
            """Send one update and wait for the reply that shows it was handled (not merely an earlier one)."""
            mark = len(state.calls)
            server.push_update(update)
            await state.wait_for_call(
                method,
                lambda call: call.chat_id == LEARNER and expect in f"{call.text} {call.params.get('caption')}",
                timeout=CEILING,
                since=mark,
            )

        async def say(text: str, expect: str, method: str = "sendMessage") -> None:
            await act(message_update(LEARNER, text), method, expect)

        async def press(data: str, expect: str, method: str = "sendMessage") -> None:
            last = state.sent_messages(LEARNER)[-1]
            await act(callback_update(LEARNER, data, message_id=last.result["message_id"]), method, expect)

        # Two runs with a restart between: the stand-in answers at once, faster than any person, and the flood
        # throttle (ten updates in a rush) would rightly decline the rest of a whole course sent in one go.
        async with RunningBot(_env(server, db), tmp_path) as bot:
            await bot.wait_for_event("coursebot is running on Telegram")
            await say("/start", "When should bites arrive?")
            await press(buttons.encode(buttons.Setting("type", "tz")), "Type your city")
            await say(TYPED_ZONE, "Schedule saved")
            await press(buttons.encode(buttons.Setting("type", "time")), "Type the time")
            await say(TYPED_TIME, "at 07:05")
            await say(TYPED_SEARCH, "I found nothing")  # a look-up: its words are a clinician's, and never logged
            await say("/mydata", "as a file", "sendDocument")
            with sqlite3.connect(db) as raw:  # their slot has come: the tick sends the first lesson
                raw.execute("UPDATE learners SET next_due_at = '2000-01-01T00:00:00+00:00'")
            await state.wait_for_call(
                "sendMessage", lambda call: "Later" in str(call.params.get("reply_markup")), timeout=CEILING
            )
            await say("/next", "First question")
            await press("a:one-question-a:1", "best answer")
            await say("/next", "Second lesson")
            assert await bot.stop() == 0, bot.log
            logs.append(bot.log)
        async with RunningBot(_env(server, db), tmp_path) as bot:
            await bot.wait_for_event("coursebot is running on Telegram")
            await say("/next", "Second question")
            await press("a:two-question-a:0", "best answer")
            await say("/next", "Last lesson")
            await say("/certificate", "name")
            await say(UNPRINTABLE, "can't be printed")
            await say(NAME, "on your certificate?")
            await press(buttons.encode(buttons.CertificateConfirm()), "Your certificate", "sendDocument")
            await say("/hide", "I deleted")
            await say("/forget", "This erases your progress")
            await press("forget:yes", "I erased everything", "editMessageText")
            assert await bot.stop() == 0, bot.log
            logs.append(bot.log)
            events = bot.events

    assert state.calls_of("sendDocument"), "the certificate was issued (so fpdf and fontTools ran)"
    assert any(event["level"] == "DEBUG" for event in events), "the run logged at DEBUG"
    assert not any("flood" in log for log in logs), "every update was handled"
    assert_nothing_personal("\n".join(logs))


async def test_an_update_ptb_cannot_parse_is_not_written_into_the_log(tmp_path: Path) -> None:
    webhook_port = free_port()
    secret = "webhook-secret-token-logs"
    async with StandinServer(token=TOKEN) as server, aiohttp.ClientSession() as http:
        env = _env(
            server,
            tmp_path / "webhook.sqlite3",
            COURSEBOT_WEBHOOK_URL="https://coursebot.example.test/telegram",
            COURSEBOT_WEBHOOK_SECRET=secret,
            COURSEBOT_WEBHOOK_LISTEN="127.0.0.1",
            COURSEBOT_WEBHOOK_PORT=str(webhook_port),
        )
        async with RunningBot(env, tmp_path) as bot:
            await bot.wait_for_event("coursebot is running on Telegram")
            broken = {"update_id": 7, "message": {"message_id": 1, "chat": "not a chat", "text": TYPED_SEARCH,
                                                  "from": {"id": LEARNER, "first_name": "Dagny"}}}  # fmt: skip
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with http.post(f"http://127.0.0.1:{webhook_port}/telegram", json=broken, headers=headers) as reply:
                assert reply.status == 400
            await bot.wait_for_event(
                "Something went wrong processing the data received from Telegram. Received data was *not* "
                f"processed! Received data was: {WITHHELD}"
            )
            code = await bot.stop()

    assert code == 0
    assert_nothing_personal(bot.log)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The logging set-up of `coursebot run` at DEBUG (JSON lines), written to a buffer; restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, {name: logging.getLogger(name).level for name in _LIBRARIES})
    configure_logging("DEBUG", [TOKEN], json_lines=True)
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


_LIBRARIES = ("aiosqlite", "telegram", "fpdf", "fontTools", "httpx", "httpcore", "apscheduler", "tornado.access")


async def test_aiosqlite_never_logs_the_parameters_of_a_statement(captured: io.StringIO, tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "quiet.sqlite3") as store:
        await store.learners.enrol(LEARNER, LEARNER, datetime.now(UTC))
        await store.database.fetch("SELECT ?", (NAME,))

    assert_nothing_personal(captured.getvalue())


def test_ptb_records_keep_their_sentence_but_not_the_update_they_quote(captured: io.StringIO) -> None:
    update = {"update_id": 1, "message": {"text": TYPED_SEARCH, "from": {"id": LEARNER}}}

    logging.getLogger("telegram.ext.Updater").critical("Error while parsing updates! Received data was %r", update)
    logging.getLogger("telegram.request").error('Can not load invalid JSON data: "%s"', TYPED_SEARCH * 5)
    logging.getLogger("telegram.ext.Application").info("Application started")

    logged = captured.getvalue()
    assert_nothing_personal(logged)
    assert f"Error while parsing updates! Received data was {WITHHELD}" in logged
    assert "Application started" in logged


def test_fpdf_and_fonttools_chatter_is_silenced(captured: io.StringIO) -> None:
    logging.getLogger("fpdf.output").warning("Font %s is missing the following glyphs: %s", "helvetica", "王, 小")
    logging.getLogger("fontTools.subset").info("Glyph names: %s", ["uni738B"])

    assert captured.getvalue() == ""


def test_an_exception_is_logged_by_type_and_place_without_what_the_learner_typed(captured: io.StringIO) -> None:
    try:
        raise ValueError(f"unknown time zone {TYPED_ZONE!r}")
    except ValueError:
        logging.getLogger("bot.telegram.app").exception("error while handling update %s", 5)
    try:
        raise sqlite3.OperationalError("database is locked")
    except sqlite3.OperationalError:
        logging.getLogger("bot.telegram.app").exception("error while handling update %s", 6)

    logged = captured.getvalue()
    assert_nothing_personal(logged)
    assert "builtins.ValueError (message withheld)" in logged
    assert "test_logs_privacy.py" in logged  # where it happened is kept
    assert "sqlite3.OperationalError: database is locked" in logged  # a library's own words are kept
