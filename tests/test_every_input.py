"""Every input answered, none raising: a property-based test (hypothesis; derandomized in CI, see conftest) that
drives the real Application through every typed prompt and every family of button, with the button data built
by `bot.core.buttons`' own encoders and forged variants of it. No update may end in the error handler, and
every button press must be answered (or the learner's phone spins).

The learner is enrolled, has a schedule, and has a lesson and a question in hand, so most paths are open.
"""

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
from bot.conversation.certificate_chat import NAME_PROMPT
from bot.conversation.chat import CourseChat
from bot.conversation.schedule_texts import REGION_ZONES, THEN, TYPE_PROMPTS
from bot.core import buttons
from bot.store import Store
from bot.telegram.app import build_application
from tests.conftest import FakeClock
from tests.standin import BotAPIState, StandinRequest, callback_update, message_update

LEARNER = 24680
SECRET = "every-input-secret-0123456789"

# What people (and forgers) type where the bot asks for a setting, and as command arguments.
NASTY_TEXT = (
    "America/Indiana", "America/Argentina", "America/Kentucky", "America/North_Dakota", "Europe", "America/",
    "../../etc/passwd", "Europe/../UTC", "Etc/GMT-3", "UTC", "Kolkata", "z" * 300, "a/" * 150, "²", "²-³",
    "¹²:³⁴", "٣:٣٠", "07:30", "7pm", "25:00", "23:60", "-1", "0", "9" * 40, "every day", "weekdays", "Mon Tue",
    "mon,,tue", "22:00-06:30", "22:00–06:30", "\x00", "\u202e", "🙂", "", " ", "\n", "Jane Doe 1990-01-01",
)  # fmt: skip
PAUSE_ARGUMENTS = ("9999-12-31", "0001-01-01", "2026-02-30", "²", "0", "365", "366", "-5", "9" * 30, "until ³")
COMMANDS = ("start", "next", "progress", "settings", "pause", "resume", "indicators", "document", "resources",
            "privacy", "mydata", "forget", "hide", "certificate", "verify", "stats", "help", "nonsense")  # fmt: skip

typed = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=300),
    st.text(min_size=4000, max_size=4096),
)
ids = st.one_of(
    st.sampled_from(("one-lesson-a", "one-question-a", "two-question-a", "two-lesson-a")), st.text(max_size=30)
)
numbers = st.one_of(st.integers(0, 99), st.integers(0, 10**18 - 1))
setting_values = st.one_of(
    st.sampled_from([zone for _, zones in REGION_ZONES.values() for zone in zones]),
    st.sampled_from(tuple(REGION_ZONES)),
    st.sampled_from(NASTY_TEXT),
    st.sampled_from(("0700", "2400", "0660", "127", "128", "0", "3", "6", "2200-0630", "2200-", "²")),
    st.text(max_size=20),
).flatmap(lambda value: st.sampled_from((value, value + THEN)))
actions = st.one_of(
    st.builds(buttons.Answer, ids, numbers),
    st.builds(buttons.More, ids),
    st.builds(buttons.WhyNot, ids, numbers),
    st.just(buttons.NextBite()),
    st.just(buttons.ShowProgress()),
    st.builds(buttons.ReviewAnswer, numbers, numbers),
    st.builds(buttons.Later, numbers),
    st.builds(buttons.Snooze, numbers, st.sampled_from((*buttons.SNOOZE_CHOICES, "never"))),
    st.just(buttons.Resume()),
    st.builds(buttons.Setting, st.sampled_from(buttons.SETTING_FIELDS), setting_values),
    st.builds(buttons.Look, st.sampled_from(buttons.LOOK_KINDS), ids),
    st.builds(buttons.Menu, st.sampled_from((*buttons.MENU_NAMES, "secret"))),
    st.builds(buttons.Region, st.sampled_from((*buttons.REGION_CODES, "XX"))),
    st.builds(buttons.Forget, st.booleans()),
    st.just(buttons.CertificateWithoutName()),
)


def _encoded(action: buttons.Action) -> str | None:
    try:
        return buttons.encode(action)
    except ValueError:  # longer than Telegram allows: the forger gets to send its first 64 bytes
        return None


def _forge(data: str, how: int, junk: str) -> str:
    """A forged variant of real button data: cut short, padded, superscripted, or spliced."""
    if how == 0:
        return data[: len(data) // 2]
    if how == 1:
        return data + junk
    if how == 2:
        return data.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    if how == 3:
        return data.replace(":", junk or "::", 1)
    return (junk + data)[:64]


button_data = st.one_of(
    actions.map(_encoded).filter(lambda data: data is not None),
    st.builds(
        _forge, actions.map(_encoded).filter(lambda data: data is not None), st.integers(0, 4), st.text(max_size=8)
    ),
    st.text(max_size=70),
)
steps = st.one_of(
    st.tuples(st.just("prompt"), st.sampled_from(sorted(TYPE_PROMPTS)), st.booleans(), typed),
    st.tuples(st.just("name"), typed),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS), st.one_of(st.sampled_from(PAUSE_ARGUMENTS), typed)),
    st.tuples(st.just("press"), button_data),
)


