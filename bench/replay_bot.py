"""A bare python-telegram-bot bot that makes, for each update, exactly the Bot API calls coursebot made for it.

An echo bot makes the same *kinds* of call as coursebot, but with a one-line text and no keyboard, so a ratio
against it charges coursebot for the size of what it sends: PTB turning a 900-character lesson and its buttons
into JSON, the HTTP request, and PTB reading the sent message back. Those are the API's costs, not coursebot's.
This bot replays coursebot's own calls (method, text, parse mode, keyboard, ...) recorded from a run of the
same updates, through the same PTB methods, so the difference between the two is only what coursebot itself
does: content, engine, store and rendering. The keyboards are built once, before timing: building them is
coursebot's work.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, TelegramObject, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

# (user id, the user's nth update) → the calls coursebot made for it, as (method, parameters)
Script = Mapping[tuple[int, int], Sequence[tuple[str, Mapping[str, Any]]]]

_OBJECTS: dict[str, type[TelegramObject]] = {
    "reply_markup": InlineKeyboardMarkup,
    "link_preview_options": LinkPreviewOptions,
}


def _method_name(api_method: str) -> str:
    """Bot API's camelCase method name as PTB's method: sendMessage → send_message."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", api_method).lower()


def _arguments(parameters: Mapping[str, Any], bot: Bot) -> dict[str, Any]:
    arguments = dict(parameters)
    for name, kind in _OBJECTS.items():
        if name in arguments:
            arguments[name] = kind.de_json(arguments[name], bot)
    return arguments


def build_replay(
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any], script: Script
) -> Application[Any, Any, Any, Any, Any, Any]:
    application = builder.build()
    prepared = {
        key: [(_method_name(method), _arguments(parameters, application.bot)) for method, parameters in calls]
        for key, calls in script.items()
    }
    seen: defaultdict[int, int] = defaultdict(int)

    async def replay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None:
            return
        nth = seen[user.id]
        seen[user.id] += 1  # updates of one chat arrive in order (the update processor keeps it)
        for method, arguments in prepared.get((user.id, nth), ()):
            if "callback_query_id" in arguments and update.callback_query is not None:
                arguments = {**arguments, "callback_query_id": update.callback_query.id}  # a new press each run
            await getattr(context.bot, method)(**arguments)

    application.add_handler(TypeHandler(Update, replay))
    return application
