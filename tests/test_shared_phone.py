"""Private on a shared phone, through the real Application and the Bot API stand-in: /hide clears the learner's
messages as well as the bot's, patient details and photos are deleted at once, discreet mode sends a teaser and
protects every course message, and /forget can clear the chat first and never re-enrols anyone silently."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.content import Course, load_course
from bot.conversation.chat import CourseChat, Who
from bot.delivery.sending import Pacer
from bot.delivery.tick import Ticker
from bot.settings import PROJECT_ROOT
from bot.store import Store
from bot.telegram.app import CourseApplication, TelegramSender, build_application
from scheduler.windows import Preferences
from tests.conftest import FakeClock
from tests.standin import BotAPIState, Call, StandinRequest, callback_update, message_update, photo_update

TOKEN = "123456:SHARED"
NURSE = 5150


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(PROJECT_ROOT / "content")


@pytest.fixture
def state() -> BotAPIState:
    return BotAPIState()


@pytest.fixture
async def app(state: BotAPIState, course: Course, store: Store, clock: FakeClock) -> AsyncIterator[CourseApplication]:
    application = build_application(CourseChat(course, store, clock), TOKEN, request=StandinRequest(state))
    async with application:
        yield application


class Phone:
    """The learner's side of the chat. In a private chat the learner's messages and the bot's share one sequence
    of ids, as in Telegram, so each message typed here takes the next id after everything before it."""

    def __init__(self, app: CourseApplication, state: BotAPIState) -> None:
        self.app, self.state = app, state
        self.typed: list[int] = []

    def next_id(self) -> int:
        seen = [int(call.result["message_id"]) for call in self.state.sent_messages(NURSE)]
        number = max([*seen, *self.typed, 999]) + 1
        self.typed.append(number)
        return number

    async def feed(self, update: dict[str, Any]) -> int:
        """Deliver an update as Telegram would (the stand-in sees the learner's message too); its message id."""
        self.state.observe_update(update)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return int((update.get("message") or {}).get("message_id", 0))


@pytest.fixture
def phone(app: CourseApplication, state: BotAPIState) -> Phone:
    return Phone(app, state)


async def say(phone: Phone, text: str) -> int:
    return await phone.feed(message_update(NURSE, text, message_id=phone.next_id()))


async def press(phone: Phone, data: str, message: Call | None = None) -> None:
    target = message or phone.state.sent_messages(NURSE)[-1]
    await phone.feed(callback_update(NURSE, data, message_id=target.result["message_id"], message_text="..."))


def bot_ids(state: BotAPIState) -> list[int]:
    return [call.result["message_id"] for call in state.sent_messages(NURSE)]


def deleted_ids(call: Call) -> list[int]:
    ids = call.params["message_ids"]
    assert isinstance(ids, list)
    return [int(message_id) for message_id in ids]


def buttons_of(call: Call) -> dict[str, str]:
    markup = call.params.get("reply_markup")
    assert isinstance(markup, dict)
    return {button["text"]: button["callback_data"] for row in markup["inline_keyboard"] for button in row}


async def test_hide_deletes_the_learners_messages_and_the_bots_from_the_last_48_hours_and_says_what_stays(
    app: CourseApplication, state: BotAPIState, phone: Phone, clock: FakeClock
) -> None:
    old_typed = await say(phone, "/start")
    old_sent = bot_ids(state)
    clock.advance(hours=49)
    typed = [await say(phone, "/next"), await say(phone, "signs of labor trafficking")]
    sent = bot_ids(state)[len(old_sent) :]
    hide = await say(phone, "/hide")

    [deleted] = state.calls_of("deleteMessages")
    assert sorted(deleted_ids(deleted)) == sorted([*typed, *sent, hide])
    assert old_typed not in deleted_ids(deleted)
    assert not set(old_sent) & set(deleted_ids(deleted))
    assert deleted.ok
    assert all(state.message(NURSE, message_id) is None for message_id in [*typed, *sent])
    report = state.sent_messages(NURSE)[-1].text or ""
    assert f"I deleted {len(typed) + len(sent) + 1} messages from the last 48 hours, yours and mine" in report
    assert "Anything older than 48 hours stays" in report


async def test_hide_twice_deletes_only_what_came_since(
    app: CourseApplication, state: BotAPIState, phone: Phone
) -> None:
    await say(phone, "/start")
    await say(phone, "/hide")
    report = state.sent_messages(NURSE)[-1].result["message_id"]
    again = await say(phone, "/hide")

    first, second = state.calls_of("deleteMessages")
    assert sorted(deleted_ids(second)) == sorted([report, again])
    assert not set(deleted_ids(first)) & set(deleted_ids(second))
    assert "Nothing older remains" in (state.sent_messages(NURSE)[-1].text or "")


async def test_a_message_the_guard_flags_is_deleted_at_once_and_the_reply_says_so(
    app: CourseApplication, state: BotAPIState, phone: Phone, store: Store
) -> None:
    await say(phone, "/start")
    flagged = await say(phone, "Maria, 16, came in with her boyfriend")

    [deleted] = state.calls_of("deleteMessages")
    assert deleted_ids(deleted) == [flagged]
    assert state.message(NURSE, flagged) is None
    assert "I deleted your message" in (state.sent_messages(NURSE)[-1].text or "")
    assert "Maria" not in str(await store.privacy.everything_about(NURSE))


async def test_the_hotline_numbers_the_course_teaches_are_searched_not_flagged(
    app: CourseApplication, state: BotAPIState, phone: Phone
) -> None:
    await say(phone, "is 1-888-373-7888 the right number?")

    assert state.calls_of("deleteMessages") == []
    assert "looked like patient details" not in (state.sent_messages(NURSE)[-1].text or "")


async def test_a_photo_is_deleted_and_the_learner_reminded_the_course_never_needs_images_of_patients(
    app: CourseApplication, state: BotAPIState, phone: Phone
) -> None:
    photo = await phone.feed(photo_update(NURSE, caption="her bruises", message_id=phone.next_id()))

    [deleted] = state.calls_of("deleteMessages")
    assert deleted_ids(deleted) == [photo]
    assert "never needs images of patients" in (state.sent_messages(NURSE)[-1].text or "")


async def enrol_due(app: CourseApplication, store: Store, clock: FakeClock, state: BotAPIState) -> Ticker:
    chat: CourseChat = app.bot_data["course_chat"]
    await chat.start(Who(NURSE, NURSE))
    state.observe_update(message_update(NURSE, "/start"))
    await store.learners.save_preferences(NURSE, Preferences(timezone="UTC"), clock.now)
    return Ticker(chat.course, store, TelegramSender(app.bot), clock=clock, pacer=Pacer(1000))


async def test_in_discreet_mode_a_scheduled_bite_is_a_protected_teaser_and_the_bite_comes_only_on_open(
    app: CourseApplication, state: BotAPIState, phone: Phone, store: Store, clock: FakeClock
) -> None:
    ticker = await enrol_due(app, store, clock, state)
    await ticker.tick()

    [teaser] = state.sent_messages(NURSE)
    assert teaser.text == "Your 2-minute refresher is ready."
    assert teaser.params.get("protect_content") is True
    assert list(buttons_of(teaser)) == ["Open ▸", "Later ⏰"]
    await press(phone, buttons_of(teaser)["Open ▸"], teaser)

    [opened] = state.calls_of("editMessageText")
    assert opened.params["message_id"] == teaser.result["message_id"]
    assert "Welcome to the course" in (opened.text or "")
    assert "Later ⏰" in buttons_of(opened)
    assert len(state.sent_messages(NURSE)) == 1, "the bite replaced the teaser, nothing new was sent"


async def test_with_discreet_mode_off_the_bite_comes_in_full_and_unprotected(
    app: CourseApplication, state: BotAPIState, phone: Phone, store: Store, clock: FakeClock
) -> None:
    ticker = await enrol_due(app, store, clock, state)
    await store.learners.set_discreet(NURSE, False)
    await ticker.tick()

    [bite] = state.sent_messages(NURSE)
    assert "Welcome to the course" in (bite.text or "")
    assert not bite.params.get("protect_content")


async def test_in_discreet_mode_pulled_bites_and_their_feedback_are_protected_too(
    app: CourseApplication, state: BotAPIState, phone: Phone, store: Store
) -> None:
    await say(phone, "/start")
    for _ in range(4):
        await say(phone, "/next")
    await say(phone, "/now")

    assert all(call.params.get("protect_content") is True for call in state.sent_messages(NURSE))
    await store.learners.set_discreet(NURSE, False)
    await say(phone, "/next")
    assert not state.sent_messages(NURSE)[-1].params.get("protect_content")


async def test_forget_offers_to_clear_the_chat_first_and_then_erases_everything(
    app: CourseApplication, state: BotAPIState, phone: Phone, store: Store
) -> None:
    await say(phone, "/start")
    typed = await say(phone, "/next")
    forget = await say(phone, "/forget")
    question = state.sent_messages(NURSE)[-1]
    assert "Clear the chat, then erase" in buttons_of(question)

    await press(phone, buttons_of(question)["Clear the chat, then erase"], question)

    [deleted] = state.calls_of("deleteMessages")
    assert {typed, forget} <= set(deleted_ids(deleted))
    assert question.result["message_id"] not in deleted_ids(deleted), "it is edited to say what was done"
    assert "I erased everything I kept about you and cleared" in (state.calls_of("editMessageText")[-1].text or "")
    assert all(rows == [] for rows in (await store.privacy.everything_about(NURSE)).values())


async def test_after_forget_next_and_a_stale_button_say_what_happened_and_never_re_enrol(
    app: CourseApplication, state: BotAPIState, phone: Phone, store: Store
) -> None:
    await say(phone, "/start")
    await say(phone, "/next")  # the knowledge check before the course is offered, once
    await say(phone, "/next")  # and not taken: the first lesson
    lesson = state.sent_messages(NURSE)[-1]
    await say(phone, "/forget")
    await press(phone, "forget:yes")

    await say(phone, "/next")
    assert "If you used /forget, everything was erased" in (state.sent_messages(NURSE)[-1].text or "")
    await press(phone, buttons_of(lesson)["Next ▶"], lesson)
    assert "/start" in (state.sent_messages(NURSE)[-1].text or "")
    assert await store.learners.learner(NURSE) is None
