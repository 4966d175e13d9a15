"""A bare python-telegram-bot echo bot: the baseline the benches hold coursebot against.

Run as a process (`python -m bench.echo_bot`) it long-polls `TELEGRAM_BASE_URL` like `coursebot run` does, so
their idle memory compares like for like. `build_echo` gives the same bot for in-process benches; with
the Bot API calls coursebot makes for the same updates (a reply to each text; for a button press, the answer to
the press, an edit of its message and a message of feedback), so a ratio against it measures only coursebot's
own work.
"""

from __future__ import annotations

import os
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


async def _press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What coursebot does for an answer, in Bot API calls: answer the press, edit its message, send feedback."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    if query.message is not None:
        await query.edit_message_text(f"You pressed {query.data}")
        await context.bot.send_message(query.message.chat.id, "Feedback")


def build_echo(builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any]) -> Application[Any, Any, Any, Any, Any, Any]:
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    application.add_handler(CallbackQueryHandler(_press))
    return application


def main() -> None:
    builder = Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"])
    base_url = os.environ.get("TELEGRAM_BASE_URL")
    if base_url:
        builder = builder.base_url(base_url)
    build_echo(builder).run_polling()


if __name__ == "__main__":
    main()
