"""Running the bot for months: on Telegram (long polling, or a webhook), with the schedule's tick, the
housekeeping jobs and a health check, and a clean stop on SIGTERM; or in the terminal.

On SIGTERM or Ctrl-C: no new updates are taken, a tick under way finishes its chunk (its sends confirmed), the
application stops, and the database closes last, so nothing is left half-written.

At start, a database file with damaged pages is refused, untouched, with one clear message; a Bot API that cannot
be reached is tried again with backoff, one log line per attempt, until it answers or the bot is told to stop; a
token Telegram refuses stops the bot with one clear message.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.content import Course
from bot.conversation.certificate_chat import CertificateOptions
from bot.conversation.chat import CourseChat
from bot.errors import SettingsError
from bot.settings import Settings
from bot.store import Store
from bot.telegram.health import HealthServer

if TYPE_CHECKING:
    from bot.telegram.app import CourseApplication

logger = logging.getLogger("coursebot")

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
STARTUP_BACKOFF_S = (1, 2, 4, 8, 15, 30, 60)  # then every minute
BOOTSTRAP_RETRIES = 5  # deleting or setting the webhook, once the Bot API has answered


def course_chat(settings: Settings, course: Course, store: Store, clock: Callable[[], datetime]) -> CourseChat:
    return CourseChat(
        course,
        store,
        clock,
        retention_days=settings.retention_days,
        certificates=CertificateOptions(
            secret=settings.secret_value(),
            issuer=settings.issuer,
            ce_statement=settings.ce_statement,
            verify_url=str(settings.verify_url) if settings.verify_url else None,
        ),
        admins=settings.admins,
    )


async def serve_telegram(
    settings: Settings, course: Course, clock: Callable[[], datetime], backoff: tuple[float, ...] = STARTUP_BACKOFF_S
) -> None:
    from bot.delivery.tick import Ticker
    from bot.telegram.app import TelegramSender, announce_commands, build_application, pacer_of, schedule_jobs

    assert settings.telegram_bot_token is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    mode = "webhook" if settings.webhook_url else "polling"
    # A damaged file is refused before anything is written to it (PRAGMA quick_check): one clear message.
    async with await Store.open(settings.db, check_integrity=True) as store:
        chat = course_chat(settings, course, store, clock)
        application = build_application(
            chat,
            settings.telegram_bot_token.get_secret_value(),
            base_url=str(settings.telegram_base_url) if settings.telegram_base_url else None,
        )
        if not await _reach_the_bot_api(application, stop, backoff):
            logger.info("stopped before the Bot API answered")
            return
        try:
            await _announce(application, announce_commands)
            ticker = Ticker(course, store, TelegramSender(application.bot), clock=clock, pacer=pacer_of(application))
            await ticker.start()
            schedule_jobs(application, ticker, retention=timedelta(days=settings.retention_days))
            health = HealthServer(
                store, ticker, mode, clock, verifier=chat.certificates.check, course_title=course.title
            )
            if settings.health_port is not None:
                await health.start(settings.health_listen, settings.health_port)
            await application.start()
            updater = application.updater
            assert updater is not None
            if settings.webhook_url is not None and settings.webhook_secret is not None:
                await updater.start_webhook(
                    listen=settings.webhook_listen,
                    port=settings.webhook_port,
                    url_path=urlsplit(str(settings.webhook_url)).path.lstrip("/"),
                    webhook_url=str(settings.webhook_url),
                    secret_token=settings.webhook_secret.get_secret_value(),
                    allowed_updates=ALLOWED_UPDATES,
                    bootstrap_retries=BOOTSTRAP_RETRIES,
                )
            else:
                await updater.start_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES)
            logger.info("coursebot is running on Telegram", extra={"bot": application.bot.username, "mode": mode})
            await stop.wait()
            logger.info("stopping: finishing the tick under way, then closing")
            await updater.stop()
            await ticker.stop()
            await application.stop()
            await health.close()
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()
    logger.info("stopped cleanly")


async def _reach_the_bot_api(application: CourseApplication, stop: asyncio.Event, backoff: tuple[float, ...]) -> bool:
    """Initialize the application, which asks the Bot API who the bot is; while the API cannot be reached, try
    again with backoff, logging one line per attempt. False if told to stop meanwhile."""
    from telegram.error import InvalidToken, NetworkError

    for attempt in itertools.count(1):
        try:
            await application.initialize()
            return True
        except InvalidToken:
            raise SettingsError("TELEGRAM_BOT_TOKEN: Telegram refused the token; check it with @BotFather") from None
        except NetworkError as err:  # time-outs included
            delay = backoff[min(attempt, len(backoff)) - 1]
            logger.warning(
                "cannot reach the Bot API; trying again",
                extra={"attempt": attempt, "retry_in_s": delay, "reason": err.message},
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return False
    return False  # pragma: no cover - the loop above only ends by returning


async def _announce(application: CourseApplication, announce: Callable[[CourseApplication], Awaitable[None]]) -> None:
    """The command menu is a convenience: if setting it fails, say so and run on."""
    from telegram.error import TelegramError

    try:
        await announce(application)
    except TelegramError as err:
        logger.warning("could not set the command menu: %s", err.message)


async def serve_terminal(
    settings: Settings, db: Path, course: Course, user_id: int, clock: Callable[[], datetime], speed: float
) -> None:
    from bot.terminal import run_terminal

    async with await Store.open(db) as store:
        chat = course_chat(settings, course, store, clock)
        await run_terminal(chat, sys.stdin, sys.stdout, user_id, speed=speed)
