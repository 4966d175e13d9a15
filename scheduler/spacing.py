"""Spaced repetition of case questions with FSRS (the `fsrs` package, v6).

A right answer rates Good and a wrong one Again. There are no minute-scale learning steps: a missed
question comes back after about a day, a mastered one after weeks. Fuzzing is off, so the same answers
at the same times always give the same schedule (the tick spreads any backlog itself).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Rating, Scheduler

DESIRED_RETENTION = 0.9

_SCHEDULER = Scheduler(
    desired_retention=DESIRED_RETENTION, learning_steps=(), relearning_steps=(), enable_fuzzing=False
)


@dataclass(frozen=True)
class ReviewState:
    """A question's memory state after a review: when it is due, and FSRS's card as JSON (to re-fit later)."""

    due: datetime
    rating: int
    card: str


def rating_for(correct: bool) -> Rating:
    return Rating.Good if correct else Rating.Again


def review(previous: str | None, item_id: str, correct: bool, now: datetime) -> ReviewState:
    """The state after answering `item_id` at `now`; `previous` is the last state's card JSON, if any."""
    # A stable id per question keeps the core free of clocks and randomness (Card() would use both).
    card = Card(card_id=zlib.crc32(item_id.encode())) if previous is None else Card.from_dict(json.loads(previous))
    rating = rating_for(correct)
    updated, _ = _SCHEDULER.review_card(card, rating, review_datetime=now)
    return ReviewState(due=updated.due, rating=int(rating), card=json.dumps(updated.to_dict()))
