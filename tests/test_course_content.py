"""The real course in content/: it loads, it is complete, every message fits Telegram, and every phone
number and ICD-10-CM code in it is one of the known-good values below (checked against the sources in
shared/content-facts.md: a number or code that is not here must be checked before it is added)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.content import Course, Lesson, Question, lint, load_course
from bot.content.study_time import study_hours
from bot.conversation import texts
from bot.conversation.audience import Audience
from bot.core import buttons, options
from bot.settings import PROJECT_ROOT

MIN_LESSONS_PER_MODULE = 10
MIN_QUESTIONS_PER_MODULE = 8
MIN_LESSONS = 70
MIN_QUESTIONS = 50
MIN_UNFOLDING_CASES = 4
VERSIONS = ("US", "UK", "CA", "AU", "INTL")
# Cueing: a test-wise learner must not find the best option by its form.
BEST_LONGEST_LIMIT = 0.35
LENGTH_RATIO_LIMIT = 1.10
BEST_POSITION_LIMIT = 0.35  # no place in the file holds more than this share of the best answers

# Phone numbers and SMS short codes as the sources write them.
KNOWN_PHONE_NUMBERS = {
    "1-888-373-7888",  # US National Human Trafficking Hotline
    "1-888-3737-888",  # the same, as its mnemonic
    "233733",  # US Hotline text line ("BEFREE")
    "1-866-347-2423",  # DHS/ICE HSI tip line
    "1-802-872-6199",  # DHS/ICE HSI tip line, from abroad
    "866-401-5510",  # HHS OTIP certification and eligibility
    "1-800-843-5678",  # NCMEC, 1-800-THE-LOST
    "08000 121 700",  # UK Modern Slavery & Exploitation Helpline
    "0800 0121 700",  # the same, as also written
    "18001 101",  # UK police non-emergency, textphone
    "0800 555 111",  # UK Crimestoppers
    "1-833-900-1010",  # Canadian Human Trafficking Hotline
    "131 237",  # Australian Federal Police (131 AFP)
    "03 9345 1800",  # Australian Red Cross Support for Trafficked People Program (checked: redcross.org.au/stpp)
    "1800 666 111",  # Ireland, Garda Confidential Number (checked: garda.ie, World Day against Trafficking 2020)
    "1800 250025",  # Ireland, Crimestoppers, as written on garda.ie (same page)
    "800 290 290",  # Italy, Numero Verde Anti-tratta (checked: pariopportunita.gov.it, Dipartimento Pari Opportunità)
    "964 608 288",  # Portugal, support line for victims of trafficking (checked: eportugal.gov.pt)
    "116 016",  # Germany, Hilfetelefon Gewalt gegen Frauen (checked: hilfetelefon.de, Angebot im Überblick)
}
KNOWN_LETTER_NUMBERS = {"1-800-THE-LOST"}
KNOWN_SHORT_NUMBERS = {"911", "999", "000", "112", "101", "711"}

# ICD-10-CM codes for human trafficking (FY2019) with what each must be described as.
KNOWN_CODES = {
    "T74.5": "sexual",
    "T74.51": "sexual",
    "T74.52": "sexual",
    "T74.6": "labor",
    "T74.61": "labor",
    "T74.62": "labor",
    "T76.5": "sexual",
    "T76.51": "sexual",
    "T76.52": "sexual",
    "T76.6": "labor",
    "T76.61": "labor",
    "T76.62": "labor",
    "Z04.81": "sexual",
    "Z04.82": "labor",
    "Z62.813": "childhood",
    "Z91.42": "history",
    "Y07.6": "perpetrators",
}
CATEGORY_MENTIONS = {"T74", "T76"}
DESCRIPTION_WORDS = re.compile(r"exploitation|sexual|\bsex\b|labou?r|history|perpetrator|childhood")
SEVENTH_CHARACTERS = {"", "-", "X", "XA", "XD", "XS", "X-", "X*", "XA-"}

PHONE = re.compile(r"(?<![\w.])\+?\d[\d -]{4,}\d(?!\d)")
LETTER_PHONE = re.compile(r"\b1-8\d\d-[A-Z]{3}-[A-Z]{4}\b")
SHORT_NUMBER_IN_CONTEXT = re.compile(
    r"(?i)\b(?:call|dial|phone|text|ring|tty|relay|number|zero|police|emergency)\W{1,3}(\d{3})\b"
)
CODE = re.compile(r"\b([TYZ]\d{2}(?:\.\d{1,3})?)([0-9A-Z*-]*)")


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(PROJECT_ROOT / "content")


def all_texts(course: Course) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text a learner can see."""
    for module in course.modules:
        yield module.id, module.title
        for item in module.items:
            yield item.id, item.title
            if isinstance(item, Lesson):
                yield item.id, item.text
            else:
                yield item.id, item.stem
                for option in item.options:
                    yield item.id, option.text
                    yield item.id, option.feedback
    for card in course.cards:
        yield card.id, card.title
        yield card.id, card.text


