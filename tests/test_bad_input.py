"""Whatever arrives, the bot answers briefly and nothing crashes: a property-based test (hypothesis)
that throws random updates at the real Application."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.content import Course
from bot.conversation.chat import CourseChat
from bot.store import Store
from bot.telegram.app import build_application
from tests.conftest import FakeClock
from tests.standin import (
    BotAPIState,
    StandinRequest,
    callback_update,
    edited_message_update,
    message_update,
    photo_update,
    sticker_update,
    voice_update,
)

USER = 31337
COMMANDS = ("start", "next", "progress", "help", "settings", "pause", "resume", "indicators", "document",
            "resources", "privacy", "mydata", "forget", "hide", "nonsense", "")  # fmt: skip
PREFIXES = ("a:", "r:", "later:", "snz:", "set:", "look:", "menu:", "res:", "forget:", "next", "progress", "resume")

texts = st.one_of(
    st.text(min_size=1, max_size=300),
    st.text(alphabet=st.characters(categories=["So", "Sk"]), min_size=1, max_size=20),  # only emoji
    st.text(min_size=4000, max_size=5000),  # very long
    st.sampled_from(("DOB 01/02/1990", "MRN 99887766", "ICD", "pimp", "🙂")),
)
commands = st.builds(lambda name, rest: f"/{name} {rest}".strip(), st.sampled_from(COMMANDS), st.text(max_size=30))
callback_data = st.one_of(
    st.text(min_size=1, max_size=64),
    st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(PREFIXES), st.text(max_size=70)),
    st.text(min_size=65, max_size=200),  # oversized: Telegram would never send it, a forger might
)
updates = st.one_of(
    texts.map(lambda text: ("message", text)),
    commands.map(lambda text: ("message", text)),
    callback_data.map(lambda data: ("callback", data)),
    texts.map(lambda text: ("edited", text)),
    st.sampled_from((("sticker", ""), ("photo", ""), ("voice", ""))),
)


def build(kind: str, payload: str) -> dict[str, Any]:
    if kind == "message":
        return message_update(USER, payload)
    if kind == "callback":
        return callback_update(USER, payload, message_id=1)
    if kind == "edited":
        return edited_message_update(USER, payload, message_id=5)
    if kind == "sticker":
        return sticker_update(USER)
    if kind == "photo":
        return photo_update(USER)
    return voice_update(USER)


ANSWERS = {"sendMessage", "answerCallbackQuery", "editMessageText"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(updates, min_size=1, max_size=8))
def test_every_update_is_answered_and_nothing_crashes(
    batch: list[tuple[str, str]], mini_course: Course, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(_throw(batch, mini_course, caplog))


async def _throw(batch: list[tuple[str, str]], course: Course, caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    state = BotAPIState()
    state.observe_update(message_update(USER, "/start"))
    with tempfile.TemporaryDirectory() as folder:
        async with await Store.open(Path(folder) / "fuzz.sqlite3") as store:
            clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
            application = build_application(CourseChat(course, store, clock), "123:FUZZ", request=StandinRequest(state))
            async with application:
                for kind, payload in batch:
                    update = build(kind, payload)
                    state.observe_update(update)
                    before = len(state.calls)
                    with caplog.at_level(logging.ERROR):
                        await application.process_update(Update.de_json(update, application.bot))
                    answered = {call.method for call in state.calls[before:] if call.ok}
                    assert answered & ANSWERS, f"no answer to {kind} {payload[:40]!r}"
                    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
