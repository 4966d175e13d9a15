"""What coursebot's own work costs per update, against a bare PTB bot that makes the same Bot API calls.

A realistic mix, per learner and in order: /next (a lesson), /next (a case question), the answer to it (press
answered, question edited, feedback sent), and a look-up typed as text (the held-out on-shift queries in turn).
coursebot reads and writes a real SQLite file and the real content.

The baseline the goal is held against (`bench.replay_bot`) makes, for each update, exactly the calls coursebot
made for it (recorded from an untimed run of the same updates): the same texts, parse modes and keyboards, so
the ratio measures coursebot's content, engine, store and rendering, not the API's cost of what it sends. The
echo bot (`bench.echo_bot`: one-line replies, no keyboards, the same kinds of call) is shown for reference.
All run as real Applications fed through the update processor with per-chat order (as `coursebot run` does),
against the in-process Bot API stand-in; rounds alternate so all see the same machine load. Also CPU time per
update.

    .venv/bin/python -m bench.interactions [--learners 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder

from bench.echo_bot import build_echo
from bench.replay_bot import Script, build_replay
from bot.content import Course, Question, load_course
from bot.conversation.chat import CourseChat
from bot.core import buttons
from bot.settings import PROJECT_ROOT
from bot.store import Store
from bot.telegram.app import build_application
from bot.telegram.ordering import PerChatOrder
from tests.search_heldout import HELD_OUT
from tests.standin import BotAPIState, StandinRequest, callback_update, message_update

TOKEN = "123456:BENCH-token"
FIRST_USER = 100_000
GOAL = 0.6
# Look-ups as clinicians type them, each learner one of the held-out set's (never the same query for everyone:
# a repeated query would measure a warm cache, not a search).
LOOKUPS = tuple(judged.query for judged in HELD_OUT)
UPDATES_PER_LEARNER = 4


def mix(learners: int, question: Question) -> list[dict[str, Any]]:
    """Each learner's four updates, learners interleaved as they would arrive."""
    updates: list[dict[str, Any]] = []
    for step in range(UPDATES_PER_LEARNER):
        for n in range(learners):
            user = FIRST_USER + n
            if step < 2:
                updates.append(message_update(user, "/next"))
            elif step == 2:  # the question is the learner's second message from the bot
                data = buttons.encode(buttons.Answer(question.id, n % len(question.options)))
                updates.append(callback_update(user, data, message_id=2, message_text="question"))
            else:
                updates.append(message_update(user, LOOKUPS[n % len(LOOKUPS)]))
    return updates


async def _timed(
    application: Application[Any, Any, Any, Any, Any, Any], raw: list[dict[str, Any]]
) -> tuple[float, float]:
    """(wall seconds, CPU seconds) to process `raw` as the running bot does: all handed to the update processor,
    which keeps each chat's updates in order. The collector is paused: the stand-in's call log grows through the
    run, and collections would charge each bot for the size of the log, not its work."""
    updates = [Update.de_json(update, application.bot) for update in raw]
    processor = application.update_processor
    gc.collect()
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(processor.process_update(u, application.process_update(u)) for u in updates))
        return time.perf_counter() - wall, time.process_time() - cpu
    finally:
        gc.enable()


def _first_lesson_then_question(course: Course) -> tuple[str, Question]:
    """The course's first question, and the lesson just before it (the first /next sends the lesson)."""
    items = course.for_region("US").items
    index = next(
        i for i, item in enumerate(items) if isinstance(item, Question) and i > 0 and items[i - 1].type == "lesson"
    )
    question = items[index]
    assert isinstance(question, Question)
    return items[index - 1].id, question


@asynccontextmanager
async def _coursebot(
    course: Course, learners: int, folder: Path, state: BotAPIState
) -> AsyncIterator[tuple[Application[Any, Any, Any, Any, Any, Any], Store, list[dict[str, Any]]]]:
    """coursebot on a fresh file, each learner where the mix starts (a lesson, then a question, next)."""
    lesson_id, question = _first_lesson_then_question(course)
    items = course.for_region("US").items
    lesson = course.item(lesson_id)
    assert lesson is not None
    before = [item.id for item in items[: items.index(lesson)]]
    if question.id in before:
        raise AssertionError("the mix needs a question after the lesson")
    now = datetime.now(UTC)
    async with await Store.open(folder / f"bench-{time.monotonic_ns()}.sqlite3") as store:
        for n in range(learners):
            await store.learners.enrol(FIRST_USER + n, FIRST_USER + n, now)
            await store.learners.set_region(FIRST_USER + n, "US")
            for item_id in before:
                await store.progress.record_delivery(FIRST_USER + n, item_id, now)
        application = build_application(
            CourseChat(course, store, lambda: datetime.now(UTC)),
            TOKEN,
            request=StandinRequest(state),
            rate_limiter=False,
        )
        async with application:
            raw = mix(learners, question)
            for update in raw:
                state.observe_update(update)
            yield application, store, raw


