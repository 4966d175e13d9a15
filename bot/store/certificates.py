"""Certificates issued: their codes and serials, the name printed (the learner's choice), the dates and hours they
state, and whether a corrected one has replaced them (revoked)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.store.codec import from_text, to_text
from bot.store.database import Database


@dataclass(frozen=True)
class Certificate:
    """A certificate issued: its code and serial, the name printed (if any), the dates and the hours stated."""

    code: str
    serial: int
    name: str | None
    completed_on: date
    issued_at: datetime
    hours: float
    revoked_at: datetime | None = None


_COLUMNS = "code, serial, name, completed_on, issued_at, hours, revoked_at"


def _certificate_from(row: Any) -> Certificate:
    return Certificate(
        row[0], row[1], row[2], date.fromisoformat(row[3]), from_text(row[4]), float(row[5]),
        from_text(row[6]) if row[6] else None,
    )  # fmt: skip


class Certificates:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def of(self, user_id: int) -> Certificate | None:
        """The learner's current certificate (the one not replaced by a corrected one)."""
        rows = await self._db.fetch(
            f"SELECT {_COLUMNS} FROM certificates WHERE user_id = ? AND revoked_at IS NULL ORDER BY serial DESC",
            (user_id,),
        )
        return _certificate_from(rows[0]) if rows else None

    async def issued_to(self, user_id: int) -> int:
        """How many certificates the learner has had, replaced ones included."""
        rows = await self._db.fetch("SELECT COUNT(*) FROM certificates WHERE user_id = ?", (user_id,))
        return int(rows[0][0])

    async def by_serial(self, serial: int) -> Certificate | None:
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM certificates WHERE serial = ?", (serial,))
        return _certificate_from(rows[0]) if rows else None

    async def issue(
        self,
        user_id: int,
        *,
        name: str | None,
        completed_on: date,
        now: datetime,
        hours: float,
        code_for: Callable[[int], str],
        replacing: str | None = None,
    ) -> Certificate:
        """Keep a new certificate under the next serial (its code signed by `code_for(serial)`); with `replacing`,
        the certificate it corrects is revoked in the same transaction."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch("SELECT COALESCE(MAX(serial), 0) + 1 FROM certificates")
            serial = int(rows[0][0])
            certificate = Certificate(code_for(serial), serial, name, completed_on, now, hours)
            if replacing is not None:
                await tx.execute(
                    "UPDATE certificates SET revoked_at = ? WHERE code = ? AND user_id = ? AND revoked_at IS NULL",
                    (to_text(now), replacing, user_id),
                )
            await tx.execute(
                "INSERT INTO certificates (code, serial, user_id, name, completed_on, issued_at, hours) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (code_for(serial), serial, user_id, name, completed_on.isoformat(), to_text(now), hours),
            )
        return certificate

    async def all(self) -> list[Certificate]:
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM certificates ORDER BY serial")
        return [_certificate_from(row) for row in rows]
