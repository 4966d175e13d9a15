"""Cohorts: a training office's group of learners, joined with an invite code, with an optional due date and an
owner who sees only whether members finished, when, and the name on their certificates.

A learner is in at most one cohort at a time (the membership is keyed by the learner), and only after agreeing.
Codes are random (`secrets`), 128 bits: they cannot be guessed, so a link reaches only those it was given to.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.store.certificates import Certificate
from bot.store.codec import SCHEDULE_COLUMNS, from_text, schedule_from, to_text
from bot.store.database import Database
from scheduler.planning import LearnerSchedule

CODE_BYTES = 16  # 128 random bits, 22 characters of [A-Za-z0-9_-]: what a Telegram /start parameter may hold
NAME_MAX = 60


@dataclass(frozen=True)
class Cohort:
    id: int
    name: str
    code: str
    owner_id: int | None
    due_on: date | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class CohortCounts:
    """A cohort with how many members it has (raw counts: the reports withhold small ones)."""

    cohort: Cohort
    members: int


@dataclass(frozen=True)
class Membership:
    cohort: Cohort
    joined_at: datetime


@dataclass(frozen=True)
class ReminderCandidate:
    """A member whose cohort's due date is near, and who has not been sent the nearest reminder yet."""

    schedule: LearnerSchedule
    cohort: Cohort
    joined_at: datetime
    reminded: int | None


_COLUMNS = "c.id, c.name, c.code, c.owner_id, c.due_on, c.created_at, c.closed_at"


def _cohort_from(row: Any) -> Cohort:
    return Cohort(
        id=row[0],
        name=row[1],
        code=row[2],
        owner_id=row[3],
        due_on=date.fromisoformat(row[4]) if row[4] else None,
        created_at=from_text(row[5]),
        closed_at=from_text(row[6]) if row[6] else None,
    )


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def clean_name(text: str) -> str | None:
    """A cohort name as kept: spaces collapsed, 1 to NAME_MAX characters; None if it is not one."""
    name = " ".join(text.split())
    return name if 0 < len(name) <= NAME_MAX else None


