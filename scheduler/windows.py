"""When a learner may be sent something: their time zone, days, daily time, pace and quiet hours.

Pure functions over aware datetimes. Local times are computed with `zoneinfo`, so a learner keeps the
same local delivery time across daylight-saving changes; everything stored is UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EVERY_DAY = frozenset(range(7))  # Monday is 0, as in date.weekday()
WEEKDAYS = frozenset(range(5))
SLOT_GAP = timedelta(hours=2)  # between the bites of one day
MIN_PACE, MAX_PACE = 1, 5
DEFAULT_PACE = 2
DEFAULT_QUIET = (time(21, 0), time(7, 0))
DAYS_AHEAD = 15  # a window is always found within two weeks: some day is always allowed


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Preferences:
    """A learner's schedule, as they chose it."""

    timezone: str
    daily_time: time = time(8, 0)
    days: frozenset[int] = EVERY_DAY
    pace: int = DEFAULT_PACE
    quiet_start: time = DEFAULT_QUIET[0]
    quiet_end: time = DEFAULT_QUIET[1]
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not valid_zone(self.timezone):
            raise ValueError(f"unknown time zone {self.timezone!r}")
        if not self.days or not self.days <= EVERY_DAY:
            raise ValueError("days must be a non-empty set of weekday numbers 0-6")
        if not MIN_PACE <= self.pace <= MAX_PACE:
            raise ValueError(f"pace must be {MIN_PACE}-{MAX_PACE} bites a day")
        object.__setattr__(self, "zone", ZoneInfo(self.timezone))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def is_quiet(self, local_time: time) -> bool:
        """Inside quiet hours (which may run past midnight, as 21:00-07:00 does)."""
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= local_time < end
        return local_time >= start or local_time < end

    def is_allowed(self, moment: datetime) -> bool:
        local = self.local(moment)
        return local.weekday() in self.days and not self.is_quiet(local.time())

    def local_day(self, moment: datetime) -> date:
        return self.local(moment).date()

    def slots_on(self, day: date) -> list[datetime]:
        """The times (UTC) of the day's bites: the daily time, then every two hours, outside quiet hours.

        A wall-clock time that does not exist that day (skipped by a daylight-saving change) moves forward
        by the gap, as a clock on the wall would; one that occurs twice is taken the first time.
        """
        if day.weekday() not in self.days:
            return []
        slots = []
        start = datetime.combine(day, self.daily_time)
        for index in range(self.pace):
            naive = start + index * SLOT_GAP
            if naive.date() != day:
                break
            local = _resolve(naive, self.zone)
            if not self.is_quiet(local.time()):
                slots.append(local.astimezone(UTC))
        return slots

    def slots_from(self, moment: datetime) -> Iterator[tuple[date, datetime]]:
        """Every slot at or after `moment`, in order, with the learner's local day it belongs to."""
        first_day = self.local_day(moment) - timedelta(days=1)  # a slot late on a local day may be "tomorrow" in UTC
        for offset in range(DAYS_AHEAD + 2):
            day = first_day + timedelta(days=offset)
            for slot in self.slots_on(day):
                if slot >= moment:
                    yield day, slot

    def next_allowed(self, moment: datetime) -> datetime:
        """The first moment at or after `moment` outside quiet hours on an allowed day (minute precision)."""
        local = self.local(moment)
        for offset in range(DAYS_AHEAD):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            start = local if offset == 0 else _resolve(datetime.combine(day, time(0, 0)), self.zone)
            candidate = start
            if self.is_quiet(candidate.time()):
                candidate = _resolve(datetime.combine(day, self.quiet_end), self.zone)
                if candidate < start:  # quiet hours run to the next morning
                    continue
            if candidate.date() == day and not self.is_quiet(candidate.time()):
                return max(candidate, local).astimezone(UTC)
        raise ValueError("no allowed time in the next two weeks")  # unreachable with non-empty days


def _resolve(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone`; a time skipped by a daylight-saving change moves forward past the gap."""
    aware = naive.replace(tzinfo=zone, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:  # the wall clock skipped this time
        return round_trip
    return aware
