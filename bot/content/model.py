"""The course as data: the schema authors write in YAML, as frozen pydantic models.

Each model checks what it can see on its own (lengths, one best option, balanced markup); rules that span
files (unique ids, known sources, objectives covered) live in `loader`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator, model_validator

from bot.markup import markup_problem, plain_text

# Ids travel inside Telegram button data (64 bytes at most), so they stay short and plain.
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", min_length=2, max_length=40)]
SourceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=60)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
# Telegram allows 4096 characters a message; the renderer adds a heading and buttons' labels, so the
# body of any one text is held well under that.
BodyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=3500)]

LESSON_MAX_WORDS = 130
STEM_MAX_WORDS = 110
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
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _text_is_one_screen(cls, value: str) -> str:
        _check_markup(value)
        words = _word_count(value)
        if words > LESSON_MAX_WORDS:
            raise ValueError(f"a lesson is one phone screen: {words} words, at most {LESSON_MAX_WORDS}")
        return value


class Option(_Frozen):
    """One answer to a case question, with the feedback shown when it is chosen."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    feedback: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1200)]
    best: StrictBool = False

    @field_validator("text", "feedback")
    @classmethod
    def _markup(cls, value: str) -> str:
        return _check_markup(value)


class Question(_Frozen):
    """A clinical vignette with 2-5 options, exactly one of them best."""

    type: Literal["question"]
    id: ItemId
    title: ShortText
    case: ItemId | None = None
    stem: BodyText
    options: tuple[Option, ...] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @field_validator("stem")
    @classmethod
    def _stem_is_short(cls, value: str) -> str:
        _check_markup(value)
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
Region = Literal["US", "UK", "CA", "AU", "INTL"]


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
        return _check_markup(value)

    @model_validator(mode="after")
    def _region_only_for_resources(self) -> Card:
        if (self.group == "resources") != (self.region is not None):
            raise ValueError("cards in group 'resources' need a 'region'; other cards must not have one")
        return self


class Module(_Frozen):
    """The lessons and case questions for one learning objective, in course order."""

    id: ItemId
    objective: int = Field(ge=1)
    title: ShortText
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    items: tuple[Item, ...] = Field(min_length=1)

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
    sources: str
    modules: tuple[str, ...] = Field(min_length=1)
    cards: tuple[str, ...] = ()


class SourcesFile(_Frozen):
    """`sources.yaml`: every source any item cites."""

    sources: tuple[Source, ...] = Field(min_length=1)


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
    ) -> None:
        self.title = title
        self.estimated_hours = estimated_hours
        self.objectives = objectives
        self.modules = modules
        self.cards = cards
        self.sources = {source.id: source for source in sources}
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
