"""Button data for what training offices add to the course: joining and leaving a cohort, and the knowledge
checks with their ratings. Kept apart from `buttons` so each family of buttons has one codec; the prefixes
("coh", "chk") are not used there.

A join button carries the cohort's code (the secret of the invite link), never its number, so a forged press
cannot join a cohort the learner was not invited to. A check answer names its option by its place in the file,
like a course answer, never by the letter shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.buttons import MAX_CALLBACK_BYTES
from bot.core.checks import PHASES, RATING_MAX, RATING_MIN, SCALES


@dataclass(frozen=True)
class JoinCohort:
    """Agree to join the cohort whose invite code is `code`."""

    code: str


@dataclass(frozen=True)
class DeclineCohort:
    """Do not join the cohort offered."""


@dataclass(frozen=True)
class LeaveCohort:
    """Leave the learner's cohort: None asks first, True leaves, False stays."""

    confirmed: bool | None = None


@dataclass(frozen=True)
class StartCheck:
    phase: str


@dataclass(frozen=True)
class SkipCheck:
    phase: str


@dataclass(frozen=True)
class CheckAnswer:
    """Choose option `option` (its index in the file) of check item `item_id`."""

    phase: str
    item_id: str
    option: int


@dataclass(frozen=True)
class Rate:
    phase: str
    scale: str
    value: int


CohortAction = JoinCohort | DeclineCohort | LeaveCohort
CheckAction = StartCheck | SkipCheck | CheckAnswer | Rate
TrainingAction = CohortAction | CheckAction

_COHORT = "coh"
_CHECK = "chk"
CODE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def is_code(text: str) -> bool:
    """Whether `text` could be an invite code at all (what a Telegram /start parameter may hold)."""
    return 0 < len(text) <= 64 and set(text) <= CODE_CHARACTERS


def encode(action: TrainingAction) -> str:
    if isinstance(action, JoinCohort):
        data = f"{_COHORT}:join:{action.code}"
    elif isinstance(action, DeclineCohort):
        data = f"{_COHORT}:no"
    elif isinstance(action, LeaveCohort):
        data = f"{_COHORT}:leave" + ("" if action.confirmed is None else ":yes" if action.confirmed else ":no")
    elif isinstance(action, StartCheck):
        data = f"{_CHECK}:go:{action.phase}"
    elif isinstance(action, SkipCheck):
        data = f"{_CHECK}:skip:{action.phase}"
    elif isinstance(action, CheckAnswer):
        data = f"{_CHECK}:a:{action.phase}:{action.item_id}:{action.option}"
    else:
        data = f"{_CHECK}:r:{action.phase}:{action.scale}:{action.value}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"button data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> TrainingAction | None:
    """The action behind callback data, or None when it is not one of these (it may be another family's)."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    parts = data.split(":")
    if parts[0] == _COHORT:
        return _cohort(parts[1:])
    if parts[0] == _CHECK and len(parts) >= 3 and parts[2] in PHASES:
        return _check(parts[1], parts[2], parts[3:])
    return None


def _cohort(parts: list[str]) -> CohortAction | None:
    if len(parts) == 2 and parts[0] == "join" and is_code(parts[1]):
        return JoinCohort(parts[1])
    if parts == ["no"]:
        return DeclineCohort()
    if parts == ["leave"]:
        return LeaveCohort()
    if len(parts) == 2 and parts[0] == "leave" and parts[1] in ("yes", "no"):
        return LeaveCohort(parts[1] == "yes")
    return None


def _check(kind: str, phase: str, rest: list[str]) -> CheckAction | None:
    if kind == "go" and not rest:
        return StartCheck(phase)
    if kind == "skip" and not rest:
        return SkipCheck(phase)
    if len(rest) != 2 or not (rest[1].isascii() and rest[1].isdigit() and len(rest[1]) <= 2):
        return None
    if kind == "a" and rest[0]:
        return CheckAnswer(phase, rest[0], int(rest[1]))
    if kind == "r" and rest[0] in SCALES[phase] and RATING_MIN <= int(rest[1]) <= RATING_MAX:
        return Rate(phase, rest[0], int(rest[1]))
    return None