class Cohorts:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, name: str, now: datetime, *, due_on: date | None, owner_id: int | None) -> Cohort | None:
        """A new open cohort with a fresh code; None when a cohort of that name (in any case) exists."""
        rows = await self._db.fetch(
            "INSERT INTO cohorts (name, code, owner_id, due_on, created_at) VALUES (?, ?, ?, ?, ?) "
            f"ON CONFLICT (name) DO NOTHING RETURNING {_COLUMNS.replace('c.', '')}",
            (name, new_code(), owner_id, due_on.isoformat() if due_on else None, to_text(now)),
        )
        return _cohort_from(rows[0]) if rows else None

    async def named(self, name: str) -> Cohort | None:
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM cohorts c WHERE c.name = ?", (" ".join(name.split()),))
        return _cohort_from(rows[0]) if rows else None

    async def by_code(self, code: str) -> Cohort | None:
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM cohorts c WHERE c.code = ?", (code,))
        return _cohort_from(rows[0]) if rows else None

    async def owned_by(self, user_id: int) -> list[Cohort]:
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM cohorts c WHERE c.owner_id = ? ORDER BY c.id", (user_id,))
        return [_cohort_from(row) for row in rows]

    async def all(self) -> list[CohortCounts]:
        rows = await self._db.scan(
            f"SELECT {_COLUMNS}, (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = c.id) "
            "FROM cohorts c ORDER BY c.id"
        )
        return [CohortCounts(_cohort_from(row), row[7]) for row in rows]

    async def close(self, cohort_id: int, now: datetime) -> bool:
        """Stop new joins (members stay); False if it was already closed."""
        rows = await self._db.fetch(
            "UPDATE cohorts SET closed_at = ? WHERE id = ? AND closed_at IS NULL RETURNING 1", (to_text(now), cohort_id)
        )
        return bool(rows)

    async def join(self, user_id: int, code: str, now: datetime) -> Cohort | None:
        """Make the learner a member of the open cohort with `code`, leaving any other; None if it cannot be."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch(f"SELECT {_COLUMNS} FROM cohorts c WHERE c.code = ? AND c.closed_at IS NULL", (code,))
            enrolled = await tx.fetch("SELECT 1 FROM learners WHERE user_id = ?", (user_id,))
            if not rows or not enrolled:
                return None
            cohort = _cohort_from(rows[0])
            await tx.execute(
                "INSERT INTO cohort_members (user_id, cohort_id, joined_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET cohort_id = excluded.cohort_id, joined_at = excluded.joined_at, "
                "reminded = NULL WHERE cohort_id != excluded.cohort_id",
                (user_id, cohort.id, to_text(now)),
            )
        return cohort

    async def leave(self, user_id: int) -> Cohort | None:
        """Leave the learner's cohort; returns the cohort left, or None if they were in none."""
        membership = await self.membership(user_id)
        if membership is None:
            return None
        await self._db.fetch("DELETE FROM cohort_members WHERE user_id = ?", (user_id,))
        return membership.cohort

    async def membership(self, user_id: int) -> Membership | None:
        rows = await self._db.fetch(
            f"SELECT {_COLUMNS}, m.joined_at FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id "
            "WHERE m.user_id = ?",
            (user_id,),
        )
        return Membership(_cohort_from(rows[0]), from_text(rows[0][7])) if rows else None

    async def members(self, cohort_id: int) -> dict[int, datetime]:
        """Each member's user id and when they joined."""
        rows = await self._db.fetch("SELECT user_id, joined_at FROM cohort_members WHERE cohort_id = ?", (cohort_id,))
        return {row[0]: from_text(row[1]) for row in rows}

    async def certificates(self, cohort_id: int) -> list[Certificate]:
        """The current certificates of the cohort's members (not those a corrected one replaced): what its owner may
        see (code, printed name, dates)."""
        rows = await self._db.fetch(
            "SELECT code, serial, name, completed_on, issued_at, hours FROM certificates WHERE revoked_at IS NULL "
            "AND user_id IN (SELECT user_id FROM cohort_members WHERE cohort_id = ?) ORDER BY completed_on, serial",
            (cohort_id,),
        )
        return [
            Certificate(row[0], row[1], row[2], date.fromisoformat(row[3]), from_text(row[4]), float(row[5]))
            for row in rows
        ]

    async def reminder_candidates(self, earliest_due: date, latest_due: date) -> list[ReminderCandidate]:
        """Members who may need a due-date reminder: their cohort is due between the two dates, they can be sent
        to (active, not paused), and the last reminder (1 day before) has not been dealt with yet."""
        columns = ", ".join(f"l.{column.strip()}" for column in SCHEDULE_COLUMNS.split(","))
        rows = await self._db.scan(
            f"SELECT {columns}, {_COLUMNS}, m.joined_at, m.reminded FROM cohort_members m "
            "JOIN cohorts c ON c.id = m.cohort_id JOIN learners l ON l.user_id = m.user_id "
            "WHERE c.due_on BETWEEN ? AND ? AND l.active = 1 AND l.paused = 0 "
            "AND (m.reminded IS NULL OR m.reminded > 1)",
            (earliest_due.isoformat(), latest_due.isoformat()),
        )
        width = len(SCHEDULE_COLUMNS.split(","))
        return [
            ReminderCandidate(
                schedule=schedule_from(row[:width]),
                cohort=_cohort_from(row[width : width + 7]),
                joined_at=from_text(row[width + 7]),
                reminded=row[width + 8],
            )
            for row in rows
        ]

    async def mark_reminded(self, user_id: int, cohort_id: int, days_before: int) -> bool:
        """Claim the reminder `days_before` the due date for this member; False if it was already dealt with."""
        rows = await self._db.fetch(
            "UPDATE cohort_members SET reminded = ? WHERE user_id = ? AND cohort_id = ? "
            "AND (reminded IS NULL OR reminded > ?) RETURNING 1",
            (days_before, user_id, cohort_id, days_before),
        )
        return bool(rows)
