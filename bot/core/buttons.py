"""What an inline button means, written into and read back from its callback data.

Buttons carry everything they need (the item id and the option), so a button in an old message keeps
working after a restart. Anything that does not parse is stale or forged and gets a clear answer.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback data


@dataclass(frozen=True)
class Answer:
    """Choose option `option` (0-based) of question `item_id`."""

    item_id: str
    option: int


@dataclass(frozen=True)
class NextBite:
    """Send the next lesson or question."""


@dataclass(frozen=True)
class ShowProgress:
    """Show the learner's progress."""


Action = Answer | NextBite | ShowProgress

_ANSWER = "a"
_NEXT = "next"
_PROGRESS = "progress"


def encode(action: Action) -> str:
    if isinstance(action, Answer):
        data = f"{_ANSWER}:{action.item_id}:{action.option}"
    elif isinstance(action, NextBite):
        data = _NEXT
    else:
        data = _PROGRESS
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"button data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Action | None:
    """The action behind callback data, or None when it is not one of ours (stale, forged, oversized)."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    if data == _NEXT:
        return NextBite()
    if data == _PROGRESS:
        return ShowProgress()
    kind, _, rest = data.partition(":")
    if kind == _ANSWER:
        item_id, _, option = rest.rpartition(":")
        if item_id and option.isdigit() and len(option) <= 2:
            return Answer(item_id, int(option))
    return None
