"""The schedule as a conversation: setting it up, changing it, "Later", pause and resume, and reviews.

Like CourseChat, it takes who acted and what they chose and returns an Outcome; the rules about time
live in `scheduler`, the sentences in `schedule_texts`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, time, timedelta

from bot.content.model import Course
from bot.conversation import schedule_texts as say
from bot.conversation import texts
from bot.conversation.audience import Audience
from bot.conversation.lookups import REGION_FROM_ZONE_REGION
from bot.conversation.replies import Outcome, Reply
from bot.core import engine, options
from bot.core.regions import region_of_zone
from bot.store import Store
from scheduler import planning, spacing
from scheduler.windows import Preferences, valid_zone


class ScheduleChat:
    """Settings, snoozing, pausing and review answers for one course and store."""

    def __init__(self, course: Course, store: Store, clock: Callable[[], datetime]) -> None:
        self.course = course
        self.store = store
        self.clock = clock

    # --- settings -----------------------------------------------------------------------------

    async def menu(self, user_id: int) -> Outcome:
        schedule = await self.store.learners.schedule(user_id)
        if schedule is None:
            return Outcome((texts.not_enrolled(),))
        if schedule.prefs is None:
            return Outcome((say.ask_region(then=True),))
        membership = await self.store.cohorts.membership(user_id)
        menu = say.settings_menu(
            schedule.prefs,
            paused=schedule.paused,
            paused_until=schedule.paused_until,
            discreet=schedule.discreet,
            cohort=membership.cohort.name if membership else None,
        )
        return Outcome((menu,))

    async def choose(self, user_id: int, field: str, value: str) -> Outcome:
        """A settings button: show the next question, or save the choice."""
        schedule = await self.store.learners.schedule(user_id)
        if schedule is None:
            return Outcome((texts.not_enrolled(),), notice=texts.NOTICE_NOT_YOURS)
        then = value.endswith(say.THEN)
        value = value.removesuffix(say.THEN)
        if field == "menu":
            return await self.menu(user_id)
        if field == "done":
            return Outcome(notice="Saved", edit=say.schedule_saved(schedule.prefs, None) if schedule.prefs else None)
        if field == "type" and value in say.TYPE_PROMPTS:
            await self.store.learners.set_awaiting(user_id, value + (say.THEN if then else ""))
            return Outcome((say.type_prompt(value),))
        if not value:
            return Outcome(edit=self._question(field, then))
        if field == "region":
            if value not in say.REGION_ZONES:
                return _stale()
            await self.store.learners.set_region(user_id, REGION_FROM_ZONE_REGION[value])
            return Outcome(edit=say.ask_zone(value, then))
        if field == "discreet" and value in ("0", "1"):
            await self.store.learners.set_discreet(user_id, value == "1")
            return Outcome(notice="Discreet mode on" if value == "1" else "Discreet mode off")
        return await self._save(user_id, schedule.prefs, field, value, then)

    def _question(self, field: str, then: bool) -> Reply:
        asks: dict[str, Callable[[bool], Reply]] = {
            "region": say.ask_region,
            "time": say.ask_time,
            "days": say.ask_days,
            "pace": say.ask_pace,
            "quiet": say.ask_quiet,
        }
        return asks[field](then) if field in asks else say.ask_region(then)

    async def typed(self, user_id: int, awaiting: str, text: str) -> Outcome:
        """Free text the bot asked for (a time zone, a time, days, quiet hours). Never stored as typed."""
        what = awaiting.removesuffix(say.THEN)
        value = _normalise(what, text)
        if value is None:
            return Outcome((say.not_understood(what),))
        schedule = await self.store.learners.schedule(user_id)
        if schedule is None:
            return Outcome((texts.not_enrolled(),))
        await self.store.learners.set_awaiting(user_id, None)
        return await self._save(user_id, schedule.prefs, what, value, awaiting.endswith(say.THEN))

    async def _save(self, user_id: int, prefs: Preferences | None, field: str, value: str, then: bool) -> Outcome:
        updated = _apply(prefs, field, value)
        if updated is None:
            return _stale()
        now = self.clock()
        next_due = planning.first_slot_after(updated, now)
        await self.store.learners.save_preferences(user_id, updated, next_due)
        if field == "tz":  # the zone's country is more precise than the region button that led to it
            await self.store.learners.set_region(user_id, region_of_zone(updated.timezone))
        following = {"tz": "time", "time": "days", "days": "pace"}.get(field) if then else None
        if following is not None:
            return Outcome((self._question(following, then=True),), notice="Saved")
        return Outcome((say.schedule_saved(updated, next_due),), notice="Saved")

    # --- snooze, pause, resume ----------------------------------------------------------------

    async def later(self, user_id: int, send_id: int) -> Outcome:
        if await self.store.outbox.sent_send(send_id, user_id) is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        return Outcome((say.later_menu(send_id),))

    async def snooze(self, user_id: int, send_id: int, choice: str) -> Outcome:
        schedule = await self.store.learners.schedule(user_id)
        if schedule is None or schedule.prefs is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        until = planning.snooze_until(schedule.prefs, choice, self.clock())
        if await self.store.outbox.snooze(user_id, send_id, until) is None:
            return Outcome(notice="That bite was already answered or put off.")
        return Outcome(edit=say.snoozed(schedule.prefs, until), notice="Later it is")

    async def pause(self, user_id: int, argument: str) -> Outcome:
        schedule = await self.store.learners.schedule(user_id)
        if schedule is None:
            return Outcome((texts.not_enrolled(),))
        until = None
        if argument.strip():
            until = _pause_end(argument, schedule.prefs, self.clock())
            if until is None:
                return Outcome((say.pause_usage(),))
        next_due = None
        if schedule.prefs is not None and until is not None:
            next_due = planning.first_slot_after(schedule.prefs, until)
        await self.store.learners.set_pause(user_id, paused=True, until=until, next_due=next_due)
        return Outcome((say.paused(schedule.prefs, until),))

    async def resume(self, user_id: int) -> Outcome:
        schedule = await self.store.learners.schedule(user_id)
        if schedule is None:
            return Outcome((texts.not_enrolled(),))
        next_due = None
        if schedule.prefs is not None:
            next_due = planning.first_slot_after(schedule.prefs, self.clock())
        await self.store.learners.set_pause(user_id, paused=False, until=None, next_due=next_due)
        return Outcome((say.resumed(schedule.prefs, next_due),))

    async def reactivate(self, user_id: int) -> None:
        """After /start: a learner who had blocked the bot gets their schedule back."""
        schedule = await self.store.learners.schedule(user_id)
        if schedule is not None and schedule.prefs is not None and not schedule.paused:
            await self.store.learners.set_next_due(user_id, planning.first_slot_after(schedule.prefs, self.clock()))

    # --- reviews ------------------------------------------------------------------------------

    async def review_answer(self, user_id: int, send_id: int, option: int) -> Outcome:
        sent = await self.store.outbox.sent_send(send_id, user_id)
        if sent is None or sent[0] != "review":
            return Outcome(notice="You already answered this review, or it is out of date.")
        graded = engine.grade(self.course, sent[1], option)
        if isinstance(graded, engine.Rejection):
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        now = self.clock()
        previous = await self.store.outbox.latest_card(user_id, graded.question.id)
        memory = spacing.review(previous, graded.question.id, graded.correct, now)
        kept = await self.store.outbox.record_review(
            user_id, send_id, graded.question.id, option, graded.correct, memory, now
        )
        if not kept:
            return Outcome(notice="You already answered this review.")
        audience = Audience(self.course, await self.store.learners.region(user_id), user_id)
        order = audience.order(graded.question, options.review_showing(send_id))
        edit, feedback = texts.answered(audience, graded.question, option, order)
        if await self.store.outbox.is_practice(send_id):
            feedback = dataclasses.replace(feedback, buttons=(*feedback.buttons, (texts.PRACTISE_BUTTON,)))
        return Outcome(
            replies=(feedback,),
            edit=dataclasses.replace(edit, text=f"🔁 Review\n{edit.text}"),
            notice="Correct" if graded.correct else "Not the best answer",
        )


def _stale() -> Outcome:
    return Outcome(notice=texts.NOTICE_STALE_BUTTON)


def _normalise(what: str, text: str) -> str | None:
    """Typed input as the value a settings button would carry, or None if it can't be read."""
    if what == "tz":
        zone = text.strip().replace(" ", "_")
        return zone if "/" in zone and valid_zone(zone) else None
    if what == "time":
        clock = say.parse_clock(text)
        return f"{clock:%H%M}" if clock else None
    if what == "days":
        days = say.parse_days(text)
        return str(sum(1 << day for day in days)) if days else None
    if what == "quiet":
        quiet = say.parse_quiet(text)
        return f"{quiet[0]:%H%M}-{quiet[1]:%H%M}" if quiet else None
    return None


