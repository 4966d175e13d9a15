"""What a learner who is due gets now, and when they are due next. Pure: the tick supplies `now`.

Rules:
- A learner with no schedule yet (no time zone chosen) or who blocked the bot gets nothing unasked, with one
  exception: a learner who skipped setting up (or left it half done) is invited once to set a time, a few
  minutes after their first lesson.
- Each allowed day has `pace` slots; whatever the learner pulled with /next that day counts toward it.
- A slot carries a case question due for review (most overdue first) while the day's review cap allows,
  else new material: an unanswered question due to come back (below), else the next item not yet sent,
  in course order. While new material remains, reviews take at most half of the day's slots (rounded down),
  so the course moves on at any pace (at pace 3 it takes about 80 days, not 150) and at pace 1 reviews wait
  until the course is finished.
- No repeats. A case question that was sent and not answered is not sent again at the next slot: the course
  moves on. It comes back on a later day (at least REOFFER_AFTER after it was last shown), taking one slot,
  and is shown MAX_SHOWINGS times at most by the schedule; after that only /next brings it (it is always the
  first thing /next offers). Each new copy makes the older copies' buttons go (the tick removes them).
- Engagement is any answer, review answer, /next, "Next", "Got it", "Later", or a change of settings. After
  two bites in a row go unanswered the next one carries one gentle reminder. The bot pauses itself only after
  SILENCE_BEFORE_PAUSE without engagement (so never in a learner's first week) and at least
  PAUSE_AFTER_UNANSWERED unanswered bites; it says so once, and offers to resume.
- A pause with no end date (the bot's own, or /pause alone) is followed by gentle invitations to come back,
  COMEBACK_AFTER the pause (at the learner's first bite time of that day, so inside their allowed hours), and
  then nothing more, for good. A pause until a date simply ends then.
- Snooze and pause move the next delivery; quiet hours and days off are respected by the slots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from bot.content.model import Course, Question
from bot.core import engine
from scheduler.windows import Preferences, wall_clock

REVIEWS_PER_DAY = 3
REMIND_AFTER_UNANSWERED = 2
PAUSE_AFTER_UNANSWERED = 3
SILENCE_BEFORE_PAUSE = timedelta(days=7)
COMEBACK_AFTER = (timedelta(days=3), timedelta(days=7), timedelta(days=14))
MAX_SHOWINGS = 3
REOFFER_AFTER = timedelta(hours=20)
LATER = timedelta(hours=2)
EVENING_HOUR = 18
LONGEST_PAUSE_DAYS = 365


class Kind(Enum):
    NEW = "new"
    REVIEW = "review"
    PAUSE_NOTICE = "pause_notice"
    COMEBACK = "comeback"
    INVITE = "invite"


class Setup(Enum):
    """Where a learner is with setting up their schedule (None in the store: done, or never offered)."""

    ASKED = "asked"  # the question is out, not yet finished
    SKIPPED = "skipped"
    INVITED = "invited"  # invited once after their first lesson: never again


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
    enrolled_at: datetime | None = None
    last_active: datetime | None = None
    paused_at: datetime | None = None
    comebacks: int = 0  # invitations to come back sent since the pause began
    setup: Setup | None = None


@dataclass(frozen=True)
class ReviewDue:
    """An answered case question and when it is next due."""

    item_id: str
    due: datetime


@dataclass(frozen=True)
class Shown:
    """How often the schedule or /next has shown an unanswered question, and when last."""

    times: int
    last: datetime


@dataclass(frozen=True)
class Today:
    """What the learner has had so far on their current bite day."""

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
    comeback: bool = False  # one more invitation to come back is being sent
    invited: bool = False  # the one invitation to set a schedule is being sent


@dataclass(frozen=True)
class Material:
    """What a slot can carry besides reviews."""

    reoffer: str | None  # an unanswered question due to come back
    fresh: str | None  # the next item never sent, in course order

    @property
    def item_id(self) -> str | None:
        return self.reoffer or self.fresh


def plan(
    course: Course,
    learner: LearnerSchedule,
    record: engine.LearnerRecord,
    reviews: Sequence[ReviewDue],
    today: Today,
    now: datetime,
    shown: Mapping[str, Shown] | None = None,
) -> Plan:
    """Decide what `learner`, who is due at `now`, gets."""
    prefs = learner.prefs
    if not learner.active:
        return Plan(None, None, next_due=None)
    if prefs is None:
        if learner.setup in (Setup.ASKED, Setup.SKIPPED) and record.delivered:
            return Plan(Kind.INVITE, None, next_due=None, invited=True)
        return Plan(None, None, next_due=None)
    resume = False
    if learner.paused:
        if learner.paused_until is None:
            return _comeback(prefs, learner, now)
        if learner.paused_until > now:
            return Plan(None, None, next_due=first_slot_after(prefs, learner.paused_until))
        resume = True
    if learner.snoozed_until is not None and learner.snoozed_until > now:
        return Plan(None, None, next_due=learner.snoozed_until, resume=resume)
    if is_silent(learner, now):
        return Plan(Kind.PAUSE_NOTICE, None, next_due=comeback_time(prefs, now, 0), pause=True)

    day = prefs.local_day(now)
    snooze_fired = learner.snoozed_until is not None
    if today.bites >= prefs.pace and not snooze_fired:
        return Plan(None, None, next_due=next_slot(prefs, now, today=day, bites_today=today.bites), resume=resume)
    kind, item_id = choose(course, record, reviews, today, prefs.pace, now, shown)
    bites = today.bites + (kind is not None)
    return Plan(
        kind,
        item_id,
        next_due=next_slot(prefs, now, today=day, bites_today=bites),
        reminder=kind is not None and learner.unanswered >= REMIND_AFTER_UNANSWERED and not learner.reminded,
        resume=resume,
    )


def is_silent(learner: LearnerSchedule, now: datetime) -> bool:
    """A week and more with no engagement, and bites going unanswered: time for the bot to pause itself."""
    heard = [moment for moment in (learner.enrolled_at, learner.last_active) if moment is not None]
    if not heard or learner.unanswered < PAUSE_AFTER_UNANSWERED:
        return False
    return now - max(heard) >= SILENCE_BEFORE_PAUSE


def comeback_time(prefs: Preferences, paused_at: datetime, sent: int) -> datetime | None:
    """When invitation number `sent` (from 0) to come back is due after a pause that began at `paused_at`: the
    learner's first bite time on that day (or the next allowed day), so never at night."""
    if sent >= len(COMEBACK_AFTER):
        return None
    day = prefs.local_day(paused_at) + timedelta(days=COMEBACK_AFTER[sent].days)
    start = day_start(prefs, day)
    return next((slot for _, slot in prefs.slots_from(start)), None) or prefs.next_allowed(start)


