"""The `coursebot` command line: its commands and options; `commands` holds what each one does."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.errors import CoursebotError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coursebot", description="The Healthcare Response to Human Trafficking: a micro-course bot."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot on Telegram (in the terminal when no token is set)")
    run.add_argument("--user-id", type=int, default=1, help=argparse.SUPPRESS)
    run.set_defaults(handler="run")

    chat = commands.add_parser("chat", help="take the course in the terminal")
    chat.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    chat.add_argument("--content", type=Path, help="the content folder (default: COURSEBOT_CONTENT)")
    chat.add_argument("--user-id", type=int, default=1, help="the learner id to use (default: 1)")
    chat.add_argument(
        "--speed", type=float, default=1.0, help="run the clock N times faster, to watch the schedule (default: 1)"
    )
    chat.set_defaults(handler="chat")

    schedule = commands.add_parser("schedule", help="print the upcoming scheduled deliveries")
    schedule.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    schedule.add_argument("--limit", type=int, default=50, help="how many to show (default: 50)")
    schedule.set_defaults(handler="schedule")

    stats = commands.add_parser("stats", help="course statistics for the course team (small groups withheld)")
    stats.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    stats.add_argument("--csv", type=Path, metavar="DIR", help="also write the figures as CSV files into DIR")
    stats.add_argument("--plot", type=Path, metavar="DIR", help="also draw the funnel and item difficulty as PNGs")
    stats.add_argument("--cohort", metavar="NAME", help="only this cohort's members, with its completions")
    stats.set_defaults(handler="stats")

    outcomes = commands.add_parser(
        "outcomes", help="enrolment, completion, knowledge and confidence before and after (small groups withheld)"
    )
    outcomes.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    outcomes.add_argument("--cohort", metavar="NAME", help="only this cohort's members")
    outcomes.add_argument("--csv", type=Path, metavar="DIR", help="also write the figures as CSV files into DIR")
    outcomes.add_argument(
        "--plot", type=Path, metavar="DIR", help="also draw knowledge before/after and completion over time as PNGs"
    )
    outcomes.set_defaults(handler="outcomes")

    cohort = commands.add_parser("cohort", help="cohorts for training offices: create, list, close")
    cohort_commands = cohort.add_subparsers(dest="cohort_command", required=True, metavar="ACTION")
    create = cohort_commands.add_parser("create", help="create a cohort and print its invite link")
    create.add_argument("name")
    create.add_argument("--due", type=_day, metavar="YYYY-MM-DD", help="the date members should finish by")
    create.add_argument("--owner", type=int, metavar="TELEGRAM_USER_ID", help="who may see the cohort's /stats")
    create.add_argument("--bot-username", help="the bot's username for the link (default: asked of Telegram)")
    create.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    create.set_defaults(handler="cohort_create")
    listing = cohort_commands.add_parser("list", help="the cohorts, with their members and status")
    listing.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    listing.set_defaults(handler="cohort_list")
    close = cohort_commands.add_parser("close", help="stop new joins (members stay)")
    close.add_argument("name")
    close.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    close.set_defaults(handler="cohort_close")

    verify = commands.add_parser("verify", help="check a certificate's verification code")
    verify.add_argument("code")
    verify.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    verify.set_defaults(handler="verify")

    export = commands.add_parser("export-completions", help="the certificates issued, as CSV")
    export.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")
    export.add_argument("--cohort", metavar="NAME", help="only this cohort's members")
    export.set_defaults(handler="export_completions")

    backup = commands.add_parser("backup", help="copy the database safely, even while the bot runs")
    backup.add_argument("destination", type=Path)
    backup.add_argument("--db", type=Path, help="the SQLite file (default: COURSEBOT_DB)")
    backup.set_defaults(handler="backup")

    validate = commands.add_parser("validate", help="check the course content and list every problem")
    validate.add_argument("directory", nargs="?", help="the content folder (default: COURSEBOT_CONTENT)")
    validate.set_defaults(handler="validate")
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Imported only now: `coursebot --help` (or a typo) should not pay for loading the whole bot.
    from bot.ops import commands

    try:
        code: int = getattr(commands, args.handler)(args)
    except CoursebotError as err:
        print(f"coursebot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