# Typed settings that still raise, which issue 11 (the parsers of typed settings, not this test's owner) is
# fixing: zone names that are folders of the time-zone database, zones too long for a file name, and digits
# that are not ASCII (superscripts). The property test steers clear of them and the test below pins each one:
# when issue 11 lands, it fails (strict xfail) as a reminder to delete both.
ISSUE_11_FOLDERS = (
    "America/Indiana",
    "America/Argentina",
    "America/Kentucky",
    "America/North_Dakota",
    "Europe",
    "America",
)
ISSUE_11_KNOWN: tuple[tuple[tuple[Any, ...], ...], ...] = (
    (("prompt", "tz", False, "America/Indiana"),),
    (("prompt", "tz", True, "Europe/" + "x" * 300),),
    (("prompt", "time", False, "²"),),
    (("prompt", "quiet", False, "²-³"),),
    (("command", "pause", "²"),),
    (("press", "set:tz:America/Kentucky"),),
)


def _issue_11(step: tuple[Any, ...]) -> bool:
    text = str(step[-1])
    if any(char.isdigit() and not char.isascii() for char in text):
        return True
    if step[0] == "command":
        return False
    value = text.rsplit(":", 1)[-1] if step[0] == "press" else text
    folder = value.removesuffix(THEN).strip().replace(" ", "_").rstrip("/")
    return folder in ISSUE_11_FOLDERS or (step[0] == "prompt" and len(text) > 200 and "/" in text)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(script=st.lists(steps.filter(lambda step: not _issue_11(step)), min_size=1, max_size=6))
def test_no_typed_prompt_and_no_button_raises_and_every_press_is_answered(
    script: list[tuple[Any, ...]], mini_course: Course, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(_play(script, mini_course, caplog))


@pytest.mark.xfail(strict=True, reason="issue 11 fixes the parsers of typed settings; then delete this and _issue_11")
@pytest.mark.parametrize("script", ISSUE_11_KNOWN, ids=[repr(script[-1])[:40] for script in ISSUE_11_KNOWN])
def test_the_typed_settings_issue_11_is_fixing_still_raise(
    script: tuple[tuple[Any, ...], ...], mini_course: Course, caplog: pytest.LogCaptureFixture
) -> None:
    assert _issue_11(script[-1])
    asyncio.run(_play(list(script), mini_course, caplog))


async def _play(script: list[tuple[Any, ...]], course: Course, caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    state = BotAPIState()
    with tempfile.TemporaryDirectory() as folder:
        async with await Store.open(Path(folder) / "every-input.sqlite3") as store:
            clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
            chat = CourseChat(course, store, clock, secret=SECRET, admins=frozenset({LEARNER}))
            app = build_application(chat, "123:EVERY", request=StandinRequest(state), rate_limiter=False)
            async with app:
                player = _Player(app, state, store)
                for step in ("/start", ("set:region:uk!",), ("set:tz:Europe/London!",), "/next", "/next"):
                    await (player.press(step[0]) if isinstance(step, tuple) else player.say(step))
                for step in script:
                    with caplog.at_level(logging.ERROR):
                        await player.play(step)
                    failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
                    assert not failures, f"{step!r:.200} raised: {failures[0].exc_info}"


class _Player:
    def __init__(self, app: Any, state: BotAPIState, store: Store) -> None:
        self.app = app
        self.state = state
        self.store = store

    async def play(self, step: tuple[Any, ...]) -> None:
        kind = step[0]
        if kind == "prompt":
            _, what, then, text = step
            await self.press(buttons.encode(buttons.Setting("type", what + (THEN if then else ""))))
            await self.say(text)
        elif kind == "name":
            await self.store.learners.set_awaiting(LEARNER, NAME_PROMPT)
            await self.say(step[1])
        elif kind == "command":
            await self.say(f"/{step[1]} {step[2]}".rstrip())
        else:
            await self.press(step[1])

    async def say(self, text: str) -> None:
        if not text.strip():
            return  # Telegram delivers no empty message
        await self._feed(message_update(LEARNER, text))

    async def press(self, data: str) -> None:
        message = self.state.sent_messages(LEARNER)[-1].result["message_id"] if self.state.sent_messages(LEARNER) else 1
        update = callback_update(LEARNER, data, message_id=message)
        await self._feed(update)
        query_id = update["callback_query"]["id"]
        answered = [
            call
            for call in self.state.calls_of("answerCallbackQuery")
            if call.params.get("callback_query_id") == query_id
        ]
        assert answered, f"the press {data!r} was never answered"

    async def _feed(self, update: dict[str, Any]) -> None:
        self.state.observe_update(update)
        await self.app.process_update(Update.de_json(update, self.app.bot))
