"""Loading content: the test course loads; every kind of authoring mistake is reported at its file and line.

Each file in fixtures/bad/ is one mistake. Its first two lines say which file of the test course it
replaces and the exact problem expected (`{dir}` stands for the course folder).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import Question, load_course
from bot.errors import ContentError
from bot.ops.cli import main
from tests.conftest import FIXTURES, MINI_COURSE

BAD = sorted((FIXTURES / "bad").glob("*.yaml"))


def _header(fixture: Path, field: str) -> str:
    for line in fixture.read_text(encoding="utf-8").splitlines()[:2]:
        prefix = f"# {field}: "
        if line.startswith(prefix):
            return line.removeprefix(prefix)
    raise AssertionError(f"{fixture.name} has no '# {field}:' line")


def test_the_test_course_loads_in_order(mini_course: object) -> None:
    course = load_course(MINI_COURSE)
    assert [module.id for module in course.modules] == ["mod-one", "mod-two"]
    assert [item.id for item in course.items] == [
        "one-lesson-a",
        "one-question-a",
        "one-lesson-b",
        "two-question-a",
        "two-lesson-a",
    ]
    question = course.item("one-question-a")
    assert isinstance(question, Question)
    assert question.best_index == 1
    assert course.card("card-a") is not None
    assert set(course.sources) == {"src-a"}


@pytest.mark.parametrize("fixture", BAD, ids=[path.stem for path in BAD])
def test_a_mistake_is_reported_with_its_file_and_line(fixture: Path, tmp_path: Path) -> None:
    course_dir = tmp_path / "course"
    shutil.copytree(MINI_COURSE, course_dir)
    shutil.copy(fixture, course_dir / _header(fixture, "replaces"))
    expected = f"{course_dir}/" + _header(fixture, "expect").replace("{dir}", str(course_dir))

    with pytest.raises(ContentError) as raised:
        load_course(course_dir)

    assert any(problem.startswith(expected) for problem in raised.value.problems), raised.value.problems


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    course_dir = tmp_path / "course"
    shutil.copytree(MINI_COURSE, course_dir)
    shutil.copy(FIXTURES / "bad" / "no-best-option.yaml", course_dir / "modules" / "two.yaml")
    shutil.copy(FIXTURES / "bad" / "unknown-card-group.yaml", course_dir / "cards.yaml")

    with pytest.raises(ContentError) as raised:
        load_course(course_dir)

    assert len(raised.value.problems) == 2


def test_validate_command_lists_problems_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    course_dir = tmp_path / "course"
    shutil.copytree(MINI_COURSE, course_dir)
    shutil.copy(FIXTURES / "bad" / "no-best-option.yaml", course_dir / "modules" / "two.yaml")

    assert main(["validate", str(course_dir)]) == 1
    assert f"{course_dir}/modules/two.yaml:13: question 'two-question-a'" in capsys.readouterr().err


def test_validate_command_passes_a_good_course(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(MINI_COURSE)]) == 0
    assert "valid: 2 modules, 3 lessons, 2 case questions" in capsys.readouterr().out


def test_an_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    course_dir = tmp_path / "course"
    shutil.copytree(MINI_COURSE, course_dir)
    (course_dir / "modules" / "two.yaml").write_text("", encoding="utf-8")

    with pytest.raises(ContentError, match=r"two\.yaml:1: the file must be a mapping"):
        load_course(course_dir)


def _two_versions(course_dir: Path) -> None:
    """The test course with a UK version beside the international one, and a UK-only lesson in module two."""
    (course_dir / "regions.yaml").write_text(
        "versions:\n"
        "  - {code: INTL, name: everywhere, markers: [international]}\n"
        "  - {code: UK, name: the UK, markers: [UK]}\n"
        "regions:\n"
        "  - {code: INTL, name: Elsewhere, version: INTL, emergency: '112', sources: [src-a]}\n"
        "  - {code: UK, name: United Kingdom, version: UK, emergency: '999', sources: [src-a]}\n",
        encoding="utf-8",
    )
    two = course_dir / "modules" / "two.yaml"
    two.write_text(
        two.read_text(encoding="utf-8") + "  - type: lesson\n"
        "    id: two-lesson-uk\n"
        "    title: In the UK\n"
        "    text: In the UK, call {emergency}.\n"
        "    regions: [UK]\n"
        "    sources: [src-a]\n",
        encoding="utf-8",
    )


def test_each_version_of_the_course_holds_only_its_own_items(tmp_path: Path) -> None:
    course_dir = tmp_path / "course"
    shutil.copytree(MINI_COURSE, course_dir)
    _two_versions(course_dir)

    course = load_course(course_dir)

    assert "two-lesson-uk" in [item.id for item in course.for_region("UK").items]
    assert "two-lesson-uk" not in [item.id for item in course.for_region("INTL").items]
    assert course.for_region(None).version == "INTL"
    assert course.fill("call {emergency}", "UK") == "call 999"
    assert course.fill("call {emergency}", "INTL") == "call 112"


def test_a_version_missing_a_whole_module_is_refused(tmp_path: Path) -> None:
    course_dir = tmp_path / "course"
    shutil.copytree(MINI_COURSE, course_dir)
    _two_versions(course_dir)
    one = course_dir / "modules" / "one.yaml"
    one.write_text(
        one.read_text(encoding="utf-8").replace(
            "sources: [src-a]\n  - type: lesson", "regions: [UK]\n    sources: [src-a]\n  - type: lesson"
        ),
        encoding="utf-8",
    )

    with pytest.raises(ContentError, match=r"one\.yaml:\d+: module 'mod-one': the INTL version has no question"):
        load_course(course_dir)
