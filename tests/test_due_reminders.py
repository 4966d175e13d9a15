"""Reminders before a cohort's due date: the rule on its own (pure, `now` as an argument), then the job through
the real bot and the Bot API stand-in, with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.content import Course
from bot.conversation.chat import CourseChat, Who
from bot.core import training_buttons as tb
from bot.delivery.due_reminders import DueReminders, reminder_due, reminder_moment
from bot.delivery.sending import Pacer
from bot.delivery.tick import Ticker
from bot.store import Cohort, Store
from bot.telegram.app import TelegramSender, build_application, schedule_jobs
from scheduler.windows import WEEKDAYS, Preferences
from tests.conftest import FakeClock
from tests.standin import BotAPIState, StandinRequest, message_update
from tests.test_certificates import finish

TOKEN = "123456:REMINDERS-token"
DUE = date(2026, 3, 20)  # a Friday
LONDON = Preferences(timezone="Europe/London", daily_time=time(9, 0))  # GMT in March until the 29th
JOINED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_the_reminders_go_at_the_learners_first_bite_seven_days_and_one_day_before() -> None:
    assert reminder_moment(LONDON, DUE, 7) == at(13, 9)
    assert reminder_moment(LONDON, DUE, 1) == at(19, 9)
    assert reminder_due(LONDON, DUE, JOINED, None, at(13, 8, 59)) is None
    assert reminder_due(LONDON, DUE, JOINED, None, at(13, 9)) == 7
    assert reminder_due(LONDON, DUE, JOINED, 7, at(15, 12)) is None  # dealt with
    assert reminder_due(LONDON, DUE, JOINED, 7, at(19, 9)) == 1
    assert reminder_due(LONDON, DUE, JOINED, 1, at(20, 9)) is None
    assert reminder_due(LONDON, DUE, JOINED, None, at(21, 9)) is None  # the due date has passed


def test_never_in_quiet_hours_and_on_the_learners_own_days() -> None:
    assert reminder_due(LONDON, DUE, JOINED, None, at(13, 22)) is None  # a late run waits for the morning
    assert reminder_due(LONDON, DUE, JOINED, None, at(14, 7)) == 7
    weekdays = Preferences(timezone="Europe/London", daily_time=time(9, 0), days=WEEKDAYS)
    # Seven days before a Sunday due date is a Sunday: the reminder waits for Monday's first bite.
    assert reminder_moment(weekdays, date(2026, 3, 22), 7) == at(16, 9)


def test_after_downtime_only_the_nearest_reminder_goes() -> None:
    assert reminder_due(LONDON, DUE, JOINED, None, at(19, 10)) == 1


def test_a_member_who_joined_after_a_reminders_day_began_does_not_get_it() -> None:
    late = at(16, 12)
    assert reminder_due(LONDON, DUE, late, None, at(16, 13)) is None
    assert reminder_due(LONDON, DUE, late, None, at(19, 9)) == 1


@dataclass
class Rig:
    state: BotAPIState
    chat: CourseChat
    reminders: DueReminders
    clock: FakeClock
    store: Store
    cohort: Cohort

    async def member(self, user_id: int, prefs: Preferences | None = LONDON) -> None:
        who = Who(user_id, user_id)
        self.state.observe_update(message_update(user_id, "/start"))
        await self.chat.start(who, self.cohort.code)
        await self.chat.press(who, tb.encode(tb.JoinCohort(self.cohort.code)))
        if prefs is not None:
            await self.store.learners.save_preferences(user_id, prefs, None)

    def sent(self, user_id: int) -> list[str]:
        return [call.text or "" for call in self.state.sent_messages(user_id)]


@pytest.fixture
async def rig(store: Store, mini_course: Course) -> AsyncIterator[Rig]:
    clock = FakeClock(JOINED)
    state = BotAPIState()
    chat = CourseChat(mini_course, store, clock)
    app = build_application(chat, TOKEN, request=StandinRequest(state))
    await app.initialize()
    cohort = await store.cohorts.create("Ward 7", clock.now, due_on=DUE, owner_id=None)
    assert cohort is not None
    reminders = DueReminders(mini_course, store, TelegramSender(app.bot), clock=clock, pacer=Pacer(1000))
    yield Rig(state, chat, reminders, clock, store, cohort)
    await app.shutdown()


async def test_a_member_who_has_not_finished_is_reminded_twice_inside_their_hours(rig: Rig) -> None:
    await rig.member(11)
    rig.clock.now = at(13, 8, 55)
    assert await rig.reminders.run() == 0

    rig.clock.now = at(13, 9, 0)
    assert await rig.reminders.run() == 1
    assert await rig.reminders.run() == 0  # once

    [reminder] = [text for text in rig.sent(11) if "gentle reminder" in text]
    assert "<b>Ward 7</b> is due in 7 days, on Fri 20 March 2026" in reminder
    assert reminder.startswith("Your 2-minute refresher is ready.")  # discreet mode, on by default
    assert rig.state.sent_messages(11)[-1].params.get("protect_content") is True

    rig.clock.now = at(18, 23)  # quiet hours the night before: nothing
    assert await rig.reminders.run() == 0
    rig.clock.now = at(19, 9, 3)
    assert await rig.reminders.run() == 1
    assert "is due tomorrow" in rig.sent(11)[-1]
    rig.clock.now = at(20, 9)
    assert await rig.reminders.run() == 0


async def test_no_reminder_for_a_member_who_finished_is_paused_or_left(rig: Rig) -> None:
    await rig.member(21)
    await finish(rig.chat, Who(21, 21), {"one-question-a": 1, "two-question-a": 0})
    await rig.member(22)
    await rig.chat.command(Who(22, 22), "pause")
    await rig.member(23)
    await rig.chat.press(Who(23, 23), tb.encode(tb.LeaveCohort(confirmed=True)))
    await rig.store.learners.enrol(24, 24, JOINED)  # not in the cohort at all

    rig.clock.now = at(13, 9)
    assert await rig.reminders.run() == 0
    for user in (21, 22, 23, 24):
        assert not any("gentle reminder" in text for text in rig.sent(user))


async def test_a_member_without_a_schedule_is_reminded_in_utc_daytime(rig: Rig) -> None:
    await rig.member(31, prefs=None)
    rig.clock.now = at(13, 7, 30)
    assert await rig.reminders.run() == 0
    rig.clock.now = at(13, 8, 0)
    assert await rig.reminders.run() == 1


async def test_a_member_who_blocked_the_bot_is_marked_inactive(rig: Rig) -> None:
    await rig.member(41)
    rig.state.fail_next("sendMessage", error_code=403, description="Forbidden: bot was blocked by the user")
    rig.clock.now = at(13, 9)
    assert await rig.reminders.run() == 0
    schedule = await rig.store.learners.schedule(41)
    assert schedule is not None
    assert not schedule.active


async def test_the_job_queue_runs_the_reminders(store: Store, mini_course: Course) -> None:
    clock = FakeClock(at(13, 9))
    state = BotAPIState()
    chat = CourseChat(mini_course, store, clock)
    cohort = await store.cohorts.create("Ward 8", JOINED, due_on=DUE, owner_id=None)
    assert cohort is not None
    await store.learners.enrol(51, 51, JOINED)
    await store.cohorts.join(51, cohort.code, JOINED)
    state.observe_update(message_update(51, "/start"))
    application = build_application(chat, TOKEN, request=StandinRequest(state))
    async with application:
        ticker = Ticker(mini_course, store, TelegramSender(application.bot), clock=clock, pacer=Pacer(1000))
        schedule_jobs(application, ticker, retention=timedelta(days=365))
        assert application.job_queue is not None
        [job] = application.job_queue.get_jobs_by_name("due-date-reminders")
        await job.run(application)
        application.job_queue.scheduler.remove_all_jobs()

    assert any("gentle reminder" in (call.text or "") for call in state.sent_messages(51))
