"""What the bot says, as plain data any adapter can show: texts in markup, and buttons with their data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Button(NamedTuple):
    """A tuple, not a dataclass: keyboards are looked up by their rows of buttons on every reply (see
    bot.telegram.outgoing), and a tuple hashes and compares in C."""

    label: str
    data: str


def button_rows(buttons: list[Button], width: int = 1) -> tuple[tuple[Button, ...], ...]:
    """`buttons` laid out `width` to a row."""
    return tuple(tuple(buttons[start : start + width]) for start in range(0, len(buttons), width))


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (the text becomes its caption)."""

    filename: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Reply:
    """One message: text in the course markup, rows of inline buttons, and perhaps a file."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    protect: bool = False  # ask Telegram to stop forwarding and saving (discreet mode)
    attachment: Attachment | None = None
    # Course content, the same for many learners and holding nobody's details: an adapter may keep its
    # rendering for the next learner. Off unless said, so a text that echoes a learner is never kept.
    shared: bool = False


@dataclass(frozen=True)
class Outcome:
    """Everything one input leads to.

    `notice` is the short answer to a button press (a toast on the phone); `edit` replaces the message
    whose button was pressed; `delete` removes earlier messages of the chat's (never the one being edited);
    `delete_input` removes the message the learner just sent; `replies` are new messages, in order. `pulled` is
    the pending send of a bite claimed for `replies` (/next): once the adapter has sent them it must settle the
    claim (`CourseChat.settle`), confirmed or given back. `discreet` saves the adapter reading discreet mode
    again (None: it asks `PrivacyChat.discreet`).
    """

    replies: tuple[Reply, ...] = ()
    notice: str | None = None
    edit: Reply | None = None
    delete: tuple[int, ...] = ()  # ids of recent messages in the chat, the learner's and the bot's (/hide)
    delete_input: bool = False  # the learner's message held patient details (or a photo): delete it at once
    pulled: int | None = None
    discreet: bool | None = None  # whether the learner is in discreet mode, if the conversation read it already
