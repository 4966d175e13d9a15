"""The course engine: plain, fast tests over the small test course."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.content import Course
from bot.core import buttons, engine
from bot.core.engine import AnswerRecord, LearnerRecord, Rejection, Scored

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def learner(delivered: tuple[str, ...] = (), answers: dict[str, tuple[int, bool]] | None = None) -> LearnerRecord:
    answered = {
        item_id: AnswerRecord(item_id, option, correct, NOW) for item_id, (option, correct) in (answers or {}).items()
    }
    return LearnerRecord(delivered=frozenset(delivered), answers=answered)


def test_a_new_learner_starts_with_the_first_item(mini_course: Course) -> None:
    assert engine.next_item(mini_course, learner()).id == "one-lesson-a"  # type: ignore[union-attr]


def test_a_delivered_lesson_is_done_and_the_next_item_follows(mini_course: Course) -> None:
    assert engine.next_item(mini_course, learner(("one-lesson-a",))).id == "one-question-a"  # type: ignore[union-attr]


def test_a_question_comes_back_until_it_is_answered(mini_course: Course) -> None:
    delivered = ("one-lesson-a", "one-question-a")
    assert engine.next_item(mini_course, learner(delivered)).id == "one-question-a"  # type: ignore[union-attr]
    answered = learner(delivered, {"one-question-a": (1, True)})
    assert engine.next_item(mini_course, answered).id == "one-lesson-b"  # type: ignore[union-attr]


def test_the_course_is_complete_when_every_item_is_done(mini_course: Course) -> None:
    everything = learner(
        tuple(item.id for item in mini_course.items), {"one-question-a": (0, False), "two-question-a": (0, True)}
    )
    assert engine.next_item(mini_course, everything) is None
    assert engine.is_complete(mini_course, everything)


def test_the_best_option_scores_correct(mini_course: Course) -> None:
    scored = engine.score_answer(mini_course, learner(("one-question-a",)), "one-question-a", 1)
    assert isinstance(scored, Scored)
    assert scored.correct
    assert scored.record(NOW) == AnswerRecord("one-question-a", 1, True, NOW)


def test_another_option_scores_wrong(mini_course: Course) -> None:
    scored = engine.score_answer(mini_course, learner(("one-question-a",)), "one-question-a", 2)
    assert isinstance(scored, Scored)
    assert not scored.correct


@pytest.mark.parametrize(
    ("item_id", "option", "record", "rejection"),
    [
        ("no-such-question", 0, learner(), Rejection.UNKNOWN_QUESTION),
        ("one-lesson-a", 0, learner(("one-lesson-a",)), Rejection.UNKNOWN_QUESTION),
        ("one-question-a", 3, learner(("one-question-a",)), Rejection.INVALID_OPTION),
        ("one-question-a", -1, learner(("one-question-a",)), Rejection.INVALID_OPTION),
        ("one-question-a", 1, learner(), Rejection.NOT_DELIVERED),
        ("one-question-a", 1, learner(("one-question-a",), {"one-question-a": (0, False)}), Rejection.ALREADY_ANSWERED),
    ],
)
def test_an_answer_that_cannot_count_is_rejected_with_its_reason(
    mini_course: Course, item_id: str, option: int, record: LearnerRecord, rejection: Rejection
) -> None:
    assert engine.score_answer(mini_course, record, item_id, option) is rejection


def test_progress_counts_items_per_module_and_the_share_answered_correctly(mini_course: Course) -> None:
    record = learner(
        ("one-lesson-a", "one-question-a", "two-question-a"),
        {"one-question-a": (1, True), "two-question-a": (1, False)},
    )
    status = engine.progress(mini_course, record)
    assert [(m.module.id, m.done, m.total) for m in status.modules] == [("mod-one", 2, 3), ("mod-two", 1, 2)]
    assert (status.answered, status.correct, status.total_questions) == (2, 1, 2)
    assert status.share_correct == 0.5
    assert not status.complete


def test_progress_ignores_items_no_longer_in_the_course(mini_course: Course) -> None:
    record = learner(("retired-lesson",), {"retired-question": (0, True)})
    status = engine.progress(mini_course, record)
    assert (status.done, status.answered, status.share_correct) == (0, 0, None)


def test_position_in_module_counts_from_one(mini_course: Course) -> None:
    item = mini_course.item("one-lesson-b")
    assert item is not None
    module, position, total = engine.position_in_module(mini_course, item)
    assert (module.id, position, total) == ("mod-one", 3, 3)


@pytest.mark.parametrize("action", [buttons.Answer("one-question-a", 2), buttons.NextBite(), buttons.ShowProgress()])
def test_button_data_round_trips(action: buttons.Action) -> None:
    assert buttons.decode(buttons.encode(action)) == action


@pytest.mark.parametrize("data", [None, "", "x", "a:", "a:id:", "a:id:x", "a:id:-1", "a::1", "a:id:123", "z" * 65])
def test_button_data_that_is_not_ours_decodes_to_nothing(data: str | None) -> None:
    assert buttons.decode(data) is None


def test_button_data_over_64_bytes_is_refused_when_encoding() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        buttons.encode(buttons.Answer("q" * 62, 1))
