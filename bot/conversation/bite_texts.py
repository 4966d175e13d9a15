"""What the bot says around a scheduled bite: the bite itself (with "Later"), reviews, snoozing, pausing and
resuming, the bot's own pause, the invitations to come back, and the one invitation to set a schedule. Every
confirmation names the next bite as a local day and time."""

from __future__ import annotations

from datetime import datetime

from bot.content.model import Question
from bot.conversation.audience import Audience
from bot.conversation.replies import Button, Reply
from bot.conversation.texts import answer_row, question_body
from bot.core import buttons, lookup_buttons, options
from scheduler.windows import Preferences

LATER_LABELS = {"2h": "In 2 hours", "evening": "This evening", "tomorrow": "Tomorrow"}
DISCREET_FIRST_LINE = "Your 2-minute refresher is ready."
RESUME_BUTTON = Button("Resume my bites", buttons.encode(buttons.Resume()))


def when(prefs: Preferences, moment: datetime) -> str:
    """A moment as the learner's local day and time: "Tue 03 Mar, 08:00"."""
    return f"{prefs.local(moment):%a %d %b, %H:%M}"


def scheduled(reply: Reply, send_id: int, *, reminder: bool, discreet: bool = False) -> Reply:
    """A bite as the schedule sends it: the same message, with a "Later" button (and a gentle nudge).

    In discreet mode only a neutral teaser goes out, with [Open]: the bite itself comes on tap, so a lock screen
    or a notification shows nothing about the subject. The teaser is protected from forwarding and saving.
    """
    later = Button("Later ⏰", buttons.encode(buttons.Later(send_id)))
    if discreet:
        opened = Button("Open ▸", lookup_buttons.encode(lookup_buttons.Open(send_id)))
        nudge = "\n\n👋 No rush: open it whenever you have two minutes." if reminder else ""
        return Reply(f"{DISCREET_FIRST_LINE}{nudge}", ((opened, later),), protect=True, shared=True)
    rows = (*reply.buttons[:-1], (*reply.buttons[-1], later)) if reply.buttons else ((later,),)
    text = reply.text
    if reminder:
        text = f"👋 No rush: here is your next bite, whenever you have two minutes.\n\n{text}"
    return Reply(text, rows, protect=reply.protect, shared=reply.shared)


def review_question(audience: Audience, item: Question, send_id: int) -> Reply:
    """A question back for review: its options in a new order, so the first showing's places don't carry over."""
    order = audience.order(item, options.review_showing(send_id))
    row = answer_row(item, order, lambda index: buttons.ReviewAnswer(send_id, index))
    return Reply(f"🔁 Review\n{question_body(audience, item, order)}", (row,), shared=True)


def practice_question(audience: Audience, item: Question, send_id: int, *, missed: int) -> Reply:
    """A missed case brought back on request: answered like a review, in a new order."""
    review = review_question(audience, item, send_id)
    others = f" (and {missed - 1} more to practise)" if missed > 1 else ""
    return Reply(review.text.replace("🔁 Review", f"🔁 Practice{others}", 1), review.buttons, shared=True)


def later_menu(send_id: int) -> Reply:
    choices = tuple(
        Button(label, buttons.encode(buttons.Snooze(send_id, choice))) for choice, label in LATER_LABELS.items()
    )
    return Reply("⏰ When would suit you better?", (choices,))


def snoozed(prefs: Preferences, until: datetime) -> Reply:
    return Reply(f"👍 I'll send it again {when(prefs, until)}.")


def auto_paused() -> Reply:
    return Reply(
        "⏸ I've paused your daily bites for now, since I haven't heard from you for a while. "
        "Your progress is saved. Start again whenever suits you.",
        ((RESUME_BUTTON,),),
    )


def comeback(*, last: bool) -> Reply:
    """A gentle invitation back after a pause with no end date."""
    closing = (
        "This is my last note about it: /resume or /next whenever you like."
        if last
        else "If now isn't the time, that's fine too."
    )
    return Reply(
        f"👋 Your course is just where you left it: two-minute bites, whenever suits you. {closing}",
        ((RESUME_BUTTON, Button("Not now", buttons.encode(buttons.Setting("notnow")))),),
    )


def not_now() -> Reply:
    return Reply("No problem. Your progress is saved; /resume starts your bites again, and /next works any time.")


def invite_to_set_up() -> Reply:
    """Once, after the first lesson, to a learner who skipped setting a schedule."""
    return Reply(
        "⏰ Would set times suit you? I can send a bite when you choose (one or more a day, never in your quiet "
        "hours), so the course moves along by itself.",
        (
            (
                Button("Set a time", buttons.encode(buttons.Setting("region", "!"))),
                Button("No thanks", buttons.encode(buttons.Setting("notnow", "setup"))),
            ),
        ),
    )


def no_thanks() -> Reply:
    return Reply("Fine: bites come when you send /next. /settings sets a time whenever you like.")


def paused(prefs: Preferences | None, until: datetime | None, next_due: datetime | None) -> Reply:
    if until is not None and prefs is not None:
        following = f" Your next bite: {when(prefs, next_due)}." if next_due else ""
        return Reply(f"⏸ Paused until {prefs.local(until):%a %d %b}.{following} /resume starts your bites sooner.")
    return Reply(
        "⏸ Paused. Your progress is saved. No bites until you /resume (I'll check in once in a few days); "
        "/next works any time."
    )


def nothing_to_pause() -> Reply:
    return Reply(
        "There's nothing to pause: no bites are scheduled, so none will arrive. /next brings one whenever you "
        "want; /settings sets times if you'd like them."
    )


def pause_usage() -> Reply:
    return Reply(
        "To pause for some days, send e.g. /pause 3 or /pause 2 weeks; until a date, /pause 2026-12-24 or "
        "/pause 24 Dec (up to a year ahead). /pause alone pauses until you /resume."
    )


def resumed(prefs: Preferences | None, next_due: datetime | None) -> Reply:
    if prefs is None:
        return Reply("There's no schedule to resume yet. Send /settings to choose when bites should arrive.")
    following = f" Your next bite: {when(prefs, next_due)}." if next_due else ""
    return Reply(f"▶️ Your bites are back on.{following}")