@pytest.mark.parametrize("version", VERSIONS)
def test_every_version_is_a_whole_course_of_enough_lessons_and_questions(course: Course, version: str) -> None:
    taken = course.for_version(version)  # type: ignore[arg-type]
    assert len(taken.modules) == len(course.modules)
    for module in taken.modules:
        assert len(module.lessons) >= MIN_LESSONS_PER_MODULE, (version, module.id)
        assert len(module.questions) >= MIN_QUESTIONS_PER_MODULE, (version, module.id)
        assert module.recap, module.id
    assert sum(len(module.lessons) for module in taken.modules) >= MIN_LESSONS
    assert sum(len(module.questions) for module in taken.modules) >= MIN_QUESTIONS
    assert {module.objective for module in taken.modules} == {objective.id for objective in course.objectives}


@pytest.mark.parametrize("version", VERSIONS)
def test_no_learner_gets_an_item_meant_for_another_version(course: Course, version: str) -> None:
    for item in course.for_version(version).items:  # type: ignore[arg-type]
        assert not item.regions or version in item.regions, item.id


@pytest.mark.parametrize("version", VERSIONS)
def test_in_every_version_at_least_four_cases_unfold_over_three_questions(course: Course, version: str) -> None:
    cases: dict[str, int] = {}
    for question in course.for_version(version).questions:  # type: ignore[arg-type]
        if question.case:
            cases[question.case] = cases.get(question.case, 0) + 1
    assert sum(count >= 3 for count in cases.values()) >= MIN_UNFOLDING_CASES, cases


def _question_sets(course: Course) -> list[tuple[str, tuple[Question, ...]]]:
    return lint.question_sets(course)


def test_the_form_of_the_options_gives_no_answer_away(course: Course) -> None:
    for name, questions in _question_sets(course):
        found = lint.cueing(questions)
        assert found.best_longest_share <= BEST_LONGEST_LIMIT, (name, found)
        assert found.best_most_hedged_share <= BEST_LONGEST_LIMIT, (name, found)
        assert found.mean_length_ratio <= LENGTH_RATIO_LIMIT, (name, found)
        assert max(found.best_positions.values()) / found.questions <= BEST_POSITION_LIMIT, (name, found)


def test_the_stated_study_time_is_computed_from_the_content(course: Course) -> None:
    for version in VERSIONS:
        assert study_hours(course.for_version(version)) == course.estimated_hours, version  # type: ignore[arg-type]


def test_every_objective_has_a_module(course: Course) -> None:
    assert {module.objective for module in course.modules} == {objective.id for objective in course.objectives}


def test_the_course_opens_and_closes_with_a_lesson(course: Course) -> None:
    assert course.items[0].id == "l1-welcome"
    assert "legal advice" in course.items[0].text  # type: ignore[union-attr]
    for version in VERSIONS:
        taken = course.for_version(version)  # type: ignore[arg-type]
        assert taken.items[0].id == "l1-welcome"
        assert taken.items[-1].id == "l5-closing"


def test_every_question_has_three_or_four_options_one_best_and_feedback_for_each(course: Course) -> None:
    for question in course.questions:
        assert 3 <= len(question.options) <= 4, question.id
        assert sum(option.best for option in question.options) == 1, question.id
        assert all(option.feedback.strip() for option in question.options), question.id


