"""Progress: what each learner was sent of the course and how they answered (first answers; reviews are in
`outbox`), and what a certificate is judged on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core.engine import AnswerRecord, LearnerRecord
from bot.store.codec import from_text, to_text
from bot.store.database import Database
from scheduler.spacing import ReviewState


@dataclass(frozen=True)
class PullClaim:
    """An item claimed for /next: the pending send to settle once the adapter knows whether it went out."""

    send_id: int | None  # None: nothing was claimed
    delivers: bool  # this pull is what delivers the item (False: a question sent again until answered)
    behind: int | None = None  # nothing claimed, because this scheduled send to the learner is on its way


class Progress:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, user_id: int, *, only: str | None = None) -> LearnerRecord:
        """Everything the learner has done (or, with `only`, all about that one item)."""
        item_filter = "" if only is None else " AND item_id = :item"
        rows = await self._db.fetch(
            f"SELECT 'delivered', item_id, NULL, NULL, NULL FROM deliveries WHERE user_id = :user{item_filter} "
            f"UNION ALL SELECT 'answered', item_id, option, correct, answered_at FROM answers "
            f"WHERE user_id = :user{item_filter}",
            {"user": user_id, "item": only},
        )
        delivered: set[str] = set()
        answers: dict[str, AnswerRecord] = {}
        for kind, item_id, option, correct, answered_at in rows:
            if kind == "delivered":
                delivered.add(item_id)
            else:
                answers[item_id] = AnswerRecord(item_id, option, bool(correct), from_text(answered_at))
        return LearnerRecord(delivered=frozenset(delivered), answers=answers)

    async def record_delivery(self, user_id: int, item_id: str, now: datetime) -> None:
        """Note that the item was sent to the learner (the first time counts)."""
        await self._db.fetch(
            "INSERT INTO deliveries (user_id, item_id, delivered_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (user_id, item_id, to_text(now)),
        )

    async def record_answer(self, user_id: int, answer: AnswerRecord, state: ReviewState) -> bool:
        """Keep the learner's first answer to a question they were sent, with its memory state for review.

        False, and nothing kept, when the question was never sent to them or already has their answer:
        the check and the write are one statement, so two taps at once still count once.
        """
        inserted = await self._db.fetch(
            "INSERT INTO answers (user_id, item_id, option, correct, answered_at, rating, card, due_at) "
            "SELECT :user, :item, :option, :correct, :at, :rating, :card, :due "
            "WHERE EXISTS (SELECT 1 FROM deliveries WHERE user_id = :user AND item_id = :item) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            {
                "user": user_id,
                "item": answer.item_id,
                "option": answer.option,
                "correct": int(answer.correct),
                "at": to_text(answer.answered_at),
                "rating": state.rating,
                "card": state.card,
                "due": to_text(state.due),
            },
        )
        return bool(inserted)

    async def record_pull(
        self, user_id: int, item_id: str, now: datetime, local_day: date, *, again: bool = False
    ) -> PullClaim:
        """The learner asked for this item (/next): claim it, as a send that stays pending until the adapter
        confirms it went out (`Outbox.confirm_sent`) or gives the claim back (`Outbox.confirm_failed`).

        The claim delivers the item unless it was delivered already: then, with `again` (a question, which is
        sent until answered), it is claimed to be sent again; without, nothing is claimed (`send_id` None: the
        schedule delivered this lesson a moment ago). Nothing is claimed while one of the schedule's messages to
        this learner is being sent (`behind` names it): it must reach them first, or the course would arrive out
        of order.
        """
        sending = "SELECT id FROM sends WHERE user_id = ? AND status = 'pending' AND kind != 'pull' LIMIT 1"
        async with self._db.transaction() as tx:
            # The delivery is claimed only while no scheduled message is on its way, in the same statement: the
            # commonest path makes one statement fewer, and the check runs alone only when nothing was claimed.
            claimed, _ = await tx.execute(
                "INSERT INTO deliveries (user_id, item_id, delivered_at) SELECT ?, ?, ? "
                f"WHERE NOT EXISTS ({sending}) ON CONFLICT DO NOTHING",
                (user_id, item_id, to_text(now), user_id),
            )
            if claimed != 1:
                on_its_way = await tx.fetch(sending, (user_id,))
                if on_its_way:
                    return PullClaim(None, delivers=False, behind=on_its_way[0][0])
                if not again:
                    return PullClaim(None, delivers=False)
            _, send_id = await tx.execute(
                "INSERT INTO sends (user_id, kind, item_id, local_day, status, created_at, claimed) "
                "VALUES (?, 'pull', ?, ?, 'pending', ?, ?)",
                (user_id, item_id, local_day.isoformat(), to_text(now), int(claimed == 1)),
            )
        return PullClaim(send_id, delivers=claimed == 1)

    async def best_results(self, user_id: int) -> dict[str, bool]:
        """For each question the learner answered, whether any attempt (first answer or review) was right."""
        rows = await self._db.fetch(
            "SELECT item_id, MAX(correct) FROM (SELECT item_id, correct FROM answers WHERE user_id = :user "
            "UNION ALL SELECT item_id, correct FROM reviews WHERE user_id = :user) GROUP BY item_id",
            {"user": user_id},
        )
        return {row[0]: bool(row[1]) for row in rows}

    async def completed_on(self, user_id: int) -> date | None:
        """The day the learner's last item was done (delivered lesson or answered question)."""
        rows = await self._db.fetch(
            "SELECT MAX(at) FROM (SELECT delivered_at AS at FROM deliveries WHERE user_id = :user "
            "UNION ALL SELECT answered_at FROM answers WHERE user_id = :user)",
            {"user": user_id},
        )
        return from_text(rows[0][0]).date() if rows and rows[0][0] else None
