"""Loading the course from its YAML files, checking everything an author can get wrong.

Every problem is collected (not just the first) and reported as `file:line: item 'id': field: what is wrong`,
so an author can fix a whole file in one pass; the bot refuses to start while any remain.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.content.lint import jurisdiction_problems
from bot.content.model import (
    AssessmentFile,
    Card,
    CardsFile,
    Course,
    CourseFile,
    Module,
    Question,
    RegionsFile,
    SourcesFile,
    is_for,
)
from bot.content.yamlfile import PathKey, YamlDocument, YamlSyntaxError, read_yaml
from bot.errors import ContentError

COURSE_FILE = "course.yaml"

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class _Located:
    """Where an item, card or source was written, for cross-file errors."""

    doc: YamlDocument
    key: PathKey
    label: str


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, doc_path: Path, line: int, message: str) -> None:
        self.messages.append(f"{_display(doc_path)}:{line}: {message}")

    def at(self, where: _Located, message: str) -> None:
        self.add(where.doc.path, where.doc.line_of(where.key), f"{where.label}: {message}")


def load_course(directory: Path | str) -> Course:
    """Load and validate the course in `directory`; raise ContentError listing every problem."""
    root = Path(directory)
    problems = _Problems()
    course_doc = _read(root / COURSE_FILE, problems)
    if course_doc is None:
        raise ContentError(problems.messages)
    course_file = _validate(course_doc, CourseFile, problems)
    if course_file is None:
        raise ContentError(problems.messages)

    sources: list[tuple[SourcesFile, YamlDocument]] = []
    for index, name in enumerate(course_file.source_files):
        key: PathKey = ("sources",) if isinstance(course_file.sources, str) else ("sources", index)
        doc = _read(root / name, problems, referenced_from=(course_doc, key))
        sources_file = _validate(doc, SourcesFile, problems) if doc else None
        if sources_file is not None and doc is not None:
            sources.append((sources_file, doc))

    regions_doc = _read(root / course_file.regions, problems, referenced_from=(course_doc, ("regions",)))
    regions_file = _validate(regions_doc, RegionsFile, problems) if regions_doc else None

    modules: list[tuple[Module, YamlDocument]] = []
    for index, name in enumerate(course_file.modules):
        doc = _read(root / name, problems, referenced_from=(course_doc, ("modules", index)))
        module = _validate(doc, Module, problems) if doc else None
        if module is not None and doc is not None:
            modules.append((module, doc))

    cards: list[tuple[CardsFile, YamlDocument]] = []
    for index, name in enumerate(course_file.cards):
        doc = _read(root / name, problems, referenced_from=(course_doc, ("cards", index)))
        cards_file = _validate(doc, CardsFile, problems) if doc else None
        if cards_file is not None and doc is not None:
            cards.append((cards_file, doc))

    assessment: tuple[AssessmentFile, YamlDocument] | None = None
    if course_file.assessment is not None:
        doc = _read(root / course_file.assessment, problems, referenced_from=(course_doc, ("assessment",)))
        assessment_file = _validate(doc, AssessmentFile, problems) if doc else None
        if assessment_file is not None and doc is not None:
            assessment = (assessment_file, doc)

    all_sources_loaded = len(sources) == len(course_file.source_files)
    _check_cross_references(course_doc, course_file, sources, all_sources_loaded, modules, cards, assessment, problems)
    if regions_file is not None and regions_doc is not None:
        _check_regions(course_file, regions_file, regions_doc, sources, all_sources_loaded, modules, problems)
    if problems.messages:
        raise ContentError(problems.messages)
    assert regions_file is not None  # a missing regions file is a problem above
    course = Course(
        title=course_file.title,
        estimated_hours=course_file.estimated_hours,
        objectives=course_file.objectives,
        modules=tuple(module for module, _ in modules),
        cards=tuple(card for cards_file, _ in cards for card in cards_file.cards),
        sources=tuple(source for sources_file, _ in sources for source in sources_file.sources),
        versions=regions_file.versions,
        regions=regions_file.regions,
        pretest=assessment[0].pretest if assessment else (),
        posttest=assessment[0].posttest if assessment else (),
    )
    located = {item.id: where for item, where in _everything_with_an_id(modules, cards, assessment)}
    for item_id, problem in jurisdiction_problems(course):
        problems.at(located[item_id], problem)
    if problems.messages:
        raise ContentError(problems.messages)
    return course


def _read(
    path: Path, problems: _Problems, referenced_from: tuple[YamlDocument, PathKey] | None = None
) -> YamlDocument | None:
    try:
        return read_yaml(path)
    except FileNotFoundError:
        if referenced_from is None:
            problems.add(path, 1, "file not found")
        else:
            doc, key = referenced_from
            problems.add(doc.path, doc.line_of(key), f"file not found: {_display(path)}")
    except UnicodeDecodeError:
        problems.add(path, 1, "not UTF-8 text")
    except YamlSyntaxError as err:
        problems.add(path, err.line, err.message)
    return None


def _validate(doc: YamlDocument | None, model: type[ModelT], problems: _Problems) -> ModelT | None:
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problems.add(doc.path, 1, "the file must be a mapping of keys to values (is it empty?)")
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as err:
        errors = err.errors()
        for error in errors:
            if error["type"] == "too_short" and _has_inner_error(error["loc"], errors):
                continue  # a list whose bad entry was dropped: the entry's own error is the one to fix
            key = _data_key(doc.data, error["loc"])
            label, field = _label_and_field(doc.data, key, error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            where = f"{label}: " if label else ""
            detail = f"{field}: " if field else ""
            problems.add(doc.path, doc.line_of(key), f"{where}{detail}{message}")
        return None


def _has_inner_error(loc: tuple[str | int, ...], errors: list[ErrorDetails]) -> bool:
    return any(len(other["loc"]) > len(loc) and other["loc"][: len(loc)] == loc for other in errors)


def _data_key(data: Any, loc: tuple[str | int, ...]) -> PathKey:
    """The path in the file's data that a pydantic error location names (union tags removed)."""
    key: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part not in current and current.get("type") == part:
            continue  # the discriminated-union tag pydantic inserts: not a key in the file
        key.append(part)
        current = _child(current, part)
    return tuple(key)


