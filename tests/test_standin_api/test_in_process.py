"""Tests for the Bot API stand-in: it must look like Telegram to python-telegram-bot.

Most tests drive the stand-in through PTB's real ``Bot``/``Application`` rather than calling
``BotAPIState`` directly, because what matters is that PTB parses our answers into the same
objects and exceptions it would get from Telegram.
"""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import Bot, ReplyKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter
from telegram.ext import Application, CallbackContext, CommandHandler

from tests.standin import (
    BOT_USER_ID,
    BOT_USERNAME,
    BotAPIState,
    StandinRequest,
    UploadedFile,
    callback_update,
    edited_message_update,
    message_update,
    photo_update,
    sticker_update,
    to_update,
    voice_update,
)
from tests.test_standin_api.helpers import TOKEN, USER, EpochClock, keyboard, retry_after_seconds

# ---------------------------------------------------------------------- in-process transport


@pytest.mark.asyncio
async def test_application_initializes_via_get_me(state: BotAPIState) -> None:
    app = (
        Application.builder()
        .token(TOKEN)
        .request(StandinRequest(state))
        .get_updates_request(StandinRequest(state))
        .build()
    )
    await app.initialize()
    try:
        assert app.bot.id == BOT_USER_ID
        assert app.bot.username == BOT_USERNAME
        assert app.bot.bot.can_join_groups is True
        assert [call.method for call in state.calls] == ["getMe"]
    finally:
        await app.shutdown()


@pytest.mark.asyncio
async def test_send_message_is_logged_with_markup(bot: Bot, state: BotAPIState, api_clock: EpochClock) -> None:
    sent = await bot.send_message(USER, "Lesson 1", reply_markup=keyboard("next"), protect_content=True)

    assert sent.message_id == 1
    assert sent.chat.id == USER
    assert sent.chat.type == "private"
    assert sent.from_user is not None
    assert sent.from_user.id == BOT_USER_ID
    assert sent.date == dtm.datetime.fromtimestamp(int(api_clock.now), tz=dtm.UTC)
    assert sent.has_protected_content is True
    assert sent.reply_markup == keyboard("next")

    (call,) = state.sent_messages(USER)
    assert call.method == "sendMessage"
    assert call.text == "Lesson 1"
    assert call.chat_id == USER
    assert call.params["protect_content"] is True
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "NEXT", "callback_data": "next"}]]}


@pytest.mark.asyncio
async def test_message_ids_increase_per_chat(bot: Bot) -> None:
    first = await bot.send_message(1, "a")
    second = await bot.send_message(1, "b")
    other = await bot.send_message(2, "c")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)


@pytest.mark.asyncio
async def test_reply_keyboard_is_logged_but_not_echoed(bot: Bot, state: BotAPIState) -> None:
    # Telegram only returns inline keyboards inside the Message; PTB would choke on others.
    sent = await bot.send_message(USER, "Pick", reply_markup=ReplyKeyboardMarkup([["Yes", "No"]]))
    assert sent.reply_markup is None
    assert state.sent_messages()[0].params["reply_markup"]["keyboard"] == [  # type: ignore[index]
        [{"text": "Yes"}, {"text": "No"}]
    ]


@pytest.mark.asyncio
async def test_edit_message_text_errors_like_telegram(bot: Bot, state: BotAPIState) -> None:
    sent = await bot.send_message(USER, "Question", reply_markup=keyboard("a", "b"))

    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Question", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard("a", "b")
        )

    # Dropping the keyboard is a change, even with the same text.
    edited = await bot.edit_message_text("Question", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, type(sent))
    assert edited.reply_markup is None
    assert edited.edit_date is not None

    edited = await bot.edit_message_text("Answered", chat_id=USER, message_id=sent.message_id)
    assert edited.text == "Answered"  # type: ignore[union-attr]
    assert state.message(USER, sent.message_id)["text"] == "Answered"  # type: ignore[index]

    failed = [call for call in state.calls_of("editMessageText") if not call.ok]
    assert [call.error_code for call in failed] == [400, 400]


