"""Privacy on a shared phone, as a conversation: what is kept (/privacy), all of it (/mydata), erasing it
(/forget), clearing the screen (/hide), and what happens to a photo or other media sent to the bot.

/hide deletes the learner's own messages as well as the bot's, for as long as Telegram allows (48 hours), and
says how many went and what stays. /mydata is a short summary a person can read, and the full data as a file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.content.markup import escape
from bot.conversation.replies import Attachment, Button, Outcome, Reply
from bot.conversation.schedule_texts import describe
from bot.core import buttons
from bot.store import Store

HIDE_WINDOW = timedelta(hours=48)  # Telegram lets a bot delete the messages of a private chat for 48 hours
DATA_FILE = "coursebot-my-data.json"

PRIVACY_TEXT = (
    "🔒 **Your privacy**\n\n"
    "What I keep: your Telegram user id and chat id; your schedule settings (time zone, times, days, pace, "
    "quiet hours, region, discreet mode); your progress (which bites were sent, your answers and when, and "
    "review timings); if you take the knowledge checks, your ratings and whether each answer was right (not "
    "which option); if you joined a cohort, which one; and, for 48 hours, the ids of the messages in our chat "
    "(yours and mine, nothing else about them) so /hide can delete them.\n\n"
    "What I never keep: anything you type (searches and other text are used once and dropped) and anything "
    "about patients. Please never type patient details here: a message that looks like them is deleted at "
    "once. The one exception you choose yourself: if you take a certificate, it keeps the name you asked to "
    "have printed on it (or none), so an employer can check it; /forget erases it with everything else.\n\n"
    "/hide clears our chat. /mydata shows everything I keep about you. /forget erases all of it. If you stop "
    "using the course, your data is erased automatically after {days} days."
)
NOT_ENROLLED = Reply(
    "You're not enrolled, so I keep nothing about you. If you used /forget, everything was erased then, as "
    "you asked. Send /start to begin the course afresh."
)
MEDIA = {
    "photo": "photo",
    "video": "video",
    "document": "file",
    "voice": "voice message",
    "audio": "recording",
    "video_note": "video message",
    "animation": "animation",
    "contact": "contact",
    "location": "location",
}


def media_reminder(kind: str) -> Reply:
    what = MEDIA.get(kind, "attachment")
    return Reply(
        f"🔒 I deleted that {what}: this course never needs images of patients, or any other patient details, "
        "and I keep no files you send. Type a few words to look something up, or send /help."
    )


class PrivacyChat:
    """/privacy, /mydata, /forget and /hide for one store."""

    def __init__(self, store: Store, clock: Callable[[], datetime], retention_days: int) -> None:
        self.store = store
        self.clock = clock
        self.retention_days = retention_days

    def privacy(self) -> Outcome:
        return Outcome((Reply(PRIVACY_TEXT.format(days=self.retention_days)),))

    def media(self, kind: str) -> Outcome:
        """A photo, video, file, voice note, contact or location: deleted at once, with a reminder why."""
        return Outcome((media_reminder(kind),), delete_input=True)

    async def mydata(self, user_id: int) -> Outcome:
        everything = await self.store.privacy.everything_about(user_id)
        if not everything["learners"]:
            return Outcome((Reply("I keep nothing about you: you are not enrolled. (/start enrols you.)"),))
        schedule = await self.store.learners.schedule(user_id)
        summary = _summary(everything, describe(schedule.prefs) if schedule else "")
        content = json.dumps(everything, ensure_ascii=False, indent=2, default=str).encode()
        data = Reply(
            "🗂 Everything, row by row, as a file (JSON).", attachment=Attachment(DATA_FILE, content), protect=False
        )
        return Outcome((Reply(summary), data))

    def forget_question(self) -> Outcome:
        clear = Button("Clear the chat, then erase", buttons.encode(buttons.Forget(confirmed=True, clear=True)))
        confirm = Button("Erase, keep the chat", buttons.encode(buttons.Forget(confirmed=True)))
        keep = Button("No, keep it", buttons.encode(buttons.Forget(confirmed=False)))
        return Outcome(
            (
                Reply(
                    "⚠️ This erases your progress, answers, schedule and settings, for good.\n\n"
                    "Our messages stay on this phone unless you clear them first: once I have erased everything, "
                    "I no longer know which they are. (/hide clears them at any time, for the last 48 hours.)\n\n"
                    "Erase everything?",
                    ((clear,), (confirm, keep)),
                ),
            )
        )

    async def forget(self, user_id: int, chat_id: int, confirmed: bool, clear: bool = False) -> Outcome:
        if not confirmed:
            return Outcome(edit=Reply("Nothing was erased."), notice="Kept")
        deleted: tuple[int, ...] = ()
        if clear:
            deleted = tuple(await self.store.privacy.recent_messages(chat_id, self.clock() - HIDE_WINDOW))
        await self.store.privacy.forget(user_id, chat_id)
        cleared = f" and cleared {_messages(len(deleted))} from our chat" if clear else ""
        return Outcome(
            edit=Reply(f"🗑 Done: I erased everything I kept about you{cleared}. /start begins afresh."),
            notice="Erased",
            delete=deleted,
        )

    async def hide(self, user_id: int, chat_id: int) -> Outcome:
        """Delete the chat's messages (the learner's and the bot's) from the last 48 hours."""
        now = self.clock()
        message_ids = await self.store.privacy.recent_messages(chat_id, now - HIDE_WINDOW)
        await self.store.privacy.forget_messages(chat_id, message_ids)
        learner = await self.store.learners.learner(user_id)
        if learner is not None and learner.enrolled_at > now - HIDE_WINDOW:
            remains = "Nothing older remains: you started less than 48 hours ago."
        else:
            remains = (
                "Anything older than 48 hours stays: Telegram lets me delete messages only that long. To remove "
                "it too, clear the chat's history in Telegram (the chat's menu, then Clear history)."
            )
        text = f"🧹 I deleted {_messages(len(message_ids))} from the last 48 hours, yours and mine. {remains}"
        return Outcome((Reply(text),), delete=tuple(message_ids))

    async def discreet(self, user_id: int) -> bool:
        """Whether messages to this person are protected from forwarding and saving (the default, even before
        they enrol: look-ups work for anyone)."""
        return (await self.store.learners.at_hand(user_id)).discreet

    def not_enrolled(self) -> Outcome:
        """Someone who is not (or no longer) enrolled asked for a bite: say so, and never enrol them silently."""
        return Outcome((NOT_ENROLLED,))


