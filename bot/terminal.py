"""The terminal adapter: the same course, texts and store as on Telegram, as a line-by-line chat.

Buttons print as numbered options (`[1] A`); typing a number presses that button of the latest message
that has buttons. Commands are the same as on Telegram. Standard input is read line by line, so a session
can be scripted, and the chat ends cleanly at the end of input.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.content.markup import plain_text
from bot.conversation.chat import CourseChat, Who
from bot.conversation.replies import Button, Outcome, Reply
from bot.delivery.sending import Pacer
from bot.delivery.tick import TICK_INTERVAL, Ticker

TERMINAL_USER_ID = 1
FILES_FOLDER = Path("coursebot-files")  # where files the bot sends (certificates) are saved
SEPARATOR = "─" * 40

INTRO = (
    "coursebot in the terminal. Type /start to begin, /help for the commands, "
    "a number to press a button, and Ctrl-D (end of input) to leave."
)


class TerminalChat:
    """One learner at a keyboard."""

    def __init__(
        self, chat: CourseChat, output: TextIO, user_id: int = TERMINAL_USER_ID, files: Path = FILES_FOLDER
    ) -> None:
        self.chat = chat
        self.output = output
        self.files = files
        self.who = Who(user_id, user_id)
        self.buttons: tuple[Button, ...] = ()

    async def handle(self, line: str) -> None:
        """Act on one line of input."""
        line = line.strip()
        if not line:
            return
        if line.startswith("/"):
            command, _, argument = line.partition(" ")
            outcome = await self.chat.command(self.who, command[1:], argument)
        elif line.isdigit():
            index = int(line) - 1
            if not 0 <= index < len(self.buttons):
                self._say(f"(There is no button [{line}] on the latest message.)")
                return
            outcome = await self.chat.press(self.who, self.buttons[index].data)
        else:
            outcome = await self.chat.text(self.who, line)
        self.show(outcome)
        await self.chat.settle(outcome, sent=True)  # printed: a bite pulled with /next has reached the learner

    def show(self, outcome: Outcome) -> None:
        if outcome.delete:
            self._say(f"(On Telegram, {len(outcome.delete)} earlier messages would now be deleted.)")
        if outcome.delete_input:
            self._say("(On Telegram, your message would now be deleted.)")
        if outcome.notice:
            self._say(f"ⓘ {outcome.notice}")
        if outcome.edit is not None:
            # A terminal cannot change what it printed, so the changed message is printed again.
            self.buttons = ()
            self._print_reply(outcome.edit)
        for reply in outcome.replies:
            self._print_reply(reply)

    def _print_reply(self, reply: Reply) -> None:
        self._say(SEPARATOR)
        self._say(plain_text(reply.text))
        if reply.attachment is not None:
            self.files.mkdir(parents=True, exist_ok=True)
            path = self.files / reply.attachment.filename
            path.write_bytes(reply.attachment.content)
            self._say(f"📎 Saved {path}")
        if reply.buttons:
            self.buttons = tuple(button for row in reply.buttons for button in row)
            self._say("   ".join(f"[{number}] {button.label}" for number, button in enumerate(self.buttons, 1)))

    def _say(self, text: str) -> None:
        print(text, file=self.output, flush=True)

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        """The schedule's sender: a scheduled bite appears in the chat like any reply."""
        self._print_reply(reply)
        return None


class SpeedClock:
    """The real clock, running `speed` times faster from the moment it is made (for watching a schedule)."""

    def __init__(self, real_now: Callable[[], datetime], speed: float = 1.0) -> None:
        self.speed = speed
        self._start = real_now()
        self._started = time.monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._started) * self.speed)


async def run_terminal(
    chat: CourseChat,
    stdin: TextIO,
    stdout: TextIO,
    user_id: int = TERMINAL_USER_ID,
    *,
    speed: float | None = None,
) -> None:
    """Chat until the end of input, with the schedule's tick running beside it (`speed` times faster)."""
    terminal = TerminalChat(chat, stdout, user_id)
    print(INTRO, file=stdout, flush=True)
    ticking = None
    if speed is not None:
        ticker = Ticker(chat.course, chat.store, terminal, clock=chat.clock, pacer=Pacer(rate=1000.0))
        await ticker.start()
        ticking = asyncio.create_task(_tick_forever(ticker, TICK_INTERVAL.total_seconds() / speed))
    try:
        while True:
            # Read in a worker thread so the event loop stays free for the tick running beside the chat.
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            await terminal.handle(line)
    finally:
        if ticking is not None:
            ticking.cancel()
    print("Goodbye. Your progress is saved.", file=stdout, flush=True)


async def _tick_forever(ticker: Ticker, every_seconds: float) -> None:
    while True:
        await ticker.tick()
        await asyncio.sleep(max(every_seconds, 0.05))
