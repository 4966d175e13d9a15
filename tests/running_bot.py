"""`coursebot run` as a real process for end-to-end tests: its JSON log read as it is written, so a test can wait
for an event (never for a fixed time), and a bot that dies early fails the test at once with its own output."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.conftest import MINI_COURSE, clean_environment

# Generous: on a loaded machine a Python process can take many seconds to start; an event ends the wait sooner.
CEILING = 90.0


def bot_environment(token: str, base_url: str, db: Path, **extra: str) -> dict[str, str]:
    """What `coursebot run` needs to run the mini course against a Bot API at `base_url`, nothing inherited."""
    settings = {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_BASE_URL": base_url,
        "COURSEBOT_DB": str(db),
        "COURSEBOT_CONTENT": str(MINI_COURSE),
        "COURSEBOT_HEALTH_LISTEN": "127.0.0.1",
        "COURSEBOT_HEALTH_PORT": "0",  # any free port: a busy 8080 on the machine must not matter
    }
    return clean_environment(**{**settings, **extra})


def free_port() -> int:
    """A port nobody listens on now (for PTB's webhook server, which takes a fixed one; the window before it
    binds is tiny), or for a Bot API that refuses every connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningBot:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunningBot:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=self.cwd, env=self.env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self._process is not None
        assert self._process.stderr is not None
        async for raw in self._process.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))
            self._changed.set()
        self._changed.set()

    @property
    def events(self) -> list[dict[str, Any]]:
        found = []
        for line in self.lines:
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    found.append(json.loads(line))
        return found

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.returncode

    async def wait_for_event(
        self, name: str, within: float = CEILING, where: Callable[[dict[str, Any]], bool] | None = None
    ) -> dict[str, Any]:
        """The first log event called `name` (and, if given, for which `where` holds), as soon as it is written."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            found = next(
                (event for event in self.events if event.get("event") == name and (where is None or where(event))),
                None,
            )
            if found is not None:
                return found
            if self._reader is not None and self._reader.done():
                raise AssertionError(f"coursebot exited before logging {name!r}:\n{self.log}")
            self._changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no {name!r} in the log after {within:g} s:\n{self.log}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def stop(self, signum: int = signal.SIGTERM) -> int:
        """Signal the bot and wait for it to exit; its exit code."""
        assert self._process is not None
        if self._process.returncode is None:
            self._process.send_signal(signum)
        code = await asyncio.wait_for(self._process.wait(), CEILING)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, CEILING)
        return code

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None and self._process.returncode is None:
            await self.stop(signal.SIGKILL if exc is not None else signal.SIGTERM)
