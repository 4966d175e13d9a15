"""The Bot API's wire format as the stand-in speaks it: constants, a logged call, errors, and decoding
request parameters as Telegram does."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

JSONDict = dict[str, Any]
ChatKey = int | str
Listener = Callable[[], object]


BOT_USER_ID = 777000111
BOT_USERNAME = "coursebot_test_bot"
BOT_FIRST_NAME = "Coursebot"

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64

# Telegram's exact wording; bots commonly match on the "message is not modified" prefix.
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)

# Update types Telegram withholds unless they are listed in allowed_updates explicitly.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Methods subject to blocking and flood control: the ones that put a new message in a chat.
_SEND_METHODS = frozenset({"sendMessage", "sendDocument"})

_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_HTML_TAG_RE = re.compile(r"<(/?)([^\s>/]*)[^>]*>")
# MarkdownV2 characters that have no meaning where they stand and must always be escaped; the
# context-dependent ones (> | _ * ~ [ ]) are left alone to avoid rejecting valid markup.
_MDV2_ALWAYS_RESERVED = frozenset("#+-={}.!")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# Parameters that are strings in the Bot API. Form-encoded requests carry everything as text, so
# without this list a caption such as "42" or "[1/3] Intro" would be mistaken for JSON.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "secret_token",
        "callback_query_id",
        "description",
        "short_description",
        "title",
        "name",
        "language_code",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "inline_message_id",
        "action",
        "emoji",
        "query",
        "document",
        "photo",
        "sticker",
        "voice",
        "audio",
        "video",
        "animation",
        "thumbnail",
        "first_name",
        "last_name",
    }
)
# Parameters whose wire form is JSON even when it looks like a bare number or word.
_JSON_PARAMS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "user_id",
        "message_id",
        "message_ids",
        "message_thread_id",
        "offset",
        "limit",
        "timeout",
        "allowed_updates",
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "protect_content",
        "disable_notification",
        "disable_web_page_preview",
        "show_alert",
        "cache_time",
        "drop_pending_updates",
        "max_connections",
        "reply_to_message_id",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "has_spoiler",
        "revoke_messages",
    }
)


_T = TypeVar("_T")


def _clone(value: _T) -> _T:
    """A private copy of plain JSON data (a JSON round trip: several times faster than deepcopy)."""
    copied: _T = json.loads(json.dumps(value))
    return copied


def bot_user() -> JSONDict:
    """The ``getMe`` answer: the full User object of the simulated bot."""
    return {
        "id": BOT_USER_ID,
        "is_bot": True,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def bot_sender() -> JSONDict:
    """The bot as it appears in a message's ``from`` field (Telegram omits the capability flags)."""
    return {"id": BOT_USER_ID, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME}


@dataclass(frozen=True)
class UploadedFile:
    """A file that arrived as a multipart part rather than as a file_id or URL."""

    filename: str
    mime_type: str
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class Call:
    """One request the simulated API received, successful or not.

    ``params`` are decoded (JSON strings turned into Python values, uploads into
    :class:`UploadedFile`), so tests can compare them with plain literals.
    """

    method: str
    params: dict[str, object]
    at: float
    ok: bool = True
    error_code: int | None = None
    description: str | None = None
    result: Any = field(default=None, repr=False, compare=False)

    @property
    def chat_id(self) -> ChatKey | None:
        value = self.params.get("chat_id")
        try:
            return None if value is None else _chat_key(value)
        except APIError:
            # The log keeps malformed requests too; they simply belong to no chat.
            return None

    @property
    def text(self) -> str | None:
        value = self.params.get("text", self.params.get("caption"))
        return None if value is None else str(value)


class APIError(Exception):
    """A Bot API error answer; raised inside method implementations and turned into a response."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class _Failure:
    method: str
    chat_id: ChatKey | None
    error: APIError
    remaining: int


@dataclass
class _Stored:
    message: JSONDict
    by_bot: bool
    # Raw text/formatting/markup as last set, to decide "message is not modified" like Telegram.
    content: tuple[str, str | None, str]
    markup: str


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def decode_params(params: Mapping[str, object]) -> JSONDict:
    """Turn wire-form parameters (everything a string) back into the values the client meant.

    Values that are already Python objects pass through, so the same function serves form data,
    JSON bodies, query strings and the in-process transport.
    """
    return {key: _decode_value(key, value) for key, value in params.items()}


def _decode_value(key: str, value: object) -> object:
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    stripped = value.strip()
    if key in _JSON_PARAMS:
        if stripped in ("True", "False"):
            # Some hand-written clients send Python's str(bool).
            return stripped == "True"
        return _try_json(stripped, value)
    if stripped[:1] in ("{", "[") or stripped in ("true", "false"):
        return _try_json(stripped, value)
    return value


def _try_json(text: str, fallback: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        # A chat_id like "@channel" is legitimately not JSON.
        return fallback


def _chat_key(value: object) -> ChatKey:
    if isinstance(value, bool):
        raise APIError(400, "Bad Request: chat not found")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return value.strip()
    raise APIError(400, "Bad Request: chat not found")


def _optional_int(value: object, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise APIError(400, f"Bad Request: invalid {name} specified")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise APIError(400, f"Bad Request: invalid {name} specified")


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)


def _utf8_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _parse_error(detail: str) -> APIError:
    return APIError(400, f"Bad Request: can't parse entities: {detail}")


def _update_type(update: Mapping[str, object]) -> str | None:
    return next((key for key in update if key != "update_id"), None)
