"""Text cut to Telegram's limits: at most 4,096 characters a message and 1,024 a caption, counted the way
Telegram counts them (UTF-16 code units of the text as shown, so markup is free and an emoji counts two).

A text too long for one message is sent as several, cut at a paragraph where one falls late enough, else at
a line, else at a space, else anywhere; bold (or a number to copy) that runs across a cut is closed before it
and opened after it.
Where only one message can carry it (an edit, a caption), the text is shortened and ends with "…".
"""

from __future__ import annotations

import functools
import html
import re

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"
# The course markup's rules, as `bot.content.markup.to_html` applies them: **words** are bold, ``123`` a number
# to copy (monospace).
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_CODE = re.compile(r"``(.+?)``")
PLAIN, BOLD, CODE = 0, 1, 2  # a run's style: flags
_CUTS = ("\n\n", "\n", " ")


def _units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _length(text: str) -> int:
    """`text`'s length in UTF-16 code units, at C speed (the encoding has no byte-order mark)."""
    return len(text.encode("utf-16-le")) // 2


def _spans(text: str, pattern: re.Pattern[str], style: int) -> list[tuple[str, int]]:
    """`text` in runs of (text, `style` or PLAIN) by where `pattern` matches."""
    runs: list[tuple[str, int]] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            runs.append((text[position : match.start()], PLAIN))
        runs.append((match.group(1), style))
        position = match.end()
    if position < len(text):
        runs.append((text[position:], PLAIN))
    return runs


def _runs(markup: str) -> list[tuple[str, int]]:
    """The text as shown, in runs of (text, style)."""
    return [
        (text, bold | code) for outer, bold in _spans(markup, _BOLD, BOLD) for text, code in _spans(outer, _CODE, CODE)
    ]


def shown_length(markup: str) -> int:
    """How long Telegram counts the text to be."""
    return sum(_length(text) for text, _ in _runs(markup))


def _html(pieces: list[tuple[str, int]]) -> str:
    """HTML for (text, style) pieces (characters or whole runs), neighbours of one style in one tag."""
    out: list[str] = []
    run: list[str] = []
    style_now = PLAIN
    for char, style in pieces:
        if style != style_now and run:
            out.append(_wrap("".join(run), style_now))
            run = []
        style_now = style
        run.append(char)
    if run:
        out.append(_wrap("".join(run), style_now))
    return "".join(out)


def _wrap(text: str, style: int) -> str:
    shown = html.escape(text, quote=False)
    if not text.strip():
        return shown
    if style & CODE:
        shown = f"<code>{shown}</code>"
    return f"<b>{shown}</b>" if style & BOLD else shown


def _cut_at(chars: list[tuple[str, int]], start: int, end: int) -> tuple[int, int]:
    """Where to end this part (before `end`) and where the next starts, preferring a paragraph, a line, a space."""
    window = "".join(char for char, _ in chars[start:end])
    for separator in _CUTS:
        found = window.rfind(separator)
        if found > (end - start) // 2:  # only a cut late enough to fill the part well
            return start + found, start + found + len(separator)
    return end, end


def _bold_tag(match: re.Match[str]) -> str:
    return f"<b>{match[1]}</b>" if match[1].strip() else match[1]


def _whole_html(markup: str) -> str | None:
    """What `_html` makes of the whole of `markup`, at C speed, for the commonest markup (plain text and bold);
    None for any other (a number to copy, bold runs that touch and so share one tag)."""
    if "``" in markup or "****" in markup:
        return None
    # Escaping leaves the asterisks alone, so bold is found the same in the escaped text.
    return _BOLD.sub(_bold_tag, html.escape(markup, quote=False)).strip()


def split_html(
    markup: str, limit: int = TEXT_LIMIT, first_limit: int | None = None, *, keep: bool = False
) -> list[str]:
    """Telegram HTML for `markup`, in as many parts as its length needs (the first at most `first_limit`).
    `keep`: the text is course content, the same for many learners, so its HTML may be kept for the next."""
    return list((_split_kept if keep else _split_html)(markup, limit, first_limit))


def _split_html(markup: str, limit: int, first_limit: int | None) -> tuple[str, ...]:
    budget = limit if first_limit is None else min(limit, first_limit)
    # Markup is never shorter than the text it shows: a reply this short fits in one message, as nearly all do.
    if _length(markup) <= budget and (whole := _whole_html(markup)) is not None:
        return (whole,)
    runs = _runs(markup)
    if sum(_length(text) for text, _ in runs) <= budget:  # fits, once its markup is taken away
        return (_html(runs).strip(),)
    chars = [(char, style) for text, style in runs for char in text]
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
    return tuple(parts) or ("",)


# A lesson, the feedback on an option, a question in each order of its options go to many learners, so the HTML
# of the last few hundred is kept: at most 256 texts of a few thousand characters. Only course content: a text
# with a learner's details (the name for a certificate, a command they typed) is never kept past its sending,
# so nothing of an erased learner lingers in memory.
_split_kept = functools.lru_cache(maxsize=256)(_split_html)


def shortened_html(markup: str, limit: int = TEXT_LIMIT) -> str:
    """Telegram HTML for `markup`, shortened to `limit` with a closing "…" if it is longer."""
    if _length(markup) <= limit or shown_length(markup) <= limit:
        return split_html(markup, limit)[0]
    return split_html(markup, limit - 1)[0] + ELLIPSIS
