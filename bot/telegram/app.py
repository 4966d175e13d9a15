"""The Telegram adapter: thin python-telegram-bot handlers around CourseChat.

Handlers read who is speaking and what they pressed, call one CourseChat method and show its Outcome.
Message text is never logged or passed on; the course works only in private chats. Every message goes out
in a turn of the shared `Pacer` (replies first, see `limiter`), cut to Telegram's length limits, and a bite
pulled with /next is confirmed only once it has gone out (or its claim is given back). A learner who sends
updates faster than a person acts gets one polite notice; the rest of the flood is declined cheaply.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from typing import Any, TypeAlias

from telegram import (
    BotCommand,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.conversation import texts
from bot.conversation.chat import CourseChat, Who
from bot.conversation.privacy_chat import HIDE_WINDOW
from bot.conversation.replies import Outcome, Reply
from bot.delivery.due_reminders import REMINDER_INTERVAL, DueReminders
from bot.delivery.sending import Blocked, FloodWait, NetworkTrouble, Pacer, Rejected
from bot.delivery.tick import TICK_INTERVAL, Ticker
from bot.logs import learner_ref
from bot.telegram.limiter import PacedRequests, retry_after_seconds
from bot.telegram.ordering import PerChatOrder
from bot.telegram.outgoing import HTML, NO_PREVIEW, markup_of, send_reply
from bot.telegram.splitting import TEXT_LIMIT, shortened_html

logger = logging.getLogger(__name__)

CHAT_KEY = "course_chat"
PACER_KEY = "pacer"
FLOOD_NOTICED_KEY = "flood_noticed"
HOUSEKEEPING_INTERVAL = timedelta(hours=6)

CourseApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
# What a learner may send that could hold patient details (an image, a file, a contact): deleted at once.
MEDIA = (
    filters.PHOTO
    | filters.VIDEO
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO_NOTE
    | filters.CONTACT
    | filters.LOCATION
)
MEDIA_KINDS = ("photo", "video", "animation", "document", "voice", "audio", "video_note", "contact", "location")


def build_application(
    chat: CourseChat,
    token: str,
    *,
    base_url: str | None = None,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    pacer: Pacer | None = None,
    rate_limiter: bool = True,
    updates: PerChatOrder | None = None,
) -> CourseApplication:
    """A PTB Application wired to `chat`.

    `base_url` points it at a self-hosted Bot API server; `request` and `updates_request` (PTB wants two
    distinct objects) replace the HTTP layer, as the tests do. Every message takes a turn from `pacer`
    (give the schedule's Ticker the same one); without one, a new pacer at Telegram's limits, or with
    `rate_limiter=False` one that never waits (for tests and benchmarks about something else).
    """
    if pacer is None:
        pacer = Pacer() if rate_limiter else Pacer.unlimited()
    builder = (
        Application.builder()
        .token(token)
        .concurrent_updates(updates or PerChatOrder())
        .rate_limiter(PacedRequests(pacer))
    )
    if base_url:
        builder = builder.base_url(base_url).base_file_url(base_url.replace("/bot", "/file/bot", 1))
    if request is not None:
        builder = builder.request(request)
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    application = builder.build()
    application.bot_data[CHAT_KEY] = chat
    application.bot_data[PACER_KEY] = pacer
    register_handlers(application)
    return application


def pacer_of(application: CourseApplication) -> Pacer:
    """The pacer every message of `application` takes its turn from."""
    pacer: Pacer = application.bot_data[PACER_KEY]
    return pacer


def register_handlers(application: CourseApplication) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, on_any_update), group=-1)
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, on_edited_message))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(~private & filters.COMMAND, on_group_command))
    application.add_handler(MessageHandler(private & filters.COMMAND, on_command))
    application.add_handler(MessageHandler(private & filters.TEXT, on_text))
    application.add_handler(MessageHandler(private & MEDIA, on_media))
    application.add_handler(MessageHandler(private, on_unsupported_message))
    application.add_error_handler(on_error)


async def announce_commands(application: CourseApplication) -> None:
    """Make /help's list the bot's command menu."""
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in texts.COMMANDS])


class TelegramSender:
    """Sends the schedule's messages through the bot, reporting trouble in the schedule's terms."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        try:
            # The schedule's deliver has taken a bulk turn for this message already.
            message = (await send_reply(self.bot, chat_id, reply, paced=True))[-1]
        except RetryAfter as err:
            raise FloodWait(retry_after_seconds(err)) from err
        except Forbidden as err:
            raise Blocked(str(err)) from err
        except BadRequest as err:
            raise Rejected(err.message) from err
        except NetworkError as err:  # time-outs included
            raise NetworkTrouble(str(err)) from err
        return int(message.message_id)

    async def clear_buttons(self, chat_id: int, message_id: int) -> None:
        """Take the buttons off a message (one put off, answered elsewhere or superseded), in the same terms."""
        try:
            await self.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except RetryAfter as err:
            raise FloodWait(retry_after_seconds(err)) from err
        except Forbidden as err:
            raise Blocked(str(err)) from err
        except BadRequest as err:  # already bare, deleted, or too old to edit
            raise Rejected(err.message) from err
        except NetworkError as err:
            raise NetworkTrouble(str(err)) from err


def schedule_jobs(
    application: CourseApplication,
    ticker: Ticker,
    *,
    retention: timedelta,
    interval: timedelta = TICK_INTERVAL,
) -> None:
    """Run the schedule's tick on PTB's JobQueue (APScheduler), and the housekeeping: erase learners
    inactive for longer than `retention`, and drop message ids too old for /hide; and the reminders before cohorts'
    due dates, through the tick's sender and pacer. No job overlaps itself."""
    store = ticker.store
    reminders = DueReminders(ticker.course, store, ticker.sender, clock=ticker.clock, pacer=ticker.pacer)

    async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
        await ticker.tick()

    async def housekeeping(context: ContextTypes.DEFAULT_TYPE) -> None:
        now = ticker.clock()
        erased = await store.privacy.forget_inactive(now - retention)
        await store.privacy.prune_messages(now - HIDE_WINDOW)
        if erased:
            logger.info("erased %d learners inactive for %d days", erased, retention.days)

    assert application.job_queue is not None, "python-telegram-bot[job-queue] is required"
    once_at_a_time = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    # A tick sends for one interval and finishes its last chunk a moment after the next one starts: that one
    # waits for it (the Ticker never runs two at once) and carries on, so no run is ever skipped.
    carry_on = {"max_instances": 2, "coalesce": True, "misfire_grace_time": None}
    application.job_queue.run_repeating(tick, interval=interval, first=1, name="schedule-tick", job_kwargs=carry_on)
    application.job_queue.run_repeating(
        housekeeping, interval=HOUSEKEEPING_INTERVAL, first=30, name="housekeeping", job_kwargs=once_at_a_time
    )

    async def remind(context: ContextTypes.DEFAULT_TYPE) -> None:
        await reminders.run()

    application.job_queue.run_repeating(
        remind, interval=REMINDER_INTERVAL, first=20, name="due-date-reminders", job_kwargs=once_at_a_time
    )


def _chat(context: ContextTypes.DEFAULT_TYPE) -> CourseChat:
    chat: CourseChat = context.bot_data[CHAT_KEY]
    return chat


def _who(update: Update) -> Who | None:
    if update.effective_user is None or update.effective_chat is None:
        return None
    return Who(update.effective_user.id, update.effective_chat.id)


async def _show(outcome: Outcome, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id = update.effective_chat.id if update.effective_chat else None
    query = update.callback_query
    private = update.effective_chat is not None and update.effective_chat.type == "private"
    if chat_id is not None and (outcome.delete or outcome.delete_input):
        await _delete(context, chat_id, _to_delete(outcome, update))
    user = update.effective_user
    discreet = private and bool(outcome.replies) and user is not None and await _discreet(outcome, user.id, context)
    if query is not None:
        await query.answer(outcome.notice)  # always answer, or the phone shows a spinner
        if outcome.edit is not None and query.message is not None:
            try:
                await query.edit_message_text(
                    shortened_html(outcome.edit.text, TEXT_LIMIT),
                    parse_mode=HTML,
                    link_preview_options=NO_PREVIEW,
                    reply_markup=markup_of(outcome.edit),
                )
            except BadRequest as err:
                # Too old to edit, or already showing this: the answer itself was recorded, so carry on.
                logger.info("could not edit the answered question: %s", err.message)
    if chat_id is None:
        return
    first: int | None = None  # the message carrying the first reply's buttons (a pulled bite's)
    try:
        for number, reply in enumerate(outcome.replies):
            for message in await send_reply(context.bot, chat_id, reply, discreet=discreet):
                if number == 0:
                    first = message.message_id  # a long reply is split: its buttons come on the last part
                if private:
                    await _chat(context).remember(chat_id, message.message_id)
    except BaseException:
        await _chat(context).settle(outcome, sent=False)  # a pulled bite that did not go out is given back
        raise
    await _chat(context).settle(outcome, sent=True, message=(chat_id, first) if first is not None else None)


async def _discreet(outcome: Outcome, user_id: int, context: ContextTypes.DEFAULT_TYPE) -> bool:
    if outcome.discreet is not None:
        return outcome.discreet
    return await _chat(context).privacy.discreet(user_id)


def _to_delete(outcome: Outcome, update: Update) -> tuple[int, ...]:
    """The messages an outcome deletes: never the one about to be edited; the learner's own if it must go."""
    keep = update.callback_query.message.message_id if update.callback_query and update.callback_query.message else None
    ids = [message_id for message_id in outcome.delete if message_id != keep or outcome.edit is None]
    if outcome.delete_input and update.effective_message is not None and update.callback_query is None:
        ids.append(update.effective_message.message_id)
    return tuple(dict.fromkeys(ids))


async def _remember_input(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Keep the id of the learner's own message for 48 hours, so /hide can delete it too (the id only)."""
    message = update.effective_message
    if message is not None and update.effective_chat is not None and update.effective_chat.type == "private":
        await _chat(context).remember(update.effective_chat.id, message.message_id)


async def _delete(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_ids: tuple[int, ...]) -> None:
    """Delete messages of the chat, 100 at a time (Telegram's limit); ones already gone are skipped."""
    for start in range(0, len(message_ids), 100):
        try:
            await context.bot.delete_messages(chat_id, message_ids[start : start + 100])
        except TelegramError as err:  # best effort: /hide still answers, and the ids are forgotten anyway
            logger.warning("could not delete some messages: %s", err.message)


async def on_any_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any handler: an update that came as part of a flood from its chat is declined here, cheaply. A
    button is still answered (with a short notice); the first declined message of a flood gets one polite
    notice, and the rest nothing, until the learner slows down."""
    processor = context.application.update_processor
    chat = update.effective_chat
    if chat is None or not isinstance(processor, PerChatOrder):
        return
    noticed: set[int] = context.bot_data.setdefault(FLOOD_NOTICED_KEY, set())
    if not processor.flooded(update):
        noticed.discard(chat.id)
        return
    if update.callback_query is not None:
        await update.callback_query.answer(texts.NOTICE_SLOW_DOWN)
    elif chat.id not in noticed and chat.type == "private":
        await send_reply(context.bot, chat.id, texts.slow_down())
    noticed.add(chat.id)
    user = update.effective_user
    logger.info("flood: an update declined", extra={"learner": learner_ref(user.id)} if user else {})
    raise ApplicationHandlerStop


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A /command in a private chat."""
    who, message = _who(update), update.effective_message
    if who is None or message is None or not message.text:
        return
    await _remember_input(update, context)
    command, _, argument = message.text.partition(" ")
    name = command[1:].split("@", 1)[0]
    await _show(await _chat(context).command(who, name, argument), update, context)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button press; its data may be stale or forged."""
    query, who = update.callback_query, _who(update)
    if query is None:
        return
    if who is None or update.effective_chat is None or update.effective_chat.type != "private":
        await query.answer(texts.NOTICE_PRIVATE_ONLY)
        return
    data = query.data if isinstance(query.data, str) else None
    await _show(await _chat(context).press(who, data), update, context)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text in a private chat (never logged or stored)."""
    who, message = _who(update), update.effective_message
    if who is not None and message is not None and message.text is not None:
        await _remember_input(update, context)
        await _show(await _chat(context).text(who, message.text), update, context)


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, file, voice note, contact or location: it may show a patient, so it is deleted at once."""
    who, message = _who(update), update.effective_message
    if who is not None and message is not None:
        await _remember_input(update, context)  # should deleting it fail, /hide tries again
        kind = next((kind for kind in MEDIA_KINDS if getattr(message, kind, None)), "document")
        await _show(await _chat(context).media(who, kind), update, context)


async def on_unsupported_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers and the like (media that may hold patient details go to on_media)."""
    if update.effective_message is not None:
        await _remember_input(update, context)
        await _show(Outcome((texts.unsupported_message(),)), update, context)


async def on_edited_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: acting on it twice would surprise, so say so once, in private chats only."""
    if update.effective_chat is not None and update.effective_chat.type == "private":
        await _show(Outcome((texts.edited_message(),)), update, context)


async def on_group_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command in a group: decline politely and store nothing."""
    await _show(Outcome((texts.private_chat_only(),)), update, context)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (ids only, never text) and apologise to the learner; a button press is answered still,
    so the phone stops spinning (if it was answered already, Telegram refuses the second answer: no matter)."""
    update_id = update.update_id if isinstance(update, Update) else None
    user = update.effective_user if isinstance(update, Update) else None
    extra = {"learner": learner_ref(user.id)} if user is not None else {}
    logger.error("error while handling update %s", update_id, exc_info=context.error, extra=extra)
    if isinstance(update, Update) and update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    if isinstance(update, Update) and update.effective_chat is not None and update.effective_chat.type == "private":
        try:
            await send_reply(context.bot, update.effective_chat.id, texts.apology())
        except Exception:  # the apology is best effort: the error that matters is already logged
            logger.warning("could not send the apology for update %s", update_id)
