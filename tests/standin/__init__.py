"""Local stand-in for the Telegram Bot API, for tests and benchmarks.

:class:`BotAPIState` simulates the API in memory; :class:`StandinRequest` plugs it into
python-telegram-bot without sockets, :class:`StandinServer` serves it over HTTP on loopback, and
:mod:`tests.standin.updates` builds the updates users would send.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.standin.botapi import BotAPIState
from tests.standin.rates import most_in_any_second
from tests.standin.request import StandinRequest, request_pair
from tests.standin.updates import (
    callback_update,
    command_entities,
    edited_message_update,
    message_update,
    photo_update,
    sticker_update,
    to_update,
    voice_update,
)
from tests.standin.wire import (
    BLOCKED,
    BOT_USER_ID,
    BOT_USERNAME,
    NOT_MODIFIED,
    APIError,
    Call,
    UploadedFile,
    bot_user,
    decode_params,
)

if TYPE_CHECKING:
    from tests.standin.server import StandinServer

__all__ = [
    "BLOCKED",
    "BOT_USERNAME",
    "BOT_USER_ID",
    "NOT_MODIFIED",
    "APIError",
    "BotAPIState",
    "Call",
    "StandinRequest",
    "StandinServer",
    "UploadedFile",
    "bot_user",
    "callback_update",
    "command_entities",
    "decode_params",
    "edited_message_update",
    "message_update",
    "most_in_any_second",
    "photo_update",
    "request_pair",
    "sticker_update",
    "to_update",
    "voice_update",
]


def __getattr__(name: str) -> Any:
    # Imported lazily: an eager import would make `python -m tests.standin.server` load the module
    # twice (RuntimeWarning), and in-process tests needn't pay for importing aiohttp.
    if name == "StandinServer":
        from tests.standin.server import StandinServer

        return StandinServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
