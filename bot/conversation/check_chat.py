"""The knowledge checks before and after the course, and their 1-5 ratings, as a conversation.

When they come is decided in `bot.core.checks` (and written down there): offered once before module 1 and once
after the last module, skippable in one tap, never offered again once skipped; /check takes them when they may
be taken. Only whether each item was answered well is kept, never the option chosen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.content.model import Course, TestQuestion
from bot.conversation import check_texts as say
from bot.conversation import texts
from bot.conversation.audience import Audience
from bot.conversation.replies import Outcome, Reply
from bot.core import checks
from bot.core import training_buttons as tb
from bot.core.checks import Status
from bot.core.engine import LearnerRecord
from bot.store import Store

Continue = Callable[[], Awaitable[Outcome]]


class CheckChat:
    def __init__(self, course: Course, store: Store, clock: Callable[[], datetime]) -> None:
        self.course = course
        self.store = store
        self.clock = clock

    async def _audience(self, user_id: int) -> Audience:
        return Audience(self.course, await self.store.learners.region(user_id), user_id)

    async def offer_before(self, user_id: int, taken: Course, progress: LearnerRecord) -> Outcome | None:
        """At the learner's first bite: the check before the course, offered once (None: not now)."""
        if not checks.has_check(taken, checks.PRE):
            return None
        record = await self.store.assessments.record(user_id, checks.PRE)
        if not checks.offer_due(taken, checks.PRE, progress, record):
            return None
        if not await self.store.assessments.set_status(user_id, checks.PRE, Status.OFFERED, unless=tuple(Status)):
            return None  # offered a moment ago (a double tap)
        return Outcome((say.offer(taken, checks.PRE),))

    async def offer_after(self, user_id: int, taken: Course) -> tuple[Reply, ...]:
        """The course is finished: the check after it, offered the first time (nothing after that)."""
        if not checks.has_check(taken, checks.POST):
            return ()
        record = await self.store.assessments.record(user_id, checks.POST)
        if record.status is not None:
            return ()
        await self.store.assessments.set_status(user_id, checks.POST, Status.OFFERED, unless=tuple(Status))
        return (say.offer(taken, checks.POST),)

    async def command(self, user_id: int) -> Outcome:
        """/check: the check after the course once it is finished, else the one before it while it may be taken."""
        if await self.store.learners.learner(user_id) is None:
            return Outcome((texts.not_enrolled(),))
        audience = await self._audience(user_id)
        progress = await self.store.progress.record(user_id)
        for phase in (checks.POST, checks.PRE):
            record = await self.store.assessments.record(user_id, phase)
            if not checks.may_take(audience.course, phase, progress, record):
                continue
            if phase == checks.POST and record.status is Status.DONE:
                before = await self.store.assessments.record(user_id, checks.PRE)
                pre = before.correct if before.status is Status.DONE else None
                return Outcome((say.both_done(self.course, pre, record.correct),))
            await self.store.assessments.set_status(user_id, phase, Status.STARTED, unless=(Status.DONE,))
            return Outcome((await self._next(user_id, phase, audience),))
        return Outcome((say.not_now(None),))

    async def press(self, user_id: int, action: tb.CheckAction, then: Continue) -> Outcome:
        """A check button; `then` is what follows skipping the check before the course (the first bite)."""
        if await self.store.learners.learner(user_id) is None:
            return Outcome((texts.not_enrolled(),), notice=texts.NOTICE_NOT_YOURS)
        phase = action.phase
        audience = await self._audience(user_id)
        progress = await self.store.progress.record(user_id)
        record = await self.store.assessments.record(user_id, phase)
        if isinstance(action, tb.SkipCheck):
            return await self._skip(user_id, phase, then)
        if not checks.may_take(audience.course, phase, progress, record) or record.status is Status.DONE:
            return Outcome((say.not_now(phase),), notice=say.NOTICE_CLOSED)
        if isinstance(action, tb.StartCheck):
            await self.store.assessments.set_status(user_id, phase, Status.STARTED, unless=(Status.DONE,))
            return Outcome(edit=say.offer_taken(phase), replies=(await self._next(user_id, phase, audience),))
        if isinstance(action, tb.Rate):
            answered = await self._rate(user_id, action)
        else:
            question = checks.item(self.course, phase, action.item_id)
            if question is None or not 0 <= action.option < len(question.options):
                return Outcome(notice=texts.NOTICE_STALE_BUTTON)
            answered = await self._answer(user_id, phase, question, action.option, audience)
        if answered is None:
            return Outcome(notice=say.NOTICE_ALREADY)
        await self.store.assessments.set_status(user_id, phase, Status.STARTED, unless=(Status.DONE,))
        return Outcome(edit=answered, replies=(await self._next(user_id, phase, audience),), notice="Noted")

    async def _skip(self, user_id: int, phase: str, then: Continue) -> Outcome:
        await self.store.assessments.set_status(user_id, phase, Status.SKIPPED, unless=(Status.DONE,))
        if phase == checks.PRE:
            following = await then()
            return Outcome(replies=(say.skipped(phase), *following.replies), notice="Skipped")
        return Outcome((say.skipped(phase),), notice="Skipped")

    async def _rate(self, user_id: int, action: tb.Rate) -> Reply | None:
        if not await self.store.assessments.record_rating(user_id, action.phase, action.scale, action.value):
            return None
        number = checks.number_of(self.course, action.phase, action.scale)
        return say.rated(action.phase, action.scale, number, checks.steps(self.course, action.phase), action.value)

    async def _answer(
        self, user_id: int, phase: str, question: TestQuestion, option: int, audience: Audience
    ) -> Reply | None:
        correct = option == question.best_index
        if not await self.store.assessments.record_answer(user_id, phase, question.id, correct):
            return None
        number = checks.number_of(self.course, phase, question)
        return say.item_answered(audience, phase, question, option, number, checks.steps(self.course, phase))

    async def _next(self, user_id: int, phase: str, audience: Audience) -> Reply:
        """The next rating or item of the check; at the end, the check is done and the learner told their score."""
        record = await self.store.assessments.record(user_id, phase)
        step = checks.next_step(self.course, phase, record)
        total = checks.steps(self.course, phase)
        if isinstance(step, str):
            return say.rating(phase, step, checks.number_of(self.course, phase, step), total)
        if step is not None:
            return say.item(audience, phase, step, checks.number_of(self.course, phase, step), total)
        await self.store.assessments.set_status(user_id, phase, Status.DONE)
        before = None
        if phase == checks.POST:
            pre = await self.store.assessments.record(user_id, checks.PRE)
            before = pre.correct if pre.status is Status.DONE else None
        return say.finished(self.course, phase, record.correct, before)