def _child(data: Any, part: str | int) -> Any:
    """`data[part]` when it exists in the file's data, else None."""
    if isinstance(data, dict):
        return data.get(part)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return None


def _label_and_field(data: Any, key: PathKey, loc: tuple[str | int, ...]) -> tuple[str, str]:
    """`question 'q-1'` for the innermost item holding the error, and the field path below it."""
    label, label_depth = "", 0
    current = data
    for depth, part in enumerate(key, start=1):
        current = _child(current, part)
        if isinstance(current, dict) and isinstance(current.get("id"), str):
            kind = current.get("type") if current.get("type") in {"lesson", "question"} else None
            kind = kind or ("card" if "group" in current else "source" if "url" in current else "item")
            label, label_depth = f"{kind} '{current['id']}'", depth
    if not label and isinstance(data, dict) and isinstance(data.get("id"), str) and "items" in data:
        label = f"module '{data['id']}'"
    field = ".".join(str(part) for part in key[label_depth:])
    return label, field


def _check_cross_references(
    course_doc: YamlDocument,
    course_file: CourseFile,
    sources: list[tuple[SourcesFile, YamlDocument]],
    all_sources_loaded: bool,
    modules: list[tuple[Module, YamlDocument]],
    cards: list[tuple[CardsFile, YamlDocument]],
    assessment: tuple[AssessmentFile, YamlDocument] | None,
    problems: _Problems,
) -> None:
    known_sources = _known_sources(sources, problems)

    first_seen: dict[str, _Located] = {}
    for item, where in _everything_with_an_id(modules, cards, assessment):
        if item.id in first_seen:
            other = first_seen[item.id]
            first = f"{_display(other.doc.path)}:{other.doc.line_of((*other.key, 'id'))}"
            problems.at(_Located(where.doc, (*where.key, "id"), where.label), f"id already used at {first}")
        else:
            first_seen[item.id] = where
        if all_sources_loaded:
            _check_cited(item, where, known_sources, course_file, problems)

    objective_ids = {objective.id for objective in course_file.objectives}
    covered: dict[int, set[str]] = {objective: set() for objective in objective_ids}
    for module, doc in modules:
        if module.objective not in objective_ids:
            problems.add(
                doc.path,
                doc.line_of(("objective",)),
                f"module '{module.id}': objective {module.objective} is not in {COURSE_FILE}",
            )
            continue
        covered[module.objective].update("question" if isinstance(i, Question) else "lesson" for i in module.items)
    if assessment is not None:
        _check_assessment(*assessment, objective_ids, problems)
    if len(modules) == len(course_file.modules):  # only judge coverage when every module loaded
        for index, objective in enumerate(course_file.objectives):
            missing = {"lesson", "question"} - covered[objective.id]
            if missing:
                problems.add(
                    course_doc.path,
                    course_doc.line_of(("objectives", index)),
                    f"objective {objective.id} has no {' and no '.join(sorted(missing))} in any module",
                )