@pytest.mark.asyncio
async def test_edit_reply_markup_and_delete(bot: Bot, state: BotAPIState) -> None:
    sent = await bot.send_message(USER, "Q", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard("a"))
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard("b"))
    assert state.message(USER, sent.message_id)["reply_markup"] == keyboard("b").to_dict()  # type: ignore[index]

    assert await bot.delete_message(USER, sent.message_id) is True
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, sent.message_id)


@pytest.mark.asyncio
async def test_fail_next_429_surfaces_as_retry_after(bot: Bot, state: BotAPIState) -> None:
    state.fail_next("sendmessage", retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hello")
    assert retry_after_seconds(caught.value) == 7

    # The failure was used up; the retry goes through and only it counts as delivered.
    await bot.send_message(USER, "hello")
    assert [call.ok for call in state.calls_of("sendMessage")] == [False, True]
    assert len(state.sent_messages(USER)) == 1


@pytest.mark.asyncio
async def test_fail_next_can_target_one_chat_and_other_codes(bot: Bot, state: BotAPIState) -> None:
    state.fail_next("sendMessage", chat_id=2, error_code=400, description="Bad Request: chat not found", times=2)
    await bot.send_message(1, "unaffected")
    for _ in range(2):
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(2, "x")
    await bot.send_message(2, "works again")
    assert [call.chat_id for call in state.sent_messages()] == [1, 2]


@pytest.mark.asyncio
async def test_blocked_chat_raises_forbidden(bot: Bot, state: BotAPIState) -> None:
    state.blocked_chats.add(USER)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER, "hello")
    with pytest.raises(Forbidden):
        await bot.send_document(USER, b"data", filename="notes.txt")
    assert state.sent_messages() == []


@pytest.mark.asyncio
async def test_send_document_records_upload(bot: Bot, state: BotAPIState) -> None:
    sent = await bot.send_document(USER, b"a,b\n1,2\n", filename="progress.csv", caption="Your progress")
    assert sent.document is not None
    assert sent.document.file_name == "progress.csv"
    assert sent.document.file_size == 8
    assert sent.caption == "Your progress"

    upload = state.sent_messages(USER)[0].params["document"]
    assert isinstance(upload, UploadedFile)
    assert (upload.filename, upload.size, upload.content) == ("progress.csv", 8, b"a,b\n1,2\n")


@pytest.mark.asyncio
async def test_formatting_errors_like_telegram(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "<b>unclosed", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)unclosed start tag"):
        await bot.send_message(USER, "1 <3 you", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Unsupported start tag"):
        await bot.send_message(USER, "<div>block</div>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)character '\.' is reserved"):
        await bot.send_message(USER, "Lesson 1.", parse_mode=ParseMode.MARKDOWN_V2)

    sent = await bot.send_message(USER, "<b>Bold</b> &amp; done", parse_mode=ParseMode.HTML)
    assert sent.text == "Bold & done"
    await bot.send_message(USER, r"*Lesson 1\.* `a.b` [link](https://example.org/a-b)", parse_mode="MarkdownV2")


@pytest.mark.asyncio
async def test_oversized_callback_data_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=keyboard("y" * 65))


