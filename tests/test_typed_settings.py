"""Settings as people type them: time zones from places and offsets, times, days, quiet hours and pauses.
Every parser answers (a value or None) and never raises, whatever it is given."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.places import find_zones, zone_label
from bot.conversation.typed_settings import OFF, parse_clock, parse_days, parse_pause, parse_quiet
from bot.core.regions import region_of_zone
from scheduler.windows import EVERY_DAY, WEEKDAYS, WEEKENDS, valid_zone

THURSDAY = date(2026, 3, 5)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Kolkata", "Asia/Kolkata"),
        ("Nairobi", "Africa/Nairobi"),
        ("manila", "Asia/Manila"),
        ("India", "Asia/Kolkata"),
        ("new zealand", "Pacific/Auckland"),
        ("São Paulo", "America/Sao_Paulo"),
        ("sao paulo", "America/Sao_Paulo"),
        ("Bombay", "Asia/Kolkata"),
        ("Portland, Oregon", "America/Los_Angeles"),
        ("UK", "Europe/London"),
        ("the Netherlands", "Europe/Amsterdam"),
        ("Regina", "America/Regina"),
        ("europe/madrid", "Europe/Madrid"),
        ("UTC", "UTC"),
        ("GMT+1", "Etc/GMT-1"),  # IANA's Etc signs are inverted: this is one hour ahead of UTC
        ("UTC-5", "Etc/GMT+5"),
        ("utc+5:30", "Asia/Kolkata"),
        ("+05:45", "Asia/Kathmandu"),
    ],
)
def test_a_typed_place_or_offset_finds_its_zone_first(typed: str, zone: str) -> None:
    found = find_zones(typed)
    assert found
    assert found[0].zone == zone


def test_an_ambiguous_place_offers_its_zones_most_populous_first() -> None:
    portlands = find_zones("Portland")
    assert [place.zone for place in portlands][:2] == ["America/Los_Angeles", "America/New_York"]
    assert portlands[0].label == "Portland, Oregon"
    assert len(find_zones("United States")) > 1
    assert len(find_zones("London")) == 1  # London, Ontario is far smaller: no need to ask


def test_offsets_read_with_the_right_sign_and_are_named_as_people_say_them() -> None:
    assert zone_label("Etc/GMT-3") == "UTC+3"
    assert zone_label("Etc/GMT+5") == "UTC-5"
    assert find_zones("Etc/GMT-3")[0].label == "UTC+3"


@pytest.mark.parametrize("folder", ["America/Indiana", "America/Argentina", "America/Kentucky", "America/North_Dakota"])
def test_an_iana_folder_is_no_zone_but_its_zones_are_offered(folder: str) -> None:
    assert not valid_zone(folder)
    found = find_zones(folder)
    assert found
    assert all(place.zone.startswith(folder + "/") and valid_zone(place.zone) for place in found)


@pytest.mark.parametrize("typed", ["x" * 300, "hotline uk", "²", "", "   ", "../../etc/passwd", "Mars/Olympus_Mons"])
def test_what_is_no_place_finds_nothing(typed: str) -> None:
    assert find_zones(typed) == ()
    assert not valid_zone(typed)


def test_a_typed_zone_gives_the_region_of_its_country() -> None:
    assert region_of_zone(find_zones("Dublin")[0].zone) == "IE"
    assert region_of_zone(find_zones("Puerto Rico")[0].zone) == "US"


@pytest.mark.parametrize(
    ("typed", "clock"),
    [
        ("7pm", time(19, 0)),
        ("7:30 pm", time(19, 30)),
        ("7.30pm", time(19, 30)),
        ("19.30", time(19, 30)),
        ("7h30", time(7, 30)),
        ("1930", time(19, 30)),
        ("7", time(7, 0)),
        ("noon", time(12, 0)),
        ("midnight", time(0, 0)),
        ("12am", time(0, 0)),
        ("２３:００", time(23, 0)),  # full-width digits
    ],
)
def test_typed_times(typed: str, clock: time) -> None:
    assert parse_clock(typed) == clock


@pytest.mark.parametrize("typed", ["half past seven", "may", "mon", "2400", "7pm EST", "hotline", "25:00", "1" * 300])
def test_what_is_no_time_of_day_is_refused(typed: str) -> None:
    assert parse_clock(typed) is None


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("weekends", WEEKENDS),
        ("M W F", frozenset({0, 2, 4})),
        ("Tu Th", frozenset({1, 3})),
        ("mon-fri", WEEKDAYS),
        ("Mon, Wed and Fri", frozenset({0, 2, 4})),
        ("fri-mon", frozenset({4, 5, 6, 0})),
        ("weekdays & sat", frozenset({0, 1, 2, 3, 4, 5})),
        ("every day", EVERY_DAY),
    ],
)
def test_typed_days(typed: str, days: frozenset[int]) -> None:
    assert parse_days(typed) == days


@pytest.mark.parametrize("typed", ["t", "s", "sometimes", "²"])
def test_ambiguous_or_unknown_days_are_refused(typed: str) -> None:
    assert parse_days(typed) is None


@pytest.mark.parametrize(
    ("typed", "quiet"),
    [
        ("10pm-6am", (time(22, 0), time(6, 0))),
        ("22:00 to 06:30", (time(22, 0), time(6, 30))),
        ("off", OFF),
        ("none", OFF),
        ("22-6", (time(22, 0), time(6, 0))),
    ],
)
def test_typed_quiet_hours(typed: str, quiet: tuple[time, time]) -> None:
    assert parse_quiet(typed) == quiet


@pytest.mark.parametrize(
    ("typed", "pause"),
    [
        ("2", 2),
        ("2 weeks", 14),
        ("a week", 7),
        ("2026-12-24", date(2026, 12, 24)),
        ("24 Dec", date(2026, 12, 24)),
        ("until monday", date(2026, 3, 9)),
        ("thursday", date(2026, 3, 12)),  # said on a Thursday: a week today
        ("1 Mar", date(2027, 3, 1)),  # no year, already past: next year's
    ],
)
def test_typed_pauses(typed: str, pause: int | date) -> None:
    assert parse_pause(typed, THURSDAY) == pause


@pytest.mark.parametrize("typed", ["9999-12-31", "0", "400", "2026-03-01", "sometime", "7pm"])
def test_pauses_in_the_past_too_long_or_unreadable_are_refused(typed: str) -> None:
    assert parse_pause(typed, THURSDAY) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80) | st.text(alphabet="0123456789²³¹⁴⁵:.-–apmhnoonUTCGMT+ /", max_size=20))
def test_no_typed_value_makes_a_parser_raise(typed: str) -> None:
    parse_clock(typed)
    parse_days(typed)
    parse_quiet(typed)
    parse_pause(typed, THURSDAY)
    for place in find_zones(typed):
        assert valid_zone(place.zone)