def _messages(count: int) -> str:
    return f"{count} message{'' if count == 1 else 's'}"


def _summary(everything: dict[str, list[dict[str, Any]]], settings: str) -> str:
    """What /mydata says first: the settings, bites, answers and certificate, in a few lines."""
    [learner] = everything["learners"]
    answers, reviews = everything["answers"], everything["reviews"]
    correct = sum(1 for row in answers if row.get("correct"))
    scheduled = sum(
        1
        for row in everything["sends"]
        if row.get("status") == "sent" and row.get("kind") != "pull" and not row.get("practice")
    )
    region = escape(str(learner.get("region") or "not set"))
    lines = [
        "🗂 **What I keep about you**",
        "",
        f"Enrolled: {str(learner.get('enrolled_at', ''))[:10]}. Region: {region}. "
        f"Discreet mode: {'on' if learner.get('discreet') else 'off'}.",
        escape(settings),
        "",
        f"Lessons and questions received: {len(everything['deliveries'])} ({scheduled} sent on your schedule, "
        "the rest asked for).",
        f"Answers: {len(answers)} case question{'' if len(answers) == 1 else 's'} ({correct} correct), "
        f"{len(reviews)} review{'' if len(reviews) == 1 else 's'}.",
    ]
    checks = ", ".join(f"{row.get('phase')} {row.get('status')}" for row in everything.get("checks", []))
    lines.append(f"Knowledge checks: {escape(checks) if checks else 'none'}.")
    if everything.get("cohort_members"):
        lines.append("Cohort: you joined one.")
    certificates = everything["certificates"]
    if certificates:
        [certificate] = certificates[:1]
        name = certificate.get("name")
        printed = f'the name printed on it: "{escape(str(name))}"' if name else "no name printed on it"
        issued = str(certificate.get("issued_at"))[:10]
        lines.append(f"Certificate: code {escape(str(certificate.get('code')))}, issued {issued}, {printed}.")
    else:
        lines.append("Certificate: none yet.")
    lines.append(f"Message ids kept for /hide (48 hours): {len(everything['bot_messages'])}.")
    return "\n".join(lines)
