"""Every input answered, none raising: a property-based test (hypothesis; derandomized in CI, see conftest) that
drives the real Application through every typed prompt, every command and every family of button (of all three
codecs: `buttons`, `lookup_buttons`, `training_buttons`), with the button data built by their own encoders and
forged variants of it. No update may end in the error handler, every button press must be answered (or the
learner's phone spins), and nothing the bot sends breaks Telegram's limits on length.

The learner is enrolled, has a schedule, and has a lesson and a question in hand, so most paths are open.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.content import Course
from bot.conversation.certificate_chat import NAME_PROMPT, CertificateOptions
from bot.conversation.chat import CourseChat
from bot.conversation.schedule_texts import REGION_ZONES, THEN, TYPE_PROMPTS
from bot.core import buttons, checks, lookup_buttons, training_buttons
from bot.store import Store
from bot.telegram.app import build_application
from bot.telegram.splitting import CAPTION_LIMIT, TEXT_LIMIT
from tests.conftest import FakeClock
from tests.standin import BotAPIState, Call, StandinRequest, callback_update, message_update

LEARNER = 24680
SECRET = "every-input-secret-0123456789"
ANSWER_LIMIT = 200  # characters of a callback query's answer

# What people (and forgers) type where the bot asks for a setting, and as command arguments.
NASTY_TEXT = (
    "America/Indiana", "America/Argentina", "America/Kentucky", "America/North_Dakota", "Europe", "America/",
    "../../etc/passwd", "Europe/../UTC", "Etc/GMT-3", "UTC", "Kolkata", "z" * 300, "a/" * 150, "²", "²-³",
    "¹²:³⁴", "٣:٣٠", "07:30", "7pm", "25:00", "23:60", "-1", "0", "9" * 40, "every day", "weekdays", "Mon Tue",
    "mon,,tue", "22:00-06:30", "22:00–06:30", "\x00", "\u202e", "🙂", "", " ", "\n", "Jane Doe 1990-01-01",
)  # fmt: skip
PAUSE_ARGUMENTS = ("9999-12-31", "0001-01-01", "2026-02-30", "²", "0", "365", "366", "-5", "9" * 30, "until ³")
# Every command the chat knows (a test below keeps this in step with it), and one it does not.
COMMANDS = ("start", "next", "progress", "settings", "pause", "resume", "indicators", "document", "resources",
            "now", "respond", "privacy", "mydata", "forget", "hide", "certificate", "review", "check", "verify",
            "stats", "help", "nonsense")  # fmt: skip

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
regions = st.sampled_from((*buttons.REGION_CODES, "XX", ""))

# Every family of button, from the unions of each codec: a family added later is covered without a word here.
# Fields get values that open real paths (known ids, choices, phases), and others that do not.
CODECS: tuple[tuple[Any, Callable[[Any], str]], ...] = (
    (buttons.Action, buttons.encode),
    (lookup_buttons.LookupAction, lookup_buttons.encode),
    (training_buttons.TrainingAction, training_buttons.encode),
)
FAMILIES = [family for union, _ in CODECS for family in get_args(union)]
BY_FIELD: dict[str, st.SearchStrategy[Any]] = {
    "item_id": ids,
    "option": numbers,
    "send_id": numbers,
    "choice": st.sampled_from((*buttons.SNOOZE_CHOICES, "never")),
    "field": st.sampled_from(buttons.SETTING_FIELDS),
    "kind": st.sampled_from(buttons.LOOK_KINDS),
    "name": st.sampled_from((*buttons.MENU_NAMES, "secret")),
    "part": st.one_of(st.sampled_from(("", *lookup_buttons.NOW_PARTS)), regions.map(lambda code: f"hotline:{code}")),
    "index": st.one_of(st.text(alphabet="abcdef0123456789", min_size=4, max_size=4), st.text(max_size=5)),
    "banner": regions,
    "hits": st.lists(st.tuples(*[st.integers(0, 9999)] * 3), min_size=1, max_size=5).map(tuple),
    "open": st.integers(-1, 6),
    "phase": st.sampled_from((*checks.PHASES, "mid")),
    "scale": st.sampled_from((*{scale for scales in checks.SCALES.values() for scale in scales}, "x")),
}
FOR_FAMILY: dict[tuple[type, str], st.SearchStrategy[Any]] = {
    (buttons.Setting, "value"): setting_values,
    (buttons.Region, "code"): regions,
    (training_buttons.JoinCohort, "code"): st.one_of(st.just("WARD7"), st.text(max_size=20)),
    (training_buttons.Rate, "value"): st.integers(checks.RATING_MIN - 1, checks.RATING_MAX + 1),
}


def _family(family: type) -> st.SearchStrategy[Any]:
    hints = get_type_hints(family)
    chosen = {}
    for field in dataclasses.fields(family):
        if (family, field.name) in FOR_FAMILY:
            chosen[field.name] = FOR_FAMILY[(family, field.name)]
        elif field.name in BY_FIELD:
            chosen[field.name] = BY_FIELD[field.name]
        else:
            chosen[field.name] = st.from_type(hints[field.name])
    return st.builds(family, **chosen)


def _encode(action: Any) -> str | None:
    encode = next(encode for union, encode in CODECS if isinstance(action, get_args(union)))
    try:
        return encode(action)
    except ValueError:  # longer than Telegram allows: never sent as such
        return None


actions = st.one_of(*[_family(family) for family in FAMILIES])


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
    actions.map(_encode).filter(lambda data: data is not None),
    st.builds(
        _forge, actions.map(_encode).filter(lambda data: data is not None), st.integers(0, 4), st.text(max_size=8)
    ),
    st.text(max_size=70),
)
steps = st.one_of(
    st.tuples(st.just("prompt"), st.sampled_from(sorted(TYPE_PROMPTS)), st.booleans(), typed),
    st.tuples(st.just("name"), typed),
    st.tuples(st.just("confirm name"), st.booleans(), typed, button_data),
    st.tuples(st.just("text"), typed),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS), st.one_of(st.sampled_from(PAUSE_ARGUMENTS), typed)),
    st.tuples(st.just("press"), button_data),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(script=st.lists(steps, min_size=1, max_size=6))
def test_no_typed_prompt_and_no_button_raises_and_every_press_is_answered(
    script: list[tuple[Any, ...]], mini_course: Course, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(_play(script, mini_course, caplog))


def test_the_script_knows_every_command_and_every_family_of_button(course_chat: CourseChat) -> None:
    assert set(COMMANDS) == {*course_chat.command_names, "nonsense"}
    assert all(dataclasses.is_dataclass(family) for family in FAMILIES)
    assert len(FAMILIES) == len(set(FAMILIES)) >= 30


async def _play(script: list[tuple[Any, ...]], course: Course, caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    state = BotAPIState()
    with tempfile.TemporaryDirectory() as folder:
        async with await Store.open(Path(folder) / "every-input.sqlite3") as store:
            clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
            chat = CourseChat(
                course, store, clock, certificates=CertificateOptions(secret=SECRET), admins=frozenset({LEARNER})
            )
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
        elif kind == "confirm name":  # a name typed and shown back: what comes next may be anything
            await self.store.learners.set_awaiting(LEARNER, f"{NAME_PROMPT}=Dr A. Person")
            _, typing, text, data = step
            await (self.say(text) if typing else self.press(data))
        elif kind == "text":
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
        mark = len(self.state.calls)
        self.state.observe_update(update)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        for call in self.state.calls[mark:]:
            assert_within_telegrams_limits(call)


def _units(text: object) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(str(text or "").encode("utf-16-le")) // 2


def assert_within_telegrams_limits(call: Call) -> None:
    """What the bot asked of Telegram fits its limits: 4,096 for a text, 1,024 for a caption, 200 for a button's
    answer, 64 bytes of data for each button."""
    refusal = call.description or ""
    assert not any(reason in refusal for reason in ("too long", "TOO_LONG", "DATA_INVALID", "empty")), refusal
    shown = call.result if isinstance(call.result, dict) else {}
    if call.method in ("sendMessage", "editMessageText"):
        assert _units(shown.get("text")) <= TEXT_LIMIT
    if call.method == "sendDocument":
        assert _units(shown.get("caption")) <= CAPTION_LIMIT
    if call.method == "answerCallbackQuery":
        assert _units(call.params.get("text")) <= ANSWER_LIMIT
    markup = call.params.get("reply_markup")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    for row in rows:
        for button in row:
            assert 1 <= len(str(button.get("callback_data", "x")).encode()) <= buttons.MAX_CALLBACK_BYTES
