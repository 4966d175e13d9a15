"""The course as data: the schema authors write in YAML, as frozen pydantic models.

Each model checks what it can see on its own (lengths, one best option, balanced markup); rules that span
files (unique ids, known sources, objectives covered) live in `loader`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator, model_validator

from bot.content.markup import markup_problem, plain_text

# Ids travel inside Telegram button data (64 bytes at most), so they stay short and plain.
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", min_length=2, max_length=40)]
SourceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=60)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
# Telegram allows 4096 characters a message; the renderer adds a heading and buttons' labels, so the
# body of any one text is held well under that.
BodyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=3500)]

LESSON_MAX_WORDS = 100
FEEDBACK_MAX_WORDS = 60
STEM_MAX_WORDS = 80
MORE_MAX_WORDS = 160
RECAP_MAX_WORDS = 45
MIN_OPTIONS = 2
MAX_OPTIONS = 5


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _check_markup(value: str) -> str:
    problem = markup_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _word_count(text: str) -> int:
    return len(plain_text(text).split())


# A text may say `{emergency}` where the learner's own emergency number belongs; the renderer fills it in
# from regions.yaml, so a learner in London never reads "call 911". Any other brace is a typo.
PLACEHOLDERS = ("emergency",)
_BRACE = re.compile(r"\{([^{}]*)\}|[{}]")


def _check_placeholders(value: str) -> str:
    for match in _BRACE.finditer(value):
        name = match.group(1)
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + known + "}" for known in PLACEHOLDERS)
            raise ValueError(f"unknown placeholder {match.group(0)!r} (known: {known})")
    return value


def _check_text(value: str) -> str:
    return _check_placeholders(_check_markup(value))


# The versions of the course: an item with no `regions` is for everyone; one with `regions: [UK]` only for
# learners whose region takes the UK version (regions.yaml maps every learner region to one of these).
CourseVersion = Literal["US", "UK", "CA", "AU", "INTL"]
COURSE_VERSIONS: tuple[CourseVersion, ...] = ("US", "UK", "CA", "AU", "INTL")
Regions = Annotated[tuple[CourseVersion, ...], Field(default=())]


class Source(_Frozen):
    """A publication a fact comes from."""

    id: SourceId
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    publisher: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    year: int | Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=20)]
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class Lesson(_Frozen):
    """One screen of teaching: a title and a short text."""

    type: Literal["lesson"]
    id: ItemId
    title: ShortText
    text: BodyText
    more: BodyText | None = None
    regions: Regions
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _text_is_one_screen(cls, value: str) -> str:
        _check_text(value)
        words = _word_count(value)
        if words > LESSON_MAX_WORDS:
            raise ValueError(f"a lesson is one phone screen: {words} words, at most {LESSON_MAX_WORDS}")
        return value

    @field_validator("more")
    @classmethod
    def _more_is_short(cls, value: str | None) -> str | None:
        if value is None:
            return None
        _check_text(value)
        words = _word_count(value)
        if words > MORE_MAX_WORDS:
            raise ValueError(f"'more' is one more screen: {words} words, at most {MORE_MAX_WORDS}")
        return value


class Option(_Frozen):
    """One answer to a case question, with the feedback shown when it is chosen."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    feedback: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1200)]
    best: StrictBool = False

    @field_validator("text", "feedback")
    @classmethod
    def _markup(cls, value: str) -> str:
        return _check_text(value)

    @field_validator("feedback")
    @classmethod
    def _feedback_is_short(cls, value: str) -> str:
        words = _word_count(value)
        if words > FEEDBACK_MAX_WORDS:
            raise ValueError(f"feedback leads with one short why: {words} words, at most {FEEDBACK_MAX_WORDS}")
        return value


