"""Gentle reminders before a cohort's due date: 7 days and 1 day before it, to members who have not finished.

A reminder goes at the member's own first bite time on that day (so on a day they chose and outside their quiet
hours; a day they do not take bites moves it to their next one), and only while that is still before the due
date has passed. After downtime only the nearest reminder goes, once. A member who joined after a reminder's day
began does not get that one (they were told the due date when they joined), nor does one who is paused or has
blocked the bot. Each reminder is claimed in the store before it is sent, so two runs never send it twice; one
that fails to send is not retried (a missed nudge is better than a repeated one).

A learner with no schedule of their own is reminded as if in UTC with the default hours (08:00, quiet 21-07).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from bot.content.model import Course
from bot.conversation import cohort_texts
from bot.core import engine
from bot.delivery.sending import Delivery, Pacer, Sender, deliver
from bot.logs import learner_ref
from bot.store import Store
from bot.store.cohorts import ReminderCandidate
from scheduler.windows import Preferences

logger = logging.getLogger(__name__)

REMINDER_DAYS = (7, 1)  # days before the due date
REMINDER_INTERVAL = timedelta(minutes=5)
FALLBACK = Preferences(timezone="UTC")


def reminder_moment(prefs: Preferences, due_on: date, days_before: int) -> datetime | None:
    """When the reminder `days_before` the due date goes: the learner's first slot on or after that day, if that is
    not after the due date itself."""
    day = due_on - timedelta(days=days_before)
    start = datetime.combine(day, time(0, 0), tzinfo=prefs.zone)
    for slot_day, slot in prefs.slots_from(start):
        return slot if slot_day <= due_on else None
    return None


def reminder_due(
    prefs: Preferences, due_on: date, joined_at: datetime, reminded: int | None, now: datetime
) -> int | None:
    """Which reminder (days before the due date) should go at `now`, if any. Pure: `now` is an argument."""
    if prefs.local_day(now) > due_on or not prefs.is_allowed(now):
        return None
    for days_before in sorted(REMINDER_DAYS):  # the nearest first: after downtime only it goes
        moment = reminder_moment(prefs, due_on, days_before)
        if moment is None or moment > now:
            continue
        if reminded is not None and reminded <= days_before:
            return None  # this one, or a nearer one, was dealt with already
        day_began = datetime.combine(due_on - timedelta(days=days_before), time(0, 0), tzinfo=prefs.zone)
        return days_before if joined_at < day_began else None
    return None


class DueReminders:
    """Finds the members a reminder is due for, and sends it through the schedule's sender and pacer."""

    def __init__(
        self, course: Course, store: Store, sender: Sender, *, clock: Callable[[], datetime], pacer: Pacer | None = None
    ) -> None:
        self.course = course
        self.store = store
        self.sender = sender
        self.clock = clock
        self.pacer = pacer or Pacer()

    async def run(self) -> int:
        """Send every reminder due now; returns how many went out."""
        now = self.clock()
        # Local days differ from UTC by at most a day; a reminder is due at most 7 days before the due date.
        candidates = await self.store.cohorts.reminder_candidates(
            now.date() - timedelta(days=1), now.date() + timedelta(days=max(REMINDER_DAYS) + 1)
        )
        sent = 0
        for candidate in candidates:
            if await self._remind(candidate, now):
                sent += 1
        if sent:
            logger.info("due-date reminders sent: %d", sent)
        return sent

    async def _remind(self, candidate: ReminderCandidate, now: datetime) -> bool:
        schedule, cohort = candidate.schedule, candidate.cohort
        if cohort.due_on is None:
            return False
        prefs = schedule.prefs or FALLBACK
        days_before = reminder_due(prefs, cohort.due_on, candidate.joined_at, candidate.reminded, now)
        if days_before is None:
            return False
        taken = self.course.for_region(schedule.region)
        status = engine.progress(taken, await self.store.progress.record(schedule.user_id))
        # Claimed first, whatever follows: a member who has finished needs no reminder, and none is sent twice.
        if not await self.store.cohorts.mark_reminded(schedule.user_id, cohort.id, days_before):
            return False
        if status.complete:
            return False
        days_left = (cohort.due_on - prefs.local_day(now)).days
        reply = cohort_texts.reminder(cohort, days_left, status.done, status.total, discreet=schedule.discreet)
        outcome, message_id = await deliver(self.sender, self.pacer, schedule.chat_id, reply)
        if outcome is Delivery.SENT:
            if message_id is not None:
                await self.store.privacy.remember_message(schedule.chat_id, message_id, self.clock())
            return True
        if outcome is Delivery.BLOCKED:
            await self.store.learners.set_inactive(schedule.user_id)
        logger.info(
            "a due-date reminder was not sent: %s", outcome.value, extra={"learner": learner_ref(schedule.user_id)}
        )
        return False
