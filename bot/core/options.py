"""The order a learner sees a question's options in: shuffled per learner and per presentation.

A test-wise learner must not find the best answer by its place, and a review must not repeat the order of the
first showing. The order is derived, not stored: the same learner, question and presentation always give the
same order (so an answered message can be redrawn exactly), while button data names each option by its place
in the file, never by the letter shown.
"""

from __future__ import annotations

import functools
import hashlib
import random

FIRST_SHOWING = "first"
LETTERS = "ABCDE"


def review_showing(send_id: int) -> str:
    return f"review:{send_id}"


@functools.lru_cache(maxsize=1024)  # seeding a generator costs more than the rest of drawing a question
def shown_order(user_id: int, item_id: str, showing: str, count: int) -> tuple[int, ...]:
    """File indexes of the options in the order this learner sees them in this showing."""
    seed = hashlib.sha256(f"{user_id}\0{item_id}\0{showing}".encode()).digest()
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return tuple(order)


def letter_of(order: tuple[int, ...], option: int) -> str:
    """The letter option `option` (a file index) is shown under."""
    return LETTERS[order.index(option)]
