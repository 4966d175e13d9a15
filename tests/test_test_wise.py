"""A learner who knows nothing but test-taking must not pass: the whole real course played through the
conversation with the classic test-wise strategies (always the longest option, always the first shown, always
the most hedged) scores under 50% in every version, so none of them earns a certificate."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from bot.content import Course, load_course
from bot.content.lint import hedge_count, option_length
from bot.conversation.certificate_chat import CertificateOptions
from bot.conversation.chat import CourseChat, Who
from bot.core import buttons
from bot.settings import PROJECT_ROOT
from bot.store import Store
from tests.conftest import FakeClock

SHOWN_OPTION = re.compile(r"^([A-E])\. (.+)$", re.MULTILINE)
Strategy = Callable[[dict[str, str]], str]


def longest(shown: dict[str, str]) -> str:
    return max(shown, key=lambda letter: (option_length(shown[letter]), -ord(letter)))


def first_shown(shown: dict[str, str]) -> str:
    return min(shown)


def most_hedged(shown: dict[str, str]) -> str:
    return max(shown, key=lambda letter: (hedge_count(shown[letter]), -ord(letter)))


STRATEGIES = {
    "always the longest": longest,
    "always the first shown": first_shown,
    "always the most hedged": most_hedged,
}


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(PROJECT_ROOT / "content")


async def _play(chat: CourseChat, who: Who, strategy: Strategy) -> None:
    await chat.start(who)
    for _ in range(400):
        outcome = await chat.next_bite(who)
        reply = outcome.replies[0]
        if "You have finished" in reply.text:
            return
        row = reply.buttons[0] if reply.buttons else ()
        answers = {
            button.label: button.data for button in row if isinstance(buttons.decode(button.data), buttons.Answer)
        }
        if answers:
            shown = dict(SHOWN_OPTION.findall(reply.text))
            await chat.press(who, answers[strategy(shown)])
    raise AssertionError("the course did not end")


@pytest.mark.parametrize("region", ["US", "UK", "INTL"])
@pytest.mark.parametrize("name", list(STRATEGIES))
async def test_test_wise_strategies_score_under_half_and_earn_no_certificate(
    course: Course, store: Store, clock: FakeClock, region: str, name: str
) -> None:
    chat = CourseChat(course, store, clock, certificates=CertificateOptions(secret="a-long-enough-test-secret"))
    who = Who(31337, 31337)
    await store.learners.enrol(who.user_id, who.chat_id, clock.now)
    await store.learners.set_region(who.user_id, region)

    await _play(chat, who, STRATEGIES[name])

    status = await chat.certificates.eligibility(who.user_id)
    assert status.complete
    assert status.questions == len(course.for_region(region).questions)
    assert status.share < 0.5, f"{name} scored {status.share:.0%} in the {region} version"
    assert "Not yet" in (await chat.command(who, "certificate")).replies[0].text
