"""Free-text look-ups: how long a search over the whole course takes, and how often it finds the right card.

Times a few hundred realistic queries (the relevance list, plus the same queries in capitals, with a typo,
and with extra words), in process: the search alone, and the whole answer through the real PTB Application
(with the in-process Bot API stand-in). The baseline, measured in the same run, is a naive scan that lowercases
every card and lesson and looks for each query word as a substring.

    .venv/bin/python -m bench.lookups [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update

from bot.content import Course, load_course
from bot.conversation.chat import CourseChat
from bot.core.search import SearchIndex
from bot.settings import PROJECT_ROOT
from bot.store import Store
from bot.telegram.app import build_application
from tests.search_queries import QUERIES
from tests.standin import BotAPIState, StandinRequest, message_update


def realistic_queries(seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    queries = []
    for query, _ in QUERIES:
        queries.append(query)
        queries.append(query.upper())
        words = query.split()
        longest = max(range(len(words)), key=lambda index: len(words[index]))
        word = words[longest]
        if len(word) > 4:  # one dropped letter
            cut = rng.randrange(1, len(word) - 1)
            words[longest] = word[:cut] + word[cut + 1 :]
        queries.append(" ".join(words))
        queries.append(f"quick question: {query} for a patient in triage")
        queries.append(f"{query}?")
    return queries


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def naive_scan(course: Course, query: str) -> list[str]:
    words = query.lower().split()
    documents = [(card.id, f"{card.title} {card.text}".lower()) for card in course.cards]
    documents += [(lesson.id, f"{lesson.title} {lesson.text}".lower()) for m in course.modules for lesson in m.lessons]
    scored = sorted(((sum(word in text for word in words), id_) for id_, text in documents), reverse=True)
    return [id_ for score, id_ in scored[:3] if score]


def time_each(function: Callable[[str], object], queries: list[str], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            function(query)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


async def through_the_application(course: Course, queries: list[str]) -> list[float]:
    state = BotAPIState()
    samples = []
    with tempfile.TemporaryDirectory() as folder:
        async with await Store.open(Path(folder) / "lookups.sqlite3") as store:
            chat = CourseChat(course, store, lambda: datetime.now(UTC))
            application = build_application(chat, "123:BENCH", request=StandinRequest(state), rate_limiter=False)
            async with application:
                for number, query in enumerate(queries):
                    update = Update.de_json(message_update(500_000 + number, query), application.bot)
                    started = time.perf_counter()
                    await application.process_update(update)
                    samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the queries for the in-process timings")
    args = parser.parse_args()
    course = load_course(PROJECT_ROOT / "content")
    started = time.perf_counter()
    index = SearchIndex.build(course)
    build_ms = (time.perf_counter() - started) * 1000
    queries = realistic_queries()
    index.search(queries[0])  # warm up

    search = time_each(index.search, queries, args.repeat)
    baseline = time_each(lambda query: naive_scan(course, query), queries, args.repeat)
    full = asyncio.run(through_the_application(course, queries))
    found = sum(any(hit.document.id in wanted for hit in index.search(query)) for query, wanted in QUERIES)

    print(f"{len(queries)} realistic queries x {args.repeat}; index built once in {build_ms:.0f} ms")
    print(f"{'':34}{'median':>10}{'p99':>10}")
    for label, samples in (
        ("search (BM25, synonyms, typos)", search),
        ("baseline: naive substring scan", baseline),
        ("whole answer via the Application", full),
    ):
        print(f"{label:34}{statistics.median(samples):8.2f} ms{percentile(samples, 0.99):8.2f} ms")
    print(
        f"search / baseline: {statistics.median(search) / statistics.median(baseline):.2f}x at the median, "
        f"{percentile(search, 0.99) / percentile(baseline, 0.99):.2f}x at p99 (target: p99 under 20 ms)"
    )
    print(f"relevance: {found}/{len(QUERIES)} = {found / len(QUERIES):.0%} found in the top 3 (target 90%)")


if __name__ == "__main__":
    main()
