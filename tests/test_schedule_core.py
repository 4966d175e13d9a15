"""The schedule's pure core: windows and daylight saving, FSRS spacing, and what a due learner gets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.content import Course
from bot.core.engine import AnswerRecord, LearnerRecord
from scheduler import planning, spacing
from scheduler.planning import Kind, LearnerSchedule, ReviewDue, Today
from scheduler.windows import WEEKDAYS, Preferences

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # a Monday


def prefs(zone: str = "Europe/London", **changes: object) -> Preferences:
    return Preferences(timezone=zone, **changes)  # type: ignore[arg-type]


def learner(settings: Preferences | None = None, **changes: object) -> LearnerSchedule:
    return LearnerSchedule(user_id=1, chat_id=1, prefs=settings or prefs(), **changes)  # type: ignore[arg-type]


# --- windows ------------------------------------------------------------------------------------


def test_quiet_hours_can_run_past_midnight() -> None:
    settings = prefs(quiet_start=time(21, 0), quiet_end=time(7, 0))
    assert settings.is_quiet(time(23, 30))
    assert settings.is_quiet(time(6, 59))
    assert not settings.is_quiet(time(7, 0))
    assert not settings.is_quiet(time(20, 59))


def test_a_day_has_pace_slots_two_hours_apart_outside_quiet_hours() -> None:
    settings = prefs(daily_time=time(18, 0), pace=3, quiet_start=time(21, 0), quiet_end=time(7, 0))
    slots = settings.slots_on(date(2026, 3, 2))
    assert [settings.local(slot).strftime("%H:%M") for slot in slots] == ["18:00", "20:00"]


def test_days_off_have_no_slots() -> None:
    settings = prefs(days=WEEKDAYS)
    assert settings.slots_on(date(2026, 3, 7)) == []  # a Saturday
    assert len(settings.slots_on(date(2026, 3, 6))) == 2


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        ("America/New_York", date(2026, 3, 7), date(2026, 3, 9)),  # spring forward, 8 March 2026
        ("America/New_York", date(2026, 10, 31), date(2026, 11, 2)),  # fall back, 1 November 2026
        ("Europe/London", date(2026, 3, 28), date(2026, 3, 30)),  # spring forward, 29 March 2026
        ("Europe/London", date(2026, 10, 24), date(2026, 10, 26)),  # fall back, 25 October 2026
    ],
)
def test_the_local_delivery_time_survives_a_daylight_saving_change(zone: str, before: date, after: date) -> None:
    settings = prefs(zone, daily_time=time(8, 0), pace=1)
    [first] = settings.slots_on(before)
    [second] = settings.slots_on(after)
    assert settings.local(first).time() == settings.local(second).time() == time(8, 0)
    assert abs((second - first) - timedelta(days=2)) == timedelta(hours=1)  # the UTC time moved, not the local one


def test_a_wall_clock_time_skipped_by_spring_forward_moves_past_the_gap() -> None:
    settings = prefs("America/New_York", daily_time=time(2, 30), pace=1, quiet_start=time(0, 0), quiet_end=time(0, 0))
    [slot] = settings.slots_on(date(2026, 3, 8))
    assert settings.local(slot).strftime("%H:%M") == "03:30"


def test_next_allowed_skips_quiet_hours_and_days_off() -> None:
    settings = prefs("Europe/London", days=WEEKDAYS, quiet_start=time(21, 0), quiet_end=time(7, 0))
    friday_night = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)
    assert settings.next_allowed(friday_night) == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    assert settings.next_allowed(NOW) == NOW


def test_an_unknown_time_zone_or_pace_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        prefs("Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="pace"):
        prefs(pace=6)


# --- spacing ------------------------------------------------------------------------------------


def test_a_missed_question_returns_within_about_a_day_and_a_mastered_one_after_weeks() -> None:
    missed = spacing.review(None, "q", False, NOW)
    assert missed.due - NOW <= timedelta(days=1)
    state = spacing.review(None, "q", True, NOW)
    for _ in range(3):
        state = spacing.review(state.card, "q", True, state.due)
    assert state.due - NOW >= timedelta(weeks=3)


def test_spacing_is_deterministic() -> None:
    assert spacing.review(None, "q", True, NOW) == spacing.review(None, "q", True, NOW)


# --- planning -----------------------------------------------------------------------------------


def test_a_learner_without_a_schedule_gets_nothing_unasked(mini_course: Course) -> None:
    unscheduled = LearnerSchedule(user_id=1, chat_id=1, prefs=None)
    result = planning.plan(mini_course, unscheduled, LearnerRecord(), (), Today(), NOW)
    assert result == planning.Plan(None, None, next_due=None)


def test_a_due_learner_gets_the_next_new_item_and_the_next_slot(mini_course: Course) -> None:
    settings = prefs(daily_time=time(13, 0), pace=2)
    result = planning.plan(mini_course, learner(settings), LearnerRecord(), (), Today(), NOW)
    assert (result.kind, result.item_id) == (Kind.NEW, "one-lesson-a")
    assert result.next_due == NOW + timedelta(hours=2)


def test_once_the_pace_is_reached_the_next_bite_is_tomorrow(mini_course: Course) -> None:
    settings = prefs(daily_time=time(13, 0), pace=2)
    result = planning.plan(mini_course, learner(settings), LearnerRecord(), (), Today(bites=1), NOW)
    assert result.kind is Kind.NEW
    assert result.next_due == NOW + timedelta(days=1)
    pulled = planning.plan(mini_course, learner(settings), LearnerRecord(), (), Today(bites=2), NOW)
    assert pulled.kind is None
    assert pulled.next_due == NOW + timedelta(days=1)


def test_the_most_overdue_review_comes_first_within_the_daily_cap(mini_course: Course) -> None:
    settings = prefs(daily_time=time(13, 0), pace=3)
    reviews = (
        ReviewDue("two-question-a", NOW - timedelta(days=1)),
        ReviewDue("one-question-a", NOW - timedelta(days=5)),
    )
    first = planning.plan(mini_course, learner(settings), LearnerRecord(), reviews, Today(), NOW)
    assert (first.kind, first.item_id) == (Kind.REVIEW, "one-question-a")
    capped = planning.plan(mini_course, learner(settings), LearnerRecord(), reviews, Today(bites=1, reviews=1), NOW)
    assert capped.kind is Kind.NEW  # while new items remain, reviews take at most half the day's slots


@pytest.mark.parametrize(("pace", "reviews"), [(1, 0), (2, 1), (3, 1), (4, 2), (5, 2)])
def test_while_new_items_remain_reviews_take_at_most_half_the_days_slots(
    mini_course: Course, pace: int, reviews: int
) -> None:
    backlog = tuple(ReviewDue("one-question-a", NOW - timedelta(days=n)) for n in range(1, 6))
    sent = [
        planning.choose(mini_course, LearnerRecord(), backlog, Today(bites=n, reviews=n), pace, NOW)[0]
        for n in range(pace)
    ]
    assert sent.count(Kind.REVIEW) == reviews


def test_a_backlog_of_reviews_is_spread_over_several_days(mini_course: Course) -> None:
    settings = prefs(daily_time=time(13, 0), pace=5)
    done = LearnerRecord(
        frozenset(item.id for item in mini_course.items),
        {q.id: AnswerRecord(q.id, 0, False, NOW) for q in mini_course.questions},
    )
    backlog = tuple(ReviewDue(f"q{n}", NOW - timedelta(days=30 - n)) for n in range(10))
    sent = [
        planning.choose(mini_course, done, backlog, Today(bites=n, reviews=n), settings.pace, NOW)[0]
        for n in range(settings.pace)
    ]
    assert sent.count(Kind.REVIEW) == planning.REVIEWS_PER_DAY < len(backlog)


def test_two_unanswered_bring_one_reminder_and_only_a_week_of_silence_pauses(mini_course: Course) -> None:
    settings = prefs(daily_time=time(13, 0))
    enrolled = NOW - timedelta(days=30)

    def planned(**state: object) -> planning.Plan:
        return planning.plan(
            mini_course, learner(settings, enrolled_at=enrolled, **state), LearnerRecord(), (), Today(), NOW
        )

    assert planned(unanswered=2, last_active=NOW - timedelta(days=1)).reminder
    assert not planned(unanswered=2, reminded=True, last_active=NOW - timedelta(days=1)).reminder
    six_days = planned(unanswered=9, last_active=NOW - timedelta(days=6, hours=23))
    assert (six_days.kind, six_days.pause) == (Kind.NEW, False)
    silent = planned(unanswered=3, last_active=NOW - timedelta(days=7))
    assert (silent.kind, silent.pause) == (Kind.PAUSE_NOTICE, True)
    assert silent.next_due == NOW + planning.COMEBACK_AFTER[0]  # invited back three days on, at their bite time
    newcomer = planning.plan(
        mini_course,
        learner(settings, unanswered=20, enrolled_at=NOW - timedelta(days=3)),
        LearnerRecord(),
        (),
        Today(),
        NOW,
    )
    assert not newcomer.pause  # never in the first days


def test_a_pause_holds_until_its_date_then_resumes(mini_course: Course) -> None:
    settings = prefs(daily_time=time(13, 0))
    until = NOW + timedelta(days=3)
    held = planning.plan(
        mini_course, learner(settings, paused=True, paused_until=until), LearnerRecord(), (), Today(), NOW
    )
    assert held.kind is None
    assert held.next_due is not None
    assert held.next_due >= until
    later = until + timedelta(hours=1)
    back = planning.plan(
        mini_course, learner(settings, paused=True, paused_until=until), LearnerRecord(), (), Today(), later
    )
    assert back.resume
    assert back.kind is Kind.NEW


def test_snooze_choices_land_in_allowed_windows() -> None:
    settings = prefs("Europe/London", daily_time=time(8, 0), quiet_start=time(21, 0), quiet_end=time(7, 0))
    assert planning.snooze_until(settings, "2h", NOW) == NOW + timedelta(hours=2)
    assert settings.local(planning.snooze_until(settings, "evening", NOW)).strftime("%H:%M") == "18:00"
    tomorrow = planning.snooze_until(settings, "tomorrow", NOW)
    assert settings.local(tomorrow).strftime("%a %H:%M") == "Tue 08:00"
    late = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    assert planning.snooze_until(settings, "2h", late) == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
