"""Look-ups and privacy through the real Application, on the real course and a real SQLite file."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Update

from bot.content import Course, load_course
from bot.conversation.chat import CourseChat
from bot.settings import PROJECT_ROOT
from bot.store import Store
from bot.telegram.app import CourseApplication, build_application
from tests.conftest import FakeClock
from tests.standin import BotAPIState, Call, StandinRequest, UploadedFile, callback_update, message_update

TOKEN = "123456:LOOKUPS"
NURSE = 424242424242  # six bytes as an integer: easy to look for in the raw database file


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


async def say(app: CourseApplication, text: str, user_id: int = NURSE) -> None:
    await app.process_update(Update.de_json(message_update(user_id, text), app.bot))


async def press(app: CourseApplication, state: BotAPIState, data: str, user_id: int = NURSE) -> None:
    last = state.sent_messages(user_id)[-1]
    update = callback_update(user_id, data, message_id=last.result["message_id"], message_text="...")
    state.observe_update(update)
    await app.process_update(Update.de_json(update, app.bot))


def buttons_of(call: Call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup")
    assert isinstance(markup, dict)
    return [(button["text"], button["callback_data"]) for row in markup["inline_keyboard"] for button in row]


def last_text(state: BotAPIState, user_id: int = NURSE) -> str:
    return state.sent_messages(user_id)[-1].text or ""


async def test_indicators_is_a_menu_of_cards_each_ending_with_respond_and_resources(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await say(app, "/indicators")  # not enrolled: look-ups work for anyone

    menu = state.sent_messages(NURSE)[-1]
    labels = [label for label, _ in buttons_of(menu)]
    assert len(labels) == 8
    assert "Companion and control" in labels
    await press(app, state, dict(buttons_of(menu))["Physical signs: labor trafficking"])
    card = state.sent_messages(NURSE)[-1]
    assert "Physical signs: labor trafficking" in (card.text or "")
    assert [label for label, _ in buttons_of(card)] == ["How to respond", "Resources"]
    await press(app, state, buttons_of(card)[0][1])
    assert "How to respond" in last_text(state)
    assert await store.learners.learner(NURSE) is None


async def test_document_cards_are_the_learners_regions_and_say_to_follow_local_protocol(
    app: CourseApplication, state: BotAPIState, course: Course
) -> None:
    await say(app, "/document")  # not enrolled: no region yet, so the international cards
    menu = state.sent_messages(NURSE)[-1]
    expected = {card.title for card in course.cards if card.group == "documentation" and card.region in (None, "INTL")}
    assert {label for label, _ in buttons_of(menu)} == expected
    assert not any("(US)" in label for label, _ in buttons_of(menu))
    for _, data in buttons_of(menu):
        await press(app, state, data)
        assert "local protocol" in last_text(state)


async def test_resources_use_the_region_chosen_at_onboarding(app: CourseApplication, state: BotAPIState) -> None:
    await say(app, "/resources")
    assert "Which region?" in last_text(state)
    await press(app, state, "res:UK")
    assert "08000 121 700" in last_text(state)
    text = last_text(state)
    assert text.index("immediate danger") < text.index("08000 121 700")

    await say(app, "/start")
    await press(app, state, "set:region:ca!")
    await say(app, "/resources")
    assert "1-833-900-1010" in last_text(state)


async def test_free_text_finds_three_matches_as_buttons_and_is_never_logged(
    app: CourseApplication, state: BotAPIState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await say(app, "what do I do about the patient portal and the AVS?")

    reply = state.sent_messages(NURSE)[-1]
    assert "Best matches" in (reply.text or "")
    assert len(buttons_of(reply)) == 3
    assert any("Protect the record" in label for label, _ in buttons_of(reply))
    assert "portal and the AVS" not in "\n".join(record.getMessage() for record in caplog.records)


async def test_patient_details_are_not_searched_and_a_reminder_is_given(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await say(app, "/start")
    await say(app, "Maria Lopez DOB 03/07/1990 MRN 5523411 has bruises")

    assert "looked like patient details" in last_text(state)
    everything = await store.privacy.everything_about(NURSE)
    assert "Maria" not in str(everything)


async def test_privacy_says_what_is_kept_and_what_is_not(app: CourseApplication, state: BotAPIState) -> None:
    await say(app, "/privacy")
    text = last_text(state)
    for words in ("user id", "chat id", "settings", "progress", "never keep", "patients", "/forget", "365 days"):
        assert words in text


async def test_mydata_is_a_short_summary_and_every_row_as_a_json_file(
    app: CourseApplication, state: BotAPIState
) -> None:
    await say(app, "/start")
    await say(app, "/next")  # the knowledge check before the course is offered, once
    await say(app, "/next")  # and not taken: the first lesson
    await say(app, "/mydata")

    summary, data = state.sent_messages(NURSE)[-2:]
    assert "What I keep about you" in (summary.text or "")
    assert "Lessons and questions received: 1 (0 sent on your schedule, the rest asked for)." in (summary.text or "")
    assert "Certificate: none yet." in (summary.text or "")
    assert "Knowledge checks: pre offered." in (summary.text or "")
    assert data.method == "sendDocument"
    upload = data.params["document"]
    assert isinstance(upload, UploadedFile)
    assert upload.filename == "coursebot-my-data.json"
    rows = json.loads(upload.content)
    assert rows["learners"][0]["user_id"] == NURSE
    assert [row["item_id"] for row in rows["deliveries"]] == ["l1-welcome"]
    assert rows["checks"] == [{"user_id": NURSE, "phase": "pre", "status": "offered"}]
    assert not data.params.get("protect_content"), "the learner can keep their own data"


async def test_forget_after_confirmation_leaves_nothing_of_the_learner_in_the_file(
    app: CourseApplication, state: BotAPIState, store: Store, course: Course
) -> None:
    await say(app, "/start")
    for _ in range(3):
        await say(app, "/next")
    await say(app, "/hide")
    await say(app, "/forget")
    assert "Erase everything?" in last_text(state)
    await store.checkpoint()  # the rows are in the database file itself, as after any checkpoint
    assert NURSE.to_bytes(6, "big") in store.path.read_bytes()

    await press(app, state, "forget:yes")

    assert "I erased everything I kept about you" in (state.calls_of("editMessageText")[-1].text or "")
    everything = await store.privacy.everything_about(NURSE)
    assert all(rows == [] for rows in everything.values())
    needle = NURSE.to_bytes(6, "big")
    for path in (store.path, Path(f"{store.path}-wal")):
        if path.exists():
            assert needle not in path.read_bytes(), path


async def test_forget_can_be_declined(app: CourseApplication, state: BotAPIState, store: Store) -> None:
    await say(app, "/start")
    await say(app, "/forget")
    await press(app, state, "forget:no")
    assert await store.learners.learner(NURSE) is not None


async def test_inactive_learners_are_erased_after_the_retention_period(store: Store, clock: FakeClock) -> None:
    await store.learners.enrol(1, 1, clock.now - timedelta(days=400))
    await store.learners.enrol(2, 2, clock.now - timedelta(days=400))
    await store.progress.record_pull(2, "l1-welcome", clock.now - timedelta(days=10), clock.now.date())
    await store.learners.enrol(3, 3, clock.now - timedelta(days=10))

    erased = await store.privacy.forget_inactive(clock.now - timedelta(days=365))

    assert erased == 1
    assert [await store.learners.learner(user) is None for user in (1, 2, 3)] == [True, False, False]
