"""Outcomes for a training office: who enrolled and finished (and how fast), knowledge before and after the course
per objective, confidence before and after, and how the course was rated, for every learner or one cohort.

Knowledge and confidence are paired: each learner is compared with themselves, and only learners with both a
before and an after figure count. An objective's score is the share of its check items answered well, for a
learner who answered all of that objective's items in that check. The change is the mean paired difference with
a 95% confidence interval from the t distribution (scipy's paired t-test). Every figure about fewer than five
learners is withheld, as in the course statistics. Pure computation; text here, CSV and PNG in `outcome_files`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.content.model import Course, Question
from bot.core import checks
from bot.reports.stats import MIN_GROUP, WITHHELD, Figure, small
from bot.store import Certificate, Cohort, OutcomeRows, StatisticsRows

CONFIDENCE_LEVEL = 0.95
SCALE_LABELS = {
    "recognize": "Confidence to recognize trafficking",
    "respond": "Confidence to respond safely",
    "document": "Confidence to document safely",
    "relevance": "Relevance to practice",
    "intention": "Intention to change practice",
}


@dataclass(frozen=True)
class Paired:
    """A paired before/after comparison; every number None when fewer than MIN_GROUP learners have both."""

    label: str
    learners: Figure
    before: float | None = None
    after: float | None = None
    change: float | None = None
    low: float | None = None  # the confidence interval of the change
    high: float | None = None


@dataclass(frozen=True)
class Mean:
    label: str
    learners: Figure
    mean: float | None


@dataclass(frozen=True)
class OutcomesReport:
    scope: str
    enrolled: Figure
    completed: Figure
    median_days_to_complete: float | None
    took_pretest: Figure
    took_posttest: Figure
    knowledge: list[Paired]  # per objective, then all objectives together
    confidence: list[Paired]
    evaluation: list[Mean]
    completion_curve: list[tuple[date, int]]  # cumulative finishers by day, from the day they reach MIN_GROUP
    due_on: date | None = None


def paired_change(label: str, before: Sequence[float], after: Sequence[float], *, bound: float | None = None) -> Paired:
    """The mean of `after - before` with its 95% confidence interval (paired t), or withheld under MIN_GROUP.

    With `bound`, the interval is clipped to the changes possible (a share moves at most 1 either way).
    """
    if len(before) != len(after):
        raise ValueError("paired figures come in pairs")
    count = len(before)
    if count < MIN_GROUP:
        return Paired(label, small(count))
    differences = [late - early for early, late in zip(before, after, strict=True)]
    change = statistics.fmean(differences)
    if max(differences) == min(differences):  # no spread: the interval is the change itself
        low = high = change
    else:
        from scipy import stats as scipy_stats

        interval = scipy_stats.ttest_rel(after, before).confidence_interval(confidence_level=CONFIDENCE_LEVEL)
        low, high = float(interval.low), float(interval.high)
    if bound is not None:
        low, high = max(low, -bound), min(high, bound)
    return Paired(label, count, statistics.fmean(before), statistics.fmean(after), change, low, high)


def _completion_times(course: Course, rows: OutcomeRows) -> dict[int, datetime]:
    """When each learner finished their version of the course (their last item done), for those who did."""
    done: dict[int, dict[str, datetime]] = defaultdict(dict)
    for user_id, item_id, when in rows.deliveries:
        if not isinstance(course.item(item_id), Question):
            done[user_id][item_id] = when
    for user_id, item_id, when in rows.answers:
        done[user_id][item_id] = when
    finished = {}
    for user_id, region, _ in rows.learners:
        times = [done[user_id].get(item.id) for item in course.for_region(region).items]
        if times and all(times):
            finished[user_id] = max(time for time in times if time is not None)
    return finished


def _objective_scores(course: Course, rows: OutcomeRows, phase: str) -> dict[int, dict[int | None, float]]:
    """Per learner, per objective (None: all of them), the share of that check's items answered well; only where
    the learner answered every item of it."""
    answers: dict[int, dict[str, bool]] = defaultdict(dict)
    for user_id, answered_phase, item_id, correct in rows.checks:
        if answered_phase == phase:
            answers[user_id][item_id] = correct
    groups: dict[int | None, list[str]] = defaultdict(list)
    for question in checks.items(course, phase):
        groups[question.objective].append(question.id)
        groups[None].append(question.id)
    scores: dict[int, dict[int | None, float]] = defaultdict(dict)
    for user_id, given in answers.items():
        for objective, ids in groups.items():
            if all(item_id in given for item_id in ids):
                scores[user_id][objective] = sum(given[item_id] for item_id in ids) / len(ids)
    return scores


def _pairs(before: dict[int, float], after: dict[int, float]) -> tuple[list[float], list[float]]:
    both = sorted(set(before) & set(after))
    return [before[user] for user in both], [after[user] for user in both]


def compute(
    course: Course, rows: OutcomeRows, *, scope: str = "all learners", due_on: date | None = None
) -> OutcomesReport:
    starts = {user_id: start for user_id, _, start in rows.learners}
    finished = _completion_times(course, rows)
    days = [max((when - starts[user]) / timedelta(days=1), 0.0) for user, when in finished.items()]

    pre, post = _objective_scores(course, rows, checks.PRE), _objective_scores(course, rows, checks.POST)
    knowledge = []
    for objective in (*(o.id for o in course.objectives if any(q.objective == o.id for q in course.pretest)), None):
        label = "All objectives" if objective is None else _objective_label(course, objective)
        before = {user: scores[objective] for user, scores in pre.items() if objective in scores}
        after = {user: scores[objective] for user, scores in post.items() if objective in scores}
        knowledge.append(paired_change(label, *_pairs(before, after), bound=1.0))

    rated: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for user_id, phase, scale, value in rows.ratings:
        rated[(phase, scale)][user_id] = value
    confidence = [
        paired_change(
            SCALE_LABELS[scale],
            *_pairs(
                {user: float(value) for user, value in rated[(checks.PRE, scale)].items()},
                {user: float(value) for user, value in rated[(checks.POST, scale)].items()},
            ),
            bound=float(checks.RATING_MAX - checks.RATING_MIN),
        )
        for scale in checks.CONFIDENCE
    ]
    evaluation = []
    for scale in checks.EVALUATION:
        values = list(rated[(checks.POST, scale)].values())
        mean = statistics.fmean(values) if len(values) >= MIN_GROUP else None
        evaluation.append(Mean(SCALE_LABELS[scale], small(len(values)), mean))

    all_pre, all_post = len(checks.items(course, checks.PRE)), len(checks.items(course, checks.POST))
    return OutcomesReport(
        scope=scope,
        enrolled=small(len(starts)),
        completed=small(len(finished)),
        median_days_to_complete=statistics.median(days) if len(days) >= MIN_GROUP else None,
        took_pretest=small(sum(len(answers) == all_pre for answers in _answered(rows, checks.PRE).values())),
        took_posttest=small(sum(len(answers) == all_post for answers in _answered(rows, checks.POST).values())),
        knowledge=knowledge,
        confidence=confidence,
        evaluation=evaluation,
        completion_curve=completion_curve(sorted(finished.values())),
        due_on=due_on,
    )


def _answered(rows: OutcomeRows, phase: str) -> dict[int, set[str]]:
    answered: dict[int, set[str]] = defaultdict(set)
    for user_id, answered_phase, item_id, _ in rows.checks:
        if answered_phase == phase:
            answered[user_id].add(item_id)
    return answered


def completion_curve(finished: Sequence[datetime]) -> list[tuple[date, int]]:
    """Cumulative finishers at the end of each day someone finished, leaving out the days before MIN_GROUP had."""
    curve: dict[date, int] = {}
    for count, when in enumerate(sorted(finished), start=1):
        curve[when.date()] = count
    return [(day, count) for day, count in curve.items() if count >= MIN_GROUP]


def _objective_label(course: Course, objective: int) -> str:
    text = next((o.text for o in course.objectives if o.id == objective), "")
    return f"{objective}. {text}"


def _percent(value: float | None) -> str:
    return "withheld" if value is None else f"{value:.0%}"


def _points(value: float | None) -> str:
    return "withheld" if value is None else f"{value * 100:+.0f}"


def _rating(value: float | None) -> str:
    return "withheld" if value is None else f"{value:.1f}"


def render_text(report: OutcomesReport) -> str:
    """The report as plain lines (for `coursebot outcomes` and a cohort's /stats)."""
    share = ""
    if isinstance(report.enrolled, int) and isinstance(report.completed, int) and report.enrolled:
        share = f" ({report.completed / report.enrolled:.0%})"
    median = report.median_days_to_complete
    lines = [
        f"Outcomes: {report.scope} (figures about fewer than {MIN_GROUP} learners are shown as {WITHHELD} or withheld)",
        "",
        f"Learners: {report.enrolled}; finished the course: {report.completed}{share}; "
        f"median days to finish: {'withheld' if median is None else f'{median:.1f}'}",
        f"Knowledge checks completed: before the course {report.took_pretest}; after it {report.took_posttest}",
        "",
        "Knowledge before and after, per objective (share of check items answered well; learners who took both; "
        "change in percentage points with its 95% confidence interval):",
    ]
    for row in report.knowledge:
        if row.change is None:
            lines.append(f"  {row.label}: withheld (n={row.learners})")
        else:
            lines.append(
                f"  {row.label}: {_percent(row.before)} -> {_percent(row.after)}, change {_points(row.change)} "
                f"(95% CI {_points(row.low)} to {_points(row.high)}), n={row.learners}"
            )
    lines += ["", "Confidence, 1-5 (learners who rated before and after; change with its 95% confidence interval):"]
    for row in report.confidence:
        if row.change is None:
            lines.append(f"  {row.label}: withheld (n={row.learners})")
        else:
            lines.append(
                f"  {row.label}: {_rating(row.before)} -> {_rating(row.after)}, change {row.change:+.1f} "
                f"(95% CI {row.low:+.1f} to {row.high:+.1f}), n={row.learners}"
            )
    lines += ["", "Evaluation after the course, 1-5:"]
    lines += [f"  {row.label}: {_rating(row.mean)} (n={row.learners})" for row in report.evaluation]
    return "\n".join(lines)


def scope_statistics(rows: StatisticsRows, members: frozenset[int]) -> StatisticsRows:
    """The course statistics' rows of `members` only. Look-ups are counted with no learner attached, so a cohort's
    statistics have none."""
    return StatisticsRows(
        learners=[row for row in rows.learners if row[0] in members],
        deliveries=[row for row in rows.deliveries if row[0] in members],
        answers=[row for row in rows.answers if row[0] in members],
        activity=[row for row in rows.activity if row[0] in members],
        lookups=[],
    )


def render_cohort(cohort: Cohort, report: OutcomesReport, issued: Sequence[Certificate]) -> list[str]:
    """A cohort's head lines: what it is, who finished, and the certificates its owner may see (the name its holder
    chose to print, and the day they finished: what members agreed to when they joined)."""
    due = f"due {cohort.due_on:%d %B %Y}" if cohort.due_on else "no due date"
    state = "open to new members" if cohort.open else f"closed on {cohort.closed_at:%d %B %Y}"
    lines = [
        f'Cohort "{cohort.name}" ({due}; {state})',
        f"Members: {report.enrolled}; finished the course: {report.completed}",
        "",
        f"Certificates issued to members ({len(issued)}):",
    ]
    lines += [f"  {issue.completed_on:%Y-%m-%d}  {issue.name or '(no name printed)'}" for issue in issued]
    if not issued:
        lines.append("  none yet")
    return lines
