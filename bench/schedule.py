"""The schedule at scale: planning a tick for many learners, and the send rate under Telegram's limits.

1. Planning: with 1,000, 10,000 and 100,000 enrolled learners in SQLite (each with some progress and
   review memory, every one of them due at once: the worst case, as if all chose the same minute), the
   time to find who is due and plan their messages (no network), for one real tick (which takes what can
   be sent before the next tick) and for all due learners at once; and the peak memory of a process doing
   it. Each size runs in a fresh process so its peak is its own.
2. Broadcast: `coursebot run` itself (a real process, its JobQueue ticking at the real 45 s interval) against
   the HTTP Bot API stand-in enforcing 30 messages a second and one a second per chat, 3,000 learners falling
   due at once while 20 learners chat (/help every half second): the time to serve them all, sends a second
   as a share of 30/s, the most sends in any sliding second, 429 answers, and the chatters' reply latency
   during the broadcast against the same with nothing due (measured first).

    .venv/bin/python -m bench.schedule [--sizes 1000 10000 100000] [--burst 3000] [--chatters 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.content import Course, Question, load_course
from bot.delivery.tick import Ticker
from bot.settings import PROJECT_ROOT
from bot.store import Store
from scheduler import spacing

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Australia/Sydney")
TOKEN = "123456:BENCH-token"


def populate(path: Path, course: Course, learners: int, *, seed: int = 7) -> None:
    """`learners` learners, all due at NOW, each some way into the course (written straight with sqlite3)."""
    asyncio.run(_create_schema(path))
    rng = random.Random(seed)
    items = [item.id for item in course.items]
    questions = {item.id for item in course.items if isinstance(item, Question)}
    enrolled = (NOW - timedelta(days=20)).isoformat()
    learner_rows, delivery_rows, answer_rows = [], [], []
    for user_id in range(1, learners + 1):
        learner_rows.append((user_id, user_id, enrolled, rng.choice(ZONES), f"{rng.randint(7, 19):02d}:00", 127, 2,
                             NOW.isoformat()))  # fmt: skip
        for item_id in items[: rng.randint(0, 20)]:
            delivery_rows.append((user_id, item_id, enrolled))
            if item_id in questions:
                correct = rng.random() < 0.7
                answered = NOW - timedelta(days=rng.randint(1, 15))
                memory = spacing.review(None, item_id, correct, answered)
                answer_rows.append((user_id, item_id, 0, int(correct), answered.isoformat(), memory.rating,
                                    memory.card, memory.due.isoformat()))  # fmt: skip
    # Closed (not just committed) before anyone measures: closing checkpoints the write-ahead log into the
    # database file, as a bot that has been running for a while would have done.
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executemany(
            "INSERT INTO learners (user_id, chat_id, enrolled_at, timezone, daily_time, days, pace, next_due_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            learner_rows,
        )
        db.executemany("INSERT INTO deliveries VALUES (?, ?, ?)", delivery_rows)
        db.executemany(
            "INSERT INTO answers (user_id, item_id, option, correct, answered_at, rating, card, due_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            answer_rows,
        )


async def _create_schema(path: Path) -> None:
    async with await Store.open(path):
        pass


class _NoSender:
    async def send(self, chat_id: int, reply: object) -> None:
        raise AssertionError("planning only")


async def _time_planning(path: Path, course: Course, everyone: bool) -> dict[str, float]:
    async with await Store.open(path) as store:
        ticker = Ticker(course, store, _NoSender(), clock=lambda: NOW)
        if everyone:
            ticker.batch_size = 10**9
        started = time.perf_counter()
        plans = await ticker.plan(NOW)
        seconds = time.perf_counter() - started
    return {
        "learners": len(plans),
        "seconds": seconds,
        "peak_mb": peak_memory_mb(),
    }


def peak_memory_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the
    (large) parent that forked this child, while the high-water mark starts afresh at exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def planning_child(path: str, everyone: bool) -> None:
    """Run in a fresh process: time the planning over an existing database and print JSON."""
    course = load_course(PROJECT_ROOT / "content")
    print(json.dumps(asyncio.run(_time_planning(Path(path), course, everyone))))


def _in_child(path: Path, everyone: bool) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.schedule", "--planning-child", str(path)]
    child = subprocess.run(
        [*command, "--everyone"] if everyone else command, capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    result: dict[str, float] = json.loads(child.stdout)
    return result


CHATTERS_FROM = 900_001


def broadcast(due: int, chatters: int, baseline_s: float, folder: Path) -> dict[str, float]:
    """`coursebot run` with `due` learners falling due at once (after `baseline_s` of chatting with nothing due),
    and `chatters` learners sending /help every half second throughout."""
    from bench.live import prepare

    db = folder / "broadcast.sqlite3"
    prepare(db, due, range(CHATTERS_FROM, CHATTERS_FROM + chatters))
    return asyncio.run(_broadcast(db, due, chatters, baseline_s, folder))


async def _broadcast(db: Path, due: int, chatters: int, baseline_s: float, folder: Path) -> dict[str, float]:
    from bench.live import chatter, make_due, running, sent
    from tests.standin import most_in_any_second

    chatting = list(range(CHATTERS_FROM, CHATTERS_FROM + chatters))
    async with running(db, folder, [*range(1, due + 1), *chatting]) as (server, _):
        state = server.state
        stop = asyncio.Event()
        chat = asyncio.create_task(chatter(server, chatting, 0.5, stop))
        await asyncio.sleep(baseline_s)
        make_due(db)  # the next tick (within 45 s) finds all of them due
        served: set[object] = set()
        mark = 0
        while len(served) < due:
            calls = state.calls[mark:]
            mark += len(calls)
            served |= {call.chat_id for call in sent(calls) if isinstance(call.chat_id, int) and call.chat_id <= due}
            if len(served) < due:
                await state.wait_for_call("sendMessage", timeout=600, since=mark)
        stop.set()
        asked = await chat
        rejected = state.rejected_429
        calls = sent(state.calls)
    bulk = sorted(call.at for call in calls if isinstance(call.chat_id, int) and call.chat_id <= due)
    start, end = bulk[0], bulk[-1]
    during = [wait for at, wait in asked if start <= at <= end]
    before = [wait for at, wait in asked if at < start]
    return {
        "due": due,
        "seconds": end - start,
        "bulk_rate": (len(bulk) - 1) / (end - start),
        "all_rate": len([call for call in calls if start <= call.at <= end]) / (end - start),
        "most_in_a_second": most_in_any_second([call.at for call in calls]),
        "answers_429": rejected,
        "chat_before_p50": statistics.median(before),
        "chat_before_max": max(before),
        "chat_during_p50": statistics.median(during),
        "chat_during_max": max(during),
        "chats_during": len(during),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--burst", type=int, default=3_000, help="due learners in the broadcast (0 to skip)")
    parser.add_argument("--chatters", type=int, default=20, help="learners chatting during the broadcast")
    parser.add_argument("--baseline", type=float, default=10.0, help="seconds of chatting before anyone is due")
    parser.add_argument("--planning-child", help=argparse.SUPPRESS)
    parser.add_argument("--everyone", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.planning_child:
        planning_child(args.planning_child, args.everyone)
        return
    course = load_course(PROJECT_ROOT / "content")
    with tempfile.TemporaryDirectory() as folder:
        print("1. Finding who is due and planning their messages (every learner due at once; no network)")
        print("   one tick plans what can be sent before the next tick (27/s x 45 s); 'everyone' plans all due")
        print(f"{'learners':>9} {'one tick':>16} {'peak':>8}   {'everyone':>18} {'peak':>8}")
        for size in args.sizes:
            path = Path(folder) / f"learners-{size}.sqlite3"
            populate(path, course, size)
            tick, everyone = _in_child(path, everyone=False), _in_child(path, everyone=True)
            print(
                f"{size:>9} {tick['learners']:>6.0f} {tick['seconds'] * 1000:6.0f} ms {tick['peak_mb']:5.0f} MB"
                f"   {everyone['learners']:>7.0f} {everyone['seconds'] * 1000:7.0f} ms {everyone['peak_mb']:5.0f} MB"
            )
        if args.burst:
            print(
                f"\n2. coursebot run broadcasting to {args.burst} due learners, {args.chatters} learners chatting "
                "(/help every 0.5 s); the HTTP stand-in enforcing 30/s and 1/s per chat"
            )
            result = broadcast(args.burst, args.chatters, args.baseline, Path(folder))
            print(
                f"   served all {result['due']:.0f} in {result['seconds']:.1f} s: {result['bulk_rate']:.1f} bulk msg/s "
                f"= {result['bulk_rate'] / 30:.0%} of 30/s (goal at least 85%); all messages "
                f"{result['all_rate']:.1f}/s = {result['all_rate'] / 30:.0%}\n"
                f"   most sends in any sliding second: {result['most_in_a_second']:.0f} (goal at most 30); "
                f"429 answers: {result['answers_429']:.0f} (goal 0)\n"
                f"   reply latency while nothing was due: p50 {result['chat_before_p50']:.2f} s, max "
                f"{result['chat_before_max']:.2f} s; during the broadcast: p50 {result['chat_during_p50']:.2f} s, max "
                f"{result['chat_during_max']:.2f} s ({result['chats_during']:.0f} replies; goal: no slower)"
            )


if __name__ == "__main__":
    main()
