"""The Bot API methods the stand-in answers (sending, editing, deleting, callbacks, webhooks, commands),
over the state that :class:`~tests.standin.botapi.BotAPIState` keeps."""

from __future__ import annotations

import uuid

from tests.standin.formatting import _rendered_text, _validate_markup
from tests.standin.messages import ChatsAndMessages
from tests.standin.wire import (
    _COMMAND_RE,
    _SECRET_TOKEN_RE,
    BLOCKED,
    CAPTION_LIMIT,
    NOT_MODIFIED,
    TEXT_LIMIT,
    WEBHOOK_CONFLICT,
    APIError,
    JSONDict,
    UploadedFile,
    _canonical_json,
    _flag,
    _optional_int,
    bot_user,
)


class BotMethods(ChatsAndMessages):
    """The method implementations; BotAPIState holds the state they read and change."""

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
