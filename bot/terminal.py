"""The terminal adapter: the same course, texts and store as on Telegram, as a line-by-line chat.

Buttons print as numbered options (`[1] A`); typing a number presses that button of the latest message
that has buttons. Commands are the same as on Telegram. Standard input is read line by line, so a session
can be scripted, and the chat ends cleanly at the end of input.
"""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.chat import CourseChat, Who
from bot.markup import plain_text
from bot.replies import Button, Outcome, Reply

TERMINAL_USER_ID = 1
SEPARATOR = "─" * 40

INTRO = (
    "coursebot in the terminal. Type /start to begin, /help for the commands, "
    "a number to press a button, and Ctrl-D (end of input) to leave."
)


class TerminalChat:
    """One learner at a keyboard."""

    def __init__(self, chat: CourseChat, output: TextIO, user_id: int = TERMINAL_USER_ID) -> None:
        self.chat = chat
        self.output = output
        self.who = Who(user_id, user_id)
        self.buttons: tuple[Button, ...] = ()

    async def handle(self, line: str) -> None:
        """Act on one line of input."""
        line = line.strip()
        if not line:
            return
        if line.startswith("/"):
            name = line[1:].split(maxsplit=1)[0] if len(line) > 1 else ""
            outcome = await self.chat.command(self.who, name)
        elif line.isdigit():
            index = int(line) - 1
            if not 0 <= index < len(self.buttons):
                self._say(f"(There is no button [{line}] on the latest message.)")
                return
            outcome = await self.chat.press(self.who, self.buttons[index].data)
        else:
            outcome = await self.chat.text(self.who)
        self.show(outcome)

    def show(self, outcome: Outcome) -> None:
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
        if reply.buttons:
            self.buttons = tuple(button for row in reply.buttons for button in row)
            self._say("   ".join(f"[{number}] {button.label}" for number, button in enumerate(self.buttons, 1)))

    def _say(self, text: str) -> None:
        print(text, file=self.output, flush=True)


async def run_terminal(chat: CourseChat, stdin: TextIO, stdout: TextIO, user_id: int = TERMINAL_USER_ID) -> None:
    """Chat until the end of input."""
    terminal = TerminalChat(chat, stdout, user_id)
    print(INTRO, file=stdout, flush=True)
    while True:
        # Read in a worker thread so the event loop stays free for anything else running beside the chat.
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        await terminal.handle(line)
    print("Goodbye. Your progress is saved.", file=stdout, flush=True)
