"""Text cut to Telegram's limits: at most 4,096 characters a message and 1,024 a caption, counted the way
Telegram counts them (UTF-16 code units of the text as shown, so markup is free and an emoji counts two).

A text too long for one message is sent as several, cut at a paragraph where one falls late enough, else at
a line, else at a space, else anywhere; bold that runs across a cut is closed before it and opened after it.
Where only one message can carry it (an edit, a caption), the text is shortened and ends with "…".
"""

from __future__ import annotations

import html
import re

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"
# The course markup's one rule, as `bot.content.markup.to_html` applies it: **words** are bold.
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_CUTS = ("\n\n", "\n", " ")


def _units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _runs(markup: str) -> list[tuple[str, bool]]:
    """The text as shown, in runs of (text, bold)."""
    runs: list[tuple[str, bool]] = []
    position = 0
    for match in _BOLD.finditer(markup):
        if match.start() > position:
            runs.append((markup[position : match.start()], False))
        runs.append((match.group(1), True))
        position = match.end()
    if position < len(markup):
        runs.append((markup[position:], False))
    return runs


def shown_length(markup: str) -> int:
    """How long Telegram counts the text to be."""
    return sum(_units(char) for text, _ in _runs(markup) for char in text)


def _html(chars: list[tuple[str, bool]]) -> str:
    out: list[str] = []
    run: list[str] = []
    bold_now = False
    for char, bold in chars:
        if bold != bold_now and run:
            out.append(_wrap("".join(run), bold_now))
            run = []
        bold_now = bold
        run.append(char)
    if run:
        out.append(_wrap("".join(run), bold_now))
    return "".join(out)


def _wrap(text: str, bold: bool) -> str:
    escaped = html.escape(text, quote=False)
    return f"<b>{escaped}</b>" if bold and text.strip() else escaped


def _cut_at(chars: list[tuple[str, bool]], start: int, end: int) -> tuple[int, int]:
    """Where to end this part (before `end`) and where the next starts, preferring a paragraph, a line, a space."""
    window = "".join(char for char, _ in chars[start:end])
    for separator in _CUTS:
        found = window.rfind(separator)
        if found > (end - start) // 2:  # only a cut late enough to fill the part well
            return start + found, start + found + len(separator)
    return end, end


def split_html(markup: str, limit: int = TEXT_LIMIT, first_limit: int | None = None) -> list[str]:
    """Telegram HTML for `markup`, in as many parts as its length needs (the first at most `first_limit`)."""
    chars = [(char, bold) for text, bold in _runs(markup) for char in text]
    parts: list[str] = []
    start = 0
    while start < len(chars):
        budget = first_limit if first_limit is not None and not parts else limit
        end, used = start, 0
        while end < len(chars) and used + _units(chars[end][0]) <= budget:
            used += _units(chars[end][0])
            end += 1
        cut, start_next = (end, end) if end == len(chars) else _cut_at(chars, start, end)
        part = _html(chars[start:cut]).strip()
        if part:
            parts.append(part)
        start = start_next
    return parts or [""]


def shortened_html(markup: str, limit: int = TEXT_LIMIT) -> str:
    """Telegram HTML for `markup`, shortened to `limit` with a closing "…" if it is longer."""
    if shown_length(markup) <= limit:
        return split_html(markup, limit)[0]
    return split_html(markup, limit - 1)[0] + ELLIPSIS
