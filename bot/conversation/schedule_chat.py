"""The schedule as a conversation: setting it up, changing it, typing prompts, "Later", pause and resume, "Got it",
and reviews.

Like CourseChat, it takes who acted and what they chose and returns an Outcome; the rules about time live in
`scheduler` (what fits, what is due), the sentences in `schedule_texts` and `bite_texts`, the reading of typed
values in `typed_settings` and `places`.

Setting up: the first message asks where the learner is, with a way to skip. Each answer goes into a draft that
schedules nothing; only the last step (quiet hours) saves the schedule, with a summary of what it will deliver
and when the next bite comes. A typing prompt has a Cancel button and expires after PROMPT_EXPIRES; text that is
not the setting asked for is answered as a search, with a reminder of the question still open.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import datetime, time, timedelta

from bot.content.model import Course
from bot.conversation import bite_texts, texts
from bot.conversation import schedule_texts as say
from bot.conversation.audience import Audience
from bot.conversation.lookups import REGION_FROM_ZONE_REGION
from bot.conversation.places import find_zones, zone_label
from bot.conversation.replies import Outcome, Reply
from bot.conversation.typed_settings import parse_clock, parse_days, parse_pause, parse_quiet
from bot.core import engine, options
from bot.core.regions import region_of_zone
from bot.store import Store
from scheduler import fitting, planning, spacing
from scheduler.planning import LearnerSchedule, Setup
from scheduler.windows import Preferences, valid_zone

PROMPT_EXPIRES = timedelta(minutes=10)
FOLLOWING = {"tz": "time", "time": "days", "days": "pace", "pace": "quiet"}  # the order of setting up
Search = Callable[[str], Outcome]


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
        await self.drop_prompt(user_id)
        if schedule.prefs is None:
            if schedule.setup is not Setup.INVITED:
                await self.store.learners.set_setup(user_id, Setup.ASKED)
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
        if field in ("skip", "cancel", "notnow"):
            return await self._let_go(user_id, field, value)
        if field == "done":
            edit = (
                say.schedule_saved(schedule.prefs, await self.store.learners.next_due(user_id))
                if schedule.prefs
                else None
            )
            return Outcome(notice="Saved", edit=edit)
        if field == "type" and value in say.TYPE_PROMPTS:
            await self.store.learners.set_awaiting(user_id, value + (say.THEN if then else ""), self.clock())
            return Outcome((say.type_prompt(value),))
        if not value:
            return Outcome(edit=self._question(field, then, await self._base(schedule, then)))
        if field == "region":
            if value not in say.REGION_ZONES:
                return _stale()
            await self.store.learners.set_region(user_id, REGION_FROM_ZONE_REGION[value])
            return Outcome(edit=say.ask_zone(value, then))
        if field == "discreet" and value in ("0", "1"):
            await self.store.learners.set_discreet(user_id, value == "1")
            return Outcome(notice="Discreet mode on" if value == "1" else "Discreet mode off")
        return await self._save(schedule, field, value, then, pressed=True)

    async def drop_prompt(self, user_id: int) -> None:
        """The learner moved on (/start, /settings): a schedule prompt still open is closed (not another's)."""
        awaiting = await self.store.learners.awaiting(user_id)
        if awaiting is not None and awaiting.removesuffix(say.THEN) in say.TYPE_PROMPTS:
            await self.store.learners.set_awaiting(user_id, None)

    async def _let_go(self, user_id: int, field: str, value: str) -> Outcome:
        """Skip setting up, cancel a typing prompt, or say "not now" to an invitation."""
        await self.store.learners.set_awaiting(user_id, None)
        if field == "skip":
            await self.store.learners.set_setup(user_id, Setup.SKIPPED)
            return Outcome(edit=say.skipped(), notice="Skipped")
        if field == "cancel":
            return Outcome(edit=say.cancelled(), notice="Cancelled")
        return Outcome(edit=bite_texts.no_thanks() if value == "setup" else bite_texts.not_now(), notice="OK")

    async def _base(self, schedule: LearnerSchedule, then: bool) -> Preferences | None:
        """What a setting changes: the draft while setting up, else the saved schedule."""
        if then:
            return await self.store.learners.draft(schedule.user_id) or schedule.prefs
        return schedule.prefs

    def _question(self, field: str, then: bool, prefs: Preferences | None) -> Reply:
        if field == "time":
            return say.ask_time(then, prefs)
        if field == "days":
            return say.ask_days(then, prefs)
        if field == "pace":
            return say.ask_pace(then, prefs)
        if field == "quiet":
            return say.ask_quiet(then, prefs)
        return say.ask_region(then)

    async def typed(self, user_id: int, awaiting: str, text: str, search: Search) -> Outcome:
        """Free text while a prompt is open. The setting if it reads as one; else a search, with a reminder.

        Never stored, logged or put in an error as typed.
        """
        prompt = await self.store.learners.prompt(user_id)
        schedule = await self.store.learners.schedule(user_id)
        if prompt is None or schedule is None:
            return search(text)
        what, asked = prompt[0].removesuffix(say.THEN), prompt[1]
        then = prompt[0].endswith(say.THEN)
        if what not in say.TYPE_PROMPTS or asked is None or self.clock() - asked > PROMPT_EXPIRES:
            await self.store.learners.set_awaiting(user_id, None)
            return search(text)
        if what == "tz":
            places = await asyncio.to_thread(find_zones, text)
            if len(places) > 1:
                return Outcome((say.zone_choices(places, then),))
            value = places[0].zone if places else None
        else:
            value = _normalise(what, text)
        if value is None:
            found = search(text)
            return dataclasses.replace(found, replies=(*found.replies, say.still_waiting(what)))
        await self.store.learners.set_awaiting(user_id, None)
        return await self._save(schedule, what, value, then, pressed=False)

    async def _save(self, schedule: LearnerSchedule, field: str, value: str, then: bool, *, pressed: bool) -> Outcome:
        user_id = schedule.user_id
        updated = _apply(await self._base(schedule, then), field, value)
        if updated is None:
            return _stale()
        if field == "tz":  # the zone's country is more precise than the region button that led to it
            await self.store.learners.set_region(user_id, region_of_zone(updated.timezone))
        following = FOLLOWING.get(field) if then else None
        if following is not None:
            draft = fitting.fit(updated).prefs  # the default quiet hours make way for the chosen time
            await self.store.learners.set_draft(user_id, draft)
            question = self._question(following, True, draft)
            if field == "tz":
                question = Reply(f"🌍 Time zone: {zone_label(draft.timezone)}.\n\n{question.text}", question.buttons)
            return Outcome(edit=question, notice="Saved") if pressed else Outcome((question,))
        fit = fitting.fit(updated)
        prefs, now = fit.prefs, self.clock()
        next_bite = None
        if fit.arriving:
            today = await self.store.outbox.today(user_id, prefs.local_day(now), now)
            next_bite = planning.next_bite(prefs, now, today)
        # A paused learner stays paused: the tick works out their next look from the new settings at once.
        await self.store.learners.save_preferences(user_id, prefs, now if schedule.paused else next_bite, now)
        saved = say.schedule_saved(prefs, next_bite, fit, paused=schedule.paused)
        return Outcome((saved,), notice="Saved")

    # --- snooze, pause, resume, "Got it" --------------------------------------------------------

    async def later(self, user_id: int, send_id: int) -> Outcome:
        if await self.store.outbox.sent_send(send_id, user_id) is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        return Outcome((bite_texts.later_menu(send_id),))

    async def snooze(self, user_id: int, send_id: int, choice: str) -> Outcome:
        schedule = await self.store.learners.schedule(user_id)
        if schedule is None or schedule.prefs is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        now = self.clock()
        until = planning.snooze_until(schedule.prefs, choice, now)
        if await self.store.outbox.snooze(user_id, send_id, until, now) is None:
            return Outcome(notice="That bite was already answered or put off.")
        return Outcome(edit=bite_texts.snoozed(schedule.prefs, until), notice="Later it is")

    async def pause(self, user_id: int, argument: str) -> Outcome:
        schedule = await self.store.learners.schedule(user_id)
        if schedule is None:
            return Outcome((texts.not_enrolled(),))
        prefs, now = schedule.prefs, self.clock()
        if prefs is None:  # nothing is scheduled, so a pause would only promise check-ins that never come
            return Outcome((bite_texts.nothing_to_pause(),))
        until = None
        if argument.strip():
            today = prefs.local_day(now) if prefs else now.date()
            wanted = parse_pause(argument, today)
            if wanted is None:
                return Outcome((bite_texts.pause_usage(),))
            if isinstance(wanted, int):
                until = planning.pause_end_after_days(prefs, now, wanted)
            else:
                until = planning.pause_end_on(prefs, now, wanted)
        next_due = None
        if prefs is not None:
            next_due = planning.first_slot_after(prefs, until) if until else planning.comeback_time(prefs, now, 0)
        await self.store.learners.set_pause(user_id, paused=True, until=until, next_due=next_due, now=now)
        return Outcome((bite_texts.paused(prefs, until, next_due),))

    async def resume(self, user_id: int) -> Outcome:
        schedule = await self.store.learners.schedule(user_id)
        if schedule is None:
            return Outcome((texts.not_enrolled(),))
        now = self.clock()
        next_due = await self._next_bite(schedule, now)
        await self.store.learners.set_pause(user_id, paused=False, until=None, next_due=next_due, now=now)
        return Outcome((bite_texts.resumed(schedule.prefs, next_due),))

    async def _next_bite(self, schedule: LearnerSchedule, now: datetime) -> datetime | None:
        if schedule.prefs is None:
            return None
        today = await self.store.outbox.today(schedule.user_id, schedule.prefs.local_day(now), now)
        return planning.next_bite(schedule.prefs, now, today)

    async def got_it(self, user_id: int) -> Outcome:
        """ "Got it ✓" under a lesson: reading counts as engagement."""
        if await self.store.learners.learner(user_id) is None:
            return Outcome(notice=texts.NOTICE_NOT_YOURS)
        await self.store.learners.engaged(user_id, self.clock())
        return Outcome(notice="Got it ✓")

    async def reactivate(self, user_id: int) -> None:
        """After /start: a learner who had blocked the bot gets their schedule back."""
        schedule = await self.store.learners.schedule(user_id)
        if schedule is not None and schedule.prefs is not None and not schedule.paused:
            await self.store.learners.set_next_due(user_id, await self._next_bite(schedule, self.clock()))

    async def state(self, user_id: int) -> str | None:
        """The schedule's state for /progress: next bite, paused or not, reviews due."""
        now = self.clock()
        due = await self.store.outbox.plan_inputs(user_id, now)
        if due is None:
            return None
        schedule = due.schedule
        reviews = sum(1 for review in due.reviews if review.due <= now)
        course = self.course.for_region(schedule.region)
        finished = planning.material(course, due.record, now, due.shown).item_id is None
        return say.schedule_state(
            schedule.prefs,
            paused=schedule.paused,
            paused_until=schedule.paused_until,
            next_due=await self.store.learners.next_due(user_id),
            reviews=reviews,
            finished=finished and engine.next_item(course, due.record) is None,
        )

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
    if what == "time":
        clock = parse_clock(text)
        return say.clock_value(clock) if clock else None
    if what == "days":
        days = parse_days(text)
        return str(sum(1 << day for day in days)) if days else None
    if what == "quiet":
        quiet = parse_quiet(text)
        if quiet is None:
            return None
        return "off" if quiet[0] == quiet[1] else f"{say.clock_value(quiet[0])}-{say.clock_value(quiet[1])}"
    return None


def _clock(value: str) -> time | None:
    """A button's "HHMM" (ASCII digits only: a forged "²³⁴⁵" is no time)."""
    if len(value) == 4 and value.isascii() and value.isdigit() and int(value[:2]) < 24 and int(value[2:]) < 60:
        return time(int(value[:2]), int(value[2:]))
    return None


def _apply(prefs: Preferences | None, field: str, value: str) -> Preferences | None:
    """`prefs` with one setting changed, or None if the value is not valid (stale or forged button)."""
    if field == "tz":
        if not valid_zone(value):
            return None
        return dataclasses.replace(prefs, timezone=value) if prefs else Preferences(timezone=value)
    if prefs is None or not value.isascii():
        return None
    if field == "time":
        clock = _clock(value)
        return dataclasses.replace(prefs, daily_time=clock) if clock else None
    if field == "days" and value.isdigit() and 0 < len(value) <= 3 and 0 < int(value) < 128:
        return dataclasses.replace(prefs, days=frozenset(day for day in range(7) if int(value) & (1 << day)))
    if field == "pace" and value in {str(pace) for pace in range(1, 6)}:
        return dataclasses.replace(prefs, pace=int(value))
    if field == "quiet":
        if value == "off":
            return dataclasses.replace(prefs, quiet_start=time(0, 0), quiet_end=time(0, 0), quiet_chosen=True)
        start, _, end = value.partition("-")
        start_time, end_time = _clock(start), _clock(end)
        if start_time and end_time:
            return dataclasses.replace(prefs, quiet_start=start_time, quiet_end=end_time, quiet_chosen=True)
    return None
