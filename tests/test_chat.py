"""The course conversation over a real store: enrolment, bites, answers, progress, bad presses."""

from __future__ import annotations

from bot.content import Course, Question
from bot.conversation import texts
from bot.conversation.audience import Audience
from bot.conversation.chat import CourseChat, Who
from bot.conversation.replies import Outcome
from bot.core import buttons, options
from tests.conftest import FakeClock

ANNA = Who(user_id=101, chat_id=101)


def answer(item_id: str, option: int) -> str:
    return buttons.encode(buttons.Answer(item_id, option))


def only_text(outcome: Outcome) -> str:
    assert len(outcome.replies) == 1
    return outcome.replies[0].text


async def test_start_enrols_and_shows_the_welcome_with_the_privacy_note(course_chat: CourseChat) -> None:
    outcome = await course_chat.command(ANNA, "start")

    (welcome,) = outcome.replies  # one message: the welcome and the schedule question, with a way to skip
    assert "You are enrolled" in welcome.text
    assert texts.PRIVACY_NOTE in welcome.text
    assert "Where are you?" in welcome.text
    assert welcome.buttons[-1][0].label == "Skip, I'll use /next"
    assert await course_chat.store.learners.learner(ANNA.user_id) is not None
    again = await course_chat.command(ANNA, "start")
    assert "Welcome back" in only_text(again)


def shown(user_id: int, option: int) -> str:
    """The letter file option `option` of the test question shows under, for this learner's first showing."""
    return options.letter_of(options.shown_order(user_id, "one-question-a", options.FIRST_SHOWING, 3), option)


async def test_next_sends_the_course_in_order_and_a_question_with_answer_buttons(course_chat: CourseChat) -> None:
    await course_chat.command(ANNA, "start")

    lesson = await course_chat.command(ANNA, "next")
    question = await course_chat.command(ANNA, "next")

    assert "First lesson" in only_text(lesson)
    assert "First question" in only_text(question)
    row = question.replies[0].buttons[0]
    assert [button.label for button in row] == ["A", "B", "C"]
    # Each button names its option by its place in the file; the letters follow the shuffled order shown.
    assert sorted(button.data for button in row) == [answer("one-question-a", index) for index in range(3)]
    for button in row:
        option = int(button.data.rsplit(":", 1)[1])
        assert f"{button.label}. Option {['zero', 'one', 'two'][option]}" in only_text(question)


async def test_the_order_is_shuffled_per_learner_and_stable_for_a_message(mini_course: Course) -> None:
    orders = {options.shown_order(user, "one-question-a", options.FIRST_SHOWING, 3) for user in range(1, 40)}
    assert len(orders) > 1
    assert options.shown_order(7, "one-question-a", "first", 3) == options.shown_order(7, "one-question-a", "first", 3)
    assert {options.shown_order(7, "one-question-a", options.review_showing(send), 3) for send in range(30)} != {
        options.shown_order(7, "one-question-a", options.FIRST_SHOWING, 3)
    }


async def test_an_unanswered_question_comes_back_with_next(course_chat: CourseChat) -> None:
    await course_chat.command(ANNA, "start")
    await course_chat.command(ANNA, "next")
    await course_chat.command(ANNA, "next")
    assert "First question" in only_text(await course_chat.command(ANNA, "next"))


async def test_a_right_answer_is_recorded_and_explained(course_chat: CourseChat, clock: FakeClock) -> None:
    await course_chat.command(ANNA, "start")
    await course_chat.command(ANNA, "next")
    await course_chat.command(ANNA, "next")

    outcome = await course_chat.press(ANNA, answer("one-question-a", 1))

    assert outcome.notice == "Correct"
    assert outcome.edit is not None
    assert "Which option is best?" in outcome.edit.text
    assert outcome.edit.text.endswith(f"Your answer: {shown(ANNA.user_id, 1)}")
    (feedback,) = outcome.replies
    assert feedback.text == f"✅ **{shown(ANNA.user_id, 1)} is the best answer.** One is right because it is one."
    recorded = (await course_chat.store.progress.record(ANNA.user_id)).answers["one-question-a"]
    assert (recorded.option, recorded.correct, recorded.answered_at) == (1, True, clock.now)


async def test_a_wrong_answer_gets_its_feedback_and_the_best_answer_named(course_chat: CourseChat) -> None:
    await course_chat.command(ANNA, "start")
    await course_chat.command(ANNA, "next")
    await course_chat.command(ANNA, "next")

    outcome = await course_chat.press(ANNA, answer("one-question-a", 2))
    (feedback,) = outcome.replies
    text = feedback.text

    assert f"{shown(ANNA.user_id, 2)} is not the best choice" in text
    assert "Two is wrong because it is two." in text
    assert f"Best answer: {shown(ANNA.user_id, 1)}.** Option one" in text

    why = await course_chat.press(ANNA, feedback.buttons[0][1].data)
    assert why.edit is not None
    assert "One is right because it is one." in why.edit.text
    assert "Zero is wrong because it is zero." in why.edit.text


