"""Load: many learners acting at once, with and without a broadcast, and one learner flooding the bot.

`coursebot run` itself (a real process) against the HTTP Bot API stand-in enforcing Telegram's limits (30
messages a second, one a second per chat). Each learner sends /next (a claim in the database, then a lesson);
the latency is from the push to the stand-in receiving the reply, on the stand-in's clock.

1. 200, then 500 learners sending /next at the same moment, nothing else going on. At 30 messages a second
   the median of 200 replies cannot come before about 3.3 s (100 / 30): the goal is within 1.3x of that.
2. The same while `coursebot run` broadcasts to 3,000 due learners (the tick at its real interval). Goal:
   replies first, so no slower than in 1.
3. 30 learners sending /next at once, alone, then again with one learner sending 300 messages at the same
   moment. Goal: the 30 are served as if the flooder were not there.

    .venv/bin/python -m bench.load [--broadcast 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from bench.live import (
    TELEGRAM_LIMIT,
    make_due,
    prepare,
    push,
    running,
    sent,
    summary,
)
from bench.live import latency as latency_of
from tests.standin import StandinServer, most_in_any_second

GROUPS = {"alone 200": 200, "alone 500": 500, "broadcast 200": 200, "broadcast 500": 500, "calm 30": 30,
          "flood 30": 30}  # fmt: skip
FLOODER = 990_000
FLOOD = 300
IDEAL_MEDIAN_200 = 100 / TELEGRAM_LIMIT


def _ids() -> dict[str, list[int]]:
    ids, start = {}, 500_000
    for name, size in GROUPS.items():
        ids[name] = list(range(start, start + size))
        start += size
    return ids


async def at_once(server: StandinServer, users: list[int], *, flood: bool = False) -> list[float]:
    """Everyone in `users` sends /next at the same moment (and, with `flood`, the flooder 300 messages)."""
    asked = [push(server, user_id, "/next") for user_id in users]
    if flood:
        for _ in range(FLOOD):
            push(server, FLOODER, "/next")
    return list(await asyncio.gather(*(latency_of(server, one) for one in asked)))


async def _run(db: Path, folder: Path, due: int, ids: dict[str, list[int]]) -> dict[str, object]:
    everyone = [*range(1, due + 1), *(user for users in ids.values() for user in users), FLOODER]
    results: dict[str, object] = {}
    async with running(db, folder, everyone) as (server, _):
        state = server.state
        for name in ("alone 200", "alone 500", "calm 30"):
            results[name] = await at_once(server, ids[name])
        results["flood 30"] = await at_once(server, ids["flood 30"], flood=True)
        if due:
            make_due(db)
            await _until_bulk(server, due, 300)  # the broadcast is well under way
            for name in ("broadcast 200", "broadcast 500"):
                results[name] = await at_once(server, ids[name])
            results["bulk after"] = _bulk(server, due)
            results["broadcast still going"] = len(results["bulk after"]) < due  # type: ignore[arg-type]
        calls = sent(state.calls)
        results["most in a second"] = most_in_any_second([call.at for call in calls])
        results["429"] = state.rejected_429
        refused = [call.chat_id for call in state.calls if call.error_code == 429]
        results["429 to the flooder"] = refused.count(FLOODER)
        results["429 to the broadcast"] = len([chat for chat in refused if isinstance(chat, int) and chat <= due])
        results["429 methods"] = sorted({call.method for call in state.calls if call.error_code == 429})
    return results


def _bulk(server: StandinServer, due: int) -> list[float]:
    return [call.at for call in sent(server.state.calls) if isinstance(call.chat_id, int) and call.chat_id <= due]


async def _until_bulk(server: StandinServer, due: int, count: int) -> None:
    while len(_bulk(server, due)) < count:
        await server.state.wait_for_call("sendMessage", timeout=600, since=len(server.state.calls))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broadcast", type=int, default=3_000, help="learners the broadcast sends to (0: none)")
    args = parser.parse_args()
    ids = _ids()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "load.sqlite3"
        prepare(db, args.broadcast, [*(user for users in ids.values() for user in users), FLOODER])
        results = asyncio.run(_run(db, Path(folder), args.broadcast, ids))

    def waits(name: str) -> list[float]:
        found = results.get(name, [])
        return found if isinstance(found, list) else []

    print("coursebot run, HTTP stand-in enforcing 30/s and 1/s per chat; latency of each learner's first reply")
    for name in GROUPS:
        if waits(name):
            print(f"  {name:>14}: {summary(waits(name))}")
    median_200 = statistics.median(waits("alone 200"))
    print(
        f"  200 at once: p50 {median_200:.2f} s = {median_200 / IDEAL_MEDIAN_200:.2f}x what 30/s allows "
        f"({IDEAL_MEDIAN_200:.2f} s; goal at most 1.3x)"
    )
    for size in (200, 500):
        if waits(f"broadcast {size}"):
            ratio = statistics.median(waits(f"broadcast {size}")) / statistics.median(waits(f"alone {size}"))
            print(f"  {size} at once during the broadcast / alone: p50 {ratio:.2f}x (goal at most 1.0x)")
    if "broadcast still going" in results:
        still = results["broadcast still going"]
        print(f"  the broadcast was still under way when the last of them was answered: {still}")
    ratio = statistics.median(waits("flood 30")) / statistics.median(waits("calm 30"))
    print(f"  30 learners with one flooding ({FLOOD} messages) / without: p50 {ratio:.2f}x (goal about 1.0x)")
    print(
        f"  most sends in any sliding second: {results['most in a second']} (goal at most 30); 429 answers: "
        f"{results['429']} (goal 0): {results['429 to the flooder']} to the flooder's own chat (one message a "
        f"second per chat), {results['429 to the broadcast']} to the broadcast's ({results['429 methods']})"
    )


if __name__ == "__main__":
    main()
