"""The light markup course texts are written in, and its rendering for Telegram (HTML) and the terminal.

Authors write plain text; `**words**` makes them bold. Nothing else is special, so a clinician never has to
escape a full stop or a hyphen the way Telegram's MarkdownV2 would demand.
"""

from __future__ import annotations

import html
import re

BOLD_MARK = "**"
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def markup_problem(text: str) -> str | None:
    """Why `text` is not valid markup, or None when it is."""
    if text.count(BOLD_MARK) % 2:
        return "unbalanced '**' (bold must be opened and closed)"
    if _BOLD.search(text) and any(not match.group(1).strip() for match in _BOLD.finditer(text)):
        return "empty bold text ('****')"
    return None


def to_html(text: str) -> str:
    """Telegram HTML: everything escaped, `**x**` as <b>x</b>."""
    return _BOLD.sub(lambda match: f"<b>{match.group(1)}</b>", html.escape(text, quote=False))


def plain_text(text: str) -> str:
    """The text as a person reads it, without markup (for the terminal and for counting)."""
    return _BOLD.sub(lambda match: match.group(1), text)


def escape(text: str) -> str:
    """Make any outside text (a name, a title) safe to embed in markup."""
    return text.replace(BOLD_MARK, "* *")
