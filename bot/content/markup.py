"""The light markup course texts are written in, and its rendering for Telegram (HTML) and the terminal.

Authors write plain text; `**words**` makes them bold. Nothing else is special, so a clinician never has to
escape a full stop or a hyphen the way Telegram's MarkdownV2 would demand. The bot itself can also mark a
number to copy with one tap (`code()`, shown as Telegram's monospace <code>); authors never need to.
"""

from __future__ import annotations

import html
import re

BOLD_MARK = "**"
CODE_MARK = "``"
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_CODE = re.compile(r"``(.+?)``")


def markup_problem(text: str) -> str | None:
    """Why `text` is not valid markup, or None when it is."""
    if text.count(BOLD_MARK) % 2:
        return "unbalanced '**' (bold must be opened and closed)"
    if text.count(CODE_MARK) % 2:
        return "unbalanced '``' (a number to copy must be opened and closed)"
    if _BOLD.search(text) and any(not match.group(1).strip() for match in _BOLD.finditer(text)):
        return "empty bold text ('****')"
    return None


def to_html(text: str) -> str:
    """Telegram HTML: everything escaped, `**x**` as <b>x</b>, ``` ``x`` ``` as <code>x</code>."""
    bold = _BOLD.sub(lambda match: f"<b>{match.group(1)}</b>", html.escape(text, quote=False))
    return _CODE.sub(lambda match: f"<code>{match.group(1)}</code>", bold)


def plain_text(text: str) -> str:
    """The text as a person reads it, without markup (for the terminal and for counting)."""
    return _CODE.sub(lambda match: match.group(1), _BOLD.sub(lambda match: match.group(1), text))


def code(text: str) -> str:
    """`text` (a phone number) shown so that one tap copies it."""
    return f"{CODE_MARK}{escape(text)}{CODE_MARK}"


def escape(text: str) -> str:
    """Make any outside text (a name, a title) safe to embed in markup."""
    return text.replace(BOLD_MARK, "* *").replace(CODE_MARK, "` `")