async def coursebot_round(course: Course, learners: int, folder: Path) -> tuple[float, float, int]:
    state = BotAPIState()
    async with _coursebot(course, learners, folder, state) as (application, store, raw):
        wall, cpu = await _timed(application, raw)
        _, question = _first_lesson_then_question(course)
        answered = 0
        for n in range(learners):
            answered += question.id in (await store.progress.record(FIRST_USER + n)).answers
    assert answered == learners, f"only {answered} of {learners} answers were recorded"
    return wall, cpu, len(state.calls)


async def record_script(course: Course, learners: int, folder: Path) -> Script:
    """The Bot API calls coursebot makes for each update of the mix, one update at a time (untimed)."""
    state = BotAPIState()
    script: dict[tuple[int, int], list[tuple[str, dict[str, Any]]]] = {}
    async with _coursebot(course, learners, folder, state) as (application, _, raw):
        seen: dict[int, int] = {}
        for update in raw:
            user = update["message"]["from"]["id"] if "message" in update else update["callback_query"]["from"]["id"]
            nth = seen[user] = seen.get(user, -1) + 1
            since = len(state.calls)
            await application.process_update(Update.de_json(update, application.bot))
            calls = state.calls[since:]
            if not all(call.ok for call in calls):
                raise AssertionError(f"coursebot's calls failed while recording: {calls}")
            script[(user, nth)] = [(call.method, call.params) for call in calls]
    return script


async def baseline_round(
    build: Callable[[ApplicationBuilder[Any, Any, Any, Any, Any, Any]], Application[Any, Any, Any, Any, Any, Any]],
    question: Question,
    learners: int,
) -> tuple[float, float, int]:
    state = BotAPIState()
    builder = Application.builder().token(TOKEN).request(StandinRequest(state)).concurrent_updates(PerChatOrder())
    application = build(builder)
    async with application:
        raw = mix(learners, question)
        for update in raw:
            state.observe_update(update)
        wall, cpu = await _timed(application, raw)
    return wall, cpu, len(state.calls)


def _report(label: str, runs: list[tuple[float, float, int]], count: int) -> None:
    rate = statistics.median(count / wall for wall, _, _ in runs)
    cpu = statistics.median(cpu / count for _, cpu, _ in runs) * 1e6
    print(f"  {label:<34} {rate:7.0f} updates/s   CPU {cpu:6.0f} µs/update   Bot API calls {runs[0][2]}")


def _ratios(ours: list[tuple[float, float, int]], theirs: list[tuple[float, float, int]]) -> tuple[float, float]:
    """(throughput ratio, CPU ratio), medians over rounds run side by side."""
    pairs = list(zip(ours, theirs, strict=True))
    return (
        statistics.median(t[0] / o[0] for o, t in pairs),
        statistics.median(o[1] / t[1] for o, t in pairs),
    )


async def main(learners: int, rounds: int) -> None:
    course = load_course(PROJECT_ROOT / "content")
    _, question = _first_lesson_then_question(course)
    count = learners * UPDATES_PER_LEARNER
    ours: list[tuple[float, float, int]] = []
    replayed: list[tuple[float, float, int]] = []
    echoed: list[tuple[float, float, int]] = []
    with tempfile.TemporaryDirectory() as folder:
        script = await record_script(course, learners, Path(folder))
        for _ in range(rounds):  # interleaved, so all see the same machine load
            replayed.append(await baseline_round(lambda b: build_replay(b, script), question, learners))
            echoed.append(await baseline_round(build_echo, question, learners))
            ours.append(await coursebot_round(course, learners, Path(folder)))
    print(f"{learners} learners x (/next, /next, an answer, a look-up) = {count} updates a round; medians of {rounds}")
    _report("PTB bot replaying coursebot's calls", replayed, count)
    _report("PTB echo bot (one-line replies)", echoed, count)
    _report("coursebot", ours, count)
    throughput, cpu = _ratios(ours, replayed)
    print(f"  coursebot / the replaying bot: throughput {throughput:.2f}x (goal: {GOAL}x or better), CPU {cpu:.2f}x")
    throughput, cpu = _ratios(ours, echoed)
    print(f"  coursebot / the echo bot (for reference, no goal): throughput {throughput:.2f}x, CPU {cpu:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=500, help="learners in the mix (4 updates each)")
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.learners, arguments.rounds))
