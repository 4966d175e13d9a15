"""The learner's journey through time, through the real Application, the tick and the Bot API stand-in: prompts
that let go, one clear start, reading as engagement, a way back after a pause, and no live stale buttons."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from bot.conversation.chat import Who
from bot.store import Store
from tests.standin import Call
from tests.test_schedule_tick import Rig, enrol_with_schedule, later_button, rig, tick_hourly

__all__ = ["rig"]  # the fixture, shared with the tick tests

LEARNER = 7


def keyboard(call: Call) -> list[list[dict[str, str]]]:
    markup = call.params.get("reply_markup")
    return markup["inline_keyboard"] if isinstance(markup, dict) else []


def button(call: Call, label: str) -> str:
    return next(b["callback_data"] for row in keyboard(call) for b in row if b["text"].startswith(label))


def last_text(rig: Rig) -> str:
    return rig.sent_to(LEARNER)[-1].text or ""


def has_buttons(rig: Rig, call: Call) -> bool:
    message = rig.state.message(LEARNER, call.result["message_id"])
    assert message is not None
    return bool(message.get("reply_markup", {}).get("inline_keyboard"))


# --- prompts that let go -------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["tz", "time", "days", "quiet"])
async def test_each_typing_prompt_can_be_cancelled_and_then_typing_is_a_search(rig: Rig, what: str) -> None:
    await enrol_with_schedule(rig, LEARNER)
    await rig.say(LEARNER, "/settings")
    await rig.press(LEARNER, f"set:type:{what}", rig.sent_to(LEARNER)[-1])
    prompt = rig.sent_to(LEARNER)[-1]
    assert "✍️" in (prompt.text or "")

    await rig.press(LEARNER, button(prompt, "Cancel"), prompt)

    assert await rig.store.learners.awaiting(LEARNER) is None
    await rig.say(LEARNER, "look for alpha")
    assert "Best matches" in last_text(rig)


@pytest.mark.parametrize(("what", "typed"), [("tz", "Kolkata"), ("time", "7:45"), ("days", "M W F"), ("quiet", "off")])
async def test_each_typing_prompt_expires_after_a_few_minutes(rig: Rig, store: Store, what: str, typed: str) -> None:
    await enrol_with_schedule(rig, LEARNER)
    before = await store.learners.schedule(LEARNER)
    await rig.say(LEARNER, "/settings")
    await rig.press(LEARNER, f"set:type:{what}", rig.sent_to(LEARNER)[-1])
    rig.clock.advance(minutes=11)

    await rig.say(LEARNER, typed)

    assert "Schedule saved" not in last_text(rig)
    assert await store.learners.awaiting(LEARNER) is None
    assert await store.learners.schedule(LEARNER) == before


async def test_a_look_up_typed_during_a_prompt_is_answered_and_the_prompt_waits(rig: Rig, store: Store) -> None:
    await rig.say(LEARNER, "/start")
    await rig.press(LEARNER, "set:type:tz!", rig.sent_to(LEARNER)[-1])

    await rig.say(LEARNER, "look for alpha")
    search, reminder = rig.sent_to(LEARNER)[-2:]
    assert "Best matches" in (search.text or "")
    assert "still waiting for your time zone" in (reminder.text or "")
    assert keyboard(reminder) == [[{"text": "Cancel", "callback_data": "set:cancel:"}]]

    await rig.say(LEARNER, "/progress")  # a command is a command, prompt or not
    assert "Your progress" in last_text(rig)
    await rig.say(LEARNER, "Kolkata")
    assert "Time zone: Asia/Kolkata" in last_text(rig)
    assert (await store.learners.draft(LEARNER) or object()).timezone == "Asia/Kolkata"  # type: ignore[attr-defined]


# --- one clear start -----------------------------------------------------------------------------


async def test_one_start_message_with_skip_then_one_invitation_after_the_first_lesson(rig: Rig) -> None:
    await rig.say(LEARNER, "/start")
    [first] = rig.sent_to(LEARNER)
    assert "Welcome" in (first.text or "")
    assert "Where are you?" in (first.text or "")
    await rig.press(LEARNER, button(first, "Skip"), first)
    await rig.say(LEARNER, "/next")
    assert "First lesson" in last_text(rig)

    rig.clock.advance(minutes=5)
    await rig.ticker.tick()
    assert "Would set times suit you?" in last_text(rig)
    for _ in range(3):
        await rig.say(LEARNER, "/next")
    await tick_hourly(rig, days=3)
    invitations = [call for call in rig.sent_to(LEARNER) if "Would set times suit you?" in (call.text or "")]
    assert len(invitations) == 1

    await rig.press(LEARNER, button(invitations[0], "Set a time"), invitations[0])
    assert "Where are you?" in (rig.state.calls_of("editMessageText")[-1].text or "")


async def test_abandoned_onboarding_saves_and_schedules_nothing(rig: Rig, store: Store) -> None:
    await rig.say(LEARNER, "/start")
    await rig.press(LEARNER, "set:region:uk!", rig.sent_to(LEARNER)[-1])
    await rig.press(LEARNER, "set:tz:Europe/London!", rig.sent_to(LEARNER)[-1])
    await rig.press(LEARNER, "set:time:0900!", rig.sent_to(LEARNER)[-1])

    await tick_hourly(rig, days=2)

    schedule = await store.learners.schedule(LEARNER)
    assert schedule is not None
    assert schedule.prefs is None
    assert len(rig.sent_to(LEARNER)) == 1  # only the start message: no bites, no summary
    assert not any("Schedule saved" in (call.text or "") for call in rig.state.calls_of("editMessageText"))


# --- reading is engagement, and a way back after a pause -----------------------------------------


async def test_got_it_counts_as_engagement_and_keeps_the_bot_from_pausing(rig: Rig) -> None:
    reader, silent = 7, 8
    for user_id in (reader, silent):
        await enrol_with_schedule(rig, user_id, pace=2)
    for _ in range(8 * 24):
        await rig.ticker.tick()
        for call in rig.sent_to(reader):
            if any(b["text"] == "Got it ✓" for row in keyboard(call) for b in row) and not call.params.get("_read"):
                call.params["_read"] = True
                await rig.press(reader, button(call, "Got it"), call)
        rig.clock.advance(hours=1)

    reading = await rig.store.learners.schedule(reader)
    ignoring = await rig.store.learners.schedule(silent)
    assert reading is not None
    assert ignoring is not None
    assert not reading.paused
    assert ignoring.paused
    assert rig.state.calls_of("answerCallbackQuery")[-1].params.get("text") == "Got it ✓"


async def test_invitations_back_come_at_3_7_and_14_days_in_allowed_hours_and_then_stop(rig: Rig, store: Store) -> None:
    await enrol_with_schedule(rig, LEARNER)
    await rig.ticker.tick()
    paused_at = rig.clock.now
    await rig.say(LEARNER, "/pause")
    assert "No bites until you /resume" in last_text(rig)

    sent = []
    for _ in range(30 * 24):
        before = len(rig.sent_to(LEARNER))
        await rig.ticker.tick()
        if len(rig.sent_to(LEARNER)) > before:
            sent.append(rig.clock.now)
        rig.clock.advance(hours=1)

    assert [(moment - paused_at).days for moment in sent] == [3, 7, 14]
    schedule = await store.learners.schedule(LEARNER)
    assert schedule is not None
    assert schedule.prefs is not None
    assert all(schedule.prefs.local(moment).hour == 9 for moment in sent)  # their bite time, not the night
    comebacks = [call for call in rig.sent_to(LEARNER) if "just where you left it" in (call.text or "")]
    assert len(comebacks) == 3
    assert "last note" in (comebacks[-1].text or "")

    await rig.press(LEARNER, button(comebacks[-1], "Resume"), comebacks[-1])
    assert "back on" in last_text(rig)
    assert not (await store.learners.schedule(LEARNER) or schedule).paused


async def test_pause_for_two_days_on_a_thursday_brings_the_next_bite_on_saturday(rig: Rig) -> None:
    await enrol_with_schedule(rig, LEARNER)
    rig.clock.now = datetime(2026, 3, 5, 10, 0, tzinfo=rig.clock.now.tzinfo)  # Thursday, 10:00 in London
    await rig.say(LEARNER, "/pause 2")
    assert "Paused until Sat 07 Mar. Your next bite: Sat 07 Mar, 09:00." in last_text(rig)
    mark = len(rig.sent_to(LEARNER))

    await tick_hourly(rig, days=3)

    first_after = rig.sent_to(LEARNER)[mark]
    schedule = await rig.store.learners.schedule(LEARNER)
    assert schedule is not None
    assert schedule.prefs is not None
    assert "Later" in str(first_after.params.get("reply_markup"))
    rows = await rig.store.database.fetch(
        "SELECT MIN(sent_at) FROM sends WHERE user_id = ? AND kind = 'new' AND created_at > ?",
        (LEARNER, "2026-03-05T10:00:00+00:00"),
    )
    assert schedule.prefs.local(datetime.fromisoformat(rows[0][0])).strftime("%a %H:%M") == "Sat 09:00"


async def test_progress_shows_the_next_bite_and_reviews_due(rig: Rig) -> None:
    await enrol_with_schedule(rig, LEARNER)
    await rig.ticker.tick()
    await rig.say(LEARNER, "/progress")
    assert "⏰ Next bite: Mon 02 Mar, 11:00." in last_text(rig)
    assert "No reviews due" in last_text(rig)
    await rig.say(LEARNER, "/pause")
    await rig.say(LEARNER, "/progress")
    assert "⏸ Paused" in last_text(rig)


# --- no live stale buttons -----------------------------------------------------------------------


async def test_a_snoozed_bite_loses_its_buttons(rig: Rig) -> None:
    await enrol_with_schedule(rig, LEARNER)
    await rig.ticker.tick()
    [bite] = rig.sent_to(LEARNER)
    await rig.press(LEARNER, later_button(bite), bite)
    menu = rig.sent_to(LEARNER)[-1]
    await rig.press(LEARNER, button(menu, "In 2 hours"), menu)
    assert "I'll send it again Mon 02 Mar, 11:00" in (rig.state.calls_of("editMessageText")[-1].text or "")

    await rig.ticker.tick()

    assert not has_buttons(rig, bite)


async def test_a_question_is_not_resent_at_every_slot_and_a_new_copy_supersedes_the_old(rig: Rig) -> None:
    await enrol_with_schedule(rig, LEARNER, pace=3)
    await tick_hourly(rig, days=1)
    texts = [call.text or "" for call in rig.sent_to(LEARNER)]
    assert sum("First question" in text for text in texts) == 1  # sent once on day one, however many slots
    first_copy = next(call for call in rig.sent_to(LEARNER) if "First question" in (call.text or ""))
    assert has_buttons(rig, first_copy)

    await tick_hourly(rig, days=1)

    copies = [call for call in rig.sent_to(LEARNER) if "First question" in (call.text or "")]
    assert len(copies) == 2  # back once on a later day
    assert not has_buttons(rig, copies[0])
    assert has_buttons(rig, copies[1])


async def test_a_question_answered_in_another_copy_loses_its_buttons(rig: Rig) -> None:
    await enrol_with_schedule(rig, LEARNER, pace=3)
    await rig.ticker.tick()
    rig.clock.advance(hours=2)
    await rig.ticker.tick()  # the scheduled copy of the first question
    scheduled = rig.sent_to(LEARNER)[-1]
    assert "First question" in (scheduled.text or "")
    await rig.say(LEARNER, "/next")  # the same question again, pulled
    pulled = rig.sent_to(LEARNER)[-1]
    await rig.press(LEARNER, button(pulled, "A"), pulled)

    rig.clock.advance(minutes=1)
    await rig.ticker.tick()

    assert not has_buttons(rig, scheduled)


async def test_a_pulled_copy_loses_its_buttons_when_answered_in_another_or_superseded(rig: Rig) -> None:
    await enrol_with_schedule(rig, LEARNER, pace=3)
    await rig.ticker.tick()  # the first lesson
    await rig.say(LEARNER, "/next")  # the first question, pulled
    pulled = rig.sent_to(LEARNER)[-1]
    assert "First question" in (pulled.text or "")
    await rig.say(LEARNER, "/next")  # unanswered, so it comes again: a newer copy
    again = rig.sent_to(LEARNER)[-1]
    assert "First question" in (again.text or "")
    await rig.press(LEARNER, button(again, "A"), again)

    rig.clock.advance(minutes=1)
    await rig.ticker.tick()

    assert not has_buttons(rig, pulled)


# --- ordinary input that must never raise --------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "set:tz:America/Indiana!",
        "set:tz:America/Argentina",
        "set:tz:" + "x" * 50,
        "set:time:²³⁴⁵",
        "set:days:²",
        "set:pace:⁵",
        "set:quiet:²³⁰⁰-⁰⁶⁰⁰",
        "set:type:nonsense",
    ],
)
async def test_forged_settings_buttons_get_an_answer_and_change_nothing(rig: Rig, data: str) -> None:
    await enrol_with_schedule(rig, LEARNER)
    before = await rig.store.learners.schedule(LEARNER)

    await rig.press(LEARNER, data, rig.sent_to(LEARNER)[-1] if rig.sent_to(LEARNER) else _fake_call())

    assert rig.state.calls_of("answerCallbackQuery")
    assert await rig.store.learners.schedule(LEARNER) == before


def _fake_call() -> Call:
    return Call(method="sendMessage", params={}, at=0.0, ok=True, result={"message_id": 1, "text": "..."})


@pytest.mark.parametrize("argument", ["²", "9999-12-31", "0", "-3", "²³-⁴⁵", "x" * 300])
async def test_odd_pauses_get_the_usage(rig: Rig, argument: str) -> None:
    await enrol_with_schedule(rig, LEARNER)
    await rig.say(LEARNER, f"/pause {argument}")
    assert ("To pause for some days" in last_text(rig)) or ("Paused until" in last_text(rig))


async def test_a_typed_zone_never_reaches_the_log(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "Zanzibar-Stonetown-" + "q" * 280
    await enrol_with_schedule(rig, LEARNER)
    await rig.say(LEARNER, "/settings")
    await rig.press(LEARNER, "set:type:tz", rig.sent_to(LEARNER)[-1])
    for typed in (secret, "America/Indiana", "America/North_Dakota", "²"):
        await rig.say(LEARNER, typed)
    assert "Which of these?" in last_text(rig) or "still waiting" in last_text(rig)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert "Zanzibar" not in "\n".join(record.getMessage() for record in caplog.records)


async def test_pause_without_a_schedule_promises_nothing_and_changes_nothing(rig: Rig) -> None:
    await rig.chat.start(Who(LEARNER, LEARNER))  # skipped the schedule question: nothing is scheduled
    await rig.say(LEARNER, "/pause 2")
    assert "nothing to pause" in last_text(rig)
    schedule = await rig.store.learners.schedule(LEARNER)
    assert schedule is not None
    assert not schedule.paused