def _known_sources(sources: list[tuple[SourcesFile, YamlDocument]], problems: _Problems) -> set[str]:
    known: dict[str, _Located] = {}
    for sources_file, doc in sources:
        for index, source in enumerate(sources_file.sources):
            where = _Located(doc, ("sources", index), f"source '{source.id}'")
            if source.id in known:
                other = known[source.id]
                first = f"{_display(other.doc.path)}:{other.doc.line_of(other.key)}"
                problems.at(where, f"this source id is used twice (first at {first})")
            else:
                known[source.id] = where
    return set(known)


def _check_cited(
    item: Any, where: _Located, known_sources: set[str], course_file: CourseFile, problems: _Problems
) -> None:
    for position, source_id in enumerate(getattr(item, "sources", ())):
        if source_id not in known_sources:
            at = _Located(where.doc, (*where.key, "sources", position), where.label)
            problems.at(at, f"unknown source '{source_id}' (not in {', '.join(course_file.source_files)})")


def _check_regions(
    course_file: CourseFile,
    regions_file: RegionsFile,
    regions_doc: YamlDocument,
    sources: list[tuple[SourcesFile, YamlDocument]],
    all_sources_loaded: bool,
    modules: list[tuple[Module, YamlDocument]],
    problems: _Problems,
) -> None:
    """Every version is declared once and taken by some region; every version gets a whole course."""
    known_sources = {source.id for sources_file, _ in sources for source in sources_file.sources}
    declared: set[str] = set()
    for index, version in enumerate(regions_file.versions):
        if version.code in declared:
            problems.add(regions_doc.path, regions_doc.line_of(("versions", index)), f"version {version.code} twice")
        declared.add(version.code)
    seen: set[str] = set()
    for index, region in enumerate(regions_file.regions):
        where = _Located(regions_doc, ("regions", index), f"region '{region.code}'")
        if region.code in seen:
            problems.at(where, "this region is listed twice")
        seen.add(region.code)
        if region.version not in declared:
            problems.at(where, f"version {region.version} is not among the versions")
        if all_sources_loaded:
            _check_cited(region, where, known_sources, course_file, problems)
    if len(modules) != len(course_file.modules):
        return  # judge completeness only when every module loaded
    for version in regions_file.versions:
        for module, doc in modules:
            kinds = {item.type for item in module.items if is_for(item, version.code)}
            missing = {"lesson", "question"} - kinds
            if missing:
                problems.add(
                    doc.path,
                    doc.line_of(("items",)),
                    f"module '{module.id}': the {version.code} version has no {' and no '.join(sorted(missing))}",
                )


def _check_assessment(assessment: AssessmentFile, doc: YamlDocument, objectives: set[int], problems: _Problems) -> None:
    """Each test question tests a real objective, and the post-test tests the same objectives as the pre-test."""
    tested: dict[str, set[int]] = {}
    for part in ("pretest", "posttest"):
        tested[part] = set()
        for index, question in enumerate(getattr(assessment, part)):
            tested[part].add(question.objective)
            if question.objective not in objectives:
                where = _Located(doc, (part, index, "objective"), f"question '{question.id}'")
                problems.at(where, f"objective {question.objective} is not in {COURSE_FILE}")
    if tested["pretest"] != tested["posttest"]:
        only = sorted(tested["pretest"] ^ tested["posttest"])
        problems.add(
            doc.path, doc.line_of(("posttest",)), f"the pre-test and post-test must test the same objectives: {only}"
        )


def _everything_with_an_id(
    modules: list[tuple[Module, YamlDocument]],
    cards: list[tuple[CardsFile, YamlDocument]],
    assessment: tuple[AssessmentFile, YamlDocument] | None = None,
) -> Iterator[tuple[Module | Card | Any, _Located]]:
    for module, doc in modules:
        yield module, _Located(doc, (), f"module '{module.id}'")
        for index, item in enumerate(module.items):
            yield item, _Located(doc, ("items", index), f"{item.type} '{item.id}'")
    for cards_file, doc in cards:
        for index, card in enumerate(cards_file.cards):
            yield card, _Located(doc, ("cards", index), f"card '{card.id}'")
    if assessment is not None:
        assessment_file, doc = assessment
        for part in ("pretest", "posttest"):
            for index, question in enumerate(getattr(assessment_file, part)):
                yield question, _Located(doc, (part, index), f"question '{question.id}'")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
