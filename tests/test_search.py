"""Free-text search over the real course: relevance on realistic look-ups, shorthand, plurals, typos."""

from __future__ import annotations

import pytest

from bot.content import Course, load_course
from bot.core.search import SearchIndex, normalise, snippet
from bot.core.vocabulary import region_named
from bot.settings import PROJECT_ROOT
from tests.search_heldout import HELD_OUT, Judged
from tests.search_queries import NOTHING_FITS, QUERIES, REGIONAL, tuning_set

TARGET_TOP3 = 0.90
GOAL_TOP1, GOAL_TOP3 = 0.80, 0.95  # on the held-out set
REGIONS = ("US", "UK", "IE", "CA", "AU", "EU", "INTL")


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    course: Course = load_course(PROJECT_ROOT / "content")
    return SearchIndex.build(course)


def found(index: SearchIndex, query: str, wanted: tuple[str, ...]) -> bool:
    return any(hit.document.id in wanted for hit in index.search(query, limit=3))


def test_at_least_90_percent_of_realistic_look_ups_find_their_card_in_the_top_three(index: SearchIndex) -> None:
    assert len(QUERIES) >= 40
    misses = [query for query, wanted in QUERIES if not found(index, query, wanted)]
    share = 1 - len(misses) / len(QUERIES)
    assert share >= TARGET_TOP3, f"{share:.0%} found; missed: {misses}"


def shares(index: SearchIndex, judged: tuple[Judged, ...]) -> tuple[float, float]:
    first = among = 0
    for item in judged:
        found = [hit.document.id for hit in index.search(item.query, 3, item.region or None)]
        first += bool(found) and found[0] in item.first
        among += any(id_ in item.first for id_ in found)
    return first / len(judged), among / len(judged)


def test_for_a_learner_whose_region_is_known_the_right_answer_usually_comes_first(index: SearchIndex) -> None:
    first, among = shares(index, REGIONAL)
    assert first >= 0.85, f"top-1 {first:.0%}"
    assert among >= 0.95, f"top-3 {among:.0%}"


def test_the_held_out_look_ups_meet_their_goals(index: SearchIndex) -> None:
    """Measured only: a miss is fixed by adding its kind of look-up to the tuning set, never by editing this set."""
    assert len(HELD_OUT) >= 60
    assert not {item.query.lower() for item in HELD_OUT} & {item.query.lower() for item in tuning_set()}
    first, among = shares(index, HELD_OUT)
    assert first >= GOAL_TOP1, f"top-1 {first:.0%}"
    assert among >= GOAL_TOP3, f"top-3 {among:.0%}"


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("query", ["hotline", "who do I call", "report"])
def test_calling_and_reporting_put_the_learners_own_regions_card_first(
    index: SearchIndex, region: str, query: str
) -> None:
    [first, *_] = index.search(query, 3, region)
    assert first.document.region == region, [hit.document.id for hit in index.search(query, 3, region)]


def test_a_region_named_in_the_query_wins_over_the_learners(index: SearchIndex) -> None:
    assert index.search("UK helpline", 3, "US")[0].document.id == "card-now-hotline-uk"
    assert index.search("hotline in canada", 3, "AU")[0].document.region == "CA"
    assert index.find("garda number", "US").region == "IE"
    assert index.find("who do I call", "US").region == "US"


def test_region_names_are_places_not_languages_or_pronouns() -> None:
    assert region_named("call us for the NHS") == "UK"
    assert region_named("US hotline") == "US"
    assert region_named("Spanish-speaking patient") is None
    assert region_named("british columbia clinic") == "CA"
    assert region_named("northern ireland safeguarding") == "UK"


def test_action_phrasing_finds_what_to_do_not_statistics(index: SearchIndex) -> None:
    assert index.search("companion won't leave the room", 3, "US")[0].document.id in (
        "card-now-scripts",
        "card-ind-companion",
        "l3-alone-safely",
    )
    assert index.search("patient leaving against advice with her boyfriend", 3, "UK")[0].document.id in (
        "card-respond-leaving",
        "l3-leaving-ama",
    )
    assert index.search("man in the waiting room asking for her", 3, "CA")[0].document.id in (
        "card-respond-trafficker-present",
        "l3-trafficker-on-site",
    )


def test_a_code_is_found_by_its_category(index: SearchIndex) -> None:
    assert index.search("T74.61XD", 3, "US")[0].document.id in ("card-doc-codes", "card-now-chart-us", "l5-icd-codes")


def test_look_ups_the_course_has_no_answer_for_get_none_rather_than_a_weak_match(index: SearchIndex) -> None:
    empty = [query for query in NOTHING_FITS if not index.search(query)]
    assert {"cafeteria opening hours", "hello", "lorem ipsum dolor", "insulin sliding scale"} <= set(empty)
    assert len(empty) >= 7


def test_a_snippet_is_the_bullet_that_matched_not_the_first_line(index: SearchIndex) -> None:
    [hit, *_] = index.search("pesticide", 3, "US")
    assert hit.document.id == "card-ind-labor"
    assert hit.snippet.startswith("Pesticide exposure")
    assert not hit.document.text.startswith("Pesticide")


def test_a_hit_can_be_rebuilt_from_where_it_was_found(index: SearchIndex) -> None:
    [hit, *_] = index.search("after visit summary", 3, "US")
    rebuilt = index.hit_at(hit.index, hit.line, hit.start)
    assert rebuilt is not None
    assert (rebuilt.document, rebuilt.snippet) == (hit.document, hit.snippet)
    assert index.hit_at(10_000, 0, 0) is None


@pytest.mark.parametrize(
    ("query", "card"),
    [
        ("STD", "card-ind-sex"),
        ("Std", "card-ind-sex"),
        ("brandings", "card-ind-sex"),
        ("AVS", "card-doc-protect-record"),
        ("portals", "card-doc-protect-record"),
        ("icd", "card-doc-codes"),
        ("minors", "card-ind-minors"),
        ("photgraphs", "card-doc-photos"),
        ("interpeter", "l3-interpreters"),
    ],
)
def test_shorthand_case_plurals_and_small_typos_are_understood(index: SearchIndex, query: str, card: str) -> None:
    assert found(index, query, (card,))


def test_nothing_to_search_finds_nothing(index: SearchIndex) -> None:
    assert index.search("the and of") == []
    assert index.search("🙂🙂🙂") == []
    assert index.search("") == []


def test_a_hit_carries_a_one_line_snippet(index: SearchIndex) -> None:
    [first, *_] = index.search("branding tattoo")
    assert "\n" not in first.snippet
    assert 0 < len(first.snippet) <= 70
    assert "tattoo" in first.snippet.lower() or "brand" in first.snippet.lower()


def test_plurals_and_other_forms_of_a_word_fold_to_one_term() -> None:
    assert normalise("injuries") == normalise("injury")
    assert normalise("infections") == normalise("infection")
    assert normalise("leaving") == normalise("leave")
    assert normalise("STIs") == normalise("sti")


def test_snippet_prefers_the_line_with_the_query_words() -> None:
    text = "• Watch the door.\n• Repeated STIs or pregnancies.\n• Something else."
    assert snippet(text, {"sti"}) == "Repeated STIs or pregnancies."
