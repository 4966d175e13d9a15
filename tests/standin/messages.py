"""Chats and stored messages of the stand-in: who may be sent to (flood limits, blocked users), message ids,
what an edit or a reply refers to, and the update queue."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable

from tests.standin.wire import (
    _OPT_IN_UPDATE_TYPES,
    BLOCKED,
    BOT_USER_ID,
    APIError,
    Call,
    ChatKey,
    JSONDict,
    _canonical_json,
    _chat_key,
    _clone,
    _Failure,
    _flag,
    _optional_int,
    _Stored,
    _update_type,
    bot_sender,
)


class ChatsAndMessages:
    """State and helpers the Bot API methods share; BotAPIState holds the state."""

    # The state, as BotAPIState.__init__ sets it up.
    clock: Callable[[], float]
    calls: list[Call]
    blocked_chats: set[int]
    rejected_429: int
    webhook_url: str
    webhook_secret_token: str | None
    webhook_allowed_updates: list[str] | None
    webhook_max_connections: int | None
    allowed_updates: list[str] | None
    commands: dict[tuple[str, str], list[JSONDict]]
    answered_callback_queries: dict[str, JSONDict]
    _lock: threading.RLock
    _updates: deque[JSONDict]
    _next_update_id: int
    _next_message_id: dict[ChatKey, int]
    _messages: dict[tuple[ChatKey, int], _Stored]
    _chats: dict[ChatKey, JSONDict]
    _failures: list[_Failure]
    _global_per_second: int | None
    _per_chat_interval: float | None
    _recent_sends: deque[float]
    _last_send_by_chat: dict[ChatKey, float]

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
