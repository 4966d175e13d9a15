"""When a learner may be sent something: their time zone, days, daily time, pace and quiet hours.

Pure functions over aware datetimes. Local times are computed with `zoneinfo`, so a learner keeps the
same local delivery time across daylight-saving changes; everything stored is UTC.

A day's bites come at the daily time and every two hours after it, on the wall clock, and may run past
midnight (a night-shift nurse's 23:00 and 01:00): they still belong to the day they started on. So a
learner's "bite day" turns at midnight, unless their bites run past it; then it turns an hour before the
first bite, and what they pull with /next at 00:30 counts toward the night's bites, not the next day's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

EVERY_DAY = frozenset(range(7))  # Monday is 0, as in date.weekday()
WEEKDAYS = frozenset(range(5))
WEEKENDS = frozenset({5, 6})
SLOT_GAP = timedelta(hours=2)  # between the bites of one day
MIN_PACE, MAX_PACE = 1, 5
DEFAULT_PACE = 2
DEFAULT_QUIET = (time(21, 0), time(7, 0))
DAYS_AHEAD = 15  # a window is always found within two weeks: some day is always allowed
LONGEST_ZONE_NAME = 64  # the longest IANA name is 32 characters; anything longer is not a zone


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_zone(name: str) -> bool:
    """An IANA zone name (not a folder such as America/Indiana); checked against the list, never by opening a
    file named after what someone typed."""
    return len(name) <= LONGEST_ZONE_NAME and name in _zone_names()


def zone_names() -> frozenset[str]:
    return _zone_names()


def minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


@dataclass(frozen=True)
class Preferences:
    """A learner's schedule, as they chose it. `quiet_chosen`: the quiet hours are the learner's own choice,
    not the default (an explicit daily time may move the default window, never one the learner chose)."""

    timezone: str
    daily_time: time = time(8, 0)
    days: frozenset[int] = EVERY_DAY
    pace: int = DEFAULT_PACE
    quiet_start: time = DEFAULT_QUIET[0]
    quiet_end: time = DEFAULT_QUIET[1]
    quiet_chosen: bool = False
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not valid_zone(self.timezone):
            raise ValueError("unknown time zone")  # never the name itself: it may be what someone typed
        if not self.days or not self.days <= EVERY_DAY:
            raise ValueError("days must be a non-empty set of weekday numbers 0-6")
        if not MIN_PACE <= self.pace <= MAX_PACE:
            raise ValueError(f"pace must be {MIN_PACE}-{MAX_PACE} bites a day")
        object.__setattr__(self, "zone", ZoneInfo(self.timezone))

    @property
    def quiet_off(self) -> bool:
        return self.quiet_start == self.quiet_end

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

    def bite_times(self) -> tuple[time, ...]:
        """The wall-clock times of a day's bites, as chosen (before quiet hours are applied)."""
        start = minutes(self.daily_time)
        gap = int(SLOT_GAP.total_seconds()) // 60
        return tuple(_clock((start + index * gap) % (24 * 60)) for index in range(self.pace))

    @property
    def day_turn(self) -> timedelta:
        """How long after midnight the learner's bite day begins (zero unless their bites run past midnight)."""
        last = minutes(self.daily_time) + (self.pace - 1) * int(SLOT_GAP.total_seconds()) // 60
        if last < 24 * 60:
            return timedelta(0)
        return timedelta(minutes=minutes(self.daily_time)) - timedelta(hours=1)

    def local_day(self, moment: datetime) -> date:
        """The bite day `moment` belongs to (its local date, unless the day turns after midnight)."""
        return (self.local(moment) - self.day_turn).date()

    def slots_on(self, day: date) -> list[datetime]:
        """The times (UTC) of the day's bites: the daily time, then every two hours, outside quiet hours.

        A wall-clock time that does not exist that day (skipped by a daylight-saving change) moves forward
        by the gap, as a clock on the wall would; one that occurs twice is taken the first time. Quiet hours
        judge the time as chosen, so a bite the clock change moves is moved, never lost.
        """
        if day.weekday() not in self.days:
            return []
        slots = []
        start = datetime.combine(day, self.daily_time)
        for index in range(self.pace):
            naive = start + index * SLOT_GAP
            if not self.is_quiet(naive.time()):
                slots.append(wall_clock(naive, self.zone).astimezone(UTC))
        return slots

    def slots_from(self, moment: datetime) -> Iterator[tuple[date, datetime]]:
        """Every slot at or after `moment`, in order, with the learner's bite day it belongs to."""
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
            start = local if offset == 0 else wall_clock(datetime.combine(day, time(0, 0)), self.zone)
            candidate = start
            if self.is_quiet(candidate.time()):
                candidate = wall_clock(datetime.combine(day, self.quiet_end), self.zone)
                if candidate < start:  # quiet hours run to the next morning
                    continue
            if candidate.date() == day and not self.is_quiet(candidate.time()):
                return max(candidate, local).astimezone(UTC)
        raise ValueError("no allowed time in the next two weeks")  # unreachable with non-empty days


def _clock(total_minutes: int) -> time:
    return time(total_minutes // 60, total_minutes % 60)


def wall_clock(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone`; a time skipped by a daylight-saving change moves forward past the gap."""
    aware = naive.replace(tzinfo=zone, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:  # the wall clock skipped this time
        return round_trip
    return aware
