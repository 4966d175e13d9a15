"""Every sentence the bot says outside the course content, and how items are laid out as messages.

Texts are in the course markup (`**bold**`); adapters render it for Telegram or the terminal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from bot.content.markup import escape, plain_text
from bot.content.model import Course, Lesson, Question
from bot.conversation.audience import Audience
from bot.conversation.replies import Button, Reply
from bot.core import buttons, options
from bot.core.engine import CourseProgress
from bot.core.options import LETTERS
from bot.reports.certificates import PASS_SHARE, Eligibility

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Begin the course (or see the welcome again)"),
    ("next", "Get the next lesson or case question now"),
    ("progress", "See how far you are, module by module"),
    ("settings", "Choose when your daily bites arrive"),
    ("pause", "Pause daily bites (/pause 2026-12-24 to pause until a date)"),
    ("resume", "Start daily bites again"),
    ("now", "On shift: what to do now, my hotline, what to say"),
    ("respond", "How to respond, step by step"),
    ("indicators", "What to look for: indicator checklists"),
    ("document", "How to document safely"),
    ("resources", "Hotlines and emergency numbers"),
    ("review", "Practise the case questions you missed"),
    ("certificate", "Get your certificate once you have finished"),
    ("check", "Knowledge check: before you begin, and after you finish"),
    ("hide", "Delete my messages from the last 48 hours"),
    ("privacy", "What I keep about you"),
    ("mydata", "See everything I keep about you"),
    ("forget", "Erase everything about you"),
    ("help", "What I can do"),
)

MESSAGE_LIMIT = 4096  # Telegram's limit, counted in UTF-16 code units of the text as shown
BAR_WIDTH = 10

NEXT_BUTTON = Button("Next ▶", buttons.encode(buttons.NextBite()))
START_BUTTON = Button("Start the first lesson ▶", buttons.encode(buttons.NextBite()))
PROGRESS_BUTTON = Button("My progress", buttons.encode(buttons.ShowProgress()))
PRACTISE_BUTTON = Button("Practise my missed cases", buttons.encode(buttons.Practise()))
CERTIFICATE_BUTTON = Button("Get my certificate 🎓", buttons.encode(buttons.ShowCertificate()))


def got_it_button(item: Lesson) -> Button:
    return Button("Got it ✓", buttons.encode(buttons.GotIt(item.id)))


PRIVACY_NOTE = (
    "🔒 **Privacy**: this course never needs information about patients. Please do not type any names, "
    "dates of birth, record numbers or other patient details here. I keep only your Telegram user id and chat "
    "id, your settings and your course progress; /privacy has the details, and /forget erases it all."
)


def welcome(course: Course, *, returning: bool) -> Reply:
    """The welcome. A new learner's has no button of its own: the schedule question follows in the same message."""
    first = "Welcome back." if returning else "Welcome. You are enrolled."
    hours = course.estimated_hours
    closing = (
        "Send /next whenever you have two minutes, or tap the button below. /help lists everything I can do."
        if returning
        else "/next brings a bite whenever you have two minutes; /help lists everything I can do."
    )
    text = (
        f"{first}\n\n"
        f"**{escape(course.title)}** is a micro-course in two-minute bites: short lessons and case questions "
        f"from clinical practice, about {hours:g} hour{'' if hours == 1 else 's'} in all. It helps you recognize "
        "human trafficking among your patients and respond safely.\n\n"
        f"{PRIVACY_NOTE}\n\n"
        f"{closing}"
    )
    return Reply(text, ((NEXT_BUTTON,),) if returning else ())


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


def lesson(audience: Audience, item: Lesson) -> Reply:
    module, position, total = audience.position(item)
    heading = f"📖 {escape(module.title)} · {position}/{total}"
    row = (
        (NEXT_BUTTON, got_it_button(item))
        if item.more is None
        else (NEXT_BUTTON, got_it_button(item), more_button(item))
    )
    return Reply(f"{heading}\n**{escape(item.title)}**\n\n{audience.fill(item.text)}", (row,), shared=True)


def more_button(item: Lesson) -> Button:
    return Button("More ▸", buttons.encode(buttons.More(item.id)))


