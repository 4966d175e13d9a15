"""The Telegram adapter: the real PTB Application, fed updates with process_update.

Only the HTTP edge is replaced, by the in-process Bot API stand-in, which records every call.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.content import Course
from bot.conversation import texts
from bot.conversation.chat import CourseChat
from bot.core import buttons, options
from bot.store import Store
from bot.telegram.app import CourseApplication, announce_commands, build_application
from tests.conftest import FakeClock
from tests.standin import (
    BotAPIState,
    Call,
    StandinRequest,
    callback_update,
    edited_message_update,
    message_update,
    photo_update,
    sticker_update,
    voice_update,
)

TOKEN = "123456:TEST-token-never-logged"
ANNA = 5001


@pytest.fixture
def state() -> BotAPIState:
    return BotAPIState()


@pytest.fixture
async def app(
    state: BotAPIState, mini_course: Course, store: Store, clock: FakeClock
) -> AsyncIterator[CourseApplication]:
    application = build_application(
        CourseChat(mini_course, store, clock),
        TOKEN,
        request=StandinRequest(state),
        updates_request=StandinRequest(state),
    )
    async with application:
        yield application


async def feed(app: CourseApplication, update: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(update, app.bot))


async def say(app: CourseApplication, text: str, user_id: int = ANNA, **kwargs: Any) -> None:
    await feed(app, message_update(user_id, text, **kwargs))


async def press(app: CourseApplication, state: BotAPIState, data: str, message: Call, user_id: int = ANNA) -> None:
    update = callback_update(
        user_id, data, message_id=message.result["message_id"], message_text=message.result["text"]
    )
    state.observe_update(update)
    await feed(app, update)


def sent_since(state: BotAPIState, mark: int) -> list[Call]:
    return [call for call in state.calls[mark:] if call.method == "sendMessage"]


def keyboard(call: Call) -> list[list[dict[str, str]]]:
    markup = call.params.get("reply_markup")
    assert isinstance(markup, dict)
    rows: list[list[dict[str, str]]] = markup["inline_keyboard"]
    return rows


async def test_start_enrols_and_sends_the_welcome_and_privacy_note(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await say(app, "/start")

    [welcome] = state.sent_messages(ANNA)
    assert "Where are you?" in (welcome.text or "")
    assert "You are enrolled" in (welcome.text or "")
    assert "do not type any names" in (welcome.text or "")
    assert welcome.params["parse_mode"] == "HTML"
    assert keyboard(welcome)[-1] == [{"text": "Skip, I'll use /next", "callback_data": "set:skip:"}]
    assert await store.learners.learner(ANNA) is not None


async def test_every_text_sent_or_edited_is_html_without_a_link_preview(
    app: CourseApplication, state: BotAPIState
) -> None:
    """Each call names its parse mode and turns previews off itself (the Application has no Defaults)."""
    await say(app, "/start")
    await say(app, "/next")
    await say(app, "/next")
    question = state.sent_messages(ANNA)[-1]
    await press(app, state, keyboard(question)[0][0]["callback_data"], question)
    await say(app, "what are the indicators of labor trafficking?")
    await say(app, "/whatever")

    texts_out = [call for call in state.calls if call.method in ("sendMessage", "editMessageText")]
    assert {call.method for call in texts_out} == {"sendMessage", "editMessageText"}
    for call in texts_out:
        assert call.params["parse_mode"] == "HTML", call.method
        assert call.params["link_preview_options"] == {"is_disabled": True}, call.method


async def test_next_then_an_answer_press_records_it_edits_the_question_and_explains(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await say(app, "/start")
    await say(app, "/next")
    await say(app, "/next")
    question = state.sent_messages(ANNA)[-1]
    assert "First question" in (question.text or "")
    assert [button["text"] for button in keyboard(question)[0]] == ["A", "B", "C"]
    mark = len(state.calls)
    best = next(button for button in keyboard(question)[0] if button["callback_data"] == "a:one-question-a:1")

    await press(app, state, best["callback_data"], question)

    [answered] = state.calls_of("answerCallbackQuery")
    assert answered.params.get("text") == "Correct"
    [edit] = state.calls_of("editMessageText")
    assert (edit.text or "").endswith(f"Your answer: {best['text']}")
    assert "reply_markup" not in edit.params or keyboard(edit) == []
    [feedback] = sent_since(state, mark)
    assert (feedback.text or "").startswith(f"✅ <b>{best['text']} is the best answer.</b>")
    assert [button["text"] for button in keyboard(feedback)[0]] == ["Next ▶", "Why not the others ▸"]
    assert (await store.progress.record(ANNA)).answers["one-question-a"].correct


async def test_a_double_tap_counts_once_and_sends_nothing_more(app: CourseApplication, state: BotAPIState) -> None:
    await say(app, "/start")
    await say(app, "/next")
    await say(app, "/next")
    question = state.sent_messages(ANNA)[-1]
    await press(app, state, buttons.encode(buttons.Answer("one-question-a", 0)), question)
    mark = len(state.calls)

    await press(app, state, buttons.encode(buttons.Answer("one-question-a", 1)), question)

    assert sent_since(state, mark) == []
    first = options.shown_order(ANNA, "one-question-a", options.FIRST_SHOWING, 3)
    assert state.calls_of("answerCallbackQuery")[-1].params["text"] == texts.notice_already_answered(
        options.letter_of(first, 0)
    )


@pytest.mark.parametrize("data", ["a:two-question-a:0", "a:one-question-a:7", "gibberish", "a:retired:1"])
async def test_forged_or_stale_button_data_gets_a_notice_and_changes_nothing(
    app: CourseApplication, state: BotAPIState, store: Store, data: str
) -> None:
    await say(app, "/start")
    welcome = state.sent_messages(ANNA)[0]
    mark = len(state.calls)

    await press(app, state, data, welcome)

    assert sent_since(state, mark) == []
    assert state.calls_of("answerCallbackQuery")[-1].params["text"] in {
        texts.NOTICE_STALE_BUTTON,
        texts.NOTICE_NOT_YOURS,
    }
    assert (await store.progress.record(ANNA)).answers == {}


async def test_a_button_from_before_a_restart_still_works(
    state: BotAPIState, mini_course: Course, store: Store, clock: FakeClock
) -> None:
    first = build_application(CourseChat(mini_course, store, clock), TOKEN, request=StandinRequest(state))
    async with first:
        await say(first, "/start")
        await say(first, "/next")
        await say(first, "/next")
    question = state.sent_messages(ANNA)[-1]

    second = build_application(CourseChat(mini_course, store, clock), TOKEN, request=StandinRequest(state))
    async with second:
        await press(second, state, buttons.encode(buttons.Answer("one-question-a", 1)), question)

    assert (await store.progress.record(ANNA)).answers["one-question-a"].option == 1


async def test_progress_shows_a_bar_per_module(app: CourseApplication, state: BotAPIState) -> None:
    await say(app, "/start")
    await say(app, "/next")
    await say(app, "/progress")

    text = state.sent_messages(ANNA)[-1].text or ""
    assert "<b>Your progress</b>" in text
    assert "▓▓▓░░░░░░░ 1/3" in text
    assert "none answered yet" in text


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (message_update(ANNA, "/frobnicate"), "I don't know the command /frobnicate"),
        (message_update(ANNA, "zzzz qqqq"), "I found nothing for that"),
        (message_update(ANNA, "look for alpha"), "Best matches"),
        (sticker_update(ANNA), "I can only read text"),
        (photo_update(ANNA), "I deleted that photo: this course never needs images of patients"),
        (voice_update(ANNA), "I deleted that voice message"),
        (edited_message_update(ANNA, "/next", message_id=77), "I don't act on edited messages"),
    ],
)
async def test_other_input_gets_a_short_clear_answer(
    app: CourseApplication, state: BotAPIState, update: dict[str, Any], expected: str
) -> None:
    await feed(app, update)

    [reply] = state.sent_messages(ANNA)
    assert expected in (reply.text or "")


async def test_in_a_group_the_bot_asks_for_a_private_chat_and_stores_nothing(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await say(app, "/start", chat_type="group")

    [reply] = state.sent_messages()
    assert "only in a private chat" in (reply.text or "")
    assert reply.chat_id != ANNA
    assert await store.learners.learner(ANNA) is None


async def test_the_command_menu_is_the_help_list(app: CourseApplication, state: BotAPIState) -> None:
    await announce_commands(app)

    [call] = state.calls_of("setMyCommands")
    assert call.params["commands"] == [{"command": name, "description": text} for name, text in texts.COMMANDS]


async def test_a_failure_is_logged_without_text_and_the_learner_gets_an_apology(
    app: CourseApplication, state: BotAPIState, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    await say(app, "/start")
    await store.close()  # the next command will fail inside the handler
    caplog.set_level(logging.DEBUG)

    await say(app, "/next")

    assert "Sorry, something went wrong" in (state.sent_messages(ANNA)[-1].text or "")
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors
    assert errors[0].exc_info is not None


async def test_no_log_line_holds_message_text_or_the_token(
    app: CourseApplication, state: BotAPIState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_words = "my patient Jane Doe born 1990-01-01"

    await say(app, "/start")
    await say(app, secret_words)
    await say(app, "/next")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Jane Doe" not in logged
    assert TOKEN not in logged
