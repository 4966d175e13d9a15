"""The `coursebot` command: run the bot, chat in the terminal, validate the content."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.chat import CourseChat
from bot.content import Course, load_course
from bot.errors import ContentError, CoursebotError
from bot.logs import configure_logging
from bot.settings import Settings, load_settings
from bot.store import Store

logger = logging.getLogger("coursebot")


def utc_now() -> datetime:
    return datetime.now(UTC)


def _print_content_problems(err: ContentError, directory: Path) -> None:
    for problem in err.problems:
        print(problem, file=sys.stderr)
    print(f"{len(err.problems)} problem(s) found in {directory}", file=sys.stderr)


def _validate(args: argparse.Namespace) -> int:
    directory = Path(args.directory) if args.directory else load_settings().content
    try:
        course = load_course(directory)
    except ContentError as err:
        _print_content_problems(err, directory)
        return 1
    lessons = sum(len(module.lessons) for module in course.modules)
    questions = sum(len(module.questions) for module in course.modules)
    print(
        f"{directory}: valid: {len(course.modules)} modules, {lessons} lessons, "
        f"{questions} case questions, {len(course.cards)} reference cards, {len(course.sources)} sources"
    )
    return 0


def _load(settings: Settings) -> Course:
    try:
        return load_course(settings.content)
    except ContentError as err:
        _print_content_problems(err, settings.content)
        raise SystemExit("coursebot will not start with invalid content; fix the problems above") from None


async def _serve_telegram(settings: Settings, course: Course) -> None:
    from bot.telegram_app import TelegramSender, announce_commands, build_application, schedule_jobs
    from scheduler.tick import Ticker

    assert settings.telegram_bot_token is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with await Store.open(settings.db) as store:
        application = build_application(
            CourseChat(course, store, utc_now, retention_days=settings.retention_days),
            settings.telegram_bot_token.get_secret_value(),
            base_url=str(settings.telegram_base_url) if settings.telegram_base_url else None,
        )
        async with application:
            await announce_commands(application)
            ticker = Ticker(course, store, TelegramSender(application.bot), clock=utc_now)
            await ticker.start()
            schedule_jobs(application, ticker, retention=timedelta(days=settings.retention_days))
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=["message", "edited_message", "callback_query"])
            logger.info("coursebot is running on Telegram as @%s", application.bot.username)
            await stop.wait()
            logger.info("stopping")
            await application.updater.stop()
            await application.stop()


async def _serve_terminal(db: Path, course: Course, user_id: int, speed: float = 1.0) -> None:
    from bot.terminal import SpeedClock, run_terminal

    clock = SpeedClock(utc_now, speed)
    async with await Store.open(db) as store:
        await run_terminal(CourseChat(course, store, clock), sys.stdin, sys.stdout, user_id, speed=speed)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    secrets = [settings.telegram_bot_token.get_secret_value()] if settings.telegram_bot_token else []
    configure_logging(settings.log_level, secrets)
    course = _load(settings)
    if settings.telegram_bot_token is None:
        print("TELEGRAM_BOT_TOKEN is not set: running the course in the terminal instead.", file=sys.stderr)
        asyncio.run(_serve_terminal(settings.db, course, args.user_id))
    else:
        asyncio.run(_serve_telegram(settings, course))
    return 0


def _chat(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    course = _load(settings if args.content is None else settings.model_copy(update={"content": args.content}))
    if args.speed <= 0:
        raise SystemExit("coursebot: --speed must be more than 0")
    asyncio.run(_serve_terminal(args.db or settings.db, course, args.user_id, args.speed))
    return 0


def _schedule(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    asyncio.run(_print_schedule(args.db or settings.db, _load(settings), args.limit))
    return 0


async def _print_schedule(db: Path, course: Course, limit: int) -> None:
    from scheduler.upcoming import upcoming

    async with await Store.open(db) as store:
        rows = await upcoming(store, course, utc_now(), limit)
    if not rows:
        print("No deliveries are scheduled.")
        return
    print(f"{'learner':>12}  {'what':<34}  {'when (UTC)':<16}  when (local)")
    for row in rows:
        print(f"{row.user_id:>12}  {row.what:<34}  {row.when_utc:%Y-%m-%d %H:%M}  {row.when_local}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coursebot", description="The Healthcare Response to Human Trafficking: a micro-course bot."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot on Telegram (in the terminal when no token is set)")
    run.add_argument("--user-id", type=int, default=1, help=argparse.SUPPRESS)
    run.set_defaults(handler=_run)

    chat = commands.add_parser("chat", help="take the course in the terminal")
    chat.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    chat.add_argument("--content", type=Path, help="the content folder (default: COURSEBOT_CONTENT)")
    chat.add_argument("--user-id", type=int, default=1, help="the learner id to use (default: 1)")
    chat.add_argument(
        "--speed", type=float, default=1.0, help="run the clock N times faster, to watch the schedule (default: 1)"
    )
    chat.set_defaults(handler=_chat)

    schedule = commands.add_parser("schedule", help="print the upcoming scheduled deliveries")
    schedule.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    schedule.add_argument("--limit", type=int, default=50, help="how many to show (default: 50)")
    schedule.set_defaults(handler=_schedule)

    validate = commands.add_parser("validate", help="check the course content and list every problem")
    validate.add_argument("directory", nargs="?", help="the content folder (default: COURSEBOT_CONTENT)")
    validate.set_defaults(handler=_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except CoursebotError as err:
        print(f"coursebot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
