"""What the bot says in the knowledge checks before and after the course: the offer, the 1-5 ratings, the case
items with their shuffled options, and the end."""

from __future__ import annotations

from bot.content.markup import escape
from bot.content.model import Course, TestQuestion
from bot.conversation.audience import Audience
from bot.conversation.replies import Button, Reply
from bot.conversation.texts import PROGRESS_BUTTON, START_BUTTON
from bot.core import checks
from bot.core import training_buttons as tb
from bot.core.options import LETTERS

SHOWING = {checks.PRE: "check:pre", checks.POST: "check:post"}  # the option order's own presentation
NAMES = {checks.PRE: "Knowledge check before the course", checks.POST: "Knowledge check after the course"}

QUESTIONS = {
    "recognize": "How confident are you, today, that you would **recognize** possible trafficking in a patient?",
    "respond": "How confident are you that you would **respond safely** to a patient you think may be trafficked?",
    "document": "How confident are you that you would **document safely**, protecting the patient in the record?",
    "relevance": "How **relevant** was this course to your practice?",
    "intention": "How likely are you to **change something in your practice** because of this course?",
}
ENDS = {
    "recognize": ("not at all", "very"),
    "respond": ("not at all", "very"),
    "document": ("not at all", "very"),
    "relevance": ("not at all", "very"),
    "intention": ("not at all likely", "very likely"),
}


def _skip_row(phase: str, label: str = "Skip the rest") -> tuple[Button, ...]:
    return (Button(label, tb.encode(tb.SkipCheck(phase))),)


def offer(course: Course, phase: str) -> Reply:
    ratings = len(checks.SCALES[phase])
    cases = len(checks.items(course, phase))
    if phase == checks.PRE:
        lead = "📝 **Before the first lesson: a knowledge check (optional).**"
        why = "It is your starting point, so you can see what the course gives you."
        take = "Take the check"
        skip = "Skip: first lesson ▶"
    else:
        lead = "📝 **One last, optional step: the knowledge check after the course.**"
        why = "It shows what you have gained since the start."
        take = "Take the check"
        skip = "No, thanks"
    text = (
        f"{lead}\n\n{ratings} quick ratings and {cases} short cases, about 5 minutes; buttons only. {why} "
        "Your training office sees only totals for 5 or more learners, never your answers. "
        "Skipping is fine: I won't ask again (/check takes it later)."
    )
    go = Button(take, tb.encode(tb.StartCheck(phase)))
    return Reply(text, ((go, Button(skip, tb.encode(tb.SkipCheck(phase)))),))


def offer_taken(phase: str) -> Reply:
    return Reply(f"📝 **{NAMES[phase]}**: here it comes.")


def rating(phase: str, scale: str, number: int, total: int) -> Reply:
    low, high = ENDS[scale]
    text = f"📝 {NAMES[phase]} · {number}/{total}\n\n{QUESTIONS[scale]}\n\n1 = {low} · 5 = {high}"
    row = tuple(
        Button(str(value), tb.encode(tb.Rate(phase, scale, value)))
        for value in range(checks.RATING_MIN, checks.RATING_MAX + 1)
    )
    return Reply(text, (row, _skip_row(phase)))


def rated(phase: str, scale: str, number: int, total: int, value: int) -> Reply:
    shown = rating(phase, scale, number, total)
    return Reply(f"{shown.text}\n\nYour rating: {value}")


def _body(audience: Audience, phase: str, item: TestQuestion, order: tuple[int, ...], number: int, total: int) -> str:
    shown = "\n".join(
        f"{LETTERS[place]}. {audience.fill(item.options[index].text)}" for place, index in enumerate(order)
    )
    return f"📝 {NAMES[phase]} · {number}/{total}\n**{escape(item.title)}**\n\n{audience.fill(item.stem)}\n\n{shown}"


def item(audience: Audience, phase: str, question: TestQuestion, number: int, total: int) -> Reply:
    order = audience.order(question, SHOWING[phase])
    row = tuple(
        Button(LETTERS[place], tb.encode(tb.CheckAnswer(phase, question.id, index)))
        for place, index in enumerate(order)
    )
    return Reply(_body(audience, phase, question, order, number, total), (row, _skip_row(phase)))


def item_answered(
    audience: Audience, phase: str, question: TestQuestion, option: int, number: int, total: int
) -> Reply:
    order = audience.order(question, SHOWING[phase])
    letter = LETTERS[order.index(option)]
    return Reply(f"{_body(audience, phase, question, order, number, total)}\n\nYour answer: {letter}")


def finished(course: Course, phase: str, correct: int, before: int | None) -> Reply:
    total = len(checks.items(course, phase))
    if phase == checks.PRE:
        return Reply(
            f"✅ **Thank you: that is your starting point.** You answered {correct} of {total} well. "
            "The course covers all of it; the check after the last module shows how far you have come.",
            ((START_BUTTON,),),
        )
    then = f" (before the course: {before} of {len(course.pretest)})" if before is not None else ""
    return Reply(
        f"✅ **Thank you.** You answered {correct} of {total} well{then}. Your ratings and answers help your "
        "training office see what the course achieves, only ever as totals for 5 or more learners. "
        "/certificate gets your certificate if you have earned it.",
        ((PROGRESS_BUTTON,),),
    )


def skipped(phase: str) -> Reply:
    if phase == checks.PRE:
        return Reply("No problem: no check. Here is the course.", ((START_BUTTON,),))
    return Reply("No problem. Thank you for taking the course. /certificate gets your certificate once earned.")


def not_now(phase: str | None) -> Reply:
    if phase == checks.PRE:
        return Reply("The check before the course closes once module 1 has begun. Send /next to carry on.")
    return Reply(
        "The knowledge check comes before module 1 (only until it begins) and again once you have finished the last "
        "module. /progress shows what is left."
    )


def both_done(course: Course, before: int | None, after: int) -> Reply:
    then = f"before the course {before} of {len(course.pretest)}; " if before is not None else ""
    return Reply(f"📝 You have taken the knowledge check: {then}after it {after} of {len(course.posttest)}. Thank you.")


NOTICE_ALREADY = "Already answered: the first answer counts."
NOTICE_CLOSED = "This check is closed."
