"""The terminal course: the real `coursebot chat` command, scripted through standard input."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from bot.content import load_course
from tests.conftest import MINI_COURSE, REPO_ROOT, run_coursebot


def run_chat(script: str, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_coursebot("chat", "--db", str(db), "--content", str(MINI_COURSE), *extra, stdin=script)


def test_a_scripted_session_runs_the_course_and_exits_cleanly_at_end_of_input(tmp_path: Path) -> None:
    db = tmp_path / "chat.sqlite3"

    result = run_chat("/start\n/next\n1\n2\n/progress\n", db)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "You are enrolled" in out
    assert "[7] Skip, I'll use /next" in out
    assert "First lesson" in out
    assert "[1] A   [2] B   [3] C" in out
    assert "B is the best answer" in out
    assert "1 of 1 answered correctly (100%)" in out
    assert out.rstrip().endswith("Goodbye. Your progress is saved.")
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT item_id, option, correct FROM answers").fetchall() == [("one-question-a", 1, 1)]


def test_progress_survives_a_new_session_on_the_same_database(tmp_path: Path) -> None:
    db = tmp_path / "chat.sqlite3"
    run_chat("/start\n/next\n/next\n1\n", db)

    result = run_chat("/start\n/next\n", db)

    assert "Welcome back" in result.stdout
    assert "Second lesson" in result.stdout


def test_bad_input_gets_clear_answers(tmp_path: Path) -> None:
    result = run_chat("hello there\n/nonsense\n7\n\n/\n", tmp_path / "chat.sqlite3")

    assert result.returncode == 0, result.stderr
    assert "Best matches" in result.stdout or "I found nothing" in result.stdout
    assert "I don't know the command /nonsense" in result.stdout
    assert "(There is no button [7] on the latest message.)" in result.stdout
    assert "Traceback" not in result.stderr


def test_chat_refuses_to_start_on_invalid_content(tmp_path: Path) -> None:
    bad = tmp_path / "content"
    bad.mkdir()
    (bad / "course.yaml").write_text("title: [unclosed\n", encoding="utf-8")

    result = run_coursebot("chat", "--db", str(tmp_path / "x.sqlite3"), "--content", str(bad))

    assert result.returncode != 0
    assert f"{bad}/course.yaml:2: not valid YAML" in result.stderr  # where the unclosed list ends
    assert "will not start with invalid content" in result.stderr


def test_the_real_course_runs_through_every_module_to_the_end(tmp_path: Path) -> None:
    db = tmp_path / "whole-course.sqlite3"
    # [1] is "Next" under a lesson and answers "A" under a question, then "Next" under its feedback.
    # [1] under "Where are you?" is the United States, so this learner takes the US version of the course.
    course = load_course(REPO_ROOT / "content").for_region("US")
    course_length = len(course.items)
    # After /start, seven presses of [1] also set a schedule (region, zone, time, days, pace, quiet, then "Next").
    script = "/start\n" + "1\n" * (2 * course_length + 15) + "/progress\n"

    result = run_coursebot("chat", "--db", str(db), stdin=script)

    assert result.returncode == 0, result.stderr
    assert "You have finished The Healthcare Response to Human Trafficking" in result.stdout
    assert "🎓 You have finished the course." in result.stdout
    for number in range(1, len(course.modules) + 1):
        assert f"{number}. " in result.stdout
        assert f"🏁 Module {number} done: {course.modules[number - 1].title}" in result.stdout  # the last one too
    # "A" every time misses many cases: with no certificates on this server, the end still offers practice.
    assert "case questions you last answered wrong can be practised now" in result.stdout
    assert "Practise my missed cases" in result.stdout
    with sqlite3.connect(db) as raw:
        answered = raw.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        delivered = raw.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
    assert answered == len(course.questions)
    assert delivered == len(course.items)