def lesson_with_more(audience: Audience, item: Lesson) -> Reply:
    """The lesson opened out: its longer part under it, in the same message."""
    short = lesson(audience, item)
    more = audience.fill(item.more or "")
    return Reply(f"{short.text}\n\n{more}", ((NEXT_BUTTON, got_it_button(item)),), shared=True)


def question_body(audience: Audience, item: Question, order: tuple[int, ...]) -> str:
    module, position, total = audience.position(item)
    heading = f"🩺 Case · {escape(module.title)} · {position}/{total}"
    shown = "\n".join(
        f"{LETTERS[place]}. {audience.fill(item.options[index].text)}" for place, index in enumerate(order)
    )
    return f"{heading}\n**{escape(item.title)}**\n\n{audience.fill(item.stem)}\n\n{shown}"


def answer_row(item: Question, order: tuple[int, ...], action: Callable[[int], buttons.Action]) -> tuple[Button, ...]:
    """One button per option, lettered as shown; each names its option by its place in the file."""
    return tuple(Button(LETTERS[place], buttons.encode(action(index))) for place, index in enumerate(order))


def question(audience: Audience, item: Question) -> Reply:
    order = audience.order(item, options.FIRST_SHOWING)
    row = answer_row(item, order, lambda index: buttons.Answer(item.id, index))
    return Reply(question_body(audience, item, order), (row,), shared=True)


def answered(audience: Audience, item: Question, option: int, order: tuple[int, ...]) -> tuple[Reply, Reply]:
    """The question with its buttons gone and the learner's choice marked, and the feedback as its own message.

    The feedback leads with the verdict and the one-line why; the other options' feedback waits behind
    "Why not the others ▸", so an answer costs the reader a few lines, not the whole case again.
    """
    letter = LETTERS[order.index(option)]
    question_now = Reply(f"{question_body(audience, item, order)}\n\nYour answer: {letter}")
    chosen = item.options[option]
    if option == item.best_index:
        verdict = f"✅ **{letter} is the best answer.** {audience.fill(chosen.feedback)}"
    else:
        best = item.options[item.best_index]
        best_letter = LETTERS[order.index(item.best_index)]
        verdict = (
            f"❌ **{letter} is not the best choice.** {audience.fill(chosen.feedback)}\n\n"
            f"**Best answer: {best_letter}.** {audience.fill(best.text)}"
        )
    why = Button("Why not the others ▸", buttons.encode(buttons.WhyNot(item.id, option)))
    return question_now, Reply(verdict, ((NEXT_BUTTON, why),), shared=True)


def with_peer_pulse(feedback: Reply, share: float) -> Reply:
    return dataclasses.replace(feedback, text=f"{feedback.text}\n\n👥 {share:.0%} of learners chose the same.")


def why_not_the_others(audience: Audience, item: Question, option: int) -> Reply:
    """Every option's feedback, the chosen one first: what the expanded feedback shows."""
    lines = []
    for index in (option, *(index for index in range(len(item.options)) if index != option)):
        mark = "✅" if index == item.best_index else "•"
        lines.append(
            f"{mark} **{audience.fill(item.options[index].text)}**\n{audience.fill(item.options[index].feedback)}"
        )
    return Reply("\n\n".join(lines), ((NEXT_BUTTON,),))


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


def progress(
    course: Course,
    status: CourseProgress,
    eligibility: Eligibility | None = None,
    *,
    due: str | None = None,
    schedule: str | None = None,
) -> Reply:
    """Progress per module and on the case questions, and (`schedule`) the state of the learner's schedule."""
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
    elif due is not None:
        lines.append("")
        lines.append(due)
    if schedule:
        lines.append("")
        lines.append(schedule)
    rows: tuple[tuple[Button, ...], ...] = () if status.complete else ((NEXT_BUTTON,),)
    if eligibility is not None:
        lines.append("")
        lines.append(certificate_line(eligibility))
        if eligibility.correct_needed:
            rows = (*rows, (PRACTISE_BUTTON,))
    return Reply("\n".join(lines), rows)


