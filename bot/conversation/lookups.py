"""On-shift look-ups, as a conversation: card menus, free-text search, resources by region, "How to respond".

Look-ups work for anyone, enrolled or not. A search query is used once and dropped: never stored, never
logged, and never run at all when it looks like patient details (the learner's message is then deleted).
Results are buttons; opening one shows it in place of the list, with the buttons a card has and a way back,
rebuilt from where each result was found, not from the query.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

from bot.content.markup import escape
from bot.content.model import Card, Course, Lesson
from bot.conversation import texts
from bot.conversation.audience import Audience
from bot.conversation.onshift import REGION_NAMES, RESPOND, OnShift, hotline_card, hotline_text
from bot.conversation.replies import Button, Outcome, Reply, button_rows
from bot.core import buttons, lookup_buttons
from bot.core.privacy import PatientDetailsGuard, numbers_in, ordinary_words
from bot.core.search import Hit, SearchIndex
from bot.store import Store

REGION_FROM_ZONE_REGION = {"us": "US", "uk": "UK", "ca": "CA", "au": "AU", "eu": "EU"}  # /settings' region buttons
MENUS = {
    "indicators": ("🔎 **Indicators**: what to look for. No single sign proves trafficking.", "indicators"),
    "document": (
        "📝 **Documenting safely.** Laws and policies differ by place: follow your local protocol.",
        "documentation",
    ),
}
BUTTON_LABEL = 40  # characters of a result's title on its button


def _look(card: Card) -> Button:
    return Button(card.title, buttons.encode(buttons.Look("c", card.id)))


RESPOND_AND_RESOURCES = (
    Button("How to respond", buttons.encode(buttons.Look("c", RESPOND))),
    Button("Resources", buttons.encode(buttons.Menu("resources"))),
)
HOTLINES_BUTTON = Button("📞 Hotlines by region", buttons.encode(buttons.Menu("regions")))

REMINDER = Reply(
    "🔒 That looked like patient details (a name with an age, a date, a record or phone number), so I deleted "
    "your message, didn't search with it and kept nothing of it. Please never type patient information here: "
    'search with general words, e.g. "signs of labor trafficking".\n\nOr use /now, /indicators, /document or '
    "/resources."
)
NO_RESULTS = Reply(
    "I found nothing for that in the course, so rather than guess, here are the menus: /now (on shift: what to do, "
    "your hotline), /indicators (what to look for), /document (safe documentation), /resources (hotlines). "
    "Or try other words.\n\nIf anyone is in immediate danger, call your local emergency number.",
    (
        (
            Button("On shift", lookup_buttons.encode(lookup_buttons.Now())),
            Button("Indicators", buttons.encode(buttons.Menu("indicators"))),
        ),
        (
            Button("Document", buttons.encode(buttons.Menu("document"))),
            Button("Resources", buttons.encode(buttons.Menu("resources"))),
        ),
    ),
)


class LookupChat:
    """Menus, cards, search, resources, and the on-shift card."""

    def __init__(self, course: Course, store: Store, clock: Callable[[], datetime]) -> None:
        self.course = course
        self.store = store
        self.clock = clock
        self.index = SearchIndex.build(course)
        self.onshift = OnShift(course, store, clock)
        self.guard = course_guard(course)

    # --- menus and cards ----------------------------------------------------------------------

    async def menu(self, name: str, audience: Audience) -> Outcome:
        """A look-up menu; "resources" is the learner's own region's card once their region is known."""
        if name == "resources" and audience.region:
            return await self.resources_for(audience.region)
        if name in ("resources", "regions"):
            return Outcome((self._region_menu(),))
        heading, group = MENUS[name]
        cards = [_look(card) for card in self.course.cards if card.group == group and is_for_region(card, audience)]
        return Outcome((Reply(heading, button_rows(cards, 2)),))

    async def resources(self, user_id: int) -> Outcome:
        region = await self.store.learners.region(user_id)
        if region is None:
            return Outcome((self._region_menu(),))
        return await self.resources_for(region)

    async def resources_for(self, region: str) -> Outcome:
        card = next((card for card in self.course.cards if card.group == "resources" and card.region == region), None)
        if card is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        others = Button("Other regions", buttons.encode(buttons.Menu("regions")))
        await self.store.statistics.count_lookup(card.id, self.clock().date())
        return Outcome((Reply(self.course.fill(_card_text(card), region), ((others,),), shared=True),))

    def _region_menu(self) -> Reply:
        choices = [Button(name, buttons.encode(buttons.Region(code))) for code, name in REGION_NAMES]
        return Reply(
            "📞 **Resources.** If anyone is in immediate danger, call your local emergency number now.\n\n"
            "Which region?",
            button_rows(choices, 2),
        )

    async def look(self, kind: str, item_id: str, audience: Audience) -> Outcome:
        """A card or lesson opened from a menu, as a new message."""
        reply = await self._opened(kind, item_id, audience, ())
        return Outcome(notice=texts.NOTICE_STALE_BUTTON) if reply is None else Outcome((reply,))

    async def respond(self, audience: Audience) -> Outcome:
        """/respond: the key card, "How to respond", in one tap."""
        return await self.look("c", RESPOND, audience)

    async def _opened(self, kind: str, item_id: str, audience: Audience, back: tuple[Button, ...]) -> Reply | None:
        if kind == "c":
            card = self.course.card(item_id)
            if card is None:
                return None
            await self.store.statistics.count_lookup(card.id, self.clock().date())
            extra = _card_buttons(card)
            return Reply(audience.fill(_card_text(card)), tuple(row for row in (extra, back) if row), shared=True)
        lesson = self.course.item(item_id)
        if not isinstance(lesson, Lesson):
            return None
        more = f"\n\n{audience.fill(lesson.more)}" if lesson.more else ""
        text = f"📖 **{escape(lesson.title)}**\n\n{audience.fill(lesson.text)}{more}"
        return Reply(text, tuple(row for row in (RESPOND_AND_RESOURCES, back) if row), shared=True)

    # --- search -------------------------------------------------------------------------------

    def search(self, query: str, audience: Audience) -> Outcome:
        """Free text: the best three cards and lessons for this learner, or the menus. The query goes nowhere else."""
        if self.guard.flags(query):
            return Outcome((REMINDER,), delete_input=True)
        results = self.index.find(query, audience.region, limit=4)
        if not results.hits:
            return Outcome((NO_RESULTS,))
        # The learner's hotline goes above results about calling or reporting (and not again among them).
        line = hotline_card(self.course, results.region) if results.about_calling and results.region else None
        hits = [hit for hit in results.hits if line is None or hit.document.id != line.id][:3]
        places = tuple((hit.index, hit.line, hit.start) for hit in hits)
        found = lookup_buttons.Found(self.index.fingerprint, line.region or "" if line else "", places)
        return Outcome((self._results(hits, found, audience, calling=results.about_calling),))

    async def found(self, action: lookup_buttons.Found, audience: Audience) -> Outcome:
        """A button under search results: open one of them in place of the list, or go back to the list."""
        hits = [self.index.hit_at(*place) for place in action.hits] if action.index == self.index.fingerprint else []
        if not hits or any(hit is None for hit in hits):
            return Outcome(notice="These results are out of date. Type your question again.")
        shown = [hit for hit in hits if hit is not None]
        if action.open < 0:
            return Outcome(edit=self._results(shown, action, audience, calling=bool(action.banner)))
        hit = shown[action.open]
        back = (Button("◂ Back to the results", lookup_buttons.encode(dataclasses.replace(action, open=-1))),)
        kind = "c" if hit.document.kind == "card" else "l"
        reply = await self._opened(kind, hit.document.id, audience, back)
        return Outcome(notice=texts.NOTICE_STALE_BUTTON) if reply is None else Outcome(edit=reply)

    def _results(self, hits: list[Hit], found: lookup_buttons.Found, audience: Audience, *, calling: bool) -> Reply:
        lines = []
        if found.banner:
            card = hotline_card(self.course, found.banner)
            if card is not None:
                lines += [hotline_text(Audience(audience.whole, found.banner, audience.user_id), card), ""]
        choices = []
        if hits:
            lines.append("🔎 **Best matches**")
        opens = lookup_buttons.opening(found, tuple(range(len(hits))))
        for number, (hit, data) in enumerate(zip(hits, opens, strict=True), start=1):
            lines.append(f"{number}. **{escape(hit.document.title)}**: {escape(audience.fill(hit.snippet))}")
            label = f"{number}. {hit.document.title}"
            short = label if len(label) <= BUTTON_LABEL else label[: BUTTON_LABEL - 1] + "…"
            choices.append(Button(short, data))
        rows = button_rows(choices)
        if calling and not found.banner:
            rows = (*rows, (HOTLINES_BUTTON,))
        return Reply("\n".join(lines), rows, shared=True)  # snippets of the course, not the query


def course_guard(course: Course) -> PatientDetailsGuard:
    """The patient-details guard, told the numbers the course teaches and the words it writes in lower case."""
    taught = [*(card.text for card in course.cards), *(" ".join(card.keywords) for card in course.cards)]
    everything = [*taught, *(lesson.text for module in course.modules for lesson in module.lessons)]
    return PatientDetailsGuard(numbers_in(taught), ordinary_words(everything))


def is_for_region(card: Card, audience: Audience) -> bool:
    """A card for everyone, for the learner's region, or for the version of the course their region takes."""
    return card.region is None or card.region in (audience.region, audience.course.version)


def _card_buttons(card: Card) -> tuple[Button, ...]:
    if card.group == "resources":
        return ()
    if card.group == "respond":
        return (RESPOND_AND_RESOURCES[1],) if card.id == RESPOND else RESPOND_AND_RESOURCES
    return RESPOND_AND_RESOURCES


def _card_text(card: Card) -> str:
    return f"📋 **{escape(card.title)}**\n\n{card.text}"
