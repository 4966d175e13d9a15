"""Operator commands for training offices: cohorts (create with an invite link, list, close), a cohort's statistics
and completions, and the outcomes report."""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from bot.content import Course
from bot.conversation.cohort_chat import cohort_report
from bot.errors import CoursebotError
from bot.reports import outcome_files, outcomes
from bot.reports.stats import small
from bot.store import Cohort, Store
from bot.store.cohorts import clean_name

INVITE_LINK = "https://t.me/{username}?start={code}"


class CohortError(CoursebotError):
    """A cohort command cannot be done as asked (an unknown name, a name taken, a date in the past)."""


def invite_link(username: str, code: str) -> str:
    return INVITE_LINK.format(username=username.removeprefix("@"), code=code)


async def bot_username(token: str, base_url: str | None) -> str:
    """The bot's username, from Telegram's getMe."""
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(token, base_url=base_url) if base_url else Bot(token)
    try:
        async with bot:
            return bot.username
    except TelegramError as err:
        raise CohortError(
            f"could not ask Telegram for the bot's username ({err}); pass --bot-username to work offline"
        ) from err


async def _named(store: Store, name: str) -> Cohort:
    cohort = await store.cohorts.named(name)
    if cohort is None:
        raise CohortError(f"there is no cohort named {name!r} (`coursebot cohort list` shows them)")
    return cohort


async def create(
    db: Path, name: str, now: datetime, *, due_on: date | None, owner_id: int | None, username: str
) -> tuple[Cohort, str]:
    cleaned = clean_name(name)
    if cleaned is None:
        raise CohortError("a cohort name has 1 to 60 characters")
    if due_on is not None and due_on < now.date():
        raise CohortError(f"the due date {due_on} is in the past")
    async with await Store.open(db) as store:
        cohort = await store.cohorts.create(cleaned, now, due_on=due_on, owner_id=owner_id)
    if cohort is None:
        raise CohortError(f"a cohort named {cleaned!r} exists already")
    return cohort, invite_link(username, cohort.code)


async def listing(db: Path) -> str:
    async with await Store.open(db) as store:
        cohorts = await store.cohorts.all()
    if not cohorts:
        return "No cohorts yet: `coursebot cohort create NAME` makes one."
    lines = [f"{'name':<30}  {'due':<10}  {'owner':>12}  {'members':>7}  {'status':<18}  code"]
    for row in cohorts:
        cohort = row.cohort
        status = "open" if cohort.open else f"closed {cohort.closed_at:%Y-%m-%d}"
        lines.append(
            f"{cohort.name:<30}  {cohort.due_on.isoformat() if cohort.due_on else '-':<10}  "
            f"{cohort.owner_id if cohort.owner_id is not None else '-':>12}  {small(row.members)!s:>7}  "
            f"{status:<18}  {cohort.code}"
        )
    lines.append(f"(member counts under 5 are shown as <5; invite links are {INVITE_LINK})")
    return "\n".join(lines)


async def close(db: Path, name: str, now: datetime) -> str:
    async with await Store.open(db) as store:
        cohort = await _named(store, name)
        closed = await store.cohorts.close(cohort.id, now)
    if not closed:
        return f'Cohort "{cohort.name}" was already closed.'
    return f'Cohort "{cohort.name}" is closed: its invite link no longer lets anyone join. Its members stay.'


async def stats(db: Path, course: Course, now: datetime, name: str) -> str:
    async with await Store.open(db) as store:
        return "\n".join(await cohort_report(course, store, await _named(store, name), now))


async def export_completions(db: Path, name: str, out: TextIO = sys.stdout) -> int:
    """The certificates of one cohort's members, as CSV (the same columns as every certificate's export)."""
    async with await Store.open(db) as store:
        issued = await store.cohorts.certificates((await _named(store, name)).id)
    writer = csv.writer(out)
    writer.writerow(["code", "name", "completed_on", "issued_on"])
    for certificate in issued:
        writer.writerow(
            [certificate.code, certificate.name or "", certificate.completed_on.isoformat(),
             f"{certificate.issued_at:%Y-%m-%d}"]
        )  # fmt: skip
    return len(issued)


async def outcomes_report(
    db: Path, course: Course, name: str | None, csv_dir: Path | None, plot_dir: Path | None
) -> str:
    async with await Store.open(db) as store:
        if name is None:
            report = outcomes.compute(course, await store.assessments.outcome_rows())
        else:
            cohort = await _named(store, name)
            members = await store.cohorts.members(cohort.id)
            report = outcomes.compute(
                course,
                await store.assessments.outcome_rows(members),
                scope=f'cohort "{cohort.name}"',
                due_on=cohort.due_on,
            )
    written = []
    if csv_dir is not None:
        written += outcome_files.write_csv(report, csv_dir)
    if plot_dir is not None:
        written += outcome_files.plot(report, plot_dir)
    return outcomes.render_text(report) + "".join(f"\nwrote {path}" for path in written)