async def test_an_answer_marks_the_question_and_the_verdict_comes_short_and_on_its_own(
    course_chat: CourseChat, mini_course: Course
) -> None:
    question = mini_course.item("one-question-a")
    assert isinstance(question, Question)
    audience = Audience(mini_course, None, ANNA.user_id)
    order = audience.order(question, options.FIRST_SHOWING)
    letter = options.letter_of(order, 0)

    edit, feedback = texts.answered(audience, question, 0, order)

    assert edit.text.endswith(f"Your answer: {letter}")
    assert edit.buttons == ()
    assert feedback.text.startswith(f"❌ **{letter} is not the best choice.** Zero is wrong")
    assert question.stem not in feedback.text
    assert "Two is wrong" not in feedback.text  # the other options wait behind "Why not the others"
    assert [button.label for button in feedback.buttons[0]] == ["Next ▶", "Why not the others ▸"]


async def test_a_double_tap_counts_once(course_chat: CourseChat) -> None:
    await course_chat.command(ANNA, "start")
    await course_chat.command(ANNA, "next")
    await course_chat.command(ANNA, "next")
    await course_chat.press(ANNA, answer("one-question-a", 0))

    repeat = await course_chat.press(ANNA, answer("one-question-a", 1))

    assert repeat.replies == ()
    first = options.shown_order(ANNA.user_id, "one-question-a", options.FIRST_SHOWING, 3)
    assert repeat.notice == texts.notice_already_answered(options.letter_of(first, 0))
    assert (await course_chat.store.progress.record(ANNA.user_id)).answers["one-question-a"].option == 0


async def test_a_forged_answer_to_a_question_never_sent_changes_nothing(course_chat: CourseChat) -> None:
    await course_chat.command(ANNA, "start")

    outcome = await course_chat.press(ANNA, answer("two-question-a", 0))

    assert outcome.notice == texts.NOTICE_NOT_YOURS
    assert outcome.replies == ()
    assert (await course_chat.store.progress.record(ANNA.user_id)).answers == {}


async def test_stale_or_garbage_button_data_gets_a_clear_notice(course_chat: CourseChat) -> None:
    await course_chat.command(ANNA, "start")
    for data in ("a:retired-question:1", "garbage", None, "a:one-question-a:9"):
        outcome = await course_chat.press(ANNA, data)
        assert outcome.notice in {texts.NOTICE_STALE_BUTTON, texts.NOTICE_NOT_YOURS}
        assert outcome.replies == ()
    assert (await course_chat.store.progress.record(ANNA.user_id)).answers == {}


async def test_a_stranger_pressing_an_answer_is_asked_to_start(course_chat: CourseChat) -> None:
    outcome = await course_chat.press(Who(999, 999), answer("one-question-a", 1))
    assert "Send /start" in only_text(outcome)
    assert await course_chat.store.learners.learner(999) is None


async def test_next_before_start_never_enrols_silently_but_says_how_to_start(course_chat: CourseChat) -> None:
    outcome = await course_chat.command(ANNA, "next")
    assert "/start" in only_text(outcome)
    assert await course_chat.store.learners.learner(ANNA.user_id) is None


async def test_progress_shows_each_module_and_the_share_correct(course_chat: CourseChat) -> None:
    await course_chat.command(ANNA, "start")
    await course_chat.command(ANNA, "next")
    await course_chat.command(ANNA, "next")
    await course_chat.press(ANNA, answer("one-question-a", 1))

    text = only_text(await course_chat.command(ANNA, "progress"))

    assert "1. Module one\n▓▓▓▓▓▓▓░░░ 2/3" in text
    assert "2. Module two\n░░░░░░░░░░ 0/2" in text
    assert "1 of 1 answered correctly (100%)" in text


async def test_the_whole_course_ends_with_a_completion_message(course_chat: CourseChat) -> None:
    await course_chat.command(ANNA, "start")
    for _ in range(10):
        outcome = await course_chat.command(ANNA, "next")
        assert outcome.replies, "every /next sends something"
        reply = outcome.replies[0]
        if reply.buttons and reply.buttons[0][0].label == "A":
            await course_chat.press(ANNA, reply.buttons[0][0].data)
        if "You have finished" in reply.text:
            break
    else:
        raise AssertionError("the course never ended")
    assert "You have finished the course" in only_text(await course_chat.command(ANNA, "progress"))


async def test_unknown_commands_get_a_hint_and_text_that_finds_nothing_gets_the_menus(course_chat: CourseChat) -> None:
    assert "/help" in only_text(await course_chat.command(ANNA, "frobnicate"))
    assert "/indicators" in only_text(await course_chat.text(ANNA, "zzzz qqqq"))
    assert await course_chat.store.learners.learner(ANNA.user_id) is None


async def test_help_lists_every_command(course_chat: CourseChat) -> None:
    text = only_text(await course_chat.command(ANNA, "help"))
    for name, _ in texts.COMMANDS:
        assert f"/{name}" in text
    admin_only = {"verify", "stats"}
    assert set(course_chat.command_names) == {name for name, _ in texts.COMMANDS} | admin_only
