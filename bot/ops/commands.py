"""What each `coursebot` command does; `cli` parses the command line and imports this only to run one."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.content import Course, load_course
from bot.errors import ContentError
from bot.logs import configure_logging, set_learner_key
from bot.ops import cohorts, operations
from bot.settings import Settings, load_settings
from bot.store import Store
from bot.telegram.serve import serve_telegram, serve_terminal
from bot.terminal import SpeedClock


def utc_now() -> datetime:
    return datetime.now(UTC)


def _print_content_problems(err: ContentError, directory: Path) -> None:
    for problem in err.problems:
        print(problem, file=sys.stderr)
    print(f"{len(err.problems)} problem(s) found in {directory}", file=sys.stderr)


def validate(args: argparse.Namespace) -> int:
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


def run(args: argparse.Namespace) -> int:
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


def chat(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    course = _load(settings if args.content is None else settings.model_copy(update={"content": args.content}))
    if args.speed <= 0:
        raise SystemExit("coursebot: --speed must be more than 0")
    clock = SpeedClock(utc_now, args.speed)
    asyncio.run(serve_terminal(settings, args.db or settings.db, course, args.user_id, clock, args.speed))
    return 0


def schedule(args: argparse.Namespace) -> int:
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


def stats(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    db, course = args.db or settings.db, _load(settings)
    if args.cohort is not None:
        if args.csv is not None or args.plot is not None:
            raise SystemExit("coursebot: --csv and --plot of a cohort are `coursebot outcomes --cohort NAME`")
        print(asyncio.run(cohorts.stats(db, course, utc_now(), args.cohort)))
        return 0
    print(asyncio.run(operations.stats(db, course, utc_now(), args.csv, args.plot)))
    return 0


def outcomes(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    db, course = args.db or settings.db, _load(settings)
    print(asyncio.run(cohorts.outcomes_report(db, course, args.cohort, args.csv, args.plot)))
    return 0


def cohort_create(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    username = args.bot_username
    if username is None:
        if settings.telegram_bot_token is None:
            raise SystemExit("coursebot: give --bot-username, or set TELEGRAM_BOT_TOKEN to ask Telegram for it")
        base_url = str(settings.telegram_base_url) if settings.telegram_base_url else None
        username = asyncio.run(cohorts.bot_username(settings.telegram_bot_token.get_secret_value(), base_url))
    cohort, link = asyncio.run(
        cohorts.create(
            args.db or settings.db, args.name, utc_now(), due_on=args.due, owner_id=args.owner, username=username
        )
    )
    due = f", due {cohort.due_on:%d %B %Y}" if cohort.due_on else ""
    print(f'Cohort "{cohort.name}" created{due}. Its invite link (share it only with its members):')
    print(link)
    return 0


def cohort_list(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    print(asyncio.run(cohorts.listing(args.db or settings.db)))
    return 0


def cohort_close(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    print(asyncio.run(cohorts.close(args.db or settings.db, args.name, utc_now())))
    return 0


def verify(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    genuine, text = asyncio.run(
        operations.verify(args.db or settings.db, _load(settings), settings.secret_value(), args.code, utc_now())
    )
    print(text)
    return 0 if genuine else 1


def export_completions(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    db = args.db or settings.db

    async def export(out: TextIO) -> int:
        if args.cohort is not None:
            return await cohorts.export_completions(db, args.cohort, out)
        return await operations.export_completions(db, out)

    if args.out is None:
        count = asyncio.run(export(sys.stdout))
    else:
        with args.out.open("w", newline="", encoding="utf-8") as out:
            count = asyncio.run(export(out))
    print(f"{count} certificate(s) exported", file=sys.stderr)
    return 0


def backup(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING")
    asyncio.run(operations.backup(args.db or settings.db, args.destination))
    print(f"backed up to {args.destination}")
    return 0