class Question(_Frozen):
    """A clinical vignette with 2-5 options, exactly one of them best."""

    type: Literal["question"]
    id: ItemId
    title: ShortText
    case: ItemId | None = None
    stem: BodyText
    options: tuple[Option, ...] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    regions: Regions
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @field_validator("stem")
    @classmethod
    def _stem_is_short(cls, value: str) -> str:
        _check_text(value)
        words = _word_count(value)
        if words > STEM_MAX_WORDS:
            raise ValueError(f"a case stem is read on a phone: {words} words, at most {STEM_MAX_WORDS}")
        return value

    @model_validator(mode="after")
    def _exactly_one_best(self) -> Question:
        best = [index for index, option in enumerate(self.options) if option.best]
        if len(best) != 1:
            raise ValueError(f"exactly one option must have 'best: true' (found {len(best)})")
        return self

    @property
    def best_index(self) -> int:
        return next(index for index, option in enumerate(self.options) if option.best)


Item = Annotated[Lesson | Question, Field(discriminator="type")]

CardGroup = Literal["indicators", "documentation", "respond", "resources"]
# Where a learner practises (regions.yaml): finer than the course versions, because Ireland and the rest of
# Europe have numbers of their own while taking the international version of the course.
Region = Literal["US", "UK", "IE", "CA", "AU", "EU", "INTL"]


class Card(_Frozen):
    """A reference card for a look-up during a shift."""

    id: ItemId
    group: CardGroup
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=48)]
    text: BodyText
    region: Region | None = None
    keywords: tuple[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)], ...] = ()
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _markup(cls, value: str) -> str:
        return _check_text(value)

    @model_validator(mode="after")
    def _resources_have_a_region(self) -> Card:
        if self.group == "resources" and self.region is None:
            raise ValueError("cards in group 'resources' need a 'region'")
        return self


class Module(_Frozen):
    """The lessons and case questions for one learning objective, in course order."""

    id: ItemId
    objective: int = Field(ge=1)
    title: ShortText
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    # Shown when a learner finishes the module: what they can now do, in two short lines.
    recap: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)] | None = None
    items: tuple[Item, ...] = Field(min_length=1)

    @field_validator("recap")
    @classmethod
    def _recap_is_short(cls, value: str | None) -> str | None:
        if value is not None and _word_count(value) > RECAP_MAX_WORDS:
            raise ValueError(f"a recap is two short lines: {_word_count(value)} words, at most {RECAP_MAX_WORDS}")
        return value if value is None else _check_text(value)

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        return tuple(item for item in self.items if isinstance(item, Lesson))

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(item for item in self.items if isinstance(item, Question))


class Objective(_Frozen):
    """A learning objective of the course: what a learner can do at the end."""

    id: int = Field(ge=1)
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class CourseFile(_Frozen):
    """`course.yaml`: the course's title, objectives, and the files that make it up, in order."""

    title: ShortText
    estimated_hours: float = Field(gt=0)
    objectives: tuple[Objective, ...] = Field(min_length=1)
    # One file, or several (so authors of different modules each keep their own list).
    sources: str | tuple[str, ...]
    regions: str
    modules: tuple[str, ...] = Field(min_length=1)
    cards: tuple[str, ...] = ()
    assessment: str | None = None

    @property
    def source_files(self) -> tuple[str, ...]:
        return (self.sources,) if isinstance(self.sources, str) else self.sources


class TestQuestion(Question):
    """A case question of the knowledge test before or after the course, scored by the objective it tests."""

    objective: int = Field(ge=1)


class AssessmentFile(_Frozen):
    """`assessment.yaml`: the optional pre-test and the parallel post-test (other items, same objectives).

    Its items are for every learner, so they name no country's law; they are never part of the spaced course.
    """

    pretest: tuple[TestQuestion, ...] = Field(min_length=1)
    posttest: tuple[TestQuestion, ...] = Field(min_length=1)


class CourseVersionInfo(_Frozen):
    """One version of the course, and the words that mark its law, so no other version teaches it unsaid."""

    code: CourseVersion
    name: ShortText
    # Names of laws, bodies and codes that hold only here (HIPAA, the NRM): an item any other version shows
    # must say where they apply, with one of `markers` in the same paragraph.
    law_terms: tuple[ShortText, ...] = ()
    markers: tuple[ShortText, ...] = Field(min_length=1)


class RegionInfo(_Frozen):
    """Where a learner practises: the version of the course they take, and their emergency number."""

    code: Region
    name: ShortText
    version: CourseVersion
    # As it reads after "call": "911", "999", "Triple Zero (000)".
    emergency: ShortText
    sources: tuple[SourceId, ...] = Field(min_length=1)


