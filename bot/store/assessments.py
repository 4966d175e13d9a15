"""The knowledge checks before and after the course, and the 1-5 ratings, kept to the minimum the outcomes need:
for each check item only whether it was answered well (not the option, not the time), for each rating its value,
and how far the learner is through each check. Also the rows the outcomes report is computed from."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.core.checks import CheckRecord, Status
from bot.store.codec import from_text
from bot.store.database import Database


@dataclass(frozen=True)
class OutcomeRows:
    """Raw rows for the outcomes report: (user, region, start), where the start is enrolment or, in a cohort,
    joining it; (user, item, when) delivered; (user, item, when) answered; (user, phase, item, correct) of the
    checks; (user, phase, scale, value) of the ratings."""

    learners: list[tuple[int, str | None, datetime]]
    deliveries: list[tuple[int, str, datetime]]
    answers: list[tuple[int, str, datetime]]
    checks: list[tuple[int, str, str, bool]]
    ratings: list[tuple[int, str, str, int]]


class Assessments:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, user_id: int, phase: str) -> CheckRecord:
        """How far the learner is through the check of `phase`."""
        rows = await self._db.fetch(
            "SELECT 's', status, NULL FROM checks WHERE user_id = :user AND phase = :phase "
            "UNION ALL SELECT 'a', item_id, correct FROM check_answers WHERE user_id = :user AND phase = :phase "
            "UNION ALL SELECT 'r', scale, value FROM ratings WHERE user_id = :user AND phase = :phase",
            {"user": user_id, "phase": phase},
        )
        status = None
        answered: dict[str, bool] = {}
        rated: dict[str, int] = {}
        for kind, key, value in rows:
            if kind == "s":
                status = Status(key)
            elif kind == "a":
                answered[key] = bool(value)
            else:
                rated[key] = int(value)
        return CheckRecord(status, rated, answered)

    async def set_status(self, user_id: int, phase: str, status: Status, *, unless: Iterable[Status] = ()) -> bool:
        """Move the check to `status`, unless it is now in one of `unless`; False if it was not moved."""
        blocked = json.dumps([state.value for state in unless])
        rows = await self._db.fetch(
            "INSERT INTO checks (user_id, phase, status) SELECT :user, :phase, :status "
            "WHERE EXISTS (SELECT 1 FROM learners WHERE user_id = :user) "
            "ON CONFLICT (user_id, phase) DO UPDATE SET status = excluded.status "
            "WHERE status NOT IN (SELECT value FROM json_each(:blocked)) RETURNING 1",
            {"user": user_id, "phase": phase, "status": status.value, "blocked": blocked},
        )
        return bool(rows)

    async def record_answer(self, user_id: int, phase: str, item_id: str, correct: bool) -> bool:
        """Keep whether the learner answered a check item well; the first answer counts (False for a second)."""
        rows = await self._db.fetch(
            "INSERT INTO check_answers (user_id, phase, item_id, correct) SELECT ?, ?, ?, ? "
            "WHERE EXISTS (SELECT 1 FROM learners WHERE user_id = ?) ON CONFLICT DO NOTHING RETURNING 1",
            (user_id, phase, item_id, int(correct), user_id),
        )
        return bool(rows)

    async def record_rating(self, user_id: int, phase: str, scale: str, value: int) -> bool:
        """Keep a 1-5 rating; the first one counts (False for a second)."""
        rows = await self._db.fetch(
            "INSERT INTO ratings (user_id, phase, scale, value) SELECT ?, ?, ?, ? "
            "WHERE EXISTS (SELECT 1 FROM learners WHERE user_id = ?) ON CONFLICT DO NOTHING RETURNING 1",
            (user_id, phase, scale, value, user_id),
        )
        return bool(rows)

    async def outcome_rows(self, members: dict[int, datetime] | None = None) -> OutcomeRows:
        """Everything the outcomes report is computed from: every learner's, or only `members`' (user id to the
        moment they joined the cohort, which is then their start)."""
        scope = "" if members is None else " WHERE user_id IN (SELECT value FROM json_each(:ids))"
        ids = {"ids": json.dumps(list(members or ()))}
        fetch = self._db.fetch
        learners = [
            (row[0], row[1], members[row[0]] if members is not None else from_text(row[2]))
            for row in await fetch(f"SELECT user_id, region, enrolled_at FROM learners{scope}", ids)
        ]
        return OutcomeRows(
            learners=learners,
            deliveries=[
                (row[0], row[1], from_text(row[2]))
                for row in await fetch(f"SELECT user_id, item_id, delivered_at FROM deliveries{scope}", ids)
            ],
            answers=[
                (row[0], row[1], from_text(row[2]))
                for row in await fetch(f"SELECT user_id, item_id, answered_at FROM answers{scope}", ids)
            ],
            checks=[
                (row[0], row[1], row[2], bool(row[3]))
                for row in await fetch(f"SELECT user_id, phase, item_id, correct FROM check_answers{scope}", ids)
            ],
            ratings=[
                (row[0], row[1], row[2], int(row[3]))
                for row in await fetch(f"SELECT user_id, phase, scale, value FROM ratings{scope}", ids)
            ],
        )