def test_every_item_and_card_cites_known_sources(course: Course) -> None:
    cited = {source for item in course.items for source in item.sources}
    cited |= {source for card in course.cards for source in card.sources}
    assert cited <= set(course.sources)
    for source in course.sources.values():
        assert source.url.startswith(("http://", "https://")), source.id


def test_the_look_up_cards_cover_every_group_and_region(course: Course) -> None:
    groups = {card.group for card in course.cards}
    regions = {card.region for card in course.cards if card.group == "resources"}
    assert groups == {"indicators", "documentation", "respond", "resources"}
    assert regions == {"US", "UK", "IE", "CA", "AU", "EU", "INTL"}
    assert sum(card.group == "indicators" for card in course.cards) >= 8


@pytest.mark.parametrize("region", ["US", "UK", "IE", "CA", "AU", "EU", "INTL"])
def test_every_message_fits_telegram(course: Course, region: str) -> None:
    audience = Audience(course, region, 4242)
    for item in audience.course.items:
        if isinstance(item, Question):
            order = audience.order(item, options.FIRST_SHOWING)
            rendered = [texts.question(audience, item), texts.why_not_the_others(audience, item, 0)]
            for option in range(len(item.options)):
                rendered += texts.answered(audience, item, option, order)
            for button in rendered[0].buttons[0]:
                assert buttons.decode(button.data) is not None
        else:
            rendered = [texts.lesson(audience, item)]
            if item.more:
                rendered.append(texts.lesson_with_more(audience, item))
        for reply in rendered:
            assert "{" not in reply.text, item.id  # every placeholder filled
        for reply in rendered:
            assert 0 < texts.telegram_length(reply.text) <= texts.MESSAGE_LIMIT, item.id
    for card in course.cards:
        assert texts.telegram_length(card.text) <= texts.MESSAGE_LIMIT, card.id


def test_every_phone_number_is_a_known_good_one(course: Course) -> None:
    unknown = set()
    for where, text in all_texts(course):
        unknown |= {(where, number) for number in PHONE.findall(text) if number not in KNOWN_PHONE_NUMBERS}
        unknown |= {(where, number) for number in LETTER_PHONE.findall(text) if number not in KNOWN_LETTER_NUMBERS}
        short = SHORT_NUMBER_IN_CONTEXT.findall(text)
        unknown |= {(where, number) for number in short if number not in KNOWN_SHORT_NUMBERS}
    assert not unknown


def test_the_hotline_number_is_in_the_course_and_the_us_card(course: Course) -> None:
    us_card = course.card("card-res-us")
    assert us_card is not None
    assert "1-888-373-7888" in us_card.text
    assert "233733" in us_card.text
    assert "911" in us_card.text


def test_every_icd_code_is_a_known_good_one_described_correctly(course: Course) -> None:
    problems = []
    for where, text in all_texts(course):
        matches = list(CODE.finditer(text))
        for index, match in enumerate(matches):
            code, suffix = match.groups()
            if code in CATEGORY_MENTIONS:
                continue
            if code not in KNOWN_CODES or suffix not in SEVENTH_CHARACTERS:
                problems.append(f"{where}: unknown code {code}{suffix}")
                continue
            # What follows the code, up to the next code or the end of the clause, is its description.
            end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
            description = re.split(r"[;,.\n]", text[match.end() : end], maxsplit=1)[0].lower()
            if DESCRIPTION_WORDS.search(description) and KNOWN_CODES[code] not in description:
                problems.append(f"{where}: {code} described as {description!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("figure", "required"),
    [
        ("87.8%", "sex"),  # Lederer & Wetzel: domestic sex-trafficking survivors only
        ("40.3 million", "2016"),  # the ILO's 2016 estimate, not today's figure
    ],
)
def test_known_traps_carry_their_limits(course: Course, figure: str, required: str) -> None:
    for where, text in all_texts(course):
        for paragraph in text.split("\n\n"):
            if figure in paragraph:
                assert required in paragraph.lower(), f"{where}: {figure} without '{required}'"
