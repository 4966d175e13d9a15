"""Button data for the on-shift card, search results and discreet mode's teaser. Kept apart from `buttons` so each
family of buttons has one codec; the prefixes ("now", "hits", "open") are not used there.

A results button carries where each result was found in the search index (document, line, word) and the index's
fingerprint, never the query: the results can be shown again after a card was opened, and a button from an
older index (the content changed) is refused rather than read wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.buttons import MAX_CALLBACK_BYTES, REGION_CODES


@dataclass(frozen=True)
class Now:
    """The on-shift card (/now): its menu (""), or a part: "steps", "hotline", "scripts", "chart", or
    "hotline:XX" for the hotline of region XX."""

    part: str = ""


@dataclass(frozen=True)
class Found:
    """Search results, rebuilt from where each was found in index `index` (never from the query): `hits` are
    (document, line, word) places; `banner` the region whose hotline heads them ("" for none); `open` the result
    to show, or -1 for the list itself."""

    index: str
    banner: str
    hits: tuple[tuple[int, int, int], ...]
    open: int = -1


@dataclass(frozen=True)
class Open:
    """Open the scheduled bite `send_id`, sent in discreet mode as a teaser."""

    send_id: int


LookupAction = Now | Found | Open

_NOW = "now"
_FOUND = "hits"
_OPEN = "open"
NOW_PARTS = ("steps", "hotline", "scripts", "chart")
FINGERPRINT_LENGTH = 4


def encode(action: LookupAction) -> str:
    if isinstance(action, Now):
        data = f"{_NOW}:{action.part}" if action.part else _NOW
    elif isinstance(action, Found):
        return opening(action, (action.open,))[0]
    else:
        data = f"{_OPEN}:{action.send_id}"
    return _checked(data)


def opening(found: Found, shown: tuple[int, ...]) -> list[str]:
    """The data of `found` opened at each of `shown` (-1: the list): `encode` of each, the places written once."""
    places = ".".join("-".join(str(number) for number in hit) for hit in found.hits)
    start = f"{_FOUND}:{found.index}:{found.banner}:"
    return [_checked(f"{start}{'-' if open_ < 0 else open_}:{places}") for open_ in shown]


def _checked(data: str) -> str:
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"button data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> LookupAction | None:
    """The action behind callback data, or None when it is not one of these (stale, forged, oversized)."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    if data == _NOW:
        return Now()
    kind, _, rest = data.partition(":")
    if kind == _NOW:
        return _now(rest)
    if kind == _FOUND:
        return _found(rest)
    if kind == _OPEN and _number(rest, 18):
        return Open(int(rest))
    return None


def _now(rest: str) -> Now | None:
    part, _, region = rest.partition(":")
    if part in NOW_PARTS and not region:
        return Now(part)
    if part == "hotline" and region in REGION_CODES:
        return Now(rest)
    return None


def _found(rest: str) -> Found | None:
    index, banner, shown, places = [*rest.split(":"), "", "", "", ""][:4]
    if len(index) != FINGERPRINT_LENGTH or not (index.isascii() and index.isalnum()):
        return None
    if banner and banner not in REGION_CODES:
        return None
    hits = []
    for place in places.split("."):
        numbers = place.split("-")
        if len(numbers) != 3 or not all(_number(number, 4) for number in numbers):
            return None
        hits.append((int(numbers[0]), int(numbers[1]), int(numbers[2])))
    if not (shown == "-" or (_number(shown, 1) and int(shown) < len(hits))):
        return None
    return Found(index, banner, tuple(hits), -1 if shown == "-" else int(shown))


def _number(text: str, digits: int) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= digits
