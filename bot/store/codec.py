"""How values are kept in SQLite: times as ISO 8601 text in UTC, days as a bit mask, a schedule as its row."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from scheduler.planning import LearnerSchedule, Setup
from scheduler.windows import Preferences


def to_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the store keeps aware UTC times only")
    return moment.astimezone(UTC).isoformat()


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


def optional_text(moment: datetime | None) -> str | None:
    return None if moment is None else to_text(moment)


def days_mask(days: frozenset[int]) -> int:
    return sum(1 << day for day in days)


def days_from(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


def clock(text: str) -> time:
    return time.fromisoformat(text)


def optional_moment(text: str | None) -> datetime | None:
    return from_text(text) if text else None


def draft_text(prefs: Preferences) -> str:
    """A schedule being set up, as one column: zone, time, days, pace, quiet hours, whether they were chosen."""
    return "|".join(
        (
            prefs.timezone,
            f"{prefs.daily_time:%H:%M}",
            str(days_mask(prefs.days)),
            str(prefs.pace),
            f"{prefs.quiet_start:%H:%M}",
            f"{prefs.quiet_end:%H:%M}",
            str(int(prefs.quiet_chosen)),
        )
    )


def draft_from(text: str | None) -> Preferences | None:
    if not text:
        return None
    try:
        zone, daily, days, pace, quiet_start, quiet_end, chosen = text.split("|")
        return Preferences(zone, clock(daily), days_from(int(days)), int(pace), clock(quiet_start), clock(quiet_end),
                           quiet_chosen=chosen == "1")  # fmt: skip
    except ValueError:
        return None


SCHEDULE_COLUMNS = (
    "user_id, chat_id, timezone, daily_time, days, pace, quiet_start, quiet_end, active, paused, paused_until, "
    "snoozed_until, unanswered, reminded, discreet, region, quiet_chosen, enrolled_at, last_active_at, paused_at, "
    "comebacks, setup"
)


def schedule_from(row: Any) -> LearnerSchedule:
    """A learner's schedule from a row of SCHEDULE_COLUMNS."""
    (user_id, chat_id, timezone, daily_time, days, pace, quiet_start, quiet_end, active, paused, paused_until,
     snoozed_until, unanswered, reminded, discreet, region, quiet_chosen, enrolled_at, last_active_at, paused_at,
     comebacks, setup) = row  # fmt: skip
    prefs = None
    if timezone is not None:
        prefs = Preferences(
            timezone=timezone,
            daily_time=clock(daily_time),
            days=days_from(days),
            pace=pace,
            quiet_start=clock(quiet_start),
            quiet_end=clock(quiet_end),
            quiet_chosen=bool(quiet_chosen),
        )
    return LearnerSchedule(
        user_id=user_id,
        chat_id=chat_id,
        prefs=prefs,
        active=bool(active),
        paused=bool(paused),
        paused_until=from_text(paused_until) if paused_until else None,
        snoozed_until=from_text(snoozed_until) if snoozed_until else None,
        unanswered=unanswered,
        reminded=bool(reminded),
        discreet=bool(discreet),
        region=region,
        enrolled_at=optional_moment(enrolled_at),
        last_active=optional_moment(last_active_at),
        paused_at=optional_moment(paused_at),
        comebacks=comebacks,
        setup=Setup(setup) if setup else None,
    )
