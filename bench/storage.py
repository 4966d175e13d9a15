"""Storage per learner: bytes in SQLite after a whole course with reviews, before and after pruning.

Learners take the real course on the real schedule (pace 3 from 08:00, the tick driven by a clock that jumps to the
next due time): they press "Got it" under every lesson, answer every case question (70% right) and every review as
it comes, until they have all finished the course and then for AFTER_COURSE days of reviews more. The store is
measured as the bytes its pages hold (page size x pages in use, freed pages not counted), less an empty store's, per
learner: first with pruning off for the whole run (what the bot kept before), then after one pruning pass as the
tick runs it (and the 48-hour message ids dropped, as housekeeping does).

    .venv/bin/python -m bench.storage [--learners 20] [--days 365]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.content import Course, load_course
from bot.conversation.chat import CourseChat, Who
from bot.conversation.replies import Reply
from bot.core import engine
from bot.delivery.sending import Pacer
from bot.delivery.tick import Ticker
from bot.settings import PROJECT_ROOT
from bot.store import Store
from scheduler.windows import Preferences

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
RIGHT = 0.7
AFTER_COURSE = 30  # days of reviews after the last learner finished the course


async def _all_finished(chat: CourseChat, learners: int) -> bool:
    for user_id in range(1, learners + 1):
        course = chat.course.for_region(await chat.store.learners.region(user_id))
        if engine.next_item(course, await chat.store.progress.record(user_id)) is not None:
            return False
    return True


class Learners:
    """The schedule's sender, and the learners reading what it sends: every press is made at once."""

    def __init__(self, seed: int = 11) -> None:
        self.inbox: list[tuple[int, Reply]] = []
        self.rng = random.Random(seed)
        self.message_id = 0

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        self.inbox.append((chat_id, reply))
        self.message_id += 1
        return self.message_id

    async def read(self, chat: CourseChat) -> None:
        """Press what a learner would under everything sent, and under what those presses bring."""
        while self.inbox:
            inbox, self.inbox = self.inbox, []
            for chat_id, reply in inbox:
                who = Who(chat_id, chat_id)
                for data in await self._presses(chat, reply):
                    outcome = await chat.press(who, data)
                    self.inbox.extend((chat_id, follow) for follow in outcome.replies)

    async def _presses(self, chat: CourseChat, reply: Reply) -> list[str]:
        data = [button.data for row in reply.buttons for button in row]
        # The knowledge checks are skipped: they are the same for everyone and kept apart from the schedule.
        presses = [item for item in data if item.startswith(("got:", "chk:skip:"))]
        answers = [item for item in data if item.startswith(("a:", "r:"))]
        if answers:
            best = await _best(chat, answers)
            wrong = [item for item in answers if item != best]
            presses.append(best if self.rng.random() < RIGHT or not wrong else self.rng.choice(wrong))
        return presses


async def _best(chat: CourseChat, answers: list[str]) -> str:
    """The right button (a learner who knows), found from the content."""
    for data in answers:
        kind, first, option = data.split(":")
        item_id = first
        if kind == "r":  # a review names its send, which names the question
            rows = await chat.store.database.fetch("SELECT item_id FROM sends WHERE id = ?", (int(first),))
            item_id = rows[0][0] if rows else ""
        question = chat.course.item(item_id)
        if question is not None and getattr(question, "best_index", None) == int(option):
            return data
    return answers[0]


async def used_bytes(store: Store) -> int:
    page_size = (await store.database.fetch("PRAGMA page_size"))[0][0]
    pages = (await store.database.fetch("PRAGMA page_count"))[0][0]
    free = (await store.database.fetch("PRAGMA freelist_count"))[0][0]
    await store.checkpoint()
    return int(page_size * (pages - free))


async def run_course(path: Path, course: Course, learners: int, days: int, *, prune: bool) -> tuple[int, int, float]:
    """(bytes in use at the end, sends kept, days until every learner had finished the course)."""
    clock_now = [START]
    async with await Store.open(path) as store:
        chat = CourseChat(course, store, lambda: clock_now[0])
        readers = Learners()
        ticker = Ticker(course, store, readers, clock=lambda: clock_now[0], pacer=Pacer(10**6),
                        prune_every=timedelta(hours=6) if prune else None)  # fmt: skip
        prefs = Preferences("Europe/London", daily_time=time(8, 0), pace=3)
        for user_id in range(1, learners + 1):
            await chat.start(Who(user_id, user_id))
            await store.learners.save_preferences(user_id, prefs, START)
            await store.learners.set_discreet(user_id, False)  # the bites themselves, not discreet mode's teaser
        end = START + timedelta(days=days)
        finished: datetime | None = None
        while clock_now[0] < end and (finished is None or clock_now[0] < finished + timedelta(days=AFTER_COURSE)):
            if finished is None and await _all_finished(chat, learners):
                finished = clock_now[0]
            rows = await store.database.fetch("SELECT MIN(next_due_at) FROM learners WHERE next_due_at IS NOT NULL")
            if not rows or rows[0][0] is None:
                break
            clock_now[0] = max(clock_now[0], datetime.fromisoformat(rows[0][0]))
            await ticker.tick()
            await readers.read(chat)
        if prune:
            await store.pruning.prune(clock_now[0], frozenset(question.id for question in course.questions))
            await store.privacy.prune_messages(clock_now[0] - timedelta(hours=48))
        await store.database.fetch("VACUUM")
        sends = (await store.database.fetch("SELECT COUNT(*) FROM sends"))[0][0]
        took = ((finished or clock_now[0]) - START).total_seconds() / 86400
        return await used_bytes(store), int(sends), took


async def empty_bytes(path: Path) -> int:
    async with await Store.open(path) as store:
        return await used_bytes(store)


def storage_per_learner(learners: int, days: int) -> dict[str, float]:
    """Bytes per learner after the whole course with reviews: before pruning and after."""
    course = load_course(PROJECT_ROOT / "content")
    with tempfile.TemporaryDirectory() as folder:
        base = asyncio.run(empty_bytes(Path(folder) / "empty.sqlite3"))
        kept = asyncio.run(run_course(Path(folder) / "kept.sqlite3", course, learners, days, prune=False))
        pruned = asyncio.run(run_course(Path(folder) / "pruned.sqlite3", course, learners, days, prune=True))
    (before, sends_before, took), (after, sends_after, _) = kept, pruned
    return {
        "learners": learners,
        "days": days,
        "before": (before - base) / learners,
        "after": (after - base) / learners,
        "sends_before": sends_before / learners,
        "sends_after": sends_after / learners,
        "course_days": took,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--days", type=int, default=365, help="at most this many simulated days")
    args = parser.parse_args()
    result = storage_per_learner(args.learners, args.days)
    print(
        f"Storage per learner after the whole course with reviews ({args.learners} learners; all had finished after "
        f"{result['course_days']:.0f} days at pace 3, then {AFTER_COURSE} days of reviews more)"
    )
    print(f"   before pruning: {result['before'] / 1024:6.1f} KB ({result['sends_before']:.0f} sends kept)")
    print(f"   after pruning:  {result['after'] / 1024:6.1f} KB ({result['sends_after']:.0f} sends kept)")
    print(f"   saved: {1 - result['after'] / result['before']:.0%}")


if __name__ == "__main__":
    main()
