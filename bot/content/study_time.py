"""How long the course takes, computed from the content, so the hours printed on a certificate stay honest.

Reading at 200 words a minute everything a learner can open (each lesson with its "More" part, each case with
every option's feedback), plus the spaced reviews (each case about twice, a minute each), plus the two short
knowledge tests; rounded to the nearest half hour.
"""

from __future__ import annotations

from bot.content.markup import plain_text
from bot.content.model import Course, Lesson, Question

WORDS_PER_MINUTE = 200
REVIEWS_PER_CASE = 2
MINUTES_PER_REVIEW = 1.0
MINUTES_PER_TEST_ITEM = 1.0


def _words(text: str | None) -> int:
    return len(plain_text(text).split()) if text else 0


def _question_words(question: Question) -> int:
    return _words(question.stem) + sum(_words(option.text) + _words(option.feedback) for option in question.options)


def study_minutes(course: Course) -> float:
    """Minutes of study in `course` (one version of it: what one learner takes)."""
    words = 0
    cases = 0
    for item in course.items:
        if isinstance(item, Lesson):
            words += _words(item.text) + _words(item.more)
        else:
            words += _question_words(item)
            cases += 1
    tests = len(course.pretest) + len(course.posttest)
    return words / WORDS_PER_MINUTE + cases * REVIEWS_PER_CASE * MINUTES_PER_REVIEW + tests * MINUTES_PER_TEST_ITEM


def study_hours(course: Course) -> float:
    """Study time to the nearest half hour, as a certificate states it."""
    return max(0.5, round(study_minutes(course) / 30) / 2)
