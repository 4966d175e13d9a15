"""The `coursebot` command: run the bot, chat in the terminal, validate the content."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.content import Course, load_course
from bot.errors import ContentError, CoursebotError
from bot.logs import configure_logging, set_learner_key
from bot.ops import operations
from bot.settings import Settings, load_settings
from bot.store import Store
from bot.telegram.serve import serve_telegram, serve_terminal
from bot.terminal import SpeedClock

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
    from bot.content.lint import content_warnings, cueing_report

    lessons = sum(len(module.lessons) for module in course.modules)
    questions = sum(len(module.questions) for module in course.modules)
    print(
        f"{directory}: valid: {len(course.modules)} modules, {lessons} lessons, "
        f"{questions} case questions, {len(course.cards)} reference cards, {len(course.sources)} sources"
    )
    for version in course.versions:
        taken = course.for_version(version.code)
        print(
            f"  {version.code} version: {len(taken.items) - len(taken.questions)} lessons, "
            f"{len(taken.questions)} case questions"
        )
    print("cueing:")
    for line in cueing_report(course):
        print(f"  {line}")
    warnings = content_warnings(course)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if warnings:
        print(f"{len(warnings)} warning(s)", file=sys.stderr)
    return 0


def _load(settings: Settings) -> Course:
    try:
        return load_course(settings.content)
    except ContentError as err:
        _print_content_problems(err, settings.content)
        raise SystemExit("coursebot will not start with invalid content; fix the problems above") from None


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    set_learner_key(settings.secret_value())
    course = _load(settings)
    if settings.telegram_bot_token is None:
        configure_logging("WARNING")  # a person at a keyboard: only what needs their attention
        print("TELEGRAM_BOT_TOKEN is not set: running the course in the terminal instead.", file=sys.stderr)
        asyncio.run(serve_terminal(settings, settings.db, course, args.user_id, SpeedClock(utc_now), 1.0))
    else:
        secrets = [value for value in (settings.telegram_bot_token, settings.webhook_secret, settings.secret) if value]
        configure_logging(
            settings.log_level,
            [secret.get_secret_value() for secret in secrets],
            json_lines=settings.log_format == "json",
        )
        asyncio.run(serve_telegram(settings, course, utc_now))
    return 0


def _chat(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    course = _load(settings if args.content is None else settings.model_copy(update={"content": args.content}))
    if args.speed <= 0:
        raise SystemExit("coursebot: --speed must be more than 0")
    clock = SpeedClock(utc_now, args.speed)
    asyncio.run(serve_terminal(settings, args.db or settings.db, course, args.user_id, clock, args.speed))
    return 0


def _schedule(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    asyncio.run(_print_schedule(args.db or settings.db, _load(settings), args.limit))
    return 0


async def _print_schedule(db: Path, course: Course, limit: int) -> None:
    from bot.delivery.upcoming import upcoming

    async with await Store.open(db) as store:
        rows = await upcoming(store, course, utc_now(), limit)
    if not rows:
        print("No deliveries are scheduled.")
        return
    print(f"{'learner':>12}  {'what':<34}  {'when (UTC)':<16}  when (local)")
    for row in rows:
        print(f"{row.user_id:>12}  {row.what:<34}  {row.when_utc:%Y-%m-%d %H:%M}  {row.when_local}")


def _stats(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    print(asyncio.run(operations.stats(args.db or settings.db, _load(settings), utc_now(), args.csv, args.plot)))
    return 0


def _verify(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    genuine, text = asyncio.run(
        operations.verify(args.db or settings.db, _load(settings), settings.secret_value(), args.code, utc_now())
    )
    print(text)
    return 0 if genuine else 1


def _export_completions(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    if args.out is None:
        count = asyncio.run(operations.export_completions(args.db or settings.db))
    else:
        with args.out.open("w", newline="", encoding="utf-8") as out:
            count = asyncio.run(operations.export_completions(args.db or settings.db, out))
    print(f"{count} certificate(s) exported", file=sys.stderr)
    return 0


def _backup(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    asyncio.run(operations.backup(args.db or settings.db, args.destination))
    print(f"backed up to {args.destination}")
    return 0


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

    stats = commands.add_parser("stats", help="course statistics for the course team (small groups withheld)")
    stats.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    stats.add_argument("--csv", type=Path, metavar="DIR", help="also write the figures as CSV files into DIR")
    stats.add_argument("--plot", type=Path, metavar="DIR", help="also draw the funnel and item difficulty as PNGs")
    stats.set_defaults(handler=_stats)

    verify = commands.add_parser("verify", help="check a certificate's verification code")
    verify.add_argument("code")
    verify.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    verify.set_defaults(handler=_verify)

    export = commands.add_parser("export-completions", help="the certificates issued, as CSV")
    export.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")
    export.set_defaults(handler=_export_completions)

    backup = commands.add_parser("backup", help="copy the database safely, even while the bot runs")
    backup.add_argument("destination", type=Path)
    backup.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    backup.set_defaults(handler=_backup)

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
