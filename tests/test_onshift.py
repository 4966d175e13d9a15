"""On shift in two taps, through the real Application and the Bot API stand-in on the real course: /now and its
four parts for the learner's region, "How to respond" as a command, the hotline (one tap to copy) above results
about calling, results that open in place with the card buttons and a way back, and an honest "nothing fits"."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Update

from bot.content import Course, load_course
from bot.conversation import texts
from bot.conversation.chat import CourseChat
from bot.settings import PROJECT_ROOT
from bot.store import Store
from bot.telegram.app import CourseApplication, build_application
from tests.conftest import FakeClock
from tests.standin import BotAPIState, Call, StandinRequest, callback_update, message_update

TOKEN = "123456:ONSHIFT"
NURSE = 6160


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


async def say(app: CourseApplication, text: str) -> None:
    await app.process_update(Update.de_json(message_update(NURSE, text), app.bot))


async def press(app: CourseApplication, state: BotAPIState, data: str, message: Call | None = None) -> None:
    target = message or state.sent_messages(NURSE)[-1]
    update = callback_update(NURSE, data, message_id=target.result["message_id"], message_text="...")
    state.observe_update(update)
    await app.process_update(Update.de_json(update, app.bot))


def buttons_of(call: Call) -> dict[str, str]:
    markup = call.params.get("reply_markup")
    assert isinstance(markup, dict)
    return {button["text"]: button["callback_data"] for row in markup["inline_keyboard"] for button in row}


def last(state: BotAPIState) -> Call:
    return state.sent_messages(NURSE)[-1]


async def in_region(app: CourseApplication, store: Store, region: str) -> None:
    await say(app, "/start")
    await store.learners.set_region(NURSE, region)


async def test_now_is_four_buttons_each_one_tap_from_its_answer(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await in_region(app, store, "UK")
    await say(app, "/now")
    menu = last(state)
    assert list(buttons_of(menu)) == ["What do I do now", "My hotline", "Get them alone", "Chart and code"]
    assert "Pin this message" in (menu.text or "")

    expected = {
        "What do I do now": "Privacy first",
        "My hotline": "Modern Slavery &amp; Exploitation Helpline: <code>08000 121 700</code>",
        "Get them alone": "We see every patient on their own",
        "Chart and code": "UK: there is no diagnosis code for trafficking",
    }
    for label, words in expected.items():
        await press(app, state, buttons_of(menu)[label], menu)
        card = last(state)
        assert card.method == "sendMessage", "a new message: a pinned /now stays the menu"
        assert words in str(card.params["text"]), label
    assert state.calls_of("editMessageText") == []


async def test_my_hotline_is_the_learners_region_with_every_number_ready_to_copy(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await in_region(app, store, "US")
    await press(app, state, "now:hotline")
    text = str(last(state).params["text"])
    assert "<code>1-888-373-7888</code>" in text
    assert "<code>233733</code>" in text
    assert "<code>711</code>" in text
    assert "In danger now: call <code>911</code>" in text

    await store.learners.set_region(NURSE, "IE")
    await press(app, state, "now:hotline")
    text = str(last(state).params["text"])
    assert "<code>1800 666 111</code>" in text
    assert "call <code>112</code> or <code>999</code>" in text


async def test_with_no_region_my_hotline_asks_which_then_shows_it(app: CourseApplication, state: BotAPIState) -> None:
    await say(app, "/now")  # not enrolled: look-ups work for anyone
    await press(app, state, buttons_of(last(state))["My hotline"])
    assert "Which region?" in (last(state).text or "")
    await press(app, state, buttons_of(last(state))["Canada"])
    assert "<code>1-833-900-1010</code>" in str(last(state).params["text"])


async def test_how_to_respond_has_a_command_of_its_own_and_both_are_in_the_menu(
    app: CourseApplication, state: BotAPIState
) -> None:
    await say(app, "/respond")
    assert "<b>How to respond</b>" in str(last(state).params["text"])
    names = [name for name, _ in texts.COMMANDS]
    assert {"now", "respond"} <= set(names)


async def test_the_learners_hotline_heads_results_about_calling_and_is_not_repeated_among_them(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await in_region(app, store, "CA")
    await say(app, "who do I call")

    reply = last(state)
    text = str(reply.params["text"])
    assert text.index("<code>1-833-900-1010</code>") < text.index("Best matches")
    assert "Hotline: Canada" not in " ".join(buttons_of(reply))
    assert not any("Hotlines by region" in label for label in buttons_of(reply))


async def test_with_no_region_results_about_calling_offer_the_hotlines_by_region(
    app: CourseApplication, state: BotAPIState
) -> None:
    await say(app, "who do I call")
    assert "📞 Hotlines by region" in buttons_of(last(state))


async def test_a_lesson_opened_from_search_has_the_card_buttons_and_the_way_back(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await in_region(app, store, "US")
    await say(app, "smuggling vs trafficking")
    results = last(state)
    listing = str(results.params["text"])
    [first, *_] = buttons_of(results)
    assert "Trafficking is not smuggling" in first

    await press(app, state, buttons_of(results)[first], results)
    opened = state.calls_of("editMessageText")[-1]
    assert opened.params["message_id"] == results.result["message_id"], "opened in place of the list"
    assert "Trafficking is not smuggling" in (opened.text or "")
    assert list(buttons_of(opened)) == ["How to respond", "Resources", "◂ Back to the results"]

    await press(app, state, buttons_of(opened)["◂ Back to the results"], results)
    back = state.calls_of("editMessageText")[-1]
    assert back.params["text"] == listing
    assert buttons_of(back) == buttons_of(results)


async def test_a_snippet_shows_the_bullet_that_matched(app: CourseApplication, state: BotAPIState) -> None:
    await say(app, "pesticide")
    assert "Physical signs: labor trafficking</b>: Pesticide exposure" in str(last(state).params["text"])


async def test_when_nothing_fits_the_reply_says_so_and_offers_the_menus(
    app: CourseApplication, state: BotAPIState
) -> None:
    await say(app, "cafeteria opening hours")
    reply = last(state)
    assert "I found nothing for that" in (reply.text or "")
    assert list(buttons_of(reply)) == ["On shift", "Indicators", "Document", "Resources"]


async def test_resources_from_a_card_shows_the_learners_own_region(
    app: CourseApplication, state: BotAPIState, store: Store
) -> None:
    await in_region(app, store, "AU")
    await say(app, "/indicators")
    await press(app, state, buttons_of(last(state))["Companion and control"])
    await press(app, state, buttons_of(last(state))["Resources"])
    assert "Triple Zero (000)" in (last(state).text or "")
    await press(app, state, buttons_of(last(state))["Other regions"])
    assert "Which region?" in (last(state).text or "")


async def test_results_from_an_older_index_are_out_of_date_not_wrong(
    app: CourseApplication, state: BotAPIState
) -> None:
    await say(app, "pesticide")
    stale = buttons_of(last(state))
    [data, *_] = stale.values()
    await press(app, state, data.replace(data.split(":")[1], "0000"))
    assert "out of date" in str(state.calls_of("answerCallbackQuery")[-1].params.get("text"))
