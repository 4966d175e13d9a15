"""What a learner who is due gets now, and when they are due next. Pure: the tick supplies `now`.

Rules:
- A learner with no schedule yet (no time zone chosen) or who blocked the bot gets nothing unasked.
- Each allowed day has `pace` slots; whatever the learner pulled with /next that day counts toward it.
- A slot carries a case question due for review (most overdue first) while the day's review cap allows,
  else the next new item in course order. While new items remain, one slot a day at least is kept for
  them, so at pace 1 reviews wait until the course is finished.
- After two deliveries in a row go unanswered the next one carries one gentle reminder; after three the
  bot pauses itself, says so once, and offers to resume.
- Snooze and pause move the next delivery; quiet hours and days off are respected by the slots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from bot.content.model import Course
from bot.core import engine
from scheduler.windows import Preferences

REVIEWS_PER_DAY = 3
REMIND_AFTER_UNANSWERED = 2
PAUSE_AFTER_UNANSWERED = 3
LATER = timedelta(hours=2)
EVENING_HOUR = 18


class Kind(Enum):
    NEW = "new"
    REVIEW = "review"
    PAUSE_NOTICE = "pause_notice"


@dataclass(frozen=True)
class LearnerSchedule:
    """The scheduling state of one learner, as the store keeps it."""

    user_id: int
    chat_id: int
    prefs: Preferences | None
    active: bool = True
    paused: bool = False
    paused_until: datetime | None = None
    snoozed_until: datetime | None = None
    unanswered: int = 0
    reminded: bool = False
    discreet: bool = True
    region: str | None = None  # which version of the course they take (regions.yaml); None: the international


@dataclass(frozen=True)
class ReviewDue:
    """An answered case question and when it is next due."""

    item_id: str
    due: datetime


@dataclass(frozen=True)
class Today:
    """What the learner has had so far on their current local day."""

    bites: int = 0
    reviews: int = 0


@dataclass(frozen=True)
class Plan:
    """The decision for one due learner: what to send (if anything) and when to look again."""

    kind: Kind | None
    item_id: str | None
    next_due: datetime | None
    reminder: bool = False
    pause: bool = False
    resume: bool = False


def local_day(learner: LearnerSchedule, now: datetime) -> date | None:
    return learner.prefs.local_day(now) if learner.prefs else None


def plan(
    course: Course,
    learner: LearnerSchedule,
    record: engine.LearnerRecord,
    reviews: Sequence[ReviewDue],
    today: Today,
    now: datetime,
) -> Plan:
    """Decide what `learner`, who is due at `now`, gets."""
    prefs = learner.prefs
    if prefs is None or not learner.active:
        return Plan(None, None, next_due=None)
    resume = False
    if learner.paused:
        if learner.paused_until is None:
            return Plan(None, None, next_due=None)
        if learner.paused_until > now:
            return Plan(None, None, next_due=first_slot_after(prefs, learner.paused_until))
        resume = True
    if learner.snoozed_until is not None and learner.snoozed_until > now:
        return Plan(None, None, next_due=learner.snoozed_until, resume=resume)
    if learner.unanswered >= PAUSE_AFTER_UNANSWERED:
        return Plan(Kind.PAUSE_NOTICE, None, next_due=None, pause=True)

    day = prefs.local_day(now)
    snooze_fired = learner.snoozed_until is not None
    if today.bites >= prefs.pace and not snooze_fired:
        return Plan(None, None, next_due=next_slot(prefs, now, today=day, bites_today=today.bites), resume=resume)
    kind, item_id = choose(course, record, reviews, today, prefs.pace, now)
    bites = today.bites + (kind is not None)
    return Plan(
        kind,
        item_id,
        next_due=next_slot(prefs, now, today=day, bites_today=bites),
        reminder=kind is not None and learner.unanswered >= REMIND_AFTER_UNANSWERED and not learner.reminded,
        resume=resume,
    )


def choose(
    course: Course,
    record: engine.LearnerRecord,
    reviews: Sequence[ReviewDue],
    today: Today,
    pace: int,
    now: datetime,
) -> tuple[Kind | None, str | None]:
    """A due review (most overdue first) within the day's cap, else the next new item, else nothing."""
    new = engine.next_item(course, record)
    cap = min(REVIEWS_PER_DAY, pace - 1 if new is not None else pace)
    due = sorted((review for review in reviews if review.due <= now), key=lambda review: (review.due, review.item_id))
    if due and today.reviews < cap:
        return Kind.REVIEW, due[0].item_id
    if new is not None:
        return Kind.NEW, new.id
    return None, None


def first_slot_after(prefs: Preferences, moment: datetime) -> datetime | None:
    """The first slot after `moment`, whatever was sent that day (after a change of settings, a pause, a /start)."""
    return next_slot(prefs, moment, today=None, bites_today=0)


def next_slot(prefs: Preferences, after: datetime, *, today: date | None, bites_today: int) -> datetime | None:
    """The first slot strictly after `after`, skipping the rest of `today` once its pace is reached."""
    for day, slot in prefs.slots_from(after + timedelta(seconds=1)):
        if day == today and bites_today >= prefs.pace:
            continue
        return slot
    return None


def snooze_until(prefs: Preferences, choice: str, now: datetime) -> datetime:
    """When a bite put off with "Later" comes back: in 2 hours, this evening, or tomorrow."""
    local = prefs.local(now)
    if choice == "evening":
        evening = local.replace(hour=EVENING_HOUR, minute=0, second=0, microsecond=0)
        target = evening if evening > local + timedelta(minutes=30) else local + timedelta(hours=1)
        return prefs.next_allowed(target)
    if choice == "tomorrow":
        tomorrow = local.date() + timedelta(days=1)
        slots = [slot for day, slot in prefs.slots_from(now) if day >= tomorrow]
        return slots[0] if slots else prefs.next_allowed(now + timedelta(days=1))
    return prefs.next_allowed(now + LATER)
