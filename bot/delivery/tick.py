"""The tick: one repeating job that finds who is due in SQLite, plans their bites, and sends them.

SQLite is the truth: each learner's next due time lives in the store and there is no in-memory job per
learner, so a restart simply resumes. After downtime, whatever fell due is sent once (the first tick
moves each learner's due time past now).

A tick works in chunks of about a second of sending, longest-waiting learners first: each chunk is planned
and claimed just before it is sent, so nothing waits long between its claim and its send, and a learner's
/next never races a claim made long ago. Chunk follows chunk while anyone is due, for one interval; the
next tick, which the job queue starts at the end of that interval, waits for the last chunk and carries
on. So sending never stops while anyone is due (no gap after a full tick, no skipped run), and stopping
takes at most one chunk.

Crash safety: every message is recorded as intended (pending) before it is sent and confirmed after.
A crash between the two errs toward sending twice, never toward losing a bite: at start-up
`Store.recover_pending` fails the pending sends and makes their learners due again.

After sending, each tick removes the buttons of messages that were put off, answered elsewhere or superseded
(where the sender can edit messages), and every few hours it prunes what the store no longer needs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from bot.content.model import Course, Question
from bot.conversation import bite_texts, texts
from bot.conversation.audience import Audience
from bot.conversation.replies import Reply
from bot.delivery.sending import (
    DEFAULT_RATE,
    Blocked,
    Delivery,
    FloodWait,
    NetworkTrouble,
    Pacer,
    Rejected,
    Sender,
    deliver,
)
from bot.logs import learner_ref
from bot.store import DueLearner, Intent, Store
from scheduler import planning
from scheduler.planning import Kind, LearnerSchedule

logger = logging.getLogger(__name__)

TICK_INTERVAL = timedelta(seconds=45)
CHUNK_SECONDS = 1.0  # how much sending each chunk holds
LARGEST_CHUNK = 1000
PRUNE_EVERY = timedelta(hours=6)
BUTTONS_PER_TICK = 100  # edits are bulk requests too: a backlog is cleared over a few ticks


@runtime_checkable
class ButtonRemover(Protocol):
    """A sender that can also take the buttons off a message it sent (Telegram can; the terminal cannot)."""

    async def clear_buttons(self, chat_id: int, message_id: int) -> None:
        """Remove the message's inline keyboard; raises what `Sender.send` raises."""
        ...


@dataclass
class TickReport:
    """What one tick did (counts only: no learner data)."""

    due: int = 0
    planned: int = 0
    deliveries: dict[Delivery, int] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return self.deliveries.get(Delivery.SENT, 0)


