"""The patient-details guard, told what the real course teaches: it flags dates, record and phone numbers and a
name with an age, and lets through the hotlines the course itself gives and the look-ups clinicians type."""

from __future__ import annotations

import pytest

from bot.content import load_course
from bot.conversation.lookups import course_guard
from bot.core.privacy import PatientDetailsGuard, looks_like_patient_details
from bot.settings import PROJECT_ROOT
from tests.search_heldout import HELD_OUT
from tests.search_queries import tuning_set


@pytest.fixture(scope="module")
def guard() -> PatientDetailsGuard:
    return course_guard(load_course(PROJECT_ROOT / "content"))


@pytest.mark.parametrize(
    "text",
    [
        "Maria Lopez DOB 03/07/1990 has bruises",
        "seen on 1990-07-03",
        "MRN 5523411",
        "her number is 0207 946 0958",
        "Maria, 16, came in with her boyfriend",
        "Maria (16) says she owes money",
        "Maria is 16",
        "16yo Maria",
        "16 year old Maria with an older boyfriend",
        "Ana 34yo F with burns",
        "Mr Lopez 42 bruises",
        "call 1-888-373-7888 about 0207 946 0958",
    ],
)
def test_patient_details_are_flagged(guard: PatientDetailsGuard, text: str) -> None:
    assert guard.flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "1-888-373-7888",
        "is 1-888-373-7888 the right number?",
        "text 233733",
        "call 08000 121 700",
        "1800 666 111",
        "1-833-900-1010",
        "131 237",
        "Call 112",
        "16 year old trading sex",
        "Under 18 and in foster care",
        "Bed 4 needs the hotline",
        "T76.61XA",
    ],
)
def test_the_courses_own_numbers_and_ordinary_look_ups_pass(guard: PatientDetailsGuard, text: str) -> None:
    assert not guard.flags(text)


def test_no_look_up_of_the_tuning_or_held_out_sets_is_taken_for_patient_details(guard: PatientDetailsGuard) -> None:
    flagged = [item.query for item in (*tuning_set(), *HELD_OUT) if guard.flags(item.query)]
    assert flagged == []


def test_without_being_told_the_courses_numbers_the_guard_is_cautious() -> None:
    assert looks_like_patient_details("1-888-373-7888")
    assert not PatientDetailsGuard(["1-888-373-7888"]).flags("1-888-373-7888")


def test_a_name_meant_as_a_name_passes_the_check_for_dates_and_numbers() -> None:
    assert not looks_like_patient_details("Dr Maria Lopez")
    assert looks_like_patient_details("Maria Lopez 03/07/1990")
