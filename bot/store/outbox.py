"""The schedule's outbox: who is due, each planned message from intent to sent (or failed), snoozes, and the
answers to reviews, so a crash or a restart loses no bite and sends none twice in normal operation."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.core.engine import AnswerRecord, LearnerRecord
from bot.store.codec import SCHEDULE_COLUMNS, from_text, optional_text, schedule_from, to_text
from bot.store.database import Database, Transaction
from scheduler.planning import LearnerSchedule, ReviewDue, Shown, Today
from scheduler.spacing import ReviewState


@dataclass(frozen=True)
class DueLearner:
    """A learner the tick must decide for, with everything the decision needs."""

    schedule: LearnerSchedule
    record: LearnerRecord
    reviews: tuple[ReviewDue, ...]
    today: Today
    shown: dict[str, Shown] = field(default_factory=dict)  # how often each unanswered item was shown, and when


@dataclass(frozen=True)
class Intent:
    """What the tick is about to do for one learner."""

    user_id: int
    kind: str | None
    item_id: str | None
    local_day: date
    next_due: datetime | None
    pause: bool = False
    resume: bool = False
    reminder: bool = False
    skip_if_delivered: bool = False  # a lesson: send it only if this intent is the one that delivers it
    comeback: bool = False  # an invitation to come back after a pause: count it
    invited: bool = False  # the one invitation to set up a schedule: never again


class Outbox:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._settling: dict[int, asyncio.Event] = {}  # pending sends someone waits for, set once they settle

    async def until_settled(self, send_id: int) -> None:
        """Return once a pending send is confirmed or given back (at once if it is not pending); callers bound
        the wait with `asyncio.timeout`."""
        event = self._settling.setdefault(send_id, asyncio.Event())
        try:
            rows = await self._db.fetch("SELECT status FROM sends WHERE id = ?", (send_id,))
            if rows and rows[0][0] == "pending":
                await event.wait()
        finally:
            if not event.is_set():  # settled already, or the wait was given up: nobody waits on it now
                self._settling.pop(send_id, None)

    def _settled(self, send_id: int) -> None:
        event = self._settling.pop(send_id, None)
        if event is not None:
            event.set()

    async def due_batch(self, now: datetime, limit: int) -> list[DueLearner]:
        """Up to `limit` learners whose next delivery is due, longest-waiting first, with all a plan needs.

        A learner with a message on its way (a /next being sent) waits for the next batch, so what they are
        sent keeps to course order.
        """
        rows = await self._db.fetch(
            f"SELECT {SCHEDULE_COLUMNS} FROM learners WHERE active = 1 AND next_due_at <= ? "
            "AND NOT EXISTS (SELECT 1 FROM sends WHERE sends.user_id = learners.user_id AND status = 'pending') "
            "ORDER BY next_due_at LIMIT ?",
            (to_text(now), limit),
        )
        return await self._with_plan_inputs([schedule_from(row) for row in rows], now)

    async def plan_inputs(self, user_id: int, now: datetime) -> DueLearner | None:
        """One learner with all a plan needs (for what a confirmation or /progress says)."""
        rows = await self._db.fetch(f"SELECT {SCHEDULE_COLUMNS} FROM learners WHERE user_id = ?", (user_id,))
        found = await self._with_plan_inputs([schedule_from(row) for row in rows], now)
        return found[0] if found else None

    async def upcoming(self, now: datetime, limit: int) -> list[tuple[DueLearner, datetime]]:
        """The next `limit` scheduled deliveries (due or not), soonest first, for operators."""
        rows = await self._db.fetch(
            f"SELECT {SCHEDULE_COLUMNS}, next_due_at FROM learners WHERE active = 1 AND next_due_at IS NOT NULL "
            "ORDER BY next_due_at LIMIT ?",
            (limit,),
        )
        learners = await self._with_plan_inputs([schedule_from(row[:-1]) for row in rows], now)
        return [(due, from_text(row[-1])) for due, row in zip(learners, rows, strict=True)]

    async def _with_plan_inputs(self, learners: list[LearnerSchedule], now: datetime) -> list[DueLearner]:
        """Each learner with their progress, review memory and what they had today, in three queries."""
        if not learners:
            return []
        ids = json.dumps([learner.user_id for learner in learners])
        in_batch = "user_id IN (SELECT value FROM json_each(:ids))"
        progress = await self._db.fetch(
            f"SELECT 'd', user_id, item_id, NULL, NULL, NULL FROM deliveries WHERE {in_batch} "
            f"UNION ALL SELECT 'a', user_id, item_id, option, correct, answered_at FROM answers WHERE {in_batch}",
            {"ids": ids},
        )
        cards = await self._db.fetch(
            "SELECT user_id, item_id, due_at, MAX(at) FROM ("
            f"SELECT user_id, item_id, due_at, reviewed_at AS at FROM reviews WHERE {in_batch} "
            "UNION ALL SELECT user_id, item_id, COALESCE(due_at, answered_at), answered_at "
            f"FROM answers WHERE {in_batch}"
            ") GROUP BY user_id, item_id",
            {"ids": ids},
        )
        shown_rows = await self._db.fetch(
            "SELECT user_id, item_id, COUNT(*), MAX(COALESCE(sent_at, created_at)) FROM sends s "
            f"WHERE {in_batch} AND kind IN ('new', 'pull') AND status = 'sent' AND item_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.user_id = s.user_id AND a.item_id = s.item_id) "
            "GROUP BY user_id, item_id",
            {"ids": ids},
        )
        shown: dict[int, dict[str, Shown]] = {}
        for user_id, item_id, times, last in shown_rows:
            shown.setdefault(user_id, {})[item_id] = Shown(times, from_text(last))
        recent = await self._db.fetch(
            f"SELECT user_id, local_day, kind FROM sends WHERE {in_batch} AND created_at >= :since "
            "AND status = 'sent' AND kind IN ('pull', 'new', 'review') AND practice = 0",
            {"ids": ids, "since": to_text(now - timedelta(days=2))},
        )
        delivered: dict[int, set[str]] = {}
        answers: dict[int, dict[str, AnswerRecord]] = {}
        for kind, user_id, item_id, option, correct, answered_at in progress:
            if kind == "d":
                delivered.setdefault(user_id, set()).add(item_id)
            else:
                answers.setdefault(user_id, {})[item_id] = AnswerRecord(
                    item_id, option, bool(correct), from_text(answered_at)
                )
        reviews: dict[int, list[ReviewDue]] = {}
        for user_id, item_id, due_at, _ in cards:
            reviews.setdefault(user_id, []).append(ReviewDue(item_id, from_text(due_at)))
        sends: dict[int, list[tuple[str, str]]] = {}
        for user_id, local_day, kind in recent:
            sends.setdefault(user_id, []).append((local_day, kind))
        batch = []
        for learner in learners:
            day = learner.prefs.local_day(now).isoformat() if learner.prefs else None
            todays = [kind for sent_day, kind in sends.get(learner.user_id, []) if sent_day == day]
            batch.append(
                DueLearner(
                    schedule=learner,
                    record=LearnerRecord(
                        frozenset(delivered.get(learner.user_id, ())), answers.get(learner.user_id, {})
                    ),
                    reviews=tuple(reviews.get(learner.user_id, ())),
                    today=Today(bites=len(todays), reviews=todays.count("review")),
                    shown=shown.get(learner.user_id, {}),
                )
            )
        return batch

    async def record_intents(self, intents: list[Intent], now: datetime) -> list[int | None]:
        """Before sending: note each planned message (pending) and move each learner's next due time.

        One transaction for the whole batch, so a crash leaves either all of it or none.
        """
        send_ids: list[int | None] = []
        async with self._db.transaction() as tx:
            for intent in intents:
                send_ids.append(await self._record_intent(tx, intent, now))
        return send_ids

    async def _record_intent(self, tx: Transaction, intent: Intent, now: datetime) -> int | None:
        free = await tx.fetch(
            "SELECT NOT EXISTS (SELECT 1 FROM sends WHERE user_id = :user AND status = 'pending') "
            "FROM learners WHERE user_id = :user",
            {"user": intent.user_id},
        )
        if not free:  # erased since the plan was made: nothing to send, nothing to keep
            return None
        if not free[0][0]:  # the learner's /next claimed something since the plan was made: plan them again later
            return None
        send_id = None
        claimed = False
        if intent.kind == "new" and intent.item_id is not None:
            changed, _ = await tx.execute(
                "INSERT INTO deliveries (user_id, item_id, delivered_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (intent.user_id, intent.item_id, to_text(now)),
            )
            claimed = changed == 1
        # A lesson someone else just delivered (the learner's /next) is not sent again; a question already
        # sent is, since it stays due until answered.
        if intent.kind is not None and (claimed or not intent.skip_if_delivered):
            _, send_id = await tx.execute(
                "INSERT INTO sends (user_id, kind, item_id, local_day, status, created_at, claimed) "
                "VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                (intent.user_id, intent.kind, intent.item_id, intent.local_day.isoformat(), to_text(now), int(claimed)),
            )
        await tx.execute(
            "UPDATE learners SET next_due_at = :due, "
            "snoozed_until = CASE WHEN :sending THEN NULL ELSE snoozed_until END, "
            "paused = CASE WHEN :pause THEN 1 WHEN :resume THEN 0 ELSE paused END, "
            "paused_until = CASE WHEN :resume THEN NULL ELSE paused_until END, "
            "paused_at = CASE WHEN :pause THEN :now WHEN :resume THEN NULL ELSE paused_at END, "
            "comebacks = CASE WHEN :pause OR :resume THEN 0 WHEN :comeback THEN comebacks + 1 ELSE comebacks END, "
            "setup = CASE WHEN :invited THEN 'invited' ELSE setup END, "
            "reminded = CASE WHEN :reminder THEN 1 ELSE reminded END WHERE user_id = :user",
            {
                "due": optional_text(intent.next_due),
                "sending": int(intent.kind is not None),
                "pause": int(intent.pause),
                "resume": int(intent.resume),
                "now": to_text(now),
                "comeback": int(intent.comeback),
                "invited": int(intent.invited),
                "reminder": int(intent.reminder),
                "user": intent.user_id,
            },
        )
        return send_id

    async def confirm_sent(
        self, send_id: int, now: datetime, message: tuple[int, int] | None = None, *, for_hide: bool = True
    ) -> bool:
        """After sending: the message went out; count it as unanswered until the learner acts.

        `message` is (chat id, Telegram's message id): kept for 48 hours with the send, so the message's buttons
        can be removed if it is put off, answered elsewhere or superseded by a newer copy, and (unless the caller
        keeps it itself: not `for_hide`) for /hide. False, and nothing kept, if the learner was erased meanwhile.
        """
        # Single statements, not one transaction: the commonest confirmation (a bite pulled with /next) is then
        # the one statement and the one commit. The send's row is the truth and changes in one statement; a
        # crash before the unanswered count is raised only leaves that count one short.
        rows = await self._db.fetch(
            "UPDATE sends SET status = 'sent', sent_at = ?, message_id = ? WHERE id = ? AND status = 'pending' "
            "RETURNING user_id, kind",
            (to_text(now), message[1] if message is not None else None, send_id),
        )
        self._settled(send_id)
        for user_id, kind in rows:
            if kind in ("new", "review"):
                await self._db.fetch("UPDATE learners SET unanswered = unanswered + 1 WHERE user_id = ?", (user_id,))
        if rows and message is not None and for_hide:
            # Only while the learner is still there: an erasure between the two statements leaves no id behind.
            await self._db.fetch(
                "INSERT INTO bot_messages (chat_id, message_id, sent_at) SELECT ?, ?, ? "
                "WHERE EXISTS (SELECT 1 FROM learners WHERE user_id = ?) ON CONFLICT DO NOTHING",
                (*message, to_text(now), rows[0][0]),
            )
        return bool(rows)

    async def confirm_failed(self, send_id: int) -> None:
        """The message did not go out: the send failed, and the delivery it claimed is given back."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch(
                "UPDATE sends SET status = 'failed' WHERE id = ? AND status = 'pending' "
                "RETURNING user_id, item_id, claimed",
                (send_id,),
            )
            await _give_back_claims(tx, rows)
        self._settled(send_id)

    async def recover_pending(self, now: datetime) -> int:
        """At start-up: messages whose sending a crash interrupted are planned again.

        Whether Telegram got such a message is unknowable, so this errs toward sending a bite twice rather
        than losing it: the send is marked failed and its learner is due at once.
        """
        async with self._db.transaction() as tx:
            rows = await tx.fetch(
                "UPDATE sends SET status = 'failed' WHERE status = 'pending' RETURNING user_id, item_id, claimed"
            )
            await _give_back_claims(tx, rows)
            users = {row[0] for row in rows}
            for user_id in users:
                await tx.execute(
                    "UPDATE learners SET next_due_at = ? WHERE user_id = ? AND active = 1 AND paused = 0",
                    (to_text(now), user_id),
                )
        return len(users)

    async def snooze(self, user_id: int, send_id: int, until: datetime, now: datetime) -> str | None:
        """Put off a scheduled bite: it comes back at `until`. Returns its item, or None if it can't be."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch(
                "UPDATE sends SET status = 'snoozed' WHERE id = ? AND user_id = ? AND status = 'sent' "
                "AND kind IN ('new', 'review') AND answered_at IS NULL RETURNING kind, item_id",
                (send_id, user_id),
            )
            if not rows:
                return None
            kind, item_id = rows[0]
            if kind == "new":
                # Delivered no more, so the course hands it out again when the snooze is over.
                await _give_back_delivery(tx, user_id, item_id)
            await tx.execute(
                "UPDATE learners SET snoozed_until = ?, next_due_at = ?, unanswered = 0, reminded = 0, "
                "last_active_at = ? WHERE user_id = ?",
                (to_text(until), to_text(until), to_text(now), user_id),
            )
        return str(item_id)

    async def today(self, user_id: int, day: date, now: datetime) -> Today:
        """What the learner has had on their bite day `day` (scheduled and pulled), for confirmations."""
        rows = await self._db.fetch(
            "SELECT kind FROM sends WHERE user_id = ? AND local_day = ? AND created_at >= ? AND status = 'sent' "
            "AND kind IN ('pull', 'new', 'review') AND practice = 0",
            (user_id, day.isoformat(), to_text(now - timedelta(days=2))),
        )
        kinds = [row[0] for row in rows]
        return Today(bites=len(kinds), reviews=kinds.count("review"))

    async def sent_send(self, send_id: int, user_id: int) -> tuple[str, str] | None:
        """(kind, item) of a message sent to this learner that is still waiting for its answer."""
        rows = await self._db.fetch(
            "SELECT kind, item_id FROM sends WHERE id = ? AND user_id = ? AND status = 'sent' AND answered_at IS NULL",
            (send_id, user_id),
        )
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    async def record_review(
        self, user_id: int, send_id: int, item_id: str, option: int, correct: bool, state: ReviewState, now: datetime
    ) -> bool:
        """Keep the answer to a review question; False when that review was already answered (a double tap)."""
        async with self._db.transaction() as tx:
            claimed = await tx.fetch(
                # The press edits this message's buttons away itself, so its id is no longer needed.
                "UPDATE sends SET answered_at = ?, message_id = NULL WHERE id = ? AND user_id = ? AND kind = 'review' "
                "AND status = 'sent' AND answered_at IS NULL RETURNING id",
                (to_text(now), send_id, user_id),
            )
            if not claimed:
                return False
            await tx.execute(
                "INSERT INTO reviews (user_id, item_id, send_id, option, correct, reviewed_at, rating, card, due_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    user_id,
                    item_id,
                    send_id,
                    option,
                    int(correct),
                    to_text(now),
                    state.rating,
                    state.card,
                    to_text(state.due),
                ),
            )
        return True

    async def record_practice(self, user_id: int, item_id: str, now: datetime, local_day: date) -> int:
        """A review the learner asked for now (/review): sent at once, answered like any review, and outside
        the day's pace (so practice never delays the schedule's bites)."""
        rows = await self._db.fetch(
            "INSERT INTO sends (user_id, kind, item_id, local_day, status, created_at, sent_at, practice) "
            "VALUES (?, 'review', ?, ?, 'sent', ?, ?, 1) RETURNING id",
            (user_id, item_id, local_day.isoformat(), to_text(now), to_text(now)),
        )
        return int(rows[0][0])

    async def is_practice(self, send_id: int) -> bool:
        rows = await self._db.fetch("SELECT practice FROM sends WHERE id = ?", (send_id,))
        return bool(rows and rows[0][0])

    async def attempts(self, user_id: int) -> list[tuple[str, bool, datetime]]:
        """Every answer the learner gave, first answers and reviews: (question, right, when), oldest first."""
        rows = await self._db.fetch(
            "SELECT item_id, correct, answered_at AS at FROM answers WHERE user_id = :user UNION ALL "
            "SELECT item_id, correct, reviewed_at FROM reviews WHERE user_id = :user ORDER BY at",
            {"user": user_id},
        )
        return [(str(row[0]), bool(row[1]), from_text(row[2])) for row in rows]

    async def latest_card(self, user_id: int, item_id: str) -> str | None:
        """The question's memory state after its latest review (or its first answer)."""
        rows = await self._db.fetch(
            "SELECT card FROM ("
            "SELECT card, reviewed_at AS at FROM reviews WHERE user_id = :user AND item_id = :item UNION ALL "
            "SELECT card, answered_at FROM answers WHERE user_id = :user AND item_id = :item) "
            "WHERE card IS NOT NULL ORDER BY at DESC LIMIT 1",
            {"user": user_id, "item": item_id},
        )
        return str(rows[0][0]) if rows else None


async def _give_back_claims(tx: Transaction, rows: list[Any]) -> None:
    for user_id, item_id, claimed in rows:
        if claimed and item_id is not None:
            await _give_back_delivery(tx, user_id, item_id)


async def _give_back_delivery(tx: Transaction, user_id: int, item_id: str) -> None:
    """Undeliver an item (so the course hands it out again), unless the learner has answered it."""
    await tx.execute(
        "DELETE FROM deliveries WHERE user_id = ? AND item_id = ? "
        "AND NOT EXISTS (SELECT 1 FROM answers WHERE user_id = ? AND item_id = ?)",
        (user_id, item_id, user_id, item_id),
    )
