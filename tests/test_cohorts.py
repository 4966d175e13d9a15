"""Cohorts through the real Application and the Bot API stand-in, on a real SQLite file: joining by invite link
with consent, refusing, leaving, one cohort at a time, bad codes, the due date in /progress, /stats for a cohort's
owner only, and /forget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from telegram import Update

from bot.content import Course
from bot.conversation.certificate_chat import CertificateOptions
from bot.conversation.chat import CourseChat, Who
from bot.core import buttons
from bot.core import training_buttons as tb
from bot.store import Cohort, Store
from bot.telegram.app import CourseApplication, build_application
from tests.conftest import FakeClock
from tests.standin import BotAPIState, Call, StandinRequest, callback_update, message_update
from tests.test_certificates import SECRET, finish

TOKEN = "123456:COHORTS-token"
NURSE = 7001
OWNER = 9100  # owns the cohort; not a learner
ADMIN = 9200
STRANGER = 9300


@pytest.fixture
def state() -> BotAPIState:
    return BotAPIState()


@pytest.fixture
def chat(mini_course: Course, store: Store, clock: FakeClock) -> CourseChat:
    return CourseChat(
        mini_course, store, clock, certificates=CertificateOptions(secret=SECRET), admins=frozenset({ADMIN})
    )


@pytest.fixture
async def app(state: BotAPIState, chat: CourseChat) -> AsyncIterator[CourseApplication]:
    application = build_application(chat, TOKEN, request=StandinRequest(state))
    async with application:
        yield application


@pytest.fixture
async def cohort(store: Store, clock: FakeClock) -> Cohort:
    made = await store.cohorts.create("ED nurses 2026", clock.now, due_on=date(2026, 3, 20), owner_id=OWNER)
    assert made is not None
    return made


async def say(app: CourseApplication, text: str, user_id: int = NURSE) -> None:
    await app.process_update(Update.de_json(message_update(user_id, text), app.bot))


async def press(app: CourseApplication, state: BotAPIState, data: str, user_id: int = NURSE) -> None:
    last = state.sent_messages(user_id)[-1]
    update = callback_update(user_id, data, message_id=last.result["message_id"], message_text="...")
    state.observe_update(update)
    await app.process_update(Update.de_json(update, app.bot))


def buttons_of(call: Call) -> dict[str, str]:
    markup: Any = call.params.get("reply_markup") or {"inline_keyboard": []}
    return {button["text"]: button["callback_data"] for row in markup["inline_keyboard"] for button in row}


def texts_to(state: BotAPIState, user_id: int = NURSE) -> list[str]:
    return [call.text or "" for call in state.sent_messages(user_id)]


def test_codes_are_long_random_and_fit_a_start_link(cohort: Cohort) -> None:
    assert len(cohort.code) >= 22  # 128 random bits
    assert tb.is_code(cohort.code)
    assert len(f"/start {cohort.code}") < 64


async def test_an_invite_link_says_what_the_owner_sees_and_joining_needs_a_yes(
    app: CourseApplication, state: BotAPIState, store: Store, cohort: Cohort
) -> None:
    await say(app, f"/start {cohort.code}")

    welcome, invitation = state.sent_messages(NURSE)
    assert "You are enrolled" in (welcome.text or "")
    text = invitation.text or ""
    assert "ED nurses 2026" in text
    for words in ("whether you have finished the course, and when", "the name on your certificate", "never see"):
        assert words in text
    assert "Fri 20 March 2026" in text
    assert await store.cohorts.membership(NURSE) is None  # not before agreeing

    await press(app, state, buttons_of(invitation)["Join"])

    membership = await store.cohorts.membership(NURSE)
    assert membership is not None
    assert membership.cohort.name == "ED nurses 2026"
    assert "You have joined" in (state.calls_of("editMessageText")[-1].text or "")
    assert "Where are you?" in texts_to(state)[-1]  # then the schedule, as after any first /start


async def test_refusing_the_invitation_joins_nothing(
    app: CourseApplication, state: BotAPIState, store: Store, cohort: Cohort
) -> None:
    await say(app, f"/start {cohort.code}")
    await press(app, state, buttons_of(state.sent_messages(NURSE)[-1])["No, thanks"])

    assert await store.cohorts.membership(NURSE) is None
    assert "you have not joined" in (state.calls_of("editMessageText")[-1].text or "")
    assert await store.learners.learner(NURSE) is not None  # the course itself is theirs to take


@pytest.mark.parametrize("code", ["NoSuchCodeAtAll-12345", "short", "<script>", "a" * 80])
async def test_an_unknown_code_gets_a_clear_answer_and_enrols_nothing(
    app: CourseApplication, state: BotAPIState, store: Store, cohort: Cohort, code: str
) -> None:
    await say(app, f"/start {code}")

    [reply] = texts_to(state)
    assert "This invite link is not valid" in reply
    assert await store.learners.learner(NURSE) is None
    assert await store.cohorts.membership(NURSE) is None


async def test_a_closed_cohort_says_so_and_enrols_nothing_even_by_its_old_join_button(
    app: CourseApplication, state: BotAPIState, store: Store, cohort: Cohort, clock: FakeClock
) -> None:
    await say(app, f"/start {cohort.code}")
    join = buttons_of(state.sent_messages(NURSE)[-1])["Join"]
    assert await store.cohorts.close(cohort.id, clock.now)

    await press(app, state, join)
    assert await store.cohorts.membership(NURSE) is None
    assert "closed to new members" in (state.calls_of("editMessageText")[-1].text or "")

    await say(app, f"/start {cohort.code}", user_id=NURSE + 1)
    assert "closed to new members" in texts_to(state, NURSE + 1)[0]
    assert await store.learners.learner(NURSE + 1) is None


async def test_a_forged_join_button_without_the_code_joins_nothing(
    app: CourseApplication, state: BotAPIState, store: Store, cohort: Cohort
) -> None:
    await say(app, "/start")
    await press(app, state, tb.encode(tb.JoinCohort("A" * 22)))
    assert await store.cohorts.membership(NURSE) is None
    await press(app, state, f"coh:join:{cohort.id}")
    assert await store.cohorts.membership(NURSE) is None


async def test_a_learner_is_in_one_cohort_at_a_time(
    chat: CourseChat, store: Store, cohort: Cohort, clock: FakeClock
) -> None:
    other = await store.cohorts.create("Night shift", clock.now, due_on=None, owner_id=None)
    assert other is not None
    who = Who(NURSE, NURSE)
    await chat.start(who, cohort.code)
    await chat.press(who, tb.encode(tb.JoinCohort(cohort.code)))

    moved = await chat.start(who, other.code)
    assert "You are in **ED nurses 2026** now" in moved.replies[-1].text
    await chat.press(who, tb.encode(tb.JoinCohort(other.code)))

    membership = await store.cohorts.membership(NURSE)
    assert membership is not None
    assert membership.cohort.id == other.id
    assert await store.cohorts.members(cohort.id) == {}
    again = await chat.start(who, other.code)
    assert "You are already in" in again.replies[-1].text


async def test_leaving_from_the_settings_menu_after_a_confirmation(
    app: CourseApplication, state: BotAPIState, store: Store, cohort: Cohort
) -> None:
    await say(app, f"/start {cohort.code}")
    await press(app, state, buttons_of(state.sent_messages(NURSE)[1])["Join"])
    await press(app, state, "set:region:uk!")
    await press(app, state, "set:tz:Europe/London")
    await say(app, "/settings")
    menu = state.sent_messages(NURSE)[-1]
    assert "Leave cohort" in buttons_of(menu)

    await press(app, state, buttons_of(menu)["Leave cohort"])
    confirm = state.sent_messages(NURSE)[-1]
    assert "Leave **ED nurses 2026**" not in (confirm.text or "")  # markup is rendered
    assert "ED nurses 2026" in (confirm.text or "")
    await press(app, state, buttons_of(confirm)["Stay"])
    assert await store.cohorts.membership(NURSE) is not None
    await press(app, state, buttons_of(confirm)["Leave"])

    assert await store.cohorts.membership(NURSE) is None
    assert "You have left" in (state.calls_of("editMessageText")[-1].text or "")
    await say(app, "/settings")
    assert "Leave cohort" not in buttons_of(state.sent_messages(NURSE)[-1])


async def test_progress_shows_the_due_date(chat: CourseChat, cohort: Cohort) -> None:
    who = Who(NURSE, NURSE)
    await chat.start(who, cohort.code)
    before = await chat.command(who, "progress")
    assert "Due for" not in before.replies[0].text
    await chat.press(who, tb.encode(tb.JoinCohort(cohort.code)))

    shown = (await chat.command(who, "progress")).replies[0].text
    assert "📅 Due for ED nurses 2026: Fri 20 March 2026 (in 18 days)." in shown


async def join_and_finish(chat: CourseChat, cohort: Cohort, user_id: int, name: str | None) -> None:
    who = Who(user_id, user_id)
    await chat.start(who, cohort.code)
    await chat.press(who, tb.encode(tb.JoinCohort(cohort.code)))
    await finish(chat, who, {"one-question-a": 1, "two-question-a": 0})
    if name is not None:
        await chat.command(who, "certificate")
        await chat.text(who, name)
        await chat.press(who, buttons.encode(buttons.CertificateConfirm()))


async def test_the_owner_sees_their_cohort_only_and_never_answers(
    chat: CourseChat, store: Store, cohort: Cohort, clock: FakeClock
) -> None:
    for number in range(5):
        await join_and_finish(chat, cohort, 100 + number, f"Member {number}" if number < 3 else None)
    outsider = await store.cohorts.create("Elsewhere", clock.now, due_on=None, owner_id=STRANGER)
    assert outsider is not None
    await join_and_finish(chat, outsider, 300, "Not In Your Cohort")
    await chat.start(Who(400, 400))  # a learner in no cohort

    report = "\n".join(reply.text for reply in (await chat.command(Who(OWNER, OWNER), "stats")).replies)

    assert 'Cohort "ED nurses 2026"' in report
    assert "Members: 5; finished the course: 5" in report
    assert "Certificates issued to members (3):" in report
    assert "Member 0" in report
    assert "(no name printed)" not in report  # the two without a certificate are not listed
    assert "Not In Your Cohort" not in report
    assert "Learners enrolled: 5" in report  # the course statistics of its members only
    assert "one-question-a" in report  # item difficulty, for 5 or more
    same = await chat.command(Who(OWNER, OWNER), "stats", "ed NURSES 2026")
    assert "\n".join(reply.text for reply in same.replies) == report


async def test_a_stranger_or_another_owner_gets_nothing_about_a_cohort(
    chat: CourseChat, store: Store, cohort: Cohort, clock: FakeClock
) -> None:
    other = await store.cohorts.create("Elsewhere", clock.now, due_on=None, owner_id=STRANGER)
    assert other is not None
    refused = "I don't know the command /stats"
    assert refused in (await chat.command(Who(STRANGER, STRANGER), "stats", cohort.name)).replies[0].text
    assert refused in (await chat.command(Who(NURSE, NURSE), "stats")).replies[0].text
    assert refused in (await chat.command(Who(OWNER, OWNER), "stats", "Elsewhere")).replies[0].text
    assert refused in (await chat.command(Who(OWNER, OWNER), "stats", "No such cohort")).replies[0].text
    admin = await chat.command(Who(ADMIN, ADMIN), "stats", cohort.name)
    assert 'Cohort "ED nurses 2026"' in admin.replies[0].text
    assert "Course statistics" in (await chat.command(Who(ADMIN, ADMIN), "stats")).replies[0].text


async def test_small_cohorts_withhold_their_figures(chat: CourseChat, cohort: Cohort) -> None:
    await join_and_finish(chat, cohort, 100, "Only Member")
    report = "\n".join(reply.text for reply in (await chat.command(Who(OWNER, OWNER), "stats")).replies)
    assert "Members: <5; finished the course: <5" in report
    assert "Only Member" in report  # what the member agreed the owner would see
    assert "one-question-a: <5; withheld" in report


async def test_forget_removes_the_membership(
    app: CourseApplication, state: BotAPIState, store: Store, cohort: Cohort
) -> None:
    await say(app, f"/start {cohort.code}")
    await press(app, state, buttons_of(state.sent_messages(NURSE)[1])["Join"])
    assert await store.cohorts.members(cohort.id) != {}
    await say(app, "/mydata")
    assert "Cohort: you joined one." in "\n".join(texts_to(state))

    await say(app, "/forget")
    await press(app, state, "forget:yes")

    assert await store.cohorts.members(cohort.id) == {}
    everything = await store.privacy.everything_about(NURSE)
    assert all(rows == [] for rows in everything.values())
    assert (await store.cohorts.named(cohort.name)) is not None  # the cohort itself stays for its other members
