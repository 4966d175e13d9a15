"""What the bot says about cohorts: the invitation and what its owner will see, joining, leaving, the due date,
and the gentle reminders before it."""

from __future__ import annotations

from datetime import date

from bot.content.markup import escape
from bot.conversation.replies import Button, Reply
from bot.conversation.schedule_texts import DISCREET_FIRST_LINE
from bot.conversation.texts import NEXT_BUTTON, progress_bar
from bot.core import training_buttons as tb
from bot.store import Cohort

WHAT_THE_OWNER_SEES = (
    "If you join, the person who runs it will see **whether you have finished the course, and when**, and **the "
    "name on your certificate** if you ask for one. They never see your answers, your scores, your settings or "
    "anything you type; figures about the group are shown only for 5 learners or more."
)


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%B %Y}"


def _due(cohort: Cohort) -> str:
    return f" It is due by **{_day(cohort.due_on)}**." if cohort.due_on else ""


def invitation(cohort: Cohort, current: Cohort | None) -> Reply:
    """The invitation from an invite link: which cohort, what its owner sees, and the choice."""
    moving = (
        f"\n\nYou are in **{escape(current.name)}** now; you can be in one cohort at a time, so joining moves you."
        if current is not None
        else ""
    )
    text = (
        f"👥 **You are invited to join {escape(cohort.name)}**, a group taking this course together.{_due(cohort)}\n\n"
        f"{WHAT_THE_OWNER_SEES}{moving}\n\nYou can leave at any time in /settings. Join?"
    )
    join = Button("Join", tb.encode(tb.JoinCohort(cohort.code)))
    decline = Button("No, thanks", tb.encode(tb.DeclineCohort()))
    return Reply(text, ((join, decline),))


def already_member(cohort: Cohort) -> Reply:
    return Reply(f"👥 You are already in **{escape(cohort.name)}**.{_due(cohort)} /progress shows how far you are.")


def unknown_code() -> Reply:
    return Reply(
        "This invite link is not valid: nothing has changed. Please check the link with whoever sent it. "
        "You can also take the course on your own: send /start."
    )


def closed_cohort(cohort: Cohort) -> Reply:
    return Reply(
        f"**{escape(cohort.name)}** is closed to new members, so you have not joined it and nothing has changed. "
        "Please ask whoever sent the link. You can also take the course on your own: send /start."
    )


def joined(cohort: Cohort) -> Reply:
    return Reply(
        f"✅ You have joined **{escape(cohort.name)}**.{_due(cohort)} You can leave at any time in /settings.",
        ((NEXT_BUTTON,),),
    )


def declined() -> Reply:
    return Reply("No problem: you have not joined. You can take the course on your own.", ((NEXT_BUTTON,),))


def ask_leave(cohort: Cohort) -> Reply:
    leave = Button("Leave", tb.encode(tb.LeaveCohort(confirmed=True)))
    stay = Button("Stay", tb.encode(tb.LeaveCohort(confirmed=False)))
    return Reply(
        f"Leave **{escape(cohort.name)}**? Its owner will no longer see whether you finish. "
        "Your progress in the course stays as it is.",
        ((leave, stay),),
    )


def left(cohort: Cohort) -> Reply:
    return Reply(f"You have left **{escape(cohort.name)}**. Your progress in the course is kept.")


def stayed(cohort: Cohort) -> Reply:
    return Reply(f"You are still in **{escape(cohort.name)}**.")


def not_a_member() -> Reply:
    return Reply("You are not in a cohort.")


def due_line(cohort: Cohort, today: date) -> str | None:
    """The line /progress shows about the learner's cohort's due date."""
    if cohort.due_on is None:
        return None
    left = (cohort.due_on - today).days
    when = "today" if left == 0 else "tomorrow" if left == 1 else f"in {left} days" if left > 1 else "passed"
    return f"📅 Due for {escape(cohort.name)}: {_day(cohort.due_on)} ({when})."


def reminder(cohort: Cohort, days_left: int, done: int, total: int, *, discreet: bool) -> Reply:
    """The gentle reminder before a cohort's due date, for a member who has not finished."""
    assert cohort.due_on is not None
    when = "tomorrow" if days_left == 1 else "today" if days_left <= 0 else f"in {days_left} days"
    text = (
        f"📅 A gentle reminder: **{escape(cohort.name)}** is due {when}, on {_day(cohort.due_on)}.\n\n"
        f"{progress_bar(done / total if total else 1.0)} {done}/{total} done. "
        "Two minutes now? Every bite counts."
    )
    if discreet:
        text = f"{DISCREET_FIRST_LINE}\n\n{text}"
    return Reply(text, ((NEXT_BUTTON,),), protect=discreet)
