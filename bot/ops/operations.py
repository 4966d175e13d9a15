"""Operator commands: course statistics, certificate checks and exports, and backups of the database."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.content import Course
from bot.conversation.certificate_chat import CertificateChat, CertificateOptions
from bot.reports import stats as statistics
from bot.store import Store


async def stats(db: Path, course: Course, now: datetime, csv_dir: Path | None, plot_dir: Path | None) -> str:
    async with await Store.open(db) as store:
        report = statistics.compute(course, await store.statistics.rows(), now)
    written = []
    if csv_dir is not None:
        written += statistics.write_csv(report, csv_dir)
    if plot_dir is not None:
        written += statistics.plot(report, plot_dir)
    files = "".join(f"\nwrote {path}" for path in written)
    return statistics.render_text(report) + files


async def verify(db: Path, course: Course, secret: str | None, code: str, now: datetime) -> tuple[bool, str]:
    async with await Store.open(db) as store:
        text = await CertificateChat(
            course, store, lambda: now, CertificateOptions(secret=secret), frozenset()
        ).describe(code)
    return text.startswith("GENUINE"), text


async def export_completions(db: Path, out: TextIO = sys.stdout) -> int:
    """The certificates issued, as CSV (code, name, completion date, issue date), for a training office."""
    async with await Store.open(db) as store:
        issued = await store.certificates.all()
    writer = csv.writer(out)
    writer.writerow(["code", "name", "completed_on", "issued_on"])
    for certificate in issued:
        writer.writerow(
            [
                certificate.code,
                certificate.name or "",
                certificate.completed_on.isoformat(),
                f"{certificate.issued_at:%Y-%m-%d}",
            ]
        )
    return len(issued)


async def backup(db: Path, destination: Path) -> None:
    async with await Store.open(db) as store:
        await store.backup(destination)