def course_complete(
    audience: Audience, eligibility: Eligibility, *, missed: int, certificates_offered: bool = True
) -> Reply:
    """The end of the course, after the last module's recap, and its payoff: the certificate to collect, or what is
    left and practice for it (practice for the missed cases even where no certificates are issued)."""
    course = audience.course
    last = course.modules[-1]
    recap = f"\n{audience.fill(last.recap)}" if last.recap else ""
    text = (
        f"🏁 **Module {len(course.modules)} done: {escape(last.title)}**{recap}\n\n"
        f"🎓 **You have finished {escape(course.title)}.**\n\nThank you for the time you gave to it. "
    )
    if not certificates_offered:
        if not missed:
            return Reply(text + "Send /progress to see your results.", ((PROGRESS_BUTTON,),))
        return Reply(
            text + f"{missed} case question{'s' if missed != 1 else ''} you last answered wrong can be practised "
            "now, while the cases are fresh.",
            ((PRACTISE_BUTTON,), (PROGRESS_BUTTON,)),
        )
    if eligibility.qualifies:
        return Reply(text + "You have earned your certificate.", ((CERTIFICATE_BUTTON,), (PROGRESS_BUTTON,)))
    more = eligibility.correct_needed
    return Reply(
        text + f"Your certificate needs {more} more correct answer{'s' if more != 1 else ''} "
        f"({PASS_SHARE:.0%} of the cases; a missed case answered right in practice counts).",
        ((PRACTISE_BUTTON,), (PROGRESS_BUTTON,)),
    )


def certificate_line(eligibility: Eligibility) -> str:
    """Where the learner stands for the certificate, in one line of /progress."""
    if eligibility.qualifies:
        return "🎓 Certificate: earned. Send /certificate to get it."
    missing = []
    if not eligibility.complete:
        missing.append("finish every module")
    if eligibility.correct_needed:
        more = eligibility.correct_needed
        missing.append(f"{more} more correct answer{'s' if more != 1 else ''} (/review to practise)")
    return "🎓 Certificate: " + " and ".join(missing) + "."


def with_milestone(audience: Audience, item: Lesson | Question, reply: Reply) -> Reply:
    """The first bite of a module opens by saying the module before it is done, with its two-line recap."""
    course = audience.course
    if course.item(item.id) is None or course.position(item.id) != 1:
        return reply
    module = course.module_of(item.id)
    index = course.modules.index(module)
    if index == 0:
        return reply
    done = course.modules[index - 1]
    recap = f"\n{audience.fill(done.recap)}" if done.recap else ""
    return dataclasses.replace(reply, text=f"🏁 **Module {index} done: {escape(done.title)}**{recap}\n\n{reply.text}")


def nothing_to_practise() -> Reply:
    return Reply(
        "✅ No missed case questions to practise: every case you have answered, you last answered well. "
        "Your spaced reviews still come at their time; /next carries on with the course.",
        ((NEXT_BUTTON,),),
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


def certificate_name_looks_like_patient_details() -> Reply:
    return Reply(
        "🔒 That looks like patient details (a date or a number), so I haven't kept it. Type only the name you want "
        "printed on your certificate."
    )


def certificate_name_not_printable() -> Reply:
    return Reply(
        "Some characters of that name can't be printed with the certificate's font (Chinese, Japanese and Korean "
        "characters, for instance), so they would come out blank. Please type the name in Latin letters as you want "
        'it printed, or choose "No name on it".'
    )


def apology() -> Reply:
    return Reply("Sorry, something went wrong on my side. Please try again in a moment; your progress is safe.")


NOTICE_STALE_BUTTON = "This button is out of date. Send /next to carry on."
NOTICE_NOT_YOURS = "That answer doesn't belong to a question sent to you. Send /next to carry on."
NOTICE_PRIVATE_ONLY = "I work only in a private chat. Open one with me and send /start."


def notice_already_answered(letter: str) -> str:
    return f"You already answered this one ({letter}); only your first answer counts."


def edited_message() -> Reply:
    return Reply("I don't act on edited messages. Please send the command again as a new message.")


def bite_on_its_way() -> Reply:
    return Reply("⏳ Your next bite is on its way: it will be here in a moment.")


def slow_down() -> Reply:
    return Reply(
        "You are sending messages faster than I can answer them, so I am skipping some. "
        "Give me a few seconds, then carry on: your progress is safe."
    )


NOTICE_SLOW_DOWN = "One moment: that was a lot at once. Try again in a few seconds."
