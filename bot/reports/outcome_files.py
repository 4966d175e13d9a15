"""The outcomes report as files a training office puts in its own report: CSV tables, and PNG charts of knowledge
before and after per objective and of completion over time (matplotlib, imported only when drawing)."""

from __future__ import annotations

import csv
import textwrap
from datetime import date, timedelta
from pathlib import Path

from bot.reports.outcomes import OutcomesReport, Paired
from bot.reports.stats import MIN_GROUP

WITHHELD_TEXT = "withheld"


def _number(value: float | None, digits: int = 3) -> object:
    return WITHHELD_TEXT if value is None else round(value, digits)


def _paired_rows(rows: list[Paired]) -> list[list[object]]:
    return [
        [row.label, row.learners, _number(row.before), _number(row.after), _number(row.change), _number(row.low),
         _number(row.high)]
        for row in rows
    ]  # fmt: skip


def _day_number(day: date) -> float:
    """`day` as a number of days since 1970-01-01, for the x axis."""
    return float((day - date(1970, 1, 1)).days)


def write_csv(report: OutcomesReport, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paired_header = ["measure", "learners", "before", "after", "change", "ci95_low", "ci95_high"]
    files: dict[str, tuple[list[str], list[list[object]]]] = {
        "outcomes-summary.csv": (
            ["figure", "value"],
            [
                ["scope", report.scope],
                ["due_on", report.due_on.isoformat() if report.due_on else ""],
                ["learners", report.enrolled],
                ["finished_course", report.completed],
                ["median_days_to_finish", _number(report.median_days_to_complete, 1)],
                ["completed_check_before", report.took_pretest],
                ["completed_check_after", report.took_posttest],
            ],
        ),
        "knowledge.csv": (paired_header, _paired_rows(report.knowledge)),
        "confidence.csv": (paired_header, _paired_rows(report.confidence)),
        "evaluation.csv": (
            ["measure", "learners", "mean"],
            [[row.label, row.learners, _number(row.mean)] for row in report.evaluation],
        ),
        "completion.csv": (
            ["day", "finished_so_far"],
            [[day.isoformat(), count] for day, count in report.completion_curve],
        ),
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


def plot(report: OutcomesReport, folder: Path) -> list[Path]:
    """knowledge.png (before and after per objective, with the change's interval) and completion.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    knowledge_path, completion_path = folder / "knowledge.png", folder / "completion.png"

    rows = report.knowledge
    figure, axes = plt.subplots(figsize=(9, 1.0 + 0.8 * len(rows)))
    places = list(range(len(rows)))[::-1]
    height = 0.38
    before = [(row.before or 0.0) * 100 for row in rows]
    after = [(row.after or 0.0) * 100 for row in rows]
    axes.barh([p + height / 2 for p in places], before, height, label="before the course", color="#9aa5b1")
    axes.barh([p - height / 2 for p in places], after, height, label="after the course", color="#1f6f8b")
    for place, row in zip(places, rows, strict=True):
        if row.change is None:
            note = f"withheld (fewer than {MIN_GROUP} learners took both checks)"
        else:
            assert row.low is not None
            assert row.high is not None
            note = (
                f"{row.change * 100:+.0f} pts (95% CI {row.low * 100:+.0f} to {row.high * 100:+.0f}), n={row.learners}"
            )
        axes.text(101, place, note, va="center", fontsize=8)
    axes.set_yticks(places, ["\n".join(textwrap.wrap(row.label, 38)) for row in rows], fontsize=8)
    axes.set_xlim(0, 100)
    axes.set_xlabel("check items answered well (%), learners who took both checks")
    axes.set_title(f"Knowledge before and after the course: {report.scope}", pad=28)
    axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=8, frameon=False)
    figure.tight_layout()
    figure.subplots_adjust(right=0.62)
    figure.savefig(knowledge_path, dpi=120)
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(8, 4))
    curve = report.completion_curve
    enrolled = report.enrolled if isinstance(report.enrolled, int) and report.enrolled else None
    if curve and enrolled:
        days = [_day_number(day) for day, _ in curve]
        shares = [count / enrolled * 100 for _, count in curve]
        end = max(curve[-1][0], report.due_on or curve[-1][0])
        days.append(_day_number(end) + 1)  # the last step runs on to the due date
        shares.append(shares[-1])
        axes.step(days, shares, where="post", color="#1f6f8b", label="finished the course")
        axes.set_ylim(0, 100)
        axes.set_ylabel(f"% of {enrolled} learners")
        first, span = curve[0][0], (end - curve[0][0]).days + 1
        ticks = [first + timedelta(days=offset) for offset in range(0, span + 1, max(1, span // 7))]
        axes.set_xticks([_day_number(day) for day in ticks], [f"{day:%d %b}" for day in ticks])
        axes.set_xlabel(f"day (the curve starts once {MIN_GROUP} learners have finished)")
        figure.autofmt_xdate()
    else:
        axes.text(0.5, 0.5, f"withheld: fewer than {MIN_GROUP} learners have finished", ha="center", va="center")
        axes.set_yticks([])
    if report.due_on is not None and (curve and enrolled):
        axes.axvline(_day_number(report.due_on), color="#c0392b", linestyle="--", label=f"due {report.due_on:%d %b %Y}")
    if curve and enrolled:
        axes.legend(loc="upper left", fontsize=8)
    axes.set_title(f"Completion over time: {report.scope}")
    figure.tight_layout()
    figure.savefig(completion_path, dpi=120)
    plt.close(figure)
    return [knowledge_path, completion_path]
