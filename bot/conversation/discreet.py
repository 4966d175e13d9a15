"""Discreet mode's teaser: a scheduled bite arrives as "Your 2-minute refresher is ready" with [Open], and only
a tap on Open brings the bite itself, in place of the teaser (which Telegram already protects from forwarding
and saving). Nothing about the subject reaches a lock screen or a notification."""

from __future__ import annotations

from bot.content.model import Course, Question
from bot.conversation import bite_texts, texts
from bot.conversation.audience import Audience
from bot.conversation.privacy_chat import NOT_ENROLLED
from bot.conversation.replies import Outcome, Reply
from bot.store import Store

NOTICE_NOT_WAITING = "This bite is no longer waiting: /next brings the next one."


async def open_bite(course: Course, store: Store, user_id: int, send_id: int) -> Outcome:
    """The bite behind a teaser, as the schedule would have sent it, or why it can't be opened."""
    sent = await store.outbox.sent_send(send_id, user_id)
    if sent is None:
        if await store.learners.learner(user_id) is None:
            return Outcome((NOT_ENROLLED,), notice=texts.NOTICE_STALE_BUTTON)
        return Outcome(notice=NOTICE_NOT_WAITING)
    kind, item_id = sent
    item = course.item(item_id)
    if item is None:
        return Outcome(notice=NOTICE_NOT_WAITING)
    audience = Audience(course, await store.learners.region(user_id), user_id)
    reply: Reply
    if kind == "review" and isinstance(item, Question):
        reply = bite_texts.review_question(audience, item, send_id)
    elif isinstance(item, Question):
        reply = texts.question(audience, item)
    else:
        reply = texts.lesson(audience, item)
    return Outcome(edit=bite_texts.scheduled(reply, send_id, reminder=False), notice="Opened")
