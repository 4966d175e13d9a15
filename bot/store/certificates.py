"""Certificates issued: their codes and serials, the name printed (the learner's choice), and the dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.store.codec import from_text, to_text
from bot.store.database import Database


@dataclass(frozen=True)
class Certificate:
    """A certificate issued: its code and serial, the name printed (if any), and the dates."""

    code: str
    serial: int
    name: str | None
    completed_on: date
    issued_at: datetime


_COLUMNS = "code, serial, name, completed_on, issued_at"


def _certificate_from(row: Any) -> Certificate:
    return Certificate(row[0], row[1], row[2], date.fromisoformat(row[3]), from_text(row[4]))


class Certificates:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def of(self, user_id: int) -> Certificate | None:
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM certificates WHERE user_id = ?", (user_id,))
        return _certificate_from(rows[0]) if rows else None

    async def by_serial(self, serial: int) -> Certificate | None:
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM certificates WHERE serial = ?", (serial,))
        return _certificate_from(rows[0]) if rows else None

    async def next_serial(self) -> int:
        rows = await self._db.fetch("SELECT COALESCE(MAX(serial), 0) + 1 FROM certificates")
        return int(rows[0][0])

    async def save(self, user_id: int, certificate: Certificate) -> None:
        await self._db.fetch(
            "INSERT INTO certificates (code, serial, user_id, name, completed_on, issued_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                certificate.code,
                certificate.serial,
                user_id,
                certificate.name,
                certificate.completed_on.isoformat(),
                to_text(certificate.issued_at),
            ),
        )

    async def all(self) -> list[Certificate]:
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM certificates ORDER BY serial")
        return [_certificate_from(row) for row in rows]
