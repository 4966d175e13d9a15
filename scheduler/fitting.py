"""Whether a schedule delivers what the learner chose, and what to change when it cannot.

Rules (pure; the conversation says what they decided):
- A schedule fits when every one of the day's bites (the daily time, then every two hours, `pace` of them)
  falls outside quiet hours.
- An explicit daily time beats the default quiet hours: the default window is moved clear of the bites (the
  longest part of it that lies outside the first bite to an hour after the last), and the learner is told.
- Quiet hours the learner chose are never moved behind their back. If they swallow bites, the schedule is
  saved as chosen, the learner is told which times will arrive, and offered fixes that deliver every bite:
  quiet hours moved clear, the nearest daily time that fits, or as many bites a day as fit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import time

from scheduler.windows import DEFAULT_QUIET, MAX_PACE, MIN_PACE, Preferences, minutes

DAY = 24 * 60
AFTER_LAST_BITE = 60  # quiet hours may start this many minutes after the last bite
TIME_STEP = 30  # the daily times a fix may propose: on the half hour


@dataclass(frozen=True)
class Fix:
    """One change that would deliver every bite: `field` is the setting ("quiet", "time" or "pace")."""

    field: str
    prefs: Preferences


@dataclass(frozen=True)
class Fit:
    """What a schedule will deliver, and the settings to save."""

    prefs: Preferences  # to save: the default quiet hours may have been moved clear of the bites
    arriving: tuple[time, ...]  # the local times of the bites that arrive on an allowed day
    swallowed: tuple[time, ...]  # chosen times that quiet hours (the learner's own) swallow
    moved_quiet: bool = False
    fixes: tuple[Fix, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.swallowed


def fit(prefs: Preferences) -> Fit:
    """What `prefs` deliver; the default quiet hours give way to the bites, chosen ones do not.

    Quiet hours the learner never chose are always worked out afresh from the default window, so the result
    does not depend on the order the other settings were changed in.
    """
    if not prefs.quiet_chosen:
        prefs = dataclasses.replace(prefs, quiet_start=DEFAULT_QUIET[0], quiet_end=DEFAULT_QUIET[1])
    swallowed = _swallowed(prefs)
    if not swallowed:
        return Fit(prefs, prefs.bite_times(), ())
    if not prefs.quiet_chosen:
        moved = clear_of_bites(prefs)
        return Fit(moved, moved.bite_times(), (), moved_quiet=True)
    arriving = tuple(clock for clock in prefs.bite_times() if clock not in swallowed)
    return Fit(prefs, arriving, swallowed, fixes=_fixes(prefs))


def _swallowed(prefs: Preferences) -> tuple[time, ...]:
    return tuple(clock for clock in prefs.bite_times() if prefs.is_quiet(clock))


def clear_of_bites(prefs: Preferences) -> Preferences:
    """`prefs` with its quiet hours cut back to their longest part outside the day's bites (or off)."""
    start, end = minutes(prefs.quiet_start), minutes(prefs.quiet_end)
    quiet = [_within(minute, start, end) for minute in range(DAY)]
    first = minutes(prefs.daily_time)
    busy = (prefs.pace - 1) * 120 + AFTER_LAST_BITE
    for offset in range(busy):
        quiet[(first + offset) % DAY] = False
    run = _longest_run(quiet)
    if run is None:
        new_start = new_end = time(0, 0)
    else:
        new_start, new_end = _clock(run[0]), _clock((run[0] + run[1]) % DAY)
    return dataclasses.replace(prefs, quiet_start=new_start, quiet_end=new_end)


def _fixes(prefs: Preferences) -> tuple[Fix, ...]:
    fixes = [Fix("quiet", dataclasses.replace(clear_of_bites(prefs), quiet_chosen=True))]
    daily = _nearest_fitting_time(prefs)
    if daily is not None:
        fixes.append(Fix("time", dataclasses.replace(prefs, daily_time=daily)))
    fewer = next(
        (pace for pace in range(prefs.pace - 1, 0, -1) if not _swallowed(dataclasses.replace(prefs, pace=pace))),
        None,
    )
    if fewer is not None:
        fixes.append(Fix("pace", dataclasses.replace(prefs, pace=fewer)))
    return tuple(fixes)


def _nearest_fitting_time(prefs: Preferences) -> time | None:
    chosen = minutes(prefs.daily_time)
    candidates = sorted(range(0, DAY, TIME_STEP), key=lambda minute: (_distance(minute, chosen), minute))
    for minute in candidates:
        if minute != chosen and not _swallowed(dataclasses.replace(prefs, daily_time=_clock(minute))):
            return _clock(minute)
    return None


def fits_at(prefs: Preferences, daily: time) -> bool:
    """Whether the first bite at `daily` would arrive, whatever the pace (a time button worth offering)."""
    return not prefs.quiet_chosen or not prefs.is_quiet(daily)


def paces_that_fit(prefs: Preferences) -> tuple[int, ...]:
    """The paces whose every bite arrives (any pace, while the quiet hours are the default and can move)."""
    paces = range(MIN_PACE, MAX_PACE + 1)
    if not prefs.quiet_chosen:
        return tuple(paces)
    return tuple(pace for pace in paces if not _swallowed(dataclasses.replace(prefs, pace=pace)))


def _within(minute: int, start: int, end: int) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def _longest_run(flags: list[bool]) -> tuple[int, int] | None:
    """(start, length) of the longest circular run of True, or None if there is none."""
    if all(flags):
        return (0, DAY)
    if not any(flags):
        return None
    begin = flags.index(False)  # start scanning just after a False, so no run is cut in two
    best: tuple[int, int] | None = None
    run_start, length = 0, 0
    for step in range(1, DAY + 1):
        minute = (begin + step) % DAY
        if flags[minute]:
            if length == 0:
                run_start = minute
            length += 1
            if best is None or length > best[1]:
                best = (run_start, length)
        else:
            length = 0
    return best


def _distance(first: int, second: int) -> int:
    apart = abs(first - second) % DAY
    return min(apart, DAY - apart)


def _clock(total: int) -> time:
    return time(total // 60, total % 60)
