"""In-memory simulation of the parts of the Telegram Bot API that coursebot uses.

Nothing in this module touches the network. :class:`BotAPIState` takes a method name and its
parameters and answers with the HTTP status and JSON body Telegram would send. Both transports
of this package (the in-process :class:`~tests.standin.request.StandinRequest` and the aiohttp
:class:`~tests.standin.server.StandinServer`) feed the same state, so a behaviour verified over
one of them holds over the other.

The simulation deliberately reproduces the failure modes that bite bots in production (edit of
an unchanged message, unescaped HTML/MarkdownV2, over-long callback data, flood limits, users who
blocked the bot), because a stand-in that accepts everything would let those bugs through.
"""

from __future__ import annotations

import asyncio
import html
import json
import math
import re
import threading
import time
import uuid
from collections import deque
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


def _visible_html(text: str) -> str:
    """Validate Telegram-flavoured HTML the way Telegram does and return the text users see."""
    stack: list[str] = []
    visible: list[str] = []
    pos = 0
    while (lt := text.find("<", pos)) >= 0:
        visible.append(text[pos:lt])
        match = _HTML_TAG_RE.match(text, lt)
        if match is None:
            raise _parse_error(f"Unclosed start tag at byte offset {_utf8_offset(text, lt)}")
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            if name not in _HTML_TAGS:
                raise _parse_error(f'Unsupported start tag "{name}" at byte offset {_utf8_offset(text, lt)}')
            stack.append(name)
        elif not stack or stack[-1] != name:
            raise _parse_error(f"Unexpected end tag at byte offset {_utf8_offset(text, lt)}")
        else:
            stack.pop()
        pos = match.end()
    visible.append(text[pos:])
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return html.unescape("".join(visible))


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _check_markdown_v2(text: str) -> None:
    """Reject the MarkdownV2 mistakes Telegram rejects most often: unescaped reserved characters."""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = _find_unescaped(text, fence, i + len(fence))
            if end < 0:
                raise _parse_error(f"Can't find end of Pre entity at byte offset {_utf8_offset(text, i)}")
            i = end + len(fence)
            continue
        if char == "]" and text.startswith("(", i + 1):
            end = _find_unescaped(text, ")", i + 2)
            if end < 0:
                raise _parse_error(f"Can't find end of a URL at byte offset {_utf8_offset(text, i)}")
            i = end + 1
            continue
        if char == "!" and text.startswith("[", i + 1):
            # "![emoji](tg://emoji?id=...)" is the custom-emoji syntax, not a stray "!".
            i += 1
            continue
        if char in _MDV2_ALWAYS_RESERVED:
            raise _parse_error(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
        i += 1


def _rendered_text(text: str, parse_mode: object, *, limit: int, what: str) -> str:
    """Check formatted text as Telegram would and return the plain text stored in the Message."""
    mode = str(parse_mode).lower() if parse_mode else ""
    if mode == "html":
        visible = _visible_html(text)
    else:
        if mode == "markdownv2":
            _check_markdown_v2(text)
        visible = text
    if not visible.strip():
        raise APIError(400, f"Bad Request: {what} is empty")
    if len(visible) > limit:
        raise APIError(400, f"Bad Request: {what} is too long")
    return visible


def _validate_markup(markup: object) -> JSONDict | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise APIError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise APIError(400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise APIError(400, "Bad Request: can't parse inline keyboard button: Text must be non-empty")
            if len(button) < 2:
                raise APIError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                raise APIError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _update_type(update: Mapping[str, object]) -> str | None:
    return next((key for key in update if key != "update_id"), None)


class BotAPIState:
    """The simulated Bot API: a call log, stored messages, an update queue and failure knobs.

    All public methods are thread-safe, because a benchmark may drive an HTTP server in one
    thread while pushing updates from another.
    """

    def __init__(self, *, clock: Callable[[], float] = time.time, first_update_id: int = 1) -> None:
        self.clock = clock
        self.calls: list[Call] = []
        self.blocked_chats: set[int] = set()
        self.rejected_429 = 0
        self.webhook_url = ""
        self.webhook_secret_token: str | None = None
        self.webhook_allowed_updates: list[str] | None = None
        self.webhook_max_connections: int | None = None
        self.allowed_updates: list[str] | None = None
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.answered_callback_queries: dict[str, JSONDict] = {}

        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._updates: deque[JSONDict] = deque()
        self._next_update_id = first_update_id
        self._next_message_id: dict[ChatKey, int] = {}
        self._messages: dict[tuple[ChatKey, int], _Stored] = {}
        self._chats: dict[ChatKey, JSONDict] = {}
        self._failures: list[_Failure] = []

        self._global_per_second: int | None = None
        self._per_chat_interval: float | None = None
        self._recent_sends: deque[float] = deque()
        self._last_send_by_chat: dict[ChatKey, float] = {}

        self._methods: dict[str, tuple[str, Callable[[JSONDict, float], object]]] = {
            name.lower(): (name, impl)
            for name, impl in (
                ("getMe", self._get_me),
                ("getUpdates", self._get_updates),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("sendMessage", self._send_message),
                ("sendDocument", self._send_document),
                ("sendChatAction", self._send_chat_action),
                ("editMessageText", self._edit_message_text),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("deleteMessages", self._delete_messages),
                ("answerCallbackQuery", self._answer_callback_query),
                ("close", self._true),
                ("logOut", self._true),
            )
        }

    # ------------------------------------------------------------------ request entry points

    def canonical_method(self, method: str) -> str | None:
        """``"SENDMESSAGE"`` -> ``"sendMessage"``; None for methods the simulation doesn't know."""
        entry = self._methods.get(method.lower())
        return entry[0] if entry else None

    def handle(
        self,
        method: str,
        params: Mapping[str, object],
        files: Mapping[str, UploadedFile] | None = None,
    ) -> tuple[int, JSONDict]:
        """Answer one Bot API request; returns (HTTP status, JSON body) and logs the call."""
        with self._lock:
            status, body = self._handle_locked(method, params, files or {})
        self._notify()
        return status, body

    async def handle_async(
        self,
        method: str,
        params: Mapping[str, object],
        files: Mapping[str, UploadedFile] | None = None,
        *,
        max_wait: float = 1.0,
        should_stop: Callable[[], bool] | None = None,
    ) -> tuple[int, JSONDict]:
        """Like :meth:`handle`, but getUpdates long-polls for up to ``min(timeout, max_wait)`` s.

        Without the wait a polling ``Application`` would spin through empty getUpdates answers
        at full CPU; the cap keeps test shutdown quick even when PTB asks for 10 s polls.
        """
        status, body = self.handle(method, params, files)
        if self.canonical_method(method) != "getUpdates" or status != 200 or body["result"]:
            return status, body
        decoded = decode_params(params)
        try:
            timeout = float(decoded.get("timeout") or 0)
        except (TypeError, ValueError):
            timeout = 0.0
        limit = self._clamped_limit(decoded)
        wait = min(timeout, max_wait)
        if wait <= 0:
            return status, body

        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        deadline = loop.time() + wait
        # call_soon_threadsafe because push_update may come from a thread outside this loop.
        unsubscribe = self.subscribe(lambda: loop.call_soon_threadsafe(wake.set))
        try:
            while (remaining := deadline - loop.time()) > 0:
                try:
                    await asyncio.wait_for(wake.wait(), remaining)
                except TimeoutError:
                    break
                wake.clear()
                if should_stop is not None and should_stop():
                    break
                with self._lock:
                    if self.webhook_url:
                        break
                    updates = self._pending_updates(limit)
                if updates:
                    return 200, {"ok": True, "result": updates}
        finally:
            unsubscribe()
        return status, body

    # ------------------------------------------------------------------ test-facing helpers

    def push_update(self, update: Mapping[str, object]) -> int:
        """Queue an update for getUpdates; assigns (and returns) its update_id.

        Any update_id already present is replaced, because getUpdates' offset arithmetic only
        works if ids rise monotonically in queue order.
        """
        with self._lock:
            stored = _clone(dict(update))
            update_id = self._next_update_id
            self._next_update_id += 1
            stored["update_id"] = update_id
            self._observe_locked(stored)
            self._updates.append(stored)
        self._notify()
        return update_id

    def observe_update(self, update: Mapping[str, object]) -> None:
        """Learn chats and messages from an update without queueing it.

        For tests that feed updates to ``Application.process_update`` directly: afterwards the bot
        can edit the message a callback query came from, as it could in real life.
        """
        with self._lock:
            self._observe_locked(_clone(dict(update)))

    @property
    def pending_update_count(self) -> int:
        with self._lock:
            return len(self._updates)

    def message(self, chat_id: ChatKey, message_id: int) -> JSONDict | None:
        """The current state of a stored message (after edits), or None if unknown/deleted."""
        with self._lock:
            stored = self._messages.get((_chat_key(chat_id), message_id))
            return _clone(stored.message) if stored else None

    def calls_of(self, method: str) -> list[Call]:
        """All attempts of ``method`` (case-insensitive), failed ones included."""
        wanted = method.lower()
        with self._lock:
            return [call for call in self.calls if call.method.lower() == wanted]

    def sent_messages(self, chat_id: ChatKey | None = None) -> list[Call]:
        """Delivered sendMessage/sendDocument calls, optionally for one chat."""
        key = None if chat_id is None else _chat_key(chat_id)
        with self._lock:
            return [
                call
                for call in self.calls
                if call.ok and call.method in _SEND_METHODS and (key is None or call.chat_id == key)
            ]

    def clear_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    def fail_next(
        self,
        method: str,
        *,
        chat_id: ChatKey | None = None,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally only for ``chat_id``) fail.

        A 429 without ``retry_after`` gets ``retry_after=1``: Telegram always sends one, and PTB
        only raises RetryAfter when it is present and non-zero.
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else _DEFAULT_DESCRIPTIONS.get(error_code, "Error")
            )
        error = APIError(error_code, description, retry_after=retry_after)
        key = None if chat_id is None else _chat_key(chat_id)
        with self._lock:
            self._failures.append(_Failure(method.lower(), key, error, times))

    def enforce_limits(self, global_per_second: int = 30, per_chat_interval: float = 1.0) -> None:
        """Turn on Telegram-like flood control for sends (off by default)."""
        with self._lock:
            self._global_per_second = global_per_second
            self._per_chat_interval = per_chat_interval

    def disable_limits(self) -> None:
        with self._lock:
            self._global_per_second = None
            self._per_chat_interval = None
            self._recent_sends.clear()
            self._last_send_by_chat.clear()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every logged call and pushed update; returns an unsubscriber.

        Listeners run in the thread that changed the state, outside the lock, and must be quick.
        """
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def notify(self) -> None:
        """Wake every waiter, e.g. so a server shutting down can end its long polls."""
        self._notify()

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline parameter is the point of this helper
        *,
        since: int = 0,
    ) -> Call:
        """First call of ``method`` at index >= ``since`` in the log matching ``predicate``.

        Earlier calls count too, because the bot usually answers before the test starts waiting;
        pass ``since=len(state.calls)`` to only look at calls made from now on.
        """
        wanted = method.lower()
        loop = asyncio.get_running_loop()
        changed = asyncio.Event()
        unsubscribe = self.subscribe(lambda: loop.call_soon_threadsafe(changed.set))
        deadline = loop.time() + timeout
        index = since
        try:
            while True:
                # Clear before scanning: a call logged after the scan sets the event again.
                changed.clear()
                with self._lock:
                    fresh = self.calls[index:]
                    index = len(self.calls)
                for call in fresh:
                    if call.method.lower() == wanted and (predicate is None or predicate(call)):
                        return call
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(changed.wait(), remaining)
                except TimeoutError:
                    break
        finally:
            unsubscribe()
        with self._lock:
            seen = [call.method for call in self.calls[since:]][-10:]
        raise TimeoutError(f"no {method} call within {timeout} s; last calls: {seen}")

    # ------------------------------------------------------------------ internals

    def _notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def _handle_locked(
        self, method: str, raw_params: Mapping[str, object], files: Mapping[str, UploadedFile]
    ) -> tuple[int, JSONDict]:
        now = self.clock()
        params = self._with_files(decode_params(raw_params), files)
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        try:
            if entry is None:
                raise APIError(404, "Not Found")
            self._raise_injected_failure(name, params)
            result = entry[1](params, now)
        except APIError as err:
            self.calls.append(Call(name, params, now, ok=False, error_code=err.error_code, description=err.description))
            return err.error_code, err.body()
        # Deep copies: callers may mutate what they get, and must not reach into stored state.
        self.calls.append(Call(name, params, now, result=_clone(result)))
        return 200, {"ok": True, "result": _clone(result)}

    @staticmethod
    def _with_files(params: JSONDict, files: Mapping[str, UploadedFile]) -> JSONDict:
        for part, upload in files.items():
            # A part is referenced either by its field name (sendDocument) or via attach://.
            refs = [key for key, value in params.items() if value == f"attach://{part}"]
            for key in refs:
                params[key] = upload
            if not refs:
                params.setdefault(part, upload)
        return params

    def _raise_injected_failure(self, method: str, params: JSONDict) -> None:
        wanted = method.lower()
        for failure in self._failures:
            if failure.method != wanted:
                continue
            if failure.chat_id is not None and (
                params.get("chat_id") is None or _chat_key(params["chat_id"]) != failure.chat_id
            ):
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            raise failure.error

    def _require_chat(self, params: JSONDict) -> ChatKey:
        value = params.get("chat_id")
        if value is None or value == "":
            raise APIError(400, "Bad Request: chat_id is empty")
        key = _chat_key(value)
        if key == 0 or (isinstance(key, str) and key not in self._chats):
            raise APIError(400, "Bad Request: chat not found")
        return key

    def _chat(self, key: ChatKey) -> JSONDict:
        known = self._chats.get(key)
        if known is not None:
            return _clone(known)
        if isinstance(key, int) and key > 0:
            return {"id": key, "type": "private"}
        chat_type = "supergroup" if str(key).startswith("-100") else "group"
        return {"id": key, "type": chat_type, "title": "Test group"}

    def _check_deliverable(self, chat: ChatKey, now: float) -> None:
        if chat in self.blocked_chats:
            raise APIError(403, BLOCKED)
        retry_after: float | None = None
        if self._per_chat_interval is not None:
            last = self._last_send_by_chat.get(chat)
            if last is not None and now - last < self._per_chat_interval:
                retry_after = last + self._per_chat_interval - now
        if retry_after is None and self._global_per_second is not None:
            while self._recent_sends and self._recent_sends[0] <= now - 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= self._global_per_second:
                retry_after = self._recent_sends[0] + 1.0 - now
        if retry_after is not None:
            self.rejected_429 += 1
            seconds = max(1, math.ceil(retry_after))
            raise APIError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)

    def _record_delivery(self, chat: ChatKey, now: float) -> None:
        if self._global_per_second is not None or self._per_chat_interval is not None:
            self._recent_sends.append(now)
            self._last_send_by_chat[chat] = now

    def _new_message(self, chat: ChatKey, now: float) -> JSONDict:
        message_id = self._next_message_id.get(chat, 1)
        self._next_message_id[chat] = message_id + 1
        return {"message_id": message_id, "from": bot_sender(), "chat": self._chat(chat), "date": int(now)}

    def _attach_common(self, message: JSONDict, chat: ChatKey, params: JSONDict, markup: JSONDict | None) -> None:
        if markup is not None and "inline_keyboard" in markup:
            # Telegram only echoes inline keyboards; reply keyboards are not part of the Message.
            message["reply_markup"] = markup
        if _flag(params.get("protect_content")):
            message["has_protected_content"] = True
        reply_to = self._reply_target(chat, params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to

    def _reply_target(self, chat: ChatKey, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        message_id = reply.get("message_id") if isinstance(reply, dict) else params.get("reply_to_message_id")
        if message_id is None:
            return None
        stored = self._messages.get((chat, _optional_int(message_id, "reply message id") or 0))
        if stored is None:
            allow = isinstance(reply, dict) and _flag(reply.get("allow_sending_without_reply"))
            if allow or _flag(params.get("allow_sending_without_reply")):
                return None
            raise APIError(400, "Bad Request: message to be replied not found")
        target = _clone(stored.message)
        target.pop("reply_to_message", None)
        return target

    def _store(self, chat: ChatKey, message: JSONDict, params: JSONDict, *, text_key: str = "text") -> None:
        self._messages[(chat, message["message_id"])] = _Stored(
            message=message,
            by_bot=True,
            content=(
                str(params.get(text_key, "")),
                params.get("parse_mode") and str(params["parse_mode"]),
                _canonical_json(params.get("entities", params.get("caption_entities"))),
            ),
            markup=_canonical_json(params.get("reply_markup")),
        )

    def _stored_for_edit(self, params: JSONDict) -> tuple[ChatKey, _Stored] | None:
        if params.get("inline_message_id"):
            # Inline messages live outside any chat the simulation tracks; accept the edit.
            return None
        chat = self._require_chat(params)
        message_id = _optional_int(params.get("message_id"), "message identifier")
        if message_id is None:
            raise APIError(400, "Bad Request: message identifier is not specified")
        stored = self._messages.get((chat, message_id))
        if stored is None:
            raise APIError(400, "Bad Request: message to edit not found")
        if not stored.by_bot:
            raise APIError(400, "Bad Request: message can't be edited")
        return chat, stored

    def _observe_locked(self, update: JSONDict) -> None:
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            message = update.get(key)
            if isinstance(message, dict):
                self._observe_message(message, by_bot=False)
        query = update.get("callback_query")
        if isinstance(query, dict):
            message = query.get("message")
            # date == 0 marks an inaccessible message: nothing there the bot could edit.
            if isinstance(message, dict) and message.get("date"):
                sender = message.get("from")
                by_bot = not isinstance(sender, dict) or sender.get("id") == BOT_USER_ID
                self._observe_message(message, by_bot=by_bot, keep_existing=True)

    def _observe_message(self, message: JSONDict, *, by_bot: bool, keep_existing: bool = False) -> None:
        chat = message.get("chat")
        message_id = message.get("message_id")
        if not isinstance(chat, dict) or "id" not in chat or not isinstance(message_id, int):
            return
        key = _chat_key(chat["id"])
        self._chats[key] = _clone(chat)
        # Private chats share one message_id sequence between user and bot.
        self._next_message_id[key] = max(self._next_message_id.get(key, 1), message_id + 1)
        if keep_existing and (key, message_id) in self._messages:
            return
        self._messages[(key, message_id)] = _Stored(
            message=_clone(message),
            by_bot=by_bot,
            content=(
                str(message.get("text", message.get("caption", ""))),
                None,
                _canonical_json(message.get("entities", message.get("caption_entities"))),
            ),
            markup=_canonical_json(message.get("reply_markup")),
        )

    @staticmethod
    def _clamped_limit(params: JSONDict) -> int:
        limit = _optional_int(params.get("limit"), "limit") or 100
        return min(max(limit, 1), 100)

    def _pending_updates(self, limit: int) -> list[JSONDict]:
        allowed = self.allowed_updates
        kept: deque[JSONDict] = deque()
        for update in self._updates:
            kind = _update_type(update)
            # Telegram never delivers filtered-out types later, so drop rather than skip them.
            if allowed and kind not in allowed:
                continue
            if not allowed and kind in _OPT_IN_UPDATE_TYPES:
                continue
            kept.append(update)
        self._updates = kept
        return [_clone(update) for update in list(kept)[:limit]]

    # ------------------------------------------------------------------ Bot API methods

    @staticmethod
    def _true(_params: JSONDict, _now: float) -> bool:
        return True

    @staticmethod
    def _get_me(_params: JSONDict, _now: float) -> JSONDict:
        return bot_user()

    def _get_updates(self, params: JSONDict, _now: float) -> list[JSONDict]:
        if self.webhook_url:
            raise APIError(409, WEBHOOK_CONFLICT)
        offset = _optional_int(params.get("offset"), "offset") or 0
        limit = self._clamped_limit(params)
        allowed = params.get("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise APIError(400, "Bad Request: can't parse allowed updates")
            # Like Telegram, the setting sticks until the next call that passes it.
            self.allowed_updates = [str(kind) for kind in allowed]
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        elif offset < 0:
            # Negative offsets count from the end and forget everything before.
            while len(self._updates) > -offset:
                self._updates.popleft()
        return self._pending_updates(limit)

    def _set_webhook(self, params: JSONDict, _now: float) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params, _now)
        if not url.startswith("https://"):
            raise APIError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(str(secret)):
            raise APIError(400, "Bad Request: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        self.webhook_url = url
        self.webhook_secret_token = None if secret is None else str(secret)
        self.webhook_allowed_updates = [str(kind) for kind in allowed] if isinstance(allowed, list) else None
        self.webhook_max_connections = _optional_int(params.get("max_connections"), "max_connections") or 40
        if _flag(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    def _delete_webhook(self, params: JSONDict, _now: float) -> bool:
        self.webhook_url = ""
        self.webhook_secret_token = None
        self.webhook_allowed_updates = None
        self.webhook_max_connections = None
        if _flag(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    def _get_webhook_info(self, _params: JSONDict, _now: float) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = self.webhook_max_connections
            if self.webhook_allowed_updates is not None:
                info["allowed_updates"] = list(self.webhook_allowed_updates)
        return info

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return _canonical_json(scope), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSONDict, _now: float) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise APIError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command", ""))):
                raise APIError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise APIError(400, "Bad Request: command description must be non-empty")
        key = self._commands_key(params)
        if commands:
            self.commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSONDict, _now: float) -> list[JSONDict]:
        return list(self.commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: JSONDict, _now: float) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _send_message(self, params: JSONDict, now: float) -> JSONDict:
        chat = self._require_chat(params)
        raw_text = params.get("text")
        if raw_text is None or str(raw_text) == "":
            raise APIError(400, "Bad Request: message text is empty")
        text = _rendered_text(str(raw_text), params.get("parse_mode"), limit=TEXT_LIMIT, what="message text")
        markup = _validate_markup(params.get("reply_markup"))
        self._check_deliverable(chat, now)
        message = self._new_message(chat, now)
        message["text"] = text
        if isinstance(params.get("entities"), list):
            message["entities"] = params["entities"]
        self._attach_common(message, chat, params, markup)
        self._record_delivery(chat, now)
        self._store(chat, message, params)
        return message

    def _send_document(self, params: JSONDict, now: float) -> JSONDict:
        chat = self._require_chat(params)
        document = params.get("document")
        if document is None or document == "":
            raise APIError(400, "Bad Request: there is no document in the request")
        caption = params.get("caption")
        rendered = None
        if caption not in (None, ""):
            rendered = _rendered_text(
                str(caption), params.get("parse_mode"), limit=CAPTION_LIMIT, what="message caption"
            )
        markup = _validate_markup(params.get("reply_markup"))
        self._check_deliverable(chat, now)
        message = self._new_message(chat, now)
        if isinstance(document, UploadedFile):
            message["document"] = {
                "file_id": f"BQACAgIAAxk{uuid.uuid4().hex}",
                "file_unique_id": f"AgAD{uuid.uuid4().hex[:12]}",
                "file_name": document.filename,
                "mime_type": document.mime_type,
                "file_size": document.size,
            }
        else:
            # A file_id or URL: Telegram resolves it; the stand-in just echoes it as the file_id.
            unique = uuid.uuid5(uuid.NAMESPACE_URL, str(document)).hex[:12]
            message["document"] = {"file_id": str(document), "file_unique_id": f"AgAD{unique}"}
        if rendered is not None:
            message["caption"] = rendered
        self._attach_common(message, chat, params, markup)
        self._record_delivery(chat, now)
        self._store(chat, message, params, text_key="caption")
        return message

    def _send_chat_action(self, params: JSONDict, _now: float) -> bool:
        chat = self._require_chat(params)
        if not params.get("action"):
            raise APIError(400, "Bad Request: wrong parameter action in request")
        if chat in self.blocked_chats:
            raise APIError(403, BLOCKED)
        return True

    def _edit_message_text(self, params: JSONDict, now: float) -> JSONDict | bool:
        raw_text = params.get("text")
        if raw_text is None or str(raw_text) == "":
            raise APIError(400, "Bad Request: message text is empty")
        text = _rendered_text(str(raw_text), params.get("parse_mode"), limit=TEXT_LIMIT, what="message text")
        markup = _validate_markup(params.get("reply_markup"))
        target = self._stored_for_edit(params)
        if target is None:
            return True
        _chat, stored = target
        if "text" not in stored.message:
            raise APIError(400, "Bad Request: there is no text in the message to edit")
        content = (
            str(raw_text),
            params.get("parse_mode") and str(params["parse_mode"]),
            _canonical_json(params.get("entities")),
        )
        # Omitting reply_markup in an edit removes the keyboard, so None is a real new value.
        new_markup = _canonical_json(params.get("reply_markup"))
        if content == stored.content and new_markup == stored.markup:
            raise APIError(400, NOT_MODIFIED)
        message = stored.message
        message["text"] = text
        message.pop("caption", None)
        message.pop("entities", None)
        if isinstance(params.get("entities"), list):
            message["entities"] = params["entities"]
        message.pop("reply_markup", None)
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(now)
        stored.content = content
        stored.markup = new_markup
        return message

    def _edit_message_reply_markup(self, params: JSONDict, now: float) -> JSONDict | bool:
        markup = _validate_markup(params.get("reply_markup"))
        target = self._stored_for_edit(params)
        if target is None:
            return True
        _chat, stored = target
        new_markup = _canonical_json(params.get("reply_markup"))
        if new_markup == stored.markup:
            raise APIError(400, NOT_MODIFIED)
        message = stored.message
        message.pop("reply_markup", None)
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(now)
        stored.markup = new_markup
        return message

    def _delete_message(self, params: JSONDict, _now: float) -> bool:
        chat = self._require_chat(params)
        message_id = _optional_int(params.get("message_id"), "message identifier")
        if message_id is None:
            raise APIError(400, "Bad Request: message identifier is not specified")
        if self._messages.pop((chat, message_id), None) is None:
            raise APIError(400, "Bad Request: message to delete not found")
        return True

    def _delete_messages(self, params: JSONDict, _now: float) -> bool:
        """Telegram's batch delete: 1-100 ids; ids already gone are skipped silently."""
        chat = self._require_chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise APIError(400, "Bad Request: message_ids must be a list of 1-100 identifiers")
        for message_id in ids:
            self._messages.pop((chat, int(message_id)), None)
        return True

    def _answer_callback_query(self, params: JSONDict, _now: float) -> bool:
        query_id = params.get("callback_query_id")
        if not query_id:
            raise APIError(400, "Bad Request: QUERY_ID_INVALID")
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise APIError(400, "Bad Request: MESSAGE_TOO_LONG")
        # Lenient about unknown ids so tests may answer queries they built but never pushed.
        self.answered_callback_queries[str(query_id)] = dict(params)
        return True
