"""Checks of the course as a whole that are about its quality as teaching, not its shape.

`coursebot validate` prints what these find as warnings, and the content tests hold the real course to limits:
- cueing: a test-wise learner must not find the best option by its length, its hedges or its place;
- jurisdiction: a learner must never be taught another country's law as if it were theirs;
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from bot.content.markup import plain_text
from bot.content.model import Course, CourseVersionInfo, Lesson, Question, is_for

# The share of questions whose best option is the longest one: above this, length gives the answer away.
BEST_LONGEST_LIMIT = 0.35

# Words that soften or qualify a claim: the "most hedged" option is a classic give-away of the keyed answer.
_HEDGE_WORDS = """
    may might could can usually often generally typically consider possible possibly appropriate appropriately
    if unless when where whether perhaps some likely offer gently carefully safely privately
"""
HEDGES = frozenset(_HEDGE_WORDS.split())
_WORD = re.compile(r"[a-z']+")


def option_length(text: str) -> int:
    return len(plain_text(text))


def hedge_count(text: str) -> int:
    return sum(word in HEDGES for word in _WORD.findall(plain_text(text).lower()))


@dataclass(frozen=True)
class Cueing:
    """How much the form of the options gives the best one away, over a set of questions."""

    questions: int
    best_is_longest: int  # the best option is strictly the longest
    mean_length_ratio: float  # the best option's length over the mean of the others', averaged
    best_is_most_hedged: int  # the best option has strictly the most hedges
    best_positions: dict[int, int]  # 1-based position of the best option in file order -> count

    @property
    def best_longest_share(self) -> float:
        return self.best_is_longest / self.questions if self.questions else 0.0

    @property
    def best_most_hedged_share(self) -> float:
        return self.best_is_most_hedged / self.questions if self.questions else 0.0


def cueing(questions: tuple[Question, ...]) -> Cueing:
    longest = hedged = 0
    ratios = []
    positions: Counter[int] = Counter()
    for question in questions:
        best = question.best_index
        lengths = [option_length(option.text) for option in question.options]
        hedges = [hedge_count(option.text) for option in question.options]
        others = [length for index, length in enumerate(lengths) if index != best]
        longest += all(lengths[best] > other for other in others)
        hedged += all(hedges[best] > hedge for index, hedge in enumerate(hedges) if index != best)
        ratios.append(lengths[best] / statistics.mean(others))
        positions[best + 1] += 1
    return Cueing(
        questions=len(questions),
        best_is_longest=longest,
        mean_length_ratio=statistics.mean(ratios) if ratios else 0.0,
        best_is_most_hedged=hedged,
        best_positions=dict(sorted(positions.items())),
    )


def _texts(item: Lesson | Question) -> Iterator[str]:
    yield item.title
    if isinstance(item, Lesson):
        yield item.text
        if item.more:
            yield item.more
    else:
        yield item.stem
        for option in item.options:
            yield option.text
            yield option.feedback


def _mentions(term: str, text: str) -> bool:
    # "000" must not match inside "50,000", nor "911" inside "1911"
    return re.search(rf"(?<![\w.,]){re.escape(term)}(?![\w])", text) is not None


def jurisdiction_problems(course: Course) -> list[tuple[str, str]]:
    """Items that name one country's law to learners of another without saying whose law it is; and knowledge-test
    items (taken everywhere) that name any country's law at all."""
    problems = []
    for question in (*course.pretest, *course.posttest):
        for owner in course.versions:
            for text in _texts(question):
                term = next((term for term in owner.law_terms if _mentions(term, plain_text(text))), None)
                if term:
                    problems.append((question.id, f"a knowledge-test item names {term!r} ({owner.code}) to everyone"))
                    break
    for item in course.items:
        viewers = [version for version in course.versions if is_for(item, version.code)]
        for owner in course.versions:
            for viewer in viewers:
                if viewer.code == owner.code:
                    continue
                term = _unmarked_term(item, owner, viewer)
                if term:
                    problems.append(
                        (
                            item.id,
                            f"names {term!r} ({owner.code}) to {viewer.code} learners without saying where it "
                            f"applies (add one of {', '.join(owner.markers[:3])}... to the paragraph, or give the "
                            f"item regions: [{owner.code}])",
                        )
                    )
                    break
    return problems


def _unmarked_term(item: Lesson | Question, owner: CourseVersionInfo, viewer: CourseVersionInfo) -> str | None:
    for text in _texts(item):
        for paragraph in plain_text(text).split("\n\n"):
            for term in owner.law_terms:
                if term in viewer.law_terms or not _mentions(term, paragraph):
                    continue
                if not any(_mentions(marker, paragraph) for marker in owner.markers):
                    return term
    return None


def content_warnings(course: Course) -> list[str]:
    """Everything worth an author's attention that does not stop the course from loading."""
    warnings = []
    for name, questions in question_sets(course):
        found = cueing(questions)
        if found.best_longest_share > BEST_LONGEST_LIMIT:
            warnings.append(
                f"{name}: the best option is the longest in {found.best_is_longest} of "
                f"{found.questions} questions ({found.best_longest_share:.0%}; at most {BEST_LONGEST_LIMIT:.0%})"
            )
    return warnings


def question_sets(course: Course) -> list[tuple[str, tuple[Question, ...]]]:
    """Each set of questions a learner meets as one whole: each version's course, and each knowledge test."""
    sets = [(f"{version.code} version", course.for_version(version.code).questions) for version in course.versions]
    tests = [("pre-test", tuple(course.pretest)), ("post-test", tuple(course.posttest))]
    return sets + [(name, questions) for name, questions in tests if questions]


def cueing_report(course: Course) -> list[str]:
    """One line per set of questions: the figures a reviewer of the questions wants to see."""
    lines = []
    for name, questions in question_sets(course):
        found = cueing(questions)
        positions = ", ".join(f"{position}: {count}" for position, count in found.best_positions.items())
        lines.append(
            f"{name}: {found.questions} questions; best is longest {found.best_longest_share:.0%}, "
            f"most hedged {found.best_most_hedged_share:.0%}, length best/others {found.mean_length_ratio:.2f}, "
            f"best by position in file ({positions})"
        )
    return lines
