"""A health check an orchestrator can probe, and the certificate check employers use (GET /verify/CODE).

The health check: GET /healthz answers 200 only while a write round-trips through
the database file and the schedule's tick keeps completing its database work, and 503 with the reason when not.
It reveals no learner data.

It is served by tornado, which python-telegram-bot already loads for webhooks, so the check costs no web
framework of its own. A busy port is one clear log line, and the bot runs on without the check.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.conversation.certificate_chat import Check
from bot.delivery.tick import TICK_INTERVAL, Ticker
from bot.store import Store
from bot.telegram.verify_page import render

logger = logging.getLogger(__name__)

STALE_AFTER = 3 * TICK_INTERVAL
# An orchestrator's probe gives up after a few seconds; answer before it does, with the reason.
PROBE_TIMEOUT_S = 3.0


class HealthServer:
    """Serves /healthz on `host:port` until closed."""

    def __init__(
        self,
        store: Store,
        ticker: Ticker,
        mode: str,
        clock: Callable[[], datetime],
        *,
        probe_timeout: float = PROBE_TIMEOUT_S,
        verifier: Callable[[str], Awaitable[Check | None]] | None = None,
        course_title: str = "",
    ) -> None:
        self.store = store
        self.verifier = verifier
        self.course_title = course_title
        self.probe_timeout = probe_timeout
        self.ticker = ticker
        self.mode = mode
        self.clock = clock
        self.started = clock()
        self._server: Any = None
        self.port: int | None = None

    async def check(self) -> tuple[bool, dict[str, object]]:
        now = self.clock()
        problems = []
        try:
            await asyncio.wait_for(self.store.probe(now), self.probe_timeout)
            database = "ok"
        except TimeoutError:
            database = "error"
            problems.append(f"the database did not complete a write within {self.probe_timeout:g} s (is it locked?)")
        except Exception as err:  # a health check reports trouble, it never raises it
            database = "error"
            problems.append(f"the database write failed: {err}")
        last = self.ticker.last_success
        if (last or self.started) < now - STALE_AFTER:
            problems.append("the schedule's tick has not completed its database work recently")
        body: dict[str, object] = {
            "status": "ok" if not problems else "unhealthy",
            "mode": self.mode,
            "database": database,
            "last_tick": last.isoformat() if last else None,
            "uptime_seconds": int((now - self.started) / timedelta(seconds=1)),
        }
        if problems:
            body["problems"] = problems
        return not problems, body

    async def start(self, host: str, port: int) -> bool:
        """Listen on `host:port` (0: any free port); False, after one clear log line, if it cannot."""
        from tornado.httpserver import HTTPServer
        from tornado.netutil import bind_sockets
        from tornado.web import Application, RequestHandler

        health = self

        class Healthz(RequestHandler):
            async def get(self) -> None:
                healthy, body = await health.check()
                self.set_status(200 if healthy else 503)
                self.set_header("Content-Type", "application/json")
                self.set_header("Cache-Control", "no-store")
                self.finish(json.dumps(body))

            def log_exception(self, *args: object) -> None:  # never a traceback with request details
                logger.warning("health check request failed")

        class Verify(RequestHandler):
            async def get(self, code: str) -> None:
                found = await health.verifier(code) if health.verifier else None
                status, page = render(found, health.course_title)
                self.set_status(status)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.set_header("Cache-Control", "no-store")
                self.set_header("Referrer-Policy", "no-referrer")
                self.finish(page)

            def log_exception(self, *args: object) -> None:
                logger.warning("certificate check request failed")

        try:
            sockets = bind_sockets(port, host or None)
        except OSError as err:
            reason = "is in use" if err.errno == errno.EADDRINUSE else f"cannot be used ({err.strerror})"
            logger.error(
                "health check not started: %s:%d %s; set COURSEBOT_HEALTH_PORT (0 for any free port, or leave "
                "it empty to turn the check off); the bot runs on without it",
                host,
                port,
                reason,
            )
            return False
        routes = [(r"/healthz", Healthz), (r"/verify/([A-Za-z0-9-]{1,40})", Verify)]
        self._server = HTTPServer(Application(routes, log_function=lambda handler: None))
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        logger.info("health check listening", extra={"port": self.port})
        return True

    async def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
