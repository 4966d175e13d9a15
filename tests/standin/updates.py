"""Builders for Bot API update dicts, shaped like what Telegram really sends.

The dicts are JSON-ready, so the same object can be pushed into :class:`BotAPIState`, served over
HTTP, or turned into a :class:`telegram.Update` with :func:`to_update` for direct dispatch.
Details that handlers depend on are reproduced on purpose, e.g. the ``bot_command`` entity that
``CommandHandler`` requires and the bot-authored message attached to a callback query.
"""

from __future__ import annotations

import itertools
import time
import uuid
from typing import TYPE_CHECKING, Any

from telegram import Update

from tests.standin.wire import bot_sender

if TYPE_CHECKING:
    from telegram import Bot

JSONDict = dict[str, Any]

# Module-wide counters keep ids unique across builders within a test run; BotAPIState.push_update
# replaces update_id with its own sequence anyway.
_update_ids = itertools.count(1)
# Start well above what BotAPIState hands out for bot messages, so ids in a test stay distinct.
_message_ids = itertools.count(1000)
_file_serial = itertools.count(1)


def _now(date: int | None) -> int:
    return int(time.time()) if date is None else date


def _user(user_id: int, first_name: str) -> JSONDict:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def _chat(user_id: int, chat_id: int | None, chat_type: str, first_name: str) -> JSONDict:
    if chat_type == "private":
        return {"id": user_id if chat_id is None else chat_id, "type": "private", "first_name": first_name}
    default_id = -1001000000000 - user_id if chat_type in ("supergroup", "channel") else -user_id
    return {"id": default_id if chat_id is None else chat_id, "type": chat_type, "title": "Test group"}


def _utf16_len(text: str) -> int:
    # Entity offsets and lengths are measured in UTF-16 code units by the Bot API.
    return len(text.encode("utf-16-le")) // 2


def _file_ids(prefix: str) -> tuple[str, str]:
    serial = next(_file_serial)
    return f"{prefix}{uuid.uuid4().hex}", f"AgAD{serial:08d}"


def _message(
    user_id: int,
    *,
    chat_id: int | None,
    chat_type: str,
    first_name: str,
    message_id: int | None,
    date: int | None,
) -> JSONDict:
    return {
        "message_id": next(_message_ids) if message_id is None else message_id,
        "from": _user(user_id, first_name),
        "chat": _chat(user_id, chat_id, chat_type, first_name),
        "date": _now(date),
    }


def _wrap(kind: str, payload: JSONDict) -> JSONDict:
    return {"update_id": next(_update_ids), kind: payload}


def command_entities(text: str) -> list[JSONDict]:
    """The entities Telegram attaches to ``text``: a bot_command for a leading ``/word``."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]


def message_update(
    user_id: int,
    text: str,
    *,
    chat_id: int | None = None,
    chat_type: str = "private",
    first_name: str = "Test",
    message_id: int | None = None,
    date: int | None = None,
) -> JSONDict:
    """A user's text message; ``/cmd args`` gets the bot_command entity CommandHandler needs."""
    message = _message(
        user_id, chat_id=chat_id, chat_type=chat_type, first_name=first_name, message_id=message_id, date=date
    )
    message["text"] = text
    if entities := command_entities(text):
        message["entities"] = entities
    return _wrap("message", message)


def edited_message_update(
    user_id: int,
    text: str,
    *,
    message_id: int,
    chat_id: int | None = None,
    chat_type: str = "private",
    first_name: str = "Test",
    date: int | None = None,
    edit_date: int | None = None,
) -> JSONDict:
    """A user editing an earlier text message (``message_id`` is the edited one)."""
    message = _message(
        user_id, chat_id=chat_id, chat_type=chat_type, first_name=first_name, message_id=message_id, date=date
    )
    message["text"] = text
    # Telegram sends the original date and a later edit_date; keep them ordered.
    message["edit_date"] = max(_now(edit_date), message["date"])
    if entities := command_entities(text):
        message["entities"] = entities
    return _wrap("edited_message", message)


def callback_update(
    user_id: int,
    data: str,
    *,
    message_id: int,
    chat_id: int | None = None,
    message_text: str = "...",
    reply_markup: JSONDict | None = None,
    first_name: str = "Test",
    date: int | None = None,
) -> JSONDict:
    """A button press on the bot's message ``message_id``.

    The attached message is authored by the bot and, unless ``reply_markup`` is given, carries a
    one-button keyboard with ``data`` - a callback can only come from such a button.
    """
    chat = _chat(user_id, chat_id, "private", first_name)
    markup = (
        reply_markup if reply_markup is not None else {"inline_keyboard": [[{"text": data, "callback_data": data}]]}
    )
    message = {
        "message_id": message_id,
        "from": bot_sender(),
        "chat": chat,
        "date": _now(date),
        "text": message_text,
        "reply_markup": markup,
    }
    query = {
        "id": str(uuid.uuid4().int >> 64),
        "from": _user(user_id, first_name),
        "message": message,
        # Stable per chat, as Telegram's is; hash() would change with PYTHONHASHSEED.
        "chat_instance": str(uuid.uuid5(uuid.NAMESPACE_OID, str(chat["id"])).int >> 65),
        "data": data,
    }
    return _wrap("callback_query", query)


def sticker_update(
    user_id: int,
    *,
    emoji: str = "👍",
    chat_id: int | None = None,
    first_name: str = "Test",
    message_id: int | None = None,
    date: int | None = None,
) -> JSONDict:
    """A user sending a regular static sticker."""
    message = _message(
        user_id, chat_id=chat_id, chat_type="private", first_name=first_name, message_id=message_id, date=date
    )
    file_id, unique_id = _file_ids("CAACAgIAAxkBAAI")
    message["sticker"] = {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
        "file_size": 23456,
    }
    return _wrap("message", message)


def photo_update(
    user_id: int,
    *,
    caption: str | None = None,
    chat_id: int | None = None,
    first_name: str = "Test",
    message_id: int | None = None,
    date: int | None = None,
) -> JSONDict:
    """A user sending a photo; Telegram delivers several sizes, smallest first."""
    message = _message(
        user_id, chat_id=chat_id, chat_type="private", first_name=first_name, message_id=message_id, date=date
    )
    sizes = []
    for width, height, size in ((90, 67, 1234), (320, 240, 15678), (1280, 960, 123456)):
        file_id, unique_id = _file_ids("AgACAgIAAxkBAAI")
        sizes.append(
            {"file_id": file_id, "file_unique_id": unique_id, "width": width, "height": height, "file_size": size}
        )
    message["photo"] = sizes
    if caption is not None:
        message["caption"] = caption
    return _wrap("message", message)


def voice_update(
    user_id: int,
    *,
    duration: int = 3,
    chat_id: int | None = None,
    first_name: str = "Test",
    message_id: int | None = None,
    date: int | None = None,
) -> JSONDict:
    """A user sending a voice note."""
    message = _message(
        user_id, chat_id=chat_id, chat_type="private", first_name=first_name, message_id=message_id, date=date
    )
    file_id, unique_id = _file_ids("AwACAgIAAxkBAAI")
    message["voice"] = {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": 4000 * duration,
    }
    return _wrap("message", message)


def to_update(data: JSONDict, bot: Bot | None) -> Update:
    """Deserialize a builder's dict the way PTB deserializes getUpdates results."""
    return Update.de_json(dict(data), bot)
