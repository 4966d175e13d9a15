"""A bare python-telegram-bot echo bot: the baseline the benches hold coursebot against.

Run as a process (`python -m bench.echo_bot`) it long-polls `TELEGRAM_BASE_URL` like `coursebot run` does, so
their idle memory compares like for like. `build_echo` gives the same bot for in-process benches; with
`like_coursebot=True` it makes the Bot API calls coursebot makes for the same updates (it answers a button
press and edits the message it came from), so a ratio against it measures only coursebot's own work.
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
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    if query.message is not None:
        await query.edit_message_text(f"You pressed {query.data}")


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
