"""How fast the bot sent: the measure Telegram's limits are stated in."""

from __future__ import annotations


def most_in_any_second(stamps: list[float]) -> int:
    """The largest number of stamps in any half-open window [t, t + 1 s)."""
    ordered = sorted(stamps)
    most = start = 0
    for end, stamp in enumerate(ordered):
        while ordered[start] <= stamp - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most
