"""The stand-in over HTTP (aiohttp on loopback, port 0), and its flood limits, as PTB sees them."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from tests.standin import (
    BOT_USERNAME,
    BotAPIState,
    StandinRequest,
    StandinServer,
    UploadedFile,
    message_update,
)
from tests.test_standin_api.helpers import TOKEN, USER, EpochClock, keyboard, retry_after_seconds

# ---------------------------------------------------------------------- flood limits


@pytest.mark.asyncio
async def test_flood_limit_rejects_31st_message_in_a_second(
    bot: Bot, state: BotAPIState, api_clock: EpochClock
) -> None:
    state.enforce_limits(global_per_second=30, per_chat_interval=1.0)
    for chat in range(1, 31):
        await bot.send_message(chat, "broadcast")
        api_clock.advance(0.01)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(31, "one too many")
    assert retry_after_seconds(caught.value) >= 1
    assert state.rejected_429 == 1
    assert len(state.sent_messages()) == 30
    assert state.sent_messages(31) == []

    api_clock.advance(1.0)
    await bot.send_message(31, "later")
    assert len(state.sent_messages()) == 31


@pytest.mark.asyncio
async def test_flood_limit_per_chat_interval(bot: Bot, state: BotAPIState, api_clock: EpochClock) -> None:
    state.enforce_limits(global_per_second=30, per_chat_interval=1.0)
    await bot.send_message(USER, "first")
    api_clock.advance(0.5)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "second")
    assert retry_after_seconds(caught.value) == 1
    await bot.send_message(USER + 1, "other chats are fine")
    api_clock.advance(0.5)
    await bot.send_message(USER, "second, after waiting")
    assert [call.text for call in state.sent_messages(USER)] == ["first", "second, after waiting"]
    assert state.rejected_429 == 1


# ---------------------------------------------------------------------- HTTP transport


@pytest.mark.asyncio
async def test_http_get_me_send_and_get_updates(server: StandinServer) -> None:
    async with Bot(TOKEN, base_url=server.base_url) as bot:
        assert bot.username == BOT_USERNAME

        sent = await bot.send_message(USER, "[1/3] 42", reply_markup=keyboard("go"))
        assert sent.reply_markup == keyboard("go")
        call = server.state.sent_messages(USER)[0]
        # Form encoding turns everything into text; the stand-in must decode only non-strings.
        assert call.params["text"] == "[1/3] 42"
        assert call.params["chat_id"] == USER
        assert call.params["reply_markup"] == keyboard("go").to_dict()

        update_id = server.state.push_update(message_update(USER, "/start"))
        updates = await bot.get_updates(timeout=1)
        assert [update.update_id for update in updates] == [update_id]
        assert updates[0].message is not None
        assert updates[0].message.text == "/start"

        document = await bot.send_document(USER, b"x" * 2048, filename="notes.pdf")
        assert document.document is not None
        assert document.document.file_size == 2048
        upload = server.state.calls[-1].params["document"]
        assert isinstance(upload, UploadedFile)
        assert (upload.filename, upload.mime_type) == ("notes.pdf", "application/pdf")


@pytest.mark.asyncio
async def test_http_long_poll_returns_when_update_arrives(server: StandinServer) -> None:
    async with Bot(TOKEN, base_url=server.base_url) as bot:
        started = time.monotonic()
        poll = asyncio.create_task(bot.get_updates(timeout=10))
        await asyncio.sleep(0.3)
        assert not poll.done()
        server.state.push_update(message_update(USER, "hello"))
        updates = await asyncio.wait_for(poll, 5)
        elapsed = time.monotonic() - started
    assert len(updates) == 1
    assert 0.3 <= elapsed < 2.0


@pytest.mark.asyncio
async def test_http_long_poll_is_capped() -> None:
    async with StandinServer(token=TOKEN, long_poll_cap=0.5) as server, Bot(TOKEN, base_url=server.base_url) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=60) == ()
        assert 0.5 <= time.monotonic() - started < 2.0


@pytest.mark.asyncio
async def test_http_errors_map_to_ptb_exceptions(server: StandinServer) -> None:
    server.state.blocked_chats.add(USER)
    server.state.fail_next("sendMessage", chat_id=USER + 1, retry_after=3)
    async with Bot(TOKEN, base_url=server.base_url) as bot:
        with pytest.raises(Forbidden):
            await bot.send_message(USER, "hi")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(USER + 1, "hi")
        assert retry_after_seconds(caught.value) == 3
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=USER + 1, message_id=1)

    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=server.base_url):
            pass


@pytest.mark.asyncio
async def test_wait_for_call_sees_past_and_future_calls(server: StandinServer) -> None:
    server.state.handle("sendMessage", {"chat_id": 1, "text": "early"})
    assert (await server.wait_for_call("sendmessage", timeout=0.5)).text == "early"

    since = len(server.state.calls)

    async def later() -> None:
        await asyncio.sleep(0.1)
        server.state.handle("sendMessage", {"chat_id": 2, "text": "late"})

    task = asyncio.create_task(later())
    call = await server.wait_for_call("sendMessage", lambda c: c.chat_id == 2, timeout=2, since=since)
    await task
    assert call.text == "late"
    with pytest.raises(TimeoutError):
        await server.wait_for_call("deleteMessage", timeout=0.1)


@pytest.mark.asyncio
async def test_server_shares_state_with_in_process_transport(state: BotAPIState) -> None:
    async with StandinServer(token=TOKEN, state=state) as server:
        assert server.state is state
        async with Bot(TOKEN, base_url=server.base_url) as http_bot:
            await http_bot.send_message(USER, "over http")
        async with Bot(TOKEN, request=StandinRequest(state), get_updates_request=StandinRequest(state)) as bot:
            sent = await bot.send_message(USER, "in process")
    assert sent.message_id == 2
    assert [call.text for call in state.sent_messages(USER)] == ["over http", "in process"]
