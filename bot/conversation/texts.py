"""Every sentence the bot says outside the course content, and how items are laid out as messages.

Texts are in the course markup (`**bold**`); adapters render it for Telegram or the terminal.
"""

from __future__ import annotations

from bot.content.markup import escape, plain_text
from bot.content.model import Course, Lesson, Question
from bot.conversation.replies import Button, Reply
from bot.core import buttons
from bot.core.engine import CourseProgress, position_in_module

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Begin the course (or see the welcome again)"),
    ("next", "Get the next lesson or case question now"),
    ("progress", "See how far you are, module by module"),
    ("settings", "Choose when your daily bites arrive"),
    ("pause", "Pause daily bites (/pause 2026-12-24 to pause until a date)"),
    ("resume", "Start daily bites again"),
    ("indicators", "What to look for: indicator checklists"),
    ("document", "How to document safely"),
    ("resources", "Hotlines and emergency numbers"),
    ("certificate", "Get your certificate once you have finished"),
    ("hide", "Delete my messages from the last 48 hours"),
    ("privacy", "What I keep about you"),
    ("mydata", "See everything I keep about you"),
    ("forget", "Erase everything about you"),
    ("help", "What I can do"),
)

OPTION_LETTERS = "ABCDE"
MESSAGE_LIMIT = 4096  # Telegram's limit, counted in UTF-16 code units of the text as shown
BAR_WIDTH = 10

NEXT_BUTTON = Button("Next ▶", buttons.encode(buttons.NextBite()))
START_BUTTON = Button("Start the first lesson ▶", buttons.encode(buttons.NextBite()))
PROGRESS_BUTTON = Button("My progress", buttons.encode(buttons.ShowProgress()))

PRIVACY_NOTE = (
    "🔒 **Privacy**: this course never needs information about patients. Please do not type any names, "
    "dates of birth, record numbers or other patient details here. I keep only your Telegram user id and chat "
    "id, your settings and your course progress; /privacy has the details, and /forget erases it all."
)


def welcome(course: Course, *, returning: bool) -> Reply:
    first = "Welcome back." if returning else "Welcome. You are enrolled."
    hours = course.estimated_hours
    text = (
        f"{first}\n\n"
        f"**{escape(course.title)}** is a micro-course in two-minute bites: short lessons and case questions "
        f"from clinical practice, about {hours:g} hour{'' if hours == 1 else 's'} in all. It helps you recognize "
        "human trafficking among your patients and respond safely.\n\n"
        f"{PRIVACY_NOTE}\n\n"
        "Send /next whenever you have two minutes, or tap the button below. /help lists everything I can do."
    )
    return Reply(text, ((NEXT_BUTTON if returning else START_BUTTON,),))


def help_text() -> Reply:
    lines = "\n".join(f"/{name} — {description}" for name, description in COMMANDS)
    return Reply(
        "**What I can do**\n\n"
        f"{lines}\n\n"
        "Case questions come with answer buttons: tap the one you would choose. "
        'Type a few words (e.g. "signs of labor trafficking", "ICD code", "hotline") to look something up. '
        "This course is education, not legal advice; follow your local protocol.\n\n"
        "If anyone is in immediate danger, call your local emergency number."
    )


def lesson(course: Course, item: Lesson) -> Reply:
    module, position, total = position_in_module(course, item)
    heading = f"📖 {escape(module.title)} · {position}/{total}"
    return Reply(f"{heading}\n**{escape(item.title)}**\n\n{item.text}", ((NEXT_BUTTON,),))


def question_body(course: Course, item: Question) -> str:
    module, position, total = position_in_module(course, item)
    heading = f"🩺 Case · {escape(module.title)} · {position}/{total}"
    options = "\n".join(f"{OPTION_LETTERS[index]}. {option.text}" for index, option in enumerate(item.options))
    return f"{heading}\n**{escape(item.title)}**\n\n{item.stem}\n\n{options}"


def question(course: Course, item: Question) -> Reply:
    row = tuple(
        Button(OPTION_LETTERS[index], buttons.encode(buttons.Answer(item.id, index)))
        for index in range(len(item.options))
    )
    return Reply(question_body(course, item), (row,))