class RegionsFile(_Frozen):
    """`regions.yaml`: the course's versions and the learners' regions."""

    versions: tuple[CourseVersionInfo, ...] = Field(min_length=1)
    regions: tuple[RegionInfo, ...] = Field(min_length=1)


class SourcesFile(_Frozen):
    """A sources file: sources items cite (an author may start with an empty list)."""

    sources: tuple[Source, ...] = ()


class CardsFile(_Frozen):
    """A file of reference cards."""

    cards: tuple[Card, ...] = Field(min_length=1)


class Course:
    """The whole loaded course: modules in order, cards and sources, with look-ups by id."""

    def __init__(
        self,
        *,
        title: str,
        estimated_hours: float,
        objectives: tuple[Objective, ...],
        modules: tuple[Module, ...],
        cards: tuple[Card, ...],
        sources: tuple[Source, ...],
        versions: tuple[CourseVersionInfo, ...] = (),
        regions: tuple[RegionInfo, ...] = (),
        version: CourseVersion | None = None,
        pretest: tuple[TestQuestion, ...] = (),
        posttest: tuple[TestQuestion, ...] = (),
    ) -> None:
        self.title = title
        self.estimated_hours = estimated_hours
        self.objectives = objectives
        self.modules = modules
        self.cards = cards
        self.sources = {source.id: source for source in sources}
        self.versions = versions
        self.regions: dict[str, RegionInfo] = {region.code: region for region in regions}
        # None for the whole course (every version's items); a code for the course one version's learners take.
        self.version = version
        self.pretest = pretest
        self.posttest = posttest
        self._by_version: dict[str, Course] = {}
        self.items: tuple[Lesson | Question, ...] = tuple(item for module in modules for item in module.items)
        self._items_by_id = {item.id: item for item in self.items}
        self._module_by_item = {item.id: module for module in modules for item in module.items}
        self._position_by_item = {
            item.id: position for module in modules for position, item in enumerate(module.items, start=1)
        }
        self._cards_by_id = {card.id: card for card in cards}

    def item(self, item_id: str) -> Lesson | Question | None:
        return self._items_by_id.get(item_id)

    def module_of(self, item_id: str) -> Module:
        return self._module_by_item[item_id]

    def position(self, item_id: str) -> int:
        """The item's 1-based position in its module."""
        return self._position_by_item[item_id]

    def card(self, card_id: str) -> Card | None:
        return self._cards_by_id.get(card_id)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(item for item in self.items if isinstance(item, Question))

    def for_version(self, version: CourseVersion) -> Course:
        """The course as learners of one version take it: only the items for everyone or for that version."""
        if self.version is not None:
            raise ValueError("for_version() is asked of the whole course")
        if version not in self._by_version:
            modules = tuple(
                module.model_copy(update={"items": tuple(i for i in module.items if is_for(i, version))})
                for module in self.modules
            )
            self._by_version[version] = Course(
                title=self.title,
                estimated_hours=self.estimated_hours,
                objectives=self.objectives,
                modules=tuple(module for module in modules if module.items),
                cards=self.cards,
                sources=tuple(self.sources.values()),
                versions=self.versions,
                regions=tuple(self.regions.values()),
                version=version,
                pretest=self.pretest,
                posttest=self.posttest,
            )
        return self._by_version[version]

    def for_region(self, region: str | None) -> Course:
        """The course a learner in `region` takes (the international version when the region is unknown)."""
        return self.for_version(self.version_of(region))

    def version_of(self, region: str | None) -> CourseVersion:
        info = self.regions.get(region or "")
        return info.version if info is not None else "INTL"

    def fill(self, text: str, region: str | None) -> str:
        """`text` with its placeholders filled in for a learner in `region`."""
        if "{" not in text:
            return text
        info = self.regions.get(region or "") or self.regions.get("INTL")
        emergency = info.emergency if info is not None else "your local emergency number"
        return text.replace("{emergency}", emergency)


def is_for(item: Lesson | Question, version: CourseVersion) -> bool:
    """Whether learners of `version` take `item`."""
    return not item.regions or version in item.regions