@pytest.mark.asyncio
async def test_commands_and_webhook_bookkeeping(bot: Bot, state: BotAPIState) -> None:
    assert await bot.set_my_commands([("start", "Begin the course"), ("help", "Get help")])
    assert [command.command for command in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Start", "uppercase is not allowed")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    assert await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.org/hook"
    assert state.webhook_secret_token == "s3cret"
    with pytest.raises(Conflict):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.answer_callback_query("12345", text="Saved")
    assert await bot.close()
    assert await bot.log_out()


def test_missing_params_and_unknown_method(state: BotAPIState) -> None:
    assert state.handle("sendMessage", {"text": "hi"})[0] == 400
    status, body = state.handle("sendMessage", {"chat_id": "1"})
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = state.handle("fooBar", {})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    # Method names are case-insensitive and logged in canonical form.
    assert state.handle("GETME", {})[0] == 200
    assert state.calls[-1].method == "getMe"


def test_params_are_decoded_from_wire_form(state: BotAPIState) -> None:
    status, body = state.handle(
        "sendMessage",
        {
            "chat_id": "42",
            "text": "123",
            "protect_content": "true",
            "reply_markup": '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}',
        },
    )
    assert status == 200
    params = state.calls[-1].params
    assert params == {
        "chat_id": 42,
        "text": "123",
        "protect_content": True,
        "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    }
    assert body["result"]["text"] == "123"


def test_get_updates_offset_semantics(state: BotAPIState) -> None:
    ids = [state.push_update(message_update(USER, f"m{i}")) for i in range(4)]

    def fetch(**params: object) -> list[int]:
        status, body = state.handle("getUpdates", params)
        assert status == 200
        return [update["update_id"] for update in body["result"]]

    assert fetch() == ids
    assert fetch(limit=2) == ids[:2]
    assert fetch(offset=ids[1] + 1) == ids[2:]  # confirms the first two
    assert fetch() == ids[2:]
    assert fetch(offset=-1) == ids[3:]  # negative offsets forget all but the last N
    assert state.pending_update_count == 1


def test_allowed_updates_filter(state: BotAPIState) -> None:
    state.push_update(message_update(USER, "hi"))
    state.push_update(callback_update(USER, "a", message_id=5))
    _, body = state.handle("getUpdates", {"allowed_updates": '["callback_query"]'})
    assert [list(update)[1] for update in body["result"]] == ["callback_query"]


def test_update_builders_parse_in_ptb() -> None:
    command = to_update(message_update(USER, "/start@coursebot_test_bot deep"), None)
    assert command.message is not None
    assert command.message.parse_entity(command.message.entities[0]) == "/start@coursebot_test_bot"

    query = to_update(callback_update(USER, "answer:1", message_id=7, message_text="Q1"), None)
    assert query.callback_query is not None
    assert query.callback_query.data == "answer:1"
    assert query.callback_query.message is not None
    assert query.callback_query.message.message_id == 7
    assert query.callback_query.from_user.id == USER

    edited = to_update(edited_message_update(USER, "fixed", message_id=3), None)
    assert edited.edited_message is not None
    assert edited.edited_message.edit_date is not None
    sticker = to_update(sticker_update(USER), None)
    assert sticker.effective_message is not None
    assert sticker.effective_message.sticker is not None
    photo = to_update(photo_update(USER, caption="x"), None)
    assert photo.effective_message is not None
    assert len(photo.effective_message.photo) == 3
    voice = to_update(voice_update(USER, duration=5), None)
    assert voice.effective_message is not None
    assert voice.effective_message.voice is not None
    group = to_update(message_update(USER, "hi", chat_type="supergroup"), None)
    assert group.effective_chat is not None
    assert group.effective_chat.id < 0


@pytest.mark.asyncio
async def test_bot_can_edit_message_a_pushed_callback_came_from(bot: Bot, state: BotAPIState) -> None:
    state.push_update(callback_update(USER, "a", message_id=5, message_text="Question"))
    edited = await bot.edit_message_text("Answered", chat_id=USER, message_id=5)
    assert edited.text == "Answered"  # type: ignore[union-attr]
    # The user's own messages are not editable by the bot.
    state.push_update(message_update(USER, "mine", message_id=6))
    with pytest.raises(BadRequest, match=r"(?i)can't be edited"):
        await bot.edit_message_text("hijack", chat_id=USER, message_id=6)


@pytest.mark.asyncio
async def test_polling_application_answers_commands(state: BotAPIState) -> None:
    async def start(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
        assert update.effective_message is not None
        await update.effective_message.reply_text("Welcome!")

    app = (
        Application.builder()
        .token(TOKEN)
        .request(StandinRequest(state))
        .get_updates_request(StandinRequest(state, long_poll_cap=0.5))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=10)
        try:
            state.push_update(message_update(USER, "/start"))
            reply = await state.wait_for_call("sendMessage", timeout=5)
        finally:
            await app.updater.stop()
            await app.stop()
    assert reply.text == "Welcome!"
    assert reply.chat_id == USER
    assert state.pending_update_count == 0  # PTB confirmed the update on shutdown
