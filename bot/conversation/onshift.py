"""The on-shift card (/now): four buttons for the moment a clinician needs one answer, for their own region.

*What do I do now* (the response steps), *My hotline* (their region's numbers, each one tap to copy), *Get them
alone* (scripts to say aloud) and *Chart and code* (for their version of the course). The buttons name a part,
not a card, so a pinned /now keeps working when the learner's region changes. The hotline is also what search
shows above results about calling or reporting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from bot.content.markup import code, escape
from bot.content.model import Card, Course
from bot.conversation import texts
from bot.conversation.audience import Audience
from bot.conversation.replies import Button, Outcome, Reply, button_rows
from bot.core import buttons, lookup_buttons
from bot.store import Store

STEPS = "card-now-steps"
SCRIPTS = "card-now-scripts"
RESPOND = "card-respond-pearr"
HOTLINE_PREFIX = "card-now-hotline-"
CHART_PREFIX = "card-now-chart-"
REGION_NAMES = (
    ("US", "United States"),
    ("UK", "United Kingdom"),
    ("IE", "Ireland"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("EU", "Europe"),
    ("INTL", "Elsewhere"),
)
# A phone number as the cards write one: digits, spaces and hyphens, three digits at least.
_NUMBER = re.compile(r"(?<![\w/.-])\+?\d(?:[\d -]*\d)?(?![\w/-])")

NOW_TEXT = (
    "🩺 **On shift.** Tap what you need.\n\n"
    "📌 Pin this message (press and hold it, then Pin) to keep these buttons at the top of the chat."
)


def _now(part: str) -> str:
    return lookup_buttons.encode(lookup_buttons.Now(part))


NOW_BUTTONS = (
    (Button("What do I do now", _now("steps")), Button("My hotline", _now("hotline"))),
    (Button("Get them alone", _now("scripts")), Button("Chart and code", _now("chart"))),
)
RESPOND_BUTTON = Button("How to respond", buttons.encode(buttons.Look("c", RESPOND)))
HOTLINE_BUTTON = Button("My hotline", _now("hotline"))
STEPS_BUTTON = Button("What do I do now", _now("steps"))


def copyable(text: str) -> str:
    """Markup with every phone number in it shown as code, which Telegram copies with one tap."""

    def wrap(match: re.Match[str]) -> str:
        number = match.group()
        return code(number) if sum(char.isdigit() for char in number) >= 3 else number

    return _NUMBER.sub(wrap, text)


def hotline_card(course: Course, region: str) -> Card | None:
    return course.card(HOTLINE_PREFIX + region.lower())


def chart_card(course: Course, region: str | None) -> Card | None:
    return course.card(CHART_PREFIX + course.version_of(region).lower())


def hotline_text(audience: Audience, card: Card) -> str:
    """A region's lines, each number one tap to copy, and the emergency number last."""
    lines = copyable(audience.fill(card.text.strip()))
    return f"📞 **{escape(card.title)}**\n{lines}\nIn danger now: call {copyable(audience.fill('{emergency}'))}."


class OnShift:
    """The /now menu and its four parts."""

    def __init__(self, course: Course, store: Store, clock: Callable[[], datetime]) -> None:
        self.course = course
        self.store = store
        self.clock = clock

    def menu(self) -> Outcome:
        return Outcome((Reply(NOW_TEXT, NOW_BUTTONS),))

    async def part(self, part: str, audience: Audience) -> Outcome:
        """One of the four, as a new message (so a pinned /now stays the menu)."""
        kind, _, region = part.partition(":")
        if kind == "hotline":
            return await self.hotline(region or audience.region, audience)
        if kind == "chart":
            card, extra = chart_card(self.course, audience.region), (RESPOND_BUTTON, HOTLINE_BUTTON)
        elif kind == "scripts":
            card, extra = self.course.card(SCRIPTS), (STEPS_BUTTON, HOTLINE_BUTTON)
        else:
            card, extra = self.course.card(STEPS), (RESPOND_BUTTON, HOTLINE_BUTTON)
        if card is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        await self.store.statistics.count_lookup(card.id, self.clock().date())
        return Outcome((Reply(f"📋 **{escape(card.title)}**\n\n{audience.fill(card.text)}", (extra,)),))

    async def hotline(self, region: str | None, audience: Audience) -> Outcome:
        if region is None:
            choices = [Button(name, _now(f"hotline:{code_}")) for code_, name in REGION_NAMES]
            return Outcome((Reply("📞 **My hotline.** Which region?", button_rows(choices, 2)),))
        card = hotline_card(self.course, region)
        if card is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        await self.store.statistics.count_lookup(card.id, self.clock().date())
        here = Audience(audience.whole, region, audience.user_id)
        everything = Button("All resources", buttons.encode(buttons.Region(region)))
        return Outcome((Reply(hotline_text(here, card), ((everything, STEPS_BUTTON),)),))
