"""Helpers of the stand-in's own tests."""

from __future__ import annotations

import datetime as dtm

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter

TOKEN = "123:ABC"
USER = 4242


class EpochClock:
    """A controllable clock, so flood-limit tests don't depend on how fast the machine is."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(item.upper(), callback_data=item) for item in data]])


def retry_after_seconds(exc: RetryAfter) -> float:
    # PTB >= 22.2 warns when retry_after is read as int unless PTB_TIMEDELTA opts into timedelta.
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)
