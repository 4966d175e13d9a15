"""Setting up a schedule, over the cross-product of the choices onboarding offers: no saved schedule delivers
nothing silently, and the bites a day equal the pace, or the learner was told otherwise (and offered fixes)."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import Course, load_course
from bot.conversation.bite_texts import when
from bot.conversation.chat import CourseChat, Who
from bot.conversation.replies import Outcome, Reply
from bot.conversation.schedule_texts import DAY_CHOICES, QUIET_CHOICES, REGION_ZONES, TIME_CHOICES, schedule_saved
from bot.delivery.sending import Pacer
from bot.delivery.tick import Ticker
from bot.store import Store
from scheduler import fitting, planning
from scheduler.windows import Preferences
from tests.conftest import REPO_ROOT, FakeClock

SAVED_AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday; the US and Europe change their clocks this month
TYPED_TIMES = ("23:00", "00:30", "5:45", "10pm", "noon", "2am", "7:30 pm")
TYPED_ZONES = ("Kolkata", "Nairobi", "UTC+3", "Auckland", "Regina")
QUIET = ("keep", *(f"{start:%H%M}-{end:%H%M}" for start, end in QUIET_CHOICES), "off", "typed 10pm-6am")
WHO = Who(4242, 4242)


class Recorder:
    async def send(self, chat_id: int, reply: Reply) -> int | None:
        return None


async def _no_sleep(seconds: float) -> None:
    return None


def _week_of_slots(prefs: Preferences, first: date) -> dict[date, int]:
    return {first + timedelta(days=n): len(prefs.slots_on(first + timedelta(days=n))) for n in range(7)}


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata"])
def test_every_combination_delivers_its_pace_or_says_what_it_delivers_with_fixes(zone: str) -> None:
    times = [time.fromisoformat(choice) for choice in TIME_CHOICES] + [time(23, 0), time(0, 30), time(2, 0)]
    quiets = [None, *QUIET_CHOICES, (time(0, 0), time(0, 0))]
    for daily in times:
        for _, days in DAY_CHOICES:
            for pace in range(1, 6):
                for quiet in quiets:
                    chosen = quiet is not None
                    start, end = quiet or (time(21, 0), time(7, 0))
                    prefs = Preferences(zone, daily, days, pace, start, end, quiet_chosen=chosen)
                    fit = fitting.fit(prefs)
                    delivered = _week_of_slots(fit.prefs, date(2026, 3, 2))
                    for day, count in delivered.items():
                        assert count == (len(fit.arriving) if day.weekday() in days else 0), (prefs, day)
                    if len(fit.arriving) != pace:
                        text = schedule_saved(fit.prefs, None, fit).text
                        assert "⚠️" in text, prefs
                        assert fit.fixes, prefs
                        assert all(fitting.fit(fix.prefs).complete for fix in fit.fixes), prefs
                    if not chosen:
                        assert fit.complete, prefs  # the default quiet hours always make way


choices = st.tuples(
    st.one_of(
        st.sampled_from([(region, zone) for region, (_, zones) in REGION_ZONES.items() for zone in zones]),
        st.sampled_from([(None, typed) for typed in TYPED_ZONES]),
    ),
    st.one_of(st.sampled_from(TIME_CHOICES), st.sampled_from([f"typed {typed}" for typed in TYPED_TIMES])),
    st.sampled_from([sum(1 << day for day in days) for _, days in DAY_CHOICES]),
    st.integers(min_value=1, max_value=5),
    st.sampled_from(QUIET),
)


@pytest.fixture(scope="module")
def whole_course() -> Course:
    return load_course(REPO_ROOT / "content")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choice=choices)
def test_onboarding_never_saves_a_silent_schedule(
    choice: tuple[tuple[str | None, str], str, int, int, str], whole_course: Course
) -> None:
    asyncio.run(_onboard_and_deliver(choice, whole_course))


async def _press(chat: CourseChat, field: str, value: str) -> Outcome:
    return await chat.press(WHO, f"set:{field}:{value}!")


async def _onboard_and_deliver(choice: tuple[tuple[str | None, str], str, int, int, str], course: Course) -> None:
    (region, zone), daily, days, pace, quiet = choice
    clock = FakeClock(SAVED_AT)
    with tempfile.TemporaryDirectory() as folder:
        async with await Store.open(Path(folder) / "onboarding.sqlite3") as store:
            chat = CourseChat(course, store, clock)
            await chat.start(WHO)
            if region is not None:
                await _press(chat, "region", region)
                await _press(chat, "tz", zone)
            else:
                await _press(chat, "type", "tz")
                await chat.text(WHO, zone)
            if daily.startswith("typed "):
                await _press(chat, "type", "time")
                await chat.text(WHO, daily.removeprefix("typed "))
            else:
                await _press(chat, "time", daily.replace(":", ""))
            await _press(chat, "days", str(days))
            question = await _press(chat, "pace", str(pace))
            assert question.edit is not None
            assert "Quiet hours" in question.edit.text
            assert await store.learners.next_due(WHO.user_id) is None, "nothing is scheduled before it is confirmed"
            if quiet == "keep":
                keep = question.edit.buttons[0][0]
                assert keep.label.startswith("Keep")
                summary = await chat.press(WHO, keep.data)
            elif quiet.startswith("typed "):
                await _press(chat, "type", "quiet")
                summary = await chat.text(WHO, quiet.removeprefix("typed "))
            else:
                summary = await _press(chat, "quiet", quiet)
            await _check(chat, store, clock, summary, pace)


async def _check(chat: CourseChat, store: Store, clock: FakeClock, summary: Outcome, pace: int) -> None:
    schedule = await store.learners.schedule(WHO.user_id)
    assert schedule is not None
    assert schedule.prefs is not None
    prefs = schedule.prefs
    [reply] = summary.replies
    assert "Schedule saved" in reply.text
    fit = fitting.fit(prefs)
    assert fit.prefs == prefs  # saved as fitted
    next_due = await store.learners.next_due(WHO.user_id)
    if not fit.arriving:
        assert "No bite can arrive" in reply.text
        assert next_due is None
        return
    assert next_due is not None
    assert f"Your next bite: {when(prefs, next_due)}." in reply.text
    if len(fit.arriving) != pace:
        assert "⚠️" in reply.text
        assert f"not {pace}" in reply.text
    # Then the tick delivers it: jump from one due time to the next for four days.
    ticker = Ticker(chat.course, store, Recorder(), clock=clock, pacer=Pacer(1000, sleep=_no_sleep))
    while next_due is not None and next_due < SAVED_AT + timedelta(days=4):
        clock.now = next_due
        await ticker.tick()
        next_due = await store.learners.next_due(WHO.user_id)
    first = prefs.local_day(SAVED_AT)
    rows = await store.database.fetch(
        "SELECT local_day, COUNT(*) FROM sends WHERE kind IN ('new', 'review') AND status = 'sent' GROUP BY local_day"
    )
    sent = {date.fromisoformat(day): count for day, count in rows}
    for day in (first + timedelta(days=1), first + timedelta(days=2)):
        expected = len(fit.arriving) if day.weekday() in prefs.days else 0
        assert sent.get(day, 0) == expected, (prefs, day, sent)
    assert planning.next_slot(prefs, SAVED_AT, today=None, bites_today=0) is not None
