"""Every message the bot sends takes its turn from the one shared `Pacer`, so replies and the schedule's bulk
together stay under Telegram's limit, and replies go first.

Installed as PTB's rate limiter, it sees every request: a new message (sendMessage, sendDocument, ...) waits
for a reply turn, unless it is marked as already paced (the schedule's `deliver` takes bulk turns itself and
handles flood waits for its batch). Callback answers, edits and deletions are not messages Telegram counts
against the broadcast limit, so they go at once; a callback answer must, or the learner's phone spins.

Replies stay within the 30 a second too, rather than counting on Telegram to treat them apart from bulk: the
limit is documented for "messages to different users", which replies are. A 429 on a reply pauses every
turn for as long as Telegram says and the reply is tried again, a few times: the safety net, not the plan.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.delivery.sending import Pacer, Priority

logger = logging.getLogger(__name__)

MESSAGE_ENDPOINTS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "sendAudio", "sendVideo", "sendVoice", "copyMessage",
     "forwardMessage", "sendMediaGroup", "sendSticker", "sendAnimation", "sendLocation", "sendContact", "sendPoll"}
)  # fmt: skip
PACED = {"paced": True}  # rate_limit_args of a message that has taken its turn already
MAX_RETRIES = 3
LONGEST_RETRY_S = 30.0  # a reply that would wait longer than this is given up (the error handler apologises)

Result = bool | dict[str, Any] | list[dict[str, Any]]


class PacedRequests(BaseRateLimiter[dict[str, Any]]):
    """PTB's rate limiter, backed by the shared `Pacer`."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer

    async def initialize(self) -> None:
        """Nothing to set up: the pacer is shared and outlives the application."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> Result:
        paced = bool(rate_limit_args and rate_limit_args.get("paced"))
        message = endpoint in MESSAGE_ENDPOINTS and not paced
        retries = 0
        while True:
            if message:
                await self.pacer.turn(Priority.REPLY)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as err:
                seconds = retry_after_seconds(err)
                if paced or retries >= MAX_RETRIES or seconds > LONGEST_RETRY_S:
                    raise
                retries += 1
                logger.warning("flood wait of %.0f s on %s: waiting, then trying again", seconds, endpoint)
                if message:
                    self.pacer.hold(seconds)
                else:
                    await asyncio.sleep(seconds)


def retry_after_seconds(err: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)  # the type of retry_after is changing in PTB
        value = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