def _comeback(prefs: Preferences, learner: LearnerSchedule, now: datetime) -> Plan:
    if learner.paused_at is None:  # paused before invitations existed: leave them be
        return Plan(None, None, next_due=None)
    due = comeback_time(prefs, learner.paused_at, learner.comebacks)
    if due is None:
        return Plan(None, None, next_due=None)
    if due > now:
        return Plan(None, None, next_due=due)
    # Invitations missed during downtime are not sent in a row: the next one is counted from now.
    following = comeback_time(prefs, learner.paused_at, learner.comebacks + 1)
    if following is not None and following <= now:
        following = first_slot_after(prefs, now + (COMEBACK_AFTER[1] - COMEBACK_AFTER[0]))
    return Plan(Kind.COMEBACK, None, next_due=following, comeback=True)


def material(
    course: Course, record: engine.LearnerRecord, now: datetime, shown: Mapping[str, Shown] | None = None
) -> Material:
    """The unanswered question due to come back (if any) and the next item never sent (if any)."""
    shown = shown or {}
    reoffer = fresh = None
    for item in course.items:
        if item.id not in record.delivered:
            fresh = fresh or item.id
            continue
        if reoffer is None and isinstance(item, Question) and item.id not in record.answers:
            seen = shown.get(item.id)
            if seen is None or (seen.times < MAX_SHOWINGS and now - seen.last >= REOFFER_AFTER):
                reoffer = item.id
        if fresh is not None and reoffer is not None:
            break
    return Material(reoffer, fresh)


def choose(
    course: Course,
    record: engine.LearnerRecord,
    reviews: Sequence[ReviewDue],
    today: Today,
    pace: int,
    now: datetime,
    shown: Mapping[str, Shown] | None = None,
) -> tuple[Kind | None, str | None]:
    """A due review (most overdue first) within the day's cap, else new material, else nothing."""
    new = material(course, record, now, shown).item_id
    cap = min(REVIEWS_PER_DAY, pace // 2 if new is not None else pace)
    due = sorted((review for review in reviews if review.due <= now), key=lambda review: (review.due, review.item_id))
    if due and today.reviews < cap:
        return Kind.REVIEW, due[0].item_id
    if new is not None:
        return Kind.NEW, new
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


def next_bite(prefs: Preferences, now: datetime, today: Today) -> datetime | None:
    """The next scheduled bite after `now`, counting what the learner already had today (for confirmations)."""
    return next_slot(prefs, now, today=prefs.local_day(now), bites_today=today.bites)


def day_start(prefs: Preferences, day: date) -> datetime:
    """The moment (UTC) the learner's bite day `day` begins."""
    return wall_clock(datetime.combine(day, time(0, 0)) + prefs.day_turn, prefs.zone).astimezone(prefs.zone)


def pause_end_after_days(prefs: Preferences | None, now: datetime, days: int) -> datetime:
    """ "/pause N": no bites today and the next N-1 days; they come back at the start of the day after."""
    if prefs is None:
        return now + timedelta(days=days)
    return day_start(prefs, prefs.local_day(now) + timedelta(days=days))


def pause_end_on(prefs: Preferences | None, now: datetime, day: date) -> datetime:
    """ "/pause 2026-12-24": bites come back on that day."""
    if prefs is None:
        return datetime.combine(day, time(0, 0), tzinfo=now.tzinfo)
    return day_start(prefs, day)


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
