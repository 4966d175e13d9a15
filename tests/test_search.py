"""Free-text search over the real course: relevance on realistic look-ups, shorthand, plurals, typos."""

from __future__ import annotations

import pytest

from bot.content import Course, load_course
from bot.core.search import SearchIndex, normalise, snippet
from bot.settings import PROJECT_ROOT
from tests.search_queries import QUERIES

TARGET_TOP3 = 0.90


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
