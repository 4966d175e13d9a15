"""The pacer every message takes its turn from: a token bucket on the clock, never more than its rate in any
sliding second (also after the event loop stalled), replies ahead of the schedule's bulk, flood waits for all.

Most tests run it on a clock they move; one runs it on the real clock with a real stall of the event loop.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable

from bot.delivery.sending import Pacer, Priority
from tests.standin import most_in_any_second


class FakeMonotonic:
    """A clock that moves only when someone sleeps on it (or a test jumps it)."""

    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)  # let whoever was just given a turn note the time first, then let time pass
        self.now += max(seconds, 0.0)


async def take_turns(pacer: Pacer, priorities: list[Priority], clock: Callable[[], float]) -> list[tuple[int, float]]:
    """Everyone waits for a turn at once; (who, when) in the order the turns came."""
    granted: list[tuple[int, float]] = []

    async def one(who: int, priority: Priority) -> None:
        await pacer.turn(priority)
        granted.append((who, clock()))

    await asyncio.gather(*(one(who, priority) for who, priority in enumerate(priorities)))
    return granted


async def test_turns_come_evenly_at_the_rate_and_never_more_than_it_in_any_second() -> None:
    clock = FakeMonotonic()
    pacer = Pacer(28, clock=clock, sleep=clock.sleep)

    granted = await take_turns(pacer, [Priority.BULK] * 300, clock)

    stamps = [when for _, when in granted]
    assert len(stamps) == 300
    assert most_in_any_second(stamps) <= 29  # 28 a second, evenly: never Telegram's 30
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert min(gaps) >= 1 / 28 - 1e-9


async def test_a_stall_delays_the_turns_and_never_lets_them_bunch_up() -> None:
    clock = FakeMonotonic()
    pacer = Pacer(28, clock=clock, sleep=clock.sleep)
    granted: list[float] = []
    ten_sent = asyncio.Event()

    async def sender() -> None:
        await pacer.turn()
        granted.append(clock())
        if len(granted) == 10:
            ten_sent.set()

    first = [asyncio.create_task(sender()) for _ in range(40)]
    await ten_sent.wait()
    clock.now += 5.0  # the event loop was busy elsewhere for five seconds: turns fell due meanwhile
    second = [asyncio.create_task(sender()) for _ in range(40)]
    await asyncio.gather(*first, *second)

    assert len(granted) == 80
    assert most_in_any_second(granted) <= 29
    after = [when for when in granted if when >= granted[10]]
    assert all(later - earlier >= 1 / 28 - 1e-9 for earlier, later in itertools.pairwise(after))


async def test_replies_go_ahead_of_the_bulk_already_waiting() -> None:
    clock = FakeMonotonic()
    pacer = Pacer(28, clock=clock, sleep=clock.sleep)
    bulk = [asyncio.create_task(pacer.turn(Priority.BULK)) for _ in range(50)]
    await asyncio.sleep(0)  # the bulk is queued (one has its turn already)
    order: list[str] = []

    async def reply() -> None:
        await pacer.turn(Priority.REPLY)
        order.append("reply")

    async def watch_bulk() -> None:
        for task in bulk:
            await task
            order.append("bulk")

    await asyncio.gather(reply(), watch_bulk())

    assert order.index("reply") <= 2  # the next turn or so, not after the fifty


async def test_within_a_priority_turns_go_in_arrival_order() -> None:
    clock = FakeMonotonic()
    pacer = Pacer(28, clock=clock, sleep=clock.sleep)

    granted = await take_turns(pacer, [Priority.REPLY, Priority.BULK] * 20, clock)

    # The first caller found the token there; after it, every waiting reply before any waiting bulk.
    assert [who for who, _ in granted] == [0, *range(2, 40, 2), *range(1, 40, 2)]


async def test_a_flood_wait_holds_every_turn_for_as_long_as_telegram_says() -> None:
    clock = FakeMonotonic()
    pacer = Pacer(28, clock=clock, sleep=clock.sleep)
    await pacer.turn()
    held_at = clock()

    pacer.hold(7.0)
    await pacer.turn(Priority.REPLY)

    assert clock() >= held_at + 7.0


async def test_a_waiter_that_gives_up_does_not_use_a_turn() -> None:
    clock = FakeMonotonic()
    pacer = Pacer(1, clock=clock, sleep=clock.sleep)
    await pacer.turn()
    quitter = asyncio.create_task(pacer.turn())
    stayer = asyncio.create_task(pacer.turn())
    await asyncio.sleep(0)
    quitter.cancel()

    await stayer

    assert quitter.cancelled()
    assert pacer.waiting == 0
    assert clock() == 51.0  # the stayer had the very next turn


async def test_on_the_real_clock_a_blocked_event_loop_never_brings_a_burst() -> None:
    pacer = Pacer(20)  # the real monotonic clock and asyncio's sleep
    granted: list[float] = []

    async def sender() -> None:
        await pacer.turn()
        granted.append(time.monotonic())
        if len(granted) == 15:
            time.sleep(0.6)  # noqa: ASYNC251 - the point: the whole event loop stalls, as under a busy neighbour

    await asyncio.gather(*(sender() for _ in range(50)))

    assert len(granted) == 50
    assert most_in_any_second(granted) <= 21  # 20 a second, plus at most the one turn the bucket holds


async def test_an_unlimited_pacer_never_waits() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    pacer = Pacer(float("inf"), sleep=sleep)
    await asyncio.gather(*(pacer.turn() for _ in range(1000)))

    assert slept == []
    assert pacer.waiting == 0
