"""A Reply as Telegram messages: its text cut to Telegram's limits, its buttons as an inline keyboard, its file
as a document."""

from __future__ import annotations

import functools
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message
from telegram.constants import ParseMode

from bot.conversation.replies import Button, Reply
from bot.telegram.limiter import PACED
from bot.telegram.splitting import CAPTION_LIMIT, TEXT_LIMIT, split_html

# Every text the bot sends is Telegram HTML, and never shows a link's preview (a preview fetches the page, and
# shows on the phone's screen). Passed with each call rather than as PTB's Defaults: with Defaults set, PTB
# looks through every parameter of every call for values to fill in, on the busiest path of all.
HTML = ParseMode.HTML
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def markup_of(reply: Reply) -> InlineKeyboardMarkup | None:
    return _keyboard(reply.buttons) if reply.buttons else None


@functools.lru_cache(maxsize=256)
def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    """Keyboards repeat (everyone sent a bite gets its buttons, every answer to a question the same ones), and
    building PTB's objects costs more than the rest of a reply; they are immutable once built, so one is shared."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.label, callback_data=button.data) for button in row] for row in rows]
    )


async def send_reply(
    bot: Any, chat_id: int, reply: Reply, *, paced: bool = False, discreet: bool = False
) -> list[Message]:
    """Send one Reply as Telegram HTML: a message (several, if it is too long for one), or a document with the
    text as its caption; the buttons go with the last. `paced`: the caller has taken this message's turn.
    `discreet`: the learner is in discreet mode, so a course message is protected from forwarding and saving
    (a file they asked for to keep, their certificate or their data, is not)."""
    limits = {"rate_limit_args": PACED} if paced else {}
    protect = reply.protect or (discreet and reply.attachment is None)
    first_limit = CAPTION_LIMIT if reply.attachment is not None else TEXT_LIMIT
    parts = split_html(reply.text, TEXT_LIMIT, first_limit, keep=reply.shared)
    sent: list[Message] = []
    for index, part in enumerate(parts):
        markup = markup_of(reply) if index == len(parts) - 1 else None
        if index == 0 and reply.attachment is not None:
            document = InputFile(reply.attachment.content, filename=reply.attachment.filename)
            sent.append(
                await bot.send_document(
                    chat_id,
                    document,
                    caption=part,
                    parse_mode=HTML,
                    reply_markup=markup,
                    protect_content=protect,
                    **limits,
                )
            )
        else:
            sent.append(
                await bot.send_message(
                    chat_id,
                    part,
                    parse_mode=HTML,
                    link_preview_options=NO_PREVIEW,
                    reply_markup=markup,
                    protect_content=protect,
                    **limits,
                )
            )
    return sent
