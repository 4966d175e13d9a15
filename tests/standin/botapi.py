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
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from tests.standin.methods import BotMethods
from tests.standin.wire import (
    _DEFAULT_DESCRIPTIONS,
    _SEND_METHODS,
    APIError,
    Call,
    ChatKey,
    JSONDict,
    Listener,
    UploadedFile,
    _chat_key,
    _clone,
    _Failure,
    _Stored,
    decode_params,
)


class BotAPIState(BotMethods):
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
