"""What Telegram checks in a message's text and buttons: HTML and MarkdownV2 well-formed, lengths by what
the reader sees, inline keyboards well-shaped."""

from __future__ import annotations

import html

from tests.standin.wire import (
    _HTML_TAG_RE,
    _HTML_TAGS,
    _MDV2_ALWAYS_RESERVED,
    CALLBACK_DATA_LIMIT,
    APIError,
    JSONDict,
    _parse_error,
    _utf8_offset,
)


def _visible_html(text: str) -> str:
    """Validate Telegram-flavoured HTML the way Telegram does and return the text users see."""
    stack: list[str] = []
    visible: list[str] = []
    pos = 0
    while (lt := text.find("<", pos)) >= 0:
        visible.append(text[pos:lt])
        match = _HTML_TAG_RE.match(text, lt)
        if match is None:
            raise _parse_error(f"Unclosed start tag at byte offset {_utf8_offset(text, lt)}")
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            if name not in _HTML_TAGS:
                raise _parse_error(f'Unsupported start tag "{name}" at byte offset {_utf8_offset(text, lt)}')
            stack.append(name)
        elif not stack or stack[-1] != name:
            raise _parse_error(f"Unexpected end tag at byte offset {_utf8_offset(text, lt)}")
        else:
            stack.pop()
        pos = match.end()
    visible.append(text[pos:])
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return html.unescape("".join(visible))


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _check_markdown_v2(text: str) -> None:
    """Reject the MarkdownV2 mistakes Telegram rejects most often: unescaped reserved characters."""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = _find_unescaped(text, fence, i + len(fence))
            if end < 0:
                raise _parse_error(f"Can't find end of Pre entity at byte offset {_utf8_offset(text, i)}")
            i = end + len(fence)
            continue
        if char == "]" and text.startswith("(", i + 1):
            end = _find_unescaped(text, ")", i + 2)
            if end < 0:
                raise _parse_error(f"Can't find end of a URL at byte offset {_utf8_offset(text, i)}")
            i = end + 1
            continue
        if char == "!" and text.startswith("[", i + 1):
            # "![emoji](tg://emoji?id=...)" is the custom-emoji syntax, not a stray "!".
            i += 1
            continue
        if char in _MDV2_ALWAYS_RESERVED:
            raise _parse_error(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
        i += 1


def _rendered_text(text: str, parse_mode: object, *, limit: int, what: str) -> str:
    """Check formatted text as Telegram would and return the plain text stored in the Message."""
    mode = str(parse_mode).lower() if parse_mode else ""
    if mode == "html":
        visible = _visible_html(text)
    else:
        if mode == "markdownv2":
            _check_markdown_v2(text)
        visible = text
    if not visible.strip():
        raise APIError(400, f"Bad Request: {what} is empty")
    if len(visible) > limit:
        raise APIError(400, f"Bad Request: {what} is too long")
    return visible


def _validate_markup(markup: object) -> JSONDict | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise APIError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise APIError(400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise APIError(400, "Bad Request: can't parse inline keyboard button: Text must be non-empty")
            if len(button) < 2:
                raise APIError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                raise APIError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup
