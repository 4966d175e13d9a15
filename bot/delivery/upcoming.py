"""The upcoming deliveries, for operators (`coursebot schedule`): who, what, and when in UTC and local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.content.model import Course
from bot.store import Store
from scheduler import planning


@dataclass(frozen=True)
class Upcoming:
    user_id: int
    what: str
    when_utc: datetime
    when_local: str


async def upcoming(store: Store, course: Course, now: datetime, limit: int) -> list[Upcoming]:
    rows = []
    for due, when in await store.outbox.upcoming(now, limit):
        prefs = due.schedule.prefs
        kind, item_id = planning.choose(
            course, due.record, due.reviews, due.today, prefs.pace if prefs else 1, when, due.shown
        )
        what = f"{kind.value} {item_id}" if kind is not None and item_id else "nothing new (course done)"
        if due.schedule.paused:
            what = "resume after pause"
        local = f"{prefs.local(when):%Y-%m-%d %H:%M} {prefs.timezone}" if prefs else "-"
        rows.append(Upcoming(due.schedule.user_id, what, when, local))
    return rows
