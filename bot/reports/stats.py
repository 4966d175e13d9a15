"""Course statistics for the people who run the course: who takes it, how far they get, which case questions
need rewriting, and which look-ups are used.

Every figure about a group of fewer than five learners is withheld, so no one can tell how an individual
answered. Pure computation over the store's rows; text, CSV and PNG renderings below it.
"""

from __future__ import annotations

import csv
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.content.model import Course, Question
from bot.store import StatisticsRows

MIN_GROUP = 5
OPTION_LABEL_CHARS = 40


def _option_label(question: Question, index: int) -> str:
    """An option as a reader of the statistics knows it: learners see options shuffled, so never by letter."""
    text = question.options[index].text
    short = text if len(text) <= OPTION_LABEL_CHARS else text[: OPTION_LABEL_CHARS - 1].rstrip() + "…"
    return f"#{index + 1} {short}"


WITHHELD = "<5"

Figure = int | str  # a count, or WITHHELD


def small(count: int) -> Figure:
    return count if count >= MIN_GROUP else WITHHELD


@dataclass(frozen=True)
class QuestionStats:
    item_id: str
    title: str
    answered: Figure
    right_first_time: float | None  # None when withheld
    most_chosen_wrong: str | None  # the option, numbered in file order; None when withheld or none chose wrong


@dataclass(frozen=True)
class Report:
    enrolled: Figure
    active_7_days: Figure
    active_30_days: Figure
    paused: Figure
    blocked: Figure
    funnel: list[tuple[str, Figure]]  # (module title, learners who finished it)
    completed_course: Figure
    median_days_to_complete: float | None
    questions: list[QuestionStats]
    lookups: list[tuple[str, Figure]]


def compute(course: Course, rows: StatisticsRows, now: datetime) -> Report:
    done: dict[int, dict[str, datetime]] = defaultdict(dict)
    for user_id, item_id, when in rows.deliveries:
        if isinstance(course.item(item_id), Question):
            continue  # a question is done when answered, not when sent
        done[user_id][item_id] = when
    first_answers: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for user_id, item_id, option, correct, when in rows.answers:
        done[user_id][item_id] = when
        first_answers[item_id].append((option, correct))

    enrolled = {user_id: when for user_id, when, *_ in rows.learners}
    # Each learner is judged on the version of the course their region takes (the modules are the same in all).
    taken = {user_id: course.for_region(region) for user_id, _, _, _, region in rows.learners}
    funnel = []
    for index, module in enumerate(course.modules):
        finished = sum(
            all(item.id in done[user] for item in taken[user].modules[index].items)
            for user in enrolled
            if index < len(taken[user].modules)
        )
        funnel.append((module.title, small(finished)))
    completion_days = []
    for user, enrolled_at in enrolled.items():
        times = [done[user].get(item.id) for item in taken[user].items]
        if all(times):
            completion_days.append((max(t for t in times if t) - enrolled_at) / timedelta(days=1))

    last_seen = dict(rows.activity)
    questions = []
    for question in course.questions:
        given = first_answers.get(question.id, [])
        if len(given) < MIN_GROUP:
            questions.append(QuestionStats(question.id, question.title, WITHHELD if given else 0, None, None))
            continue
        wrong = Counter(option for option, correct in given if not correct)
        common = _option_label(question, wrong.most_common(1)[0][0]) if wrong else None
        right = sum(correct for _, correct in given) / len(given)
        questions.append(QuestionStats(question.id, question.title, len(given), right, common))

    titles = {card.id: card.title for card in course.cards}
    lookups = sorted(((titles.get(card, card), count) for card, count in rows.lookups), key=lambda pair: -pair[1])
    return Report(
        enrolled=small(len(enrolled)),
        active_7_days=small(sum(now - when <= timedelta(days=7) for when in last_seen.values())),
        active_30_days=small(sum(now - when <= timedelta(days=30) for when in last_seen.values())),
        paused=small(sum(paused for _, _, _, paused, _ in rows.learners)),
        blocked=small(sum(not active for _, _, active, _, _ in rows.learners)),
        funnel=funnel,
        completed_course=small(len(completion_days)),
        median_days_to_complete=statistics.median(completion_days) if len(completion_days) >= MIN_GROUP else None,
        questions=questions,
        lookups=[(title, small(count)) for title, count in lookups],
    )