def _feedback_text(item: Question, option: int) -> str:
    chosen = item.options[option]
    letter = OPTION_LETTERS[option]
    if option == item.best_index:
        return f"✅ **{letter} is the best answer.**\n\n{chosen.feedback}"
    best = item.options[item.best_index]
    best_letter = OPTION_LETTERS[item.best_index]
    return (
        f"❌ **{letter} is not the best answer.**\n\n{chosen.feedback}\n\n"
        f"**Best answer: {best_letter}.** {best.text}\n{best.feedback}"
    )


def answered(course: Course, item: Question, option: int) -> tuple[Reply, Reply | None]:
    """The answered question, to replace the one with the buttons, and the feedback.

    The feedback goes under the question in the same message, so the chat stays one card per case; only
    when the two would not fit in one Telegram message does the feedback come as a message of its own.
    """
    body = f"{question_body(course, item)}\n\nYour answer: {OPTION_LETTERS[option]}"
    feedback = _feedback_text(item, option)
    together = f"{body}\n\n{feedback}"
    if telegram_length(together) <= MESSAGE_LIMIT:
        return Reply(together, ((NEXT_BUTTON,),)), None
    return Reply(body), Reply(feedback, ((NEXT_BUTTON,),))


def in_messages(lines: list[str], limit: int = 3500) -> tuple[Reply, ...]:
    """Lines of markup grouped into as few messages as fit, never splitting a line."""
    messages: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            messages.append(current)
            current = ""
        current += ("\n" if current else "") + line
    messages.append(current)
    return tuple(Reply(message) for message in messages)


def telegram_length(text: str) -> int:
    """The length Telegram checks against its limit: the shown text (markup removed) in UTF-16 units."""
    return len(plain_text(text).encode("utf-16-le")) // 2


def progress_bar(share: float) -> str:
    filled = round(share * BAR_WIDTH)
    return "▓" * filled + "░" * (BAR_WIDTH - filled)


def progress(course: Course, status: CourseProgress) -> Reply:
    lines = ["**Your progress**", ""]
    for number, module in enumerate(status.modules, start=1):
        lines.append(f"{number}. {escape(module.module.title)}")
        lines.append(f"{progress_bar(module.share)} {module.done}/{module.total}")
    lines.append("")
    share = status.share_correct
    if share is None:
        lines.append(f"Case questions: none answered yet (0 of {status.total_questions}).")
    else:
        lines.append(
            f"Case questions: {status.correct} of {status.answered} answered correctly ({share:.0%}); "
            f"{status.answered} of {status.total_questions} answered."
        )
    if status.complete:
        lines.append("")
        lines.append("🎓 You have finished the course.")
    buttons_row = () if status.complete else ((NEXT_BUTTON,),)
    return Reply("\n".join(lines), buttons_row)


def course_complete(course: Course) -> Reply:
    return Reply(
        f"🎓 **You have finished {escape(course.title)}.**\n\n"
        "Thank you for the time you gave to it. Send /progress to see your results.",
        ((PROGRESS_BUTTON,),),
    )


def not_enrolled() -> Reply:
    return Reply("You are not enrolled yet. Send /start to begin the course.")


def unknown_command(name: str) -> Reply:
    return Reply(f"I don't know the command /{escape(name)}. Send /help to see what I can do.")


def unsupported_message() -> Reply:
    return Reply("I can only read text commands and button presses. Send /help to see what I can do.")


def private_chat_only() -> Reply:
    return Reply(
        "Thank you for adding me, but I work only in a private chat, one learner at a time. "
        "Please open a private chat with me and send /start there."
    )


def apology() -> Reply:
    return Reply("Sorry, something went wrong on my side. Please try again in a moment; your progress is safe.")


NOTICE_STALE_BUTTON = "This button is out of date. Send /next to carry on."
NOTICE_NOT_YOURS = "That answer doesn't belong to a question sent to you. Send /next to carry on."
NOTICE_PRIVATE_ONLY = "I work only in a private chat. Open one with me and send /start."


def notice_already_answered(option: int) -> str:
    return f"You already answered this one ({OPTION_LETTERS[option]}); only your first answer counts."


def edited_message() -> Reply:
    return Reply("I don't act on edited messages. Please send the command again as a new message.")
