"""On-shift look-ups and privacy, as a conversation: card menus, free-text search, resources by region,
and what a learner can see and erase about themselves.

Look-ups work for anyone, enrolled or not. A search query is used once and dropped: never stored, never
logged, and never run at all when it looks like patient details.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.content.markup import escape
from bot.content.model import Card, Course, Lesson
from bot.conversation import texts
from bot.conversation.audience import Audience
from bot.conversation.replies import Button, Outcome, Reply, button_rows
from bot.core import buttons
from bot.core.privacy import looks_like_patient_details
from bot.core.search import SearchIndex
from bot.store import Store

HIDE_WINDOW = timedelta(hours=48)  # Telegram lets a bot delete its messages for 48 hours
REGIONS = (
    ("US", "United States"),
    ("UK", "United Kingdom"),
    ("IE", "Ireland"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("EU", "Europe"),
    ("INTL", "Elsewhere"),
)
REGION_FROM_ZONE_REGION = {"us": "US", "uk": "UK", "ca": "CA", "au": "AU", "eu": "EU"}
MENUS = {
    "indicators": ("🔎 **Indicators**: what to look for. No single sign proves trafficking.", "indicators"),
    "document": (
        "📝 **Documenting safely.** Laws and policies differ by place: follow your local protocol.",
        "documentation",
    ),
}


def _look(card: Card) -> Button:
    return Button(card.title, buttons.encode(buttons.Look("c", card.id)))


RESPOND_AND_RESOURCES = (
    Button("How to respond", buttons.encode(buttons.Look("c", "card-respond-pearr"))),
    Button("Resources", buttons.encode(buttons.Menu("resources"))),
)

PRIVACY_TEXT = (
    "🔒 **Your privacy**\n\n"
    "What I keep: your Telegram user id and chat id; your schedule settings (time zone, times, days, pace, "
    "quiet hours, region, discreet mode); your progress (which bites were sent, your answers and when, and "
    "review timings); if you take the knowledge checks, your ratings and whether each answer was right (not "
    "which option); if you joined a cohort, which one; and, for 48 hours, the ids of my own messages so /hide "
    "can delete them.\n\n"
    "What I never keep: anything you type (searches and other text are used once and dropped) and anything "
    "about patients. Please never type patient details here. The one exception you choose yourself: if you "
    "take a certificate, it keeps the name you asked to have printed on it (or none), so an employer can check "
    "it; /forget erases it with everything else.\n\n"
    "/mydata shows everything I keep about you. /forget erases all of it. If you stop using the course, "
    "your data is erased automatically after {days} days."
)


class LookupChat:
    """Menus, cards, search, resources, and the privacy commands."""

    def __init__(self, course: Course, store: Store, clock: Callable[[], datetime], retention_days: int) -> None:
        self.course = course
        self.store = store
        self.clock = clock
        self.retention_days = retention_days
        self.index = SearchIndex.build(course)

    # --- look-ups -----------------------------------------------------------------------------

    def menu(self, name: str, audience: Audience) -> Outcome:
        if name == "resources":
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
        others = Button("Other regions", buttons.encode(buttons.Menu("resources")))
        await self.store.statistics.count_lookup(card.id, self.clock().date())
        return Outcome((Reply(self.course.fill(_card_text(card), region), ((others,),)),))

    def _region_menu(self) -> Reply:
        choices = [Button(name, buttons.encode(buttons.Region(code))) for code, name in REGIONS]
        return Reply(
            "📞 **Resources.** If anyone is in immediate danger, call your local emergency number now.\n\n"
            "Which region?",
            button_rows(choices, 2),
        )

    async def look(self, kind: str, item_id: str, audience: Audience) -> Outcome:
        if kind == "c":
            card = self.course.card(item_id)
            if card is None:
                return Outcome(notice=texts.NOTICE_STALE_BUTTON)
            await self.store.statistics.count_lookup(card.id, self.clock().date())
            extra: tuple[tuple[Button, ...], ...] = (RESPOND_AND_RESOURCES,)
            if card.group == "respond":
                extra = ((RESPOND_AND_RESOURCES[1],),)
            elif card.group == "resources":
                extra = ()
            return Outcome((Reply(audience.fill(_card_text(card)), extra),))
        lesson = self.course.item(item_id)
        if not isinstance(lesson, Lesson):
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        more = f"\n\n{audience.fill(lesson.more)}" if lesson.more else ""
        return Outcome((Reply(f"📖 **{escape(lesson.title)}**\n\n{audience.fill(lesson.text)}{more}"),))

    def search(self, query: str) -> Outcome:
        """Free text: the best three cards and lessons, or the menus. The query goes nowhere else."""
        if looks_like_patient_details(query):
            return Outcome((REMINDER,))
        hits = self.index.search(query, limit=3)
        if not hits:
            return Outcome((NO_RESULTS,))
        lines = ["🔎 **Best matches**"]
        choices = []
        for number, hit in enumerate(hits, start=1):
            lines.append(f"{number}. {escape(hit.document.title)}: {escape(hit.snippet)}")
            kind = "c" if hit.document.kind == "card" else "l"
            label = f"{number}. {hit.document.title}"
            short = label if len(label) <= 40 else label[:39] + "…"
            choices.append(Button(short, buttons.encode(buttons.Look(kind, hit.document.id))))
        return Outcome((Reply("\n".join(lines), button_rows(choices)),))

    # --- privacy ------------------------------------------------------------------------------

    def privacy(self) -> Outcome:
        return Outcome((Reply(PRIVACY_TEXT.format(days=self.retention_days)),))

    async def mydata(self, user_id: int) -> Outcome:
        everything = await self.store.privacy.everything_about(user_id)
        if not everything["learners"]:
            return Outcome((Reply("I keep nothing about you: you are not enrolled. (/start enrols you.)"),))
        lines = ["🗂 **Everything I keep about you**", ""]
        for table, rows in everything.items():
            lines.append(escape(f"{table} ({len(rows)} row{'s' if len(rows) != 1 else ''}):"))
            lines.extend(escape(json.dumps(row, ensure_ascii=False, default=str)) for row in rows)
        return Outcome(texts.in_messages(lines))

    def forget_question(self) -> Outcome:
        confirm = Button("Yes, erase everything", buttons.encode(buttons.Forget(confirmed=True)))
        keep = Button("No, keep it", buttons.encode(buttons.Forget(confirmed=False)))
        return Outcome(
            (
                Reply(
                    "⚠️ This erases your progress, answers, schedule and settings, for good. Erase everything?",
                    ((confirm, keep),),
                ),
            )
        )

    async def forget(self, user_id: int, chat_id: int, confirmed: bool) -> Outcome:
        if not confirmed:
            return Outcome(edit=Reply("Nothing was erased."), notice="Kept")
        await self.store.privacy.forget(user_id, chat_id)
        return Outcome(
            edit=Reply("🗑 Done: everything I kept about you has been erased. /start begins afresh."),
            notice="Erased",
        )

    async def hide(self, chat_id: int) -> Outcome:
        since = self.clock() - HIDE_WINDOW
        message_ids = await self.store.privacy.recent_messages(chat_id, since)
        await self.store.privacy.forget_messages(chat_id, message_ids)
        return Outcome((Reply("Done."),), delete=tuple(message_ids))


REMINDER = Reply(
    "🔒 That looks like patient details (a date, a number, a record), so I haven't searched with it or kept "
    'it. Please never type patient information here: search with general words, e.g. "signs of labor '
    'trafficking".\n\nOr use /indicators, /document or /resources.'
)
NO_RESULTS = Reply(
    "I found nothing for that. Try other words, or the menus: /indicators (what to look for), /document "
    "(safe documentation), /resources (hotlines). If anyone is in immediate danger, call your local emergency number.",
    (
        (
            Button("Indicators", buttons.encode(buttons.Menu("indicators"))),
            Button("Document", buttons.encode(buttons.Menu("document"))),
            Button("Resources", buttons.encode(buttons.Menu("resources"))),
        ),
    ),
)


def is_for_region(card: Card, audience: Audience) -> bool:
    """A card for everyone, for the learner's region, or for the version of the course their region takes."""
    return card.region is None or card.region in (audience.region, audience.course.version)


def _card_text(card: Card) -> str:
    return f"📋 **{escape(card.title)}**\n\n{card.text}"