def _clock(value: str) -> time | None:
    if len(value) == 4 and value.isdigit() and int(value[:2]) < 24 and int(value[2:]) < 60:
        return time(int(value[:2]), int(value[2:]))
    return None


def _apply(prefs: Preferences | None, field: str, value: str) -> Preferences | None:
    """`prefs` with one setting changed, or None if the value is not valid (stale or forged button)."""
    try:
        if field == "tz":
            if not valid_zone(value):
                return None
            return dataclasses.replace(prefs, timezone=value) if prefs else Preferences(timezone=value)
        if prefs is None:
            return None
        if field == "time":
            clock = _clock(value)
            return dataclasses.replace(prefs, daily_time=clock) if clock else None
        if field == "days" and value.isdigit() and 0 < int(value) < 128:
            return dataclasses.replace(prefs, days=frozenset(day for day in range(7) if int(value) & (1 << day)))
        if field == "pace" and value.isdigit():
            return dataclasses.replace(prefs, pace=int(value))
        if field == "quiet":
            start, _, end = value.partition("-")
            start_time, end_time = _clock(start), _clock(end)
            if start_time and end_time:
                return dataclasses.replace(prefs, quiet_start=start_time, quiet_end=end_time)
    except ValueError:
        return None
    return None


def _pause_end(argument: str, prefs: Preferences | None, now: datetime) -> datetime | None:
    """ "2026-12-24", "until 2026-12-24" or a number of days, as the moment the pause ends (UTC)."""
    text = argument.strip().lower().removeprefix("until").strip()
    zone = prefs.zone if prefs else None
    if text.isdigit() and 0 < int(text) <= 365:
        return now + timedelta(days=int(text))
    try:
        day = datetime.strptime(text, "%Y-%m-%d")  # noqa: DTZ007 - made aware in the learner's zone below
    except ValueError:
        return None
    end = day.replace(tzinfo=zone) if zone else day.replace(tzinfo=now.tzinfo)
    return end if end > now else None
