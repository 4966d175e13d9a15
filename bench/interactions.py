"""Throughput of coursebot answering case questions, against a bare PTB echo bot, in one run.

Both bots are real python-telegram-bot Applications fed with `process_update`, talking to the same
in-process Bot API stand-in, so the ratio shows what coursebot's own work costs (content look-ups,
SQLite reads and the answer written to disk, three API calls per press) over PTB's own overhead.
Flood-control rate limiting is left out of both: it waits on Telegram's clock, not on our code.

    .venv/bin/python -m bench.interactions [--updates 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.content import Question, load_course
from bot.conversation.chat import CourseChat
from bot.core import buttons
from bot.settings import PROJECT_ROOT
from bot.store import Store
from bot.telegram.app import build_application
from bot.telegram.ordering import PerChatOrder
from tests.standin import BotAPIState, StandinRequest, callback_update, message_update

TOKEN = "123456:BENCH-token"
FIRST_USER = 100_000
MODES = (
    ("deployed", "as the bot runs: updates handed to the update processor together (per-chat order, 64 at once)"),
    ("sequential", "one at a time: each process_update awaited before the next"),
)


async def _timed(application: Application[Any, Any, Any, Any, Any, Any], updates: list[Update], mode: str) -> float:
    """Seconds to process `updates`, either one after another or as the running bot does.

    "deployed" hands every update to the application's update processor at once, as PTB's update
    fetcher does; "sequential" awaits each `process_update` before the next.
    The collector is paused while timing: it walks every object alive, and the stand-in's call log
    grows through the run, so collections would charge each bot for the size of the log, not its work.
    """
    processor = application.update_processor
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        if mode == "sequential":
            for update in updates:
                await application.process_update(update)
        else:
            await asyncio.gather(
                *(processor.process_update(update, application.process_update(update)) for update in updates)
            )
        return time.perf_counter() - started
    finally:
        gc.enable()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


async def echo_rate(count: int, mode: str) -> float:
    """Updates per second for a bot that echoes every text message."""
    state = BotAPIState()
    application = (
        Application.builder().token(TOKEN).request(StandinRequest(state)).concurrent_updates(PerChatOrder()).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    async with application:
        updates = [Update.de_json(message_update(FIRST_USER + n, "hello"), application.bot) for n in range(count)]
        elapsed = await _timed(application, updates, mode)
    assert len(state.sent_messages()) == count
    return count / elapsed


async def coursebot_rate(count: int, folder: Path, mode: str) -> float:
    """Updates per second for coursebot recording answers to case questions (one per learner)."""
    course = load_course(PROJECT_ROOT / "content")
    question = course.questions[0]
    assert isinstance(question, Question)
    now = datetime.now(UTC)
    state = BotAPIState()
    async with await Store.open(folder / f"bench-{time.monotonic_ns()}.sqlite3") as store:
        for n in range(count):
            await store.learners.enrol(FIRST_USER + n, FIRST_USER + n, now)
            await store.progress.record_delivery(FIRST_USER + n, question.id, now)
        application = build_application(
            CourseChat(course, store, lambda: datetime.now(UTC)),
            TOKEN,
            request=StandinRequest(state),
            rate_limiter=False,
        )
        async with application:
            presses: list[dict[str, Any]] = []
            for n in range(count):
                sent = state.handle("sendMessage", {"chat_id": FIRST_USER + n, "text": question.stem})[1]["result"]
                data = buttons.encode(buttons.Answer(question.id, n % len(question.options)))
                presses.append(callback_update(FIRST_USER + n, data, message_id=sent["message_id"], message_text="q"))
            for press in presses:
                state.observe_update(press)
            updates = [Update.de_json(press, application.bot) for press in presses]
            elapsed = await _timed(application, updates, mode)
        recorded = 0
        for n in range(count):
            recorded += len((await store.progress.record(FIRST_USER + n)).answers)
    assert recorded == count, f"only {recorded} of {count} answers were recorded"
    return count / elapsed


async def main(count: int, rounds: int) -> None:
    print(f"updates per round: {count}, rounds: {rounds}; medians, each round's figures in brackets")
    with tempfile.TemporaryDirectory() as folder:
        for mode, label in MODES:
            echo: list[float] = []
            course: list[float] = []
            for _ in range(rounds):  # interleaved, so both see the same machine load
                echo.append(await echo_rate(count, mode))
                course.append(await coursebot_rate(count, Path(folder), mode))
            echo_median, course_median = statistics.median(echo), statistics.median(course)
            print(f"\n{label}")
            print(f"  echo bot:                 {echo_median:8.0f} updates/s  {[round(r) for r in echo]}")
            print(f"  coursebot (answer + SQL): {course_median:8.0f} updates/s  {[round(r) for r in course]}")
            print(f"  ratio coursebot / echo:   {course_median / echo_median:8.2f}x   (target: at least 0.50x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=2000, help="updates per bot per round")
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.updates, arguments.rounds))
