"""A health check an orchestrator can probe: GET /healthz answers 200 while the database answers and the
schedule's tick keeps running, and 503 (with the reason) when not. It reveals no learner data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from aiohttp import web

from bot.delivery.tick import TICK_INTERVAL, Ticker
from bot.store import Store

logger = logging.getLogger(__name__)

STALE_AFTER = 3 * TICK_INTERVAL


class HealthServer:
    """Serves /healthz on `host:port` until closed."""

    def __init__(self, store: Store, ticker: Ticker, mode: str, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.ticker = ticker
        self.mode = mode
        self.clock = clock
        self.started = clock()
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def check(self) -> tuple[bool, dict[str, object]]:
        now = self.clock()
        problems = []
        try:
            database = await self.store.ping()
        except Exception:  # a health check reports trouble, it never raises it
            database = False
        if not database:
            problems.append("database does not answer")
        last_tick = self.ticker.last_tick
        if (last_tick or self.started) < now - STALE_AFTER:
            problems.append("the schedule's tick has not run recently")
        body: dict[str, object] = {
            "status": "ok" if not problems else "unhealthy",
            "mode": self.mode,
            "database": "ok" if database else "error",
            "last_tick": last_tick.isoformat() if last_tick else None,
            "uptime_seconds": int((now - self.started) / timedelta(seconds=1)),
        }
        if problems:
            body["problems"] = problems
        return not problems, body

    async def _handle(self, request: web.Request) -> web.Response:
        healthy, body = await self.check()
        return web.json_response(body, status=200 if healthy else 503)

    async def start(self, host: str, port: int) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        addresses = self._runner.addresses  # the real port, when `port` was 0
        self.port = int(addresses[0][1]) if addresses else port
        logger.info("health check listening", extra={"port": self.port})

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