def _share(value: float | None) -> str:
    return "withheld" if value is None else f"{value:.0%}"


def render_text(report: Report) -> str:
    """The report as plain lines (for /stats and `coursebot stats`)."""
    lines = [
        "Course statistics (figures about fewer than 5 learners are shown as <5 or withheld)",
        "",
        f"Learners enrolled: {report.enrolled}",
        f"Active in the last 7 days: {report.active_7_days}; in the last 30 days: {report.active_30_days}",
        f"Paused: {report.paused}; blocked the bot: {report.blocked}",
        "",
        "Completion funnel (learners who finished each module):",
        *(f"  {number}. {title}: {count}" for number, (title, count) in enumerate(report.funnel, start=1)),
        f"Finished the course: {report.completed_course}",
        "Median days to complete: "
        + ("withheld" if report.median_days_to_complete is None else f"{report.median_days_to_complete:.1f}"),
        "",
        "Case questions (answered; right the first time; most chosen wrong option), hardest first:",
    ]
    ranked = sorted(report.questions, key=lambda q: (q.right_first_time is None, q.right_first_time or 0.0))
    for question in ranked:
        wrong = question.most_chosen_wrong or ("withheld" if question.right_first_time is None else "none")
        lines.append(f"  {question.item_id}: {question.answered}; {_share(question.right_first_time)}; wrong: {wrong}")
    lines += ["", "Look-ups used most:"]
    lines += [f"  {title}: {count}" for title, count in report.lookups[:10]] or ["  none yet"]
    return "\n".join(lines)


def write_csv(report: Report, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[list[str], list[list[object]]]] = {
        "summary.csv": (
            ["figure", "value"],
            [
                ["enrolled", report.enrolled],
                ["active_7_days", report.active_7_days],
                ["active_30_days", report.active_30_days],
                ["paused", report.paused],
                ["blocked", report.blocked],
                ["completed_course", report.completed_course],
                ["median_days_to_complete", report.median_days_to_complete or "withheld"],
            ],
        ),
        "funnel.csv": (["module", "learners_finished"], [[title, count] for title, count in report.funnel]),
        "questions.csv": (
            ["item_id", "title", "answered", "right_first_time", "most_chosen_wrong"],
            [
                [q.item_id, q.title, q.answered, _share(q.right_first_time), q.most_chosen_wrong or ""]
                for q in report.questions
            ],
        ),
        "lookups.csv": (["card", "opened"], [[title, count] for title, count in report.lookups]),
    }
    written = []
    for name, (header, rows) in files.items():
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written


def plot(report: Report, folder: Path) -> list[Path]:
    """PNG charts of the funnel and of item difficulty (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    funnel_path, difficulty_path = folder / "funnel.png", folder / "item-difficulty.png"

    figure, axes = plt.subplots(figsize=(8, 4))
    counts = [count if isinstance(count, int) else 0 for _, count in report.funnel]
    axes.barh([f"{n}. {title[:40]}" for n, (title, _) in enumerate(report.funnel, 1)][::-1], counts[::-1])
    axes.set_xlabel("learners who finished the module (groups under 5 shown as 0)")
    axes.set_title("Completion funnel")
    figure.tight_layout()
    figure.savefig(funnel_path, dpi=120)
    plt.close(figure)

    shown = [q for q in report.questions if q.right_first_time is not None]
    figure, axes = plt.subplots(figsize=(8, max(3.0, 0.28 * len(shown) + 1)))
    shown.sort(key=lambda q: q.right_first_time or 0.0)
    axes.barh([q.item_id for q in shown], [(q.right_first_time or 0.0) * 100 for q in shown])
    axes.set_xlim(0, 100)
    axes.set_xlabel("% right the first time (questions answered by 5 or more)")
    axes.set_title("Case question difficulty")
    figure.tight_layout()
    figure.savefig(difficulty_path, dpi=120)
    plt.close(figure)
    return [funnel_path, difficulty_path]
