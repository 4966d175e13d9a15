"""Cohorts as a conversation: an invite link (/start CODE) tells the learner which cohort and what its owner will
see, and they join only after agreeing; they can leave in /settings; /progress shows the due date; and /stats
gives a cohort's owner (and admins) that cohort's figures, and anyone else nothing about it.

A closed or unknown code gets a clear answer and changes nothing: not even an enrolment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.content.model import Course
from bot.conversation import cohort_texts as say
from bot.conversation import schedule_texts, texts
from bot.conversation.replies import Outcome, Reply
from bot.core import training_buttons as tb
from bot.logs import learner_ref
from bot.reports import outcomes, stats
from bot.store import Cohort, Store

logger = logging.getLogger(__name__)


class CohortChat:
    def __init__(
        self, course: Course, store: Store, clock: Callable[[], datetime], admins: frozenset[int] = frozenset()
    ) -> None:
        self.course = course
        self.store = store
        self.clock = clock
        self.admins = admins

    async def refusal(self, code: str) -> Reply | None:
        """Why an invite code cannot be used (unknown or closed), or None when it is an open cohort's."""
        cohort = await self.store.cohorts.by_code(code) if tb.is_code(code) else None
        if cohort is None:
            return say.unknown_code()
        return None if cohort.open else say.closed_cohort(cohort)

    async def invitation(self, user_id: int, code: str) -> Reply:
        """The invitation behind an open cohort's code (already checked by `refusal`)."""
        cohort = await self.store.cohorts.by_code(code)
        if cohort is None:
            return say.unknown_code()
        membership = await self.store.cohorts.membership(user_id)
        if membership is not None and membership.cohort.id == cohort.id:
            return say.already_member(cohort)
        return say.invitation(cohort, membership.cohort if membership else None)

    async def press(self, user_id: int, action: tb.CohortAction) -> Outcome:
        if await self.store.learners.learner(user_id) is None:
            return Outcome((texts.not_enrolled(),), notice=texts.NOTICE_NOT_YOURS)
        if isinstance(action, tb.JoinCohort):
            return await self._join(user_id, action.code)
        if isinstance(action, tb.DeclineCohort):
            return await self._then_onboard(user_id, Outcome(edit=say.declined(), notice="Not joined"))
        return await self._leave(user_id, action.confirmed)

    async def _join(self, user_id: int, code: str) -> Outcome:
        refused = await self.refusal(code)
        if refused is not None:
            return Outcome(edit=refused, notice="Not joined")
        cohort = await self.store.cohorts.join(user_id, code, self.clock())
        if cohort is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        logger.info("learner joined a cohort", extra={"learner": learner_ref(user_id), "cohort": cohort.id})
        return await self._then_onboard(user_id, Outcome(edit=say.joined(cohort), notice="Joined"))

    async def _then_onboard(self, user_id: int, outcome: Outcome) -> Outcome:
        """A learner who came by an invite link and has no schedule yet goes on to set one."""
        schedule = await self.store.learners.schedule(user_id)
        if schedule is not None and schedule.prefs is None:
            replies = (*outcome.replies, schedule_texts.ask_region(then=True))
            return Outcome(replies=replies, notice=outcome.notice, edit=outcome.edit)
        return outcome

    async def _leave(self, user_id: int, confirmed: bool | None) -> Outcome:
        membership = await self.store.cohorts.membership(user_id)
        if membership is None:
            return Outcome(edit=say.not_a_member(), notice="Not in a cohort")
        if confirmed is None:
            return Outcome((say.ask_leave(membership.cohort),))
        if not confirmed:
            return Outcome(edit=say.stayed(membership.cohort), notice="Stayed")
        left = await self.store.cohorts.leave(user_id)
        logger.info("learner left a cohort", extra={"learner": learner_ref(user_id)})
        return Outcome(edit=say.left(left or membership.cohort), notice="Left")

    async def cohort_name(self, user_id: int) -> str | None:
        """The name of the learner's cohort (for /settings), if they are in one."""
        membership = await self.store.cohorts.membership(user_id)
        return membership.cohort.name if membership else None

    async def due_line(self, user_id: int) -> str | None:
        """What /progress says about the learner's due date, if their cohort has one."""
        membership = await self.store.cohorts.membership(user_id)
        if membership is None:
            return None
        schedule = await self.store.learners.schedule(user_id)
        now = self.clock()
        today = schedule.prefs.local_day(now) if schedule and schedule.prefs else now.date()
        return say.due_line(membership.cohort, today)

    async def stats(self, user_id: int, argument: str) -> list[str] | None:
        """/stats: the whole course for admins, a cohort's figures for its owner or an admin (/stats NAME, or just
        /stats for an owner of one cohort); None (nothing at all) for anyone else or any other cohort."""
        name = argument.strip()
        admin = user_id in self.admins
        if not name:
            if admin:
                report = stats.compute(self.course, await self.store.statistics.rows(), self.clock())
                return stats.render_text(report).splitlines()
            owned = await self.store.cohorts.owned_by(user_id)
            if len(owned) == 1:
                return await cohort_report(self.course, self.store, owned[0], self.clock())
            if owned:
                return ["You own several cohorts: send /stats NAME for one of them:", *(c.name for c in owned)]
            return None
        cohort = await self.store.cohorts.named(name)
        if cohort is None or not (admin or cohort.owner_id == user_id):
            return None  # the same answer whether the cohort exists or not
        return await cohort_report(self.course, self.store, cohort, self.clock())


async def cohort_report(course: Course, store: Store, cohort: Cohort, now: datetime) -> list[str]:
    """A cohort's report, as lines: its members and finishers, the certificates its owner may see, the outcomes
    and the course statistics of its members only (for /stats and `coursebot stats --cohort`)."""
    members = await store.cohorts.members(cohort.id)
    report = outcomes.compute(
        course, await store.assessments.outcome_rows(members), scope=f'cohort "{cohort.name}"', due_on=cohort.due_on
    )
    issued = await store.cohorts.certificates(cohort.id)
    scoped = outcomes.scope_statistics(await store.statistics.rows(), frozenset(members))
    lines = outcomes.render_cohort(cohort, report, issued)
    lines += ["", *outcomes.render_text(report).splitlines()[2:]]
    lines += ["", *stats.render_text(stats.compute(course, scoped, now)).splitlines()]
    return lines
