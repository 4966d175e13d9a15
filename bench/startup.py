"""Start-up time and idle memory: coursebot against python-telegram-bot itself, as whole processes, in one run.

1. `coursebot --help` against `python -c "import telegram.ext"`, run alternately (so a noisy neighbour hits both
   alike), the median of each; goal: within 1.5x.
2. Idle memory: `coursebot run` with the real content and a real SQLite file, against a bare PTB echo bot
   (`bench.echo_bot`), each long-polling the HTTP stand-in on loopback; resident memory (VmRSS) once each has
   polled a few times and settled; goal: within 1.6x.

    .venv/bin/python -m bench.startup [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.settings import PROJECT_ROOT
from tests.conftest import clean_environment
from tests.standin import StandinServer

TOKEN = "123456:STARTUP-token"
HELP_GOAL = 1.5
MEMORY_GOAL = 1.6
SETTLE_POLLS = 3


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=clean_environment())
    return time.perf_counter() - started


def help_ratio(runs: int) -> tuple[float, float]:
    coursebot = [sys.executable, "-m", "bot", "--help"]
    baseline = [sys.executable, "-c", "import telegram.ext"]
    _wall(coursebot), _wall(baseline)  # warm the file cache for both
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(_wall(coursebot))
        theirs.append(_wall(baseline))
    return statistics.median(ours), statistics.median(theirs)


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def idle_rss(command: list[str], extra_env: dict[str, str]) -> int:
    """KiB resident once the bot has long-polled SETTLE_POLLS times with nothing to do."""
    async with StandinServer(token=TOKEN, long_poll_cap=0.5) as server:
        env = clean_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url, **extra_env)
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        try:
            for _ in range(SETTLE_POLLS):
                mark = len(server.state.calls)
                await server.state.wait_for_call("getUpdates", timeout=120, since=mark)
            return _rss_kib(process.pid)
        finally:
            process.terminate()
            await process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    ours, theirs = help_ratio(args.runs)
    print(f"`coursebot --help`: {ours * 1000:.0f} ms; `import telegram.ext`: {theirs * 1000:.0f} ms "
          f"(medians of {args.runs}) -> {ours / theirs:.2f}x (goal: within {HELP_GOAL}x)")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        coursebot_env = {
            "COURSEBOT_DB": str(Path(tmp) / "bench.sqlite3"),
            "COURSEBOT_CONTENT": str(PROJECT_ROOT / "content"),
            "COURSEBOT_HEALTH_PORT": "0",
        }
        ours_kib = asyncio.run(idle_rss([sys.executable, "-m", "bot", "run"], coursebot_env))
    echo_kib = asyncio.run(idle_rss([sys.executable, "-m", "bench.echo_bot"], {}))
    print(f"idle memory: coursebot run {ours_kib / 1024:.0f} MB; PTB echo bot {echo_kib / 1024:.0f} MB "
          f"-> {ours_kib / echo_kib:.2f}x (goal: within {MEMORY_GOAL}x)")  # fmt: skip


if __name__ == "__main__":
    main()
