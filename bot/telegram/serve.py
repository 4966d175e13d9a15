"""Running the bot for months: on Telegram (long polling, or a webhook), with the schedule's tick, the
housekeeping jobs and a health check, and a clean stop on SIGTERM; or in the terminal.

On SIGTERM or Ctrl-C: no new updates are taken, a tick under way finishes (its sends confirmed), the
application stops, and the database closes last, so nothing is left half-written.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bot.content import Course
from bot.conversation.certificate_chat import CertificateOptions
from bot.conversation.chat import CourseChat
from bot.settings import Settings
from bot.store import Store
from bot.telegram.health import HealthServer

logger = logging.getLogger("coursebot")

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


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


async def serve_telegram(settings: Settings, course: Course, clock: Callable[[], datetime]) -> None:
    from bot.delivery.tick import Ticker
    from bot.telegram.app import TelegramSender, announce_commands, build_application, schedule_jobs

    assert settings.telegram_bot_token is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    mode = "webhook" if settings.webhook_url else "polling"
    async with await Store.open(settings.db) as store:
        chat = course_chat(settings, course, store, clock)
        application = build_application(
            chat,
            settings.telegram_bot_token.get_secret_value(),
            base_url=str(settings.telegram_base_url) if settings.telegram_base_url else None,
        )
        async with application:
            await announce_commands(application)
            ticker = Ticker(course, store, TelegramSender(application.bot), clock=clock)
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
                )
            else:
                await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            logger.info("coursebot is running on Telegram", extra={"bot": application.bot.username, "mode": mode})
            await stop.wait()
            logger.info("stopping: finishing the tick under way, then closing")
            await updater.stop()
            await ticker.stop()
            await application.stop()
            await health.close()
    logger.info("stopped cleanly")


async def serve_terminal(
    settings: Settings, db: Path, course: Course, user_id: int, clock: Callable[[], datetime], speed: float
) -> None:
    from bot.terminal import run_terminal

    async with await Store.open(db) as store:
        chat = course_chat(settings, course, store, clock)
        await run_terminal(chat, sys.stdin, sys.stdout, user_id, speed=speed)