class Ticker:
    """Runs ticks for one course, store and sender."""

    def __init__(
        self,
        course: Course,
        store: Store,
        sender: Sender,
        *,
        clock: Callable[[], datetime],
        rate: float = DEFAULT_RATE,
        interval: timedelta = TICK_INTERVAL,
        pacer: Pacer | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        prune_every: timedelta | None = PRUNE_EVERY,
    ) -> None:
        self.course = course
        self.store = store
        self.sender = sender
        self.clock = clock
        self.pacer = pacer or Pacer(rate)
        self.interval = interval.total_seconds()
        self._monotonic = monotonic
        # About a second of sending at the pacer's rate: claimed just before it goes out.
        self.batch_size = max(1, int(min(self.pacer.rate * CHUNK_SECONDS, LARGEST_CHUNK)))
        self._lock = asyncio.Lock()
        # When a tick last read and wrote the store successfully: what the health check judges the tick by.
        self.last_success: datetime | None = None
        self._stopped = False
        self._pruned_at: datetime | None = None
        self._prune_every = prune_every  # None: never (to measure what pruning saves)

    async def start(self) -> int:
        """At start-up: re-plan whatever a crash left half-sent; returns how many learners that was."""
        recovered = await self.store.outbox.recover_pending(self.clock())
        if recovered:
            logger.warning("re-planning %d interrupted deliveries", recovered)
        return recovered

    async def plan(self, now: datetime) -> list[tuple[DueLearner, planning.Plan]]:
        """Who is due at `now` and what each gets (no sending, no writing)."""
        batch = await self.store.outbox.due_batch(now, self.batch_size)
        return [
            (due, planning.plan(self._taken_by(due), due.schedule, due.record, due.reviews, due.today, now, due.shown))
            for due in batch
        ]

    def _taken_by(self, due: DueLearner) -> Course:
        return self.course.for_region(due.schedule.region)

    async def tick(self) -> TickReport:
        """Chunk after chunk: plan, record the intent, send, confirm, while anyone is due, for one interval.
        Ticks never overlap: a tick started meanwhile waits for this one, then carries on.

        The interval counts from when the tick was started, not from when it had its turn: a tick that waited
        for the one before ends no later, so lateness never adds up and a tick never runs into the one after
        next (APScheduler would skip that one: "maximum number of running instances reached")."""
        deadline = self._monotonic() + self.interval
        async with self._lock:
            report = TickReport()
            while not self._stopped:
                taken = await self._chunk(report)
                if taken < self.batch_size or self._monotonic() >= deadline:
                    break
            if report.planned:
                logger.info("tick: %d due, %d sent, %s", report.due, report.sent, _summary(report))
            if not self._stopped:
                await self._upkeep(self.clock(), deadline)
            return report

    async def _chunk(self, report: TickReport) -> int:
        """One chunk of the tick; how many due learners it took."""
        now = self.clock()
        plans = await self.plan(now)
        if not plans:
            self.last_success = now
            return 0
        intents = [_intent(due, plan, now, self._taken_by(due)) for due, plan in plans]
        send_ids = await self.store.outbox.record_intents(intents, now)
        self.last_success = now
        jobs = []
        for (due, plan), send_id in zip(plans, send_ids, strict=True):
            if send_id is not None and plan.kind is not None:
                reply = self._compose(plan, send_id, due.schedule)
                jobs.append(self._send(due.schedule.user_id, due.schedule.chat_id, send_id, reply))
        report.due += len(plans)
        report.planned += len(jobs)
        for outcome in await asyncio.gather(*jobs):
            report.deliveries[outcome] = report.deliveries.get(outcome, 0) + 1
        return len(plans)

    async def _upkeep(self, now: datetime, deadline: float) -> None:
        """Buttons that should go (in what is left of the interval: lessons first), message ids past 48 hours,
        and (every few hours) pruning."""
        pruning = self.store.pruning
        await pruning.buttons_cleared(await pruning.only_copy_answered())
        if isinstance(self.sender, ButtonRemover):
            cleared = []
            for stale in await pruning.stale_buttons(BUTTONS_PER_TICK):
                if self._monotonic() >= deadline:
                    break
                if await self._clear(self.sender, stale.chat_id, stale.message_id):
                    cleared.append(stale.send_id)
            await pruning.buttons_cleared(cleared)
        await pruning.forget_message_ids(now)
        if self._prune_every is not None and (self._pruned_at is None or now - self._pruned_at >= self._prune_every):
            pruned = await pruning.prune(now, frozenset(question.id for question in self.course.questions))
            self._pruned_at = now
            if pruned:
                logger.info("pruned %d old sends", pruned)

    async def _clear(self, remover: ButtonRemover, chat_id: int, message_id: int) -> bool:
        """Take a message's buttons off; True once they are gone (or can never be: the message is too old,
        deleted, already bare, or the learner blocked the bot). Network trouble leaves it for the next tick."""
        await self.pacer.turn()
        try:
            await remover.clear_buttons(chat_id, message_id)
        except FloodWait as wait:
            self.pacer.hold(wait.seconds)
            return False
        except NetworkTrouble:
            return False
        except (Rejected, Blocked):
            return True
        return True

    async def stop(self) -> None:
        """Let the chunk under way finish (its sends confirmed), then run no more: for a clean shutdown."""
        self._stopped = True
        async with self._lock:
            pass

    def _compose(self, plan: planning.Plan, send_id: int, schedule: LearnerSchedule) -> Reply:
        if plan.kind is Kind.PAUSE_NOTICE:
            return bite_texts.auto_paused()
        if plan.kind is Kind.COMEBACK:
            return bite_texts.comeback(last=plan.next_due is None)
        if plan.kind is Kind.INVITE:
            return bite_texts.invite_to_set_up()
        item = self.course.item(plan.item_id or "")
        if item is None:  # the content changed since planning: nothing sensible to send
            return bite_texts.auto_paused()
        audience = Audience(self.course, schedule.region, schedule.user_id)
        if plan.kind is Kind.REVIEW and isinstance(item, Question):
            reply = bite_texts.review_question(audience, item, send_id)
        elif isinstance(item, Question):
            reply = texts.with_milestone(audience, item, texts.question(audience, item))
        else:
            reply = texts.with_milestone(audience, item, texts.lesson(audience, item))
        return bite_texts.scheduled(reply, send_id, reminder=plan.reminder, discreet=schedule.discreet)

    async def _send(self, user_id: int, chat_id: int, send_id: int, reply: Reply) -> Delivery:
        outcome, message_id = await deliver(self.sender, self.pacer, chat_id, reply)
        if outcome is Delivery.SENT:
            # One step with the confirmation: a learner erased meanwhile leaves no message id behind.
            message = (chat_id, message_id) if message_id is not None else None
            await self.store.outbox.confirm_sent(send_id, self.clock(), message)
        else:
            await self.store.outbox.confirm_failed(send_id)
            if outcome is Delivery.BLOCKED:
                await self.store.learners.set_inactive(user_id)
                logger.info("learner blocked the bot: deliveries stopped", extra={"learner": learner_ref(user_id)})
        return outcome


# Notices share the kind the sends table was made with; the item column names which notice it was.
_NOTICES = {Kind.PAUSE_NOTICE: None, Kind.COMEBACK: "comeback", Kind.INVITE: "invite"}


def _intent(due: DueLearner, plan: planning.Plan, now: datetime, course: Course) -> Intent:
    prefs = due.schedule.prefs
    kind = plan.kind.value if plan.kind is not None else None
    item_id = plan.item_id
    if plan.kind is not None and plan.kind in _NOTICES:
        kind, item_id = Kind.PAUSE_NOTICE.value, _NOTICES[plan.kind]
    return Intent(
        user_id=due.schedule.user_id,
        kind=kind,
        item_id=item_id,
        local_day=prefs.local_day(now) if prefs else now.date(),
        next_due=plan.next_due,
        pause=plan.pause,
        resume=plan.resume,
        reminder=plan.reminder,
        skip_if_delivered=plan.kind is Kind.NEW and not isinstance(course.item(plan.item_id or ""), Question),
        comeback=plan.comeback,
        invited=plan.invited,
    )


def _summary(report: TickReport) -> str:
    return ", ".join(f"{outcome.value} {count}" for outcome, count in sorted(report.deliveries.items(), key=str))
