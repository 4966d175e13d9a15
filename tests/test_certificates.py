"""Assessment and completion you can trust: certificates confirmed, correctable once, revocable and checkable by an
employer; practice on demand; milestones and the payoff at the end; the peer pulse only for big enough groups."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date

import aiohttp
import pytest

from bot.content import Course
from bot.conversation import texts
from bot.conversation.certificate_chat import CertificateOptions
from bot.conversation.chat import CourseChat, Who
from bot.conversation.peer_pulse import MIN_PEERS
from bot.conversation.replies import Reply
from bot.core import buttons, engine
from bot.delivery.tick import Ticker
from bot.reports import certificates
from bot.store import Store
from bot.telegram.health import HealthServer
from scheduler import spacing
from tests.conftest import FakeClock

SECRET = "a-long-enough-test-secret"
LEARNER = Who(2002, 2002)
RIGHT = {"one-question-a": 1, "two-question-a": 0}
WRONG = {"one-question-a": 0, "two-question-a": 1}
OPTIONS = CertificateOptions(
    secret=SECRET, issuer="St Example Hospital", ce_statement="1 contact hour.", verify_url="https://c.example/verify/"
)


def answer(item_id: str, option: int) -> str:
    return buttons.encode(buttons.Answer(item_id, option))


async def finish(chat: CourseChat, who: Who, choices: dict[str, int]) -> list[str]:
    """Take the whole test course, answering each question with the given option; every text sent, in order."""
    await chat.start(who)
    seen = []
    for _ in range(12):
        outcome = await chat.next_bite(who)
        seen += [reply.text for reply in outcome.replies]
        if "You have finished" in outcome.replies[0].text:
            return seen
        for row in outcome.replies[0].buttons:
            for button in row:
                action = buttons.decode(button.data)
                if isinstance(action, buttons.Answer):
                    await chat.press(who, answer(action.item_id, choices[action.item_id]))
                    break
    raise AssertionError("the course did not end")


def review_button(reply: Reply, option: int) -> str:
    """The data of the button that answers file option `option` of a review, wherever the shuffle put it."""
    for button in reply.buttons[0]:
        action = buttons.decode(button.data)
        if isinstance(action, buttons.ReviewAnswer) and action.option == option:
            return button.data
    raise AssertionError(f"no button for option {option}")


@pytest.fixture
def chat(mini_course: Course, store: Store, clock: FakeClock) -> CourseChat:
    return CourseChat(mini_course, store, clock, certificates=OPTIONS)


async def test_the_name_is_confirmed_before_anything_is_printed(chat: CourseChat, store: Store) -> None:
    await finish(chat, LEARNER, RIGHT)
    asked = await chat.command(LEARNER, "certificate")
    assert "What name should it show?" in asked.replies[0].text

    confirm = await chat.text(LEARNER, "  Alex   Rivera, RN ")

    assert confirm.replies[0].text == "Print “Alex Rivera, RN” on your certificate?"
    assert not confirm.replies[0].shared, "a text with the name is never kept for other learners"
    assert await store.certificates.of(LEARNER.user_id) is None  # nothing issued until "Yes"
    change, yes = confirm.replies[0].buttons[0][1], confirm.replies[0].buttons[0][0]
    await chat.press(LEARNER, change.data)
    await chat.text(LEARNER, "Alex Rivera, RN, BSN")
    issued = await chat.press(LEARNER, yes.data)

    [reply] = issued.replies
    assert reply.attachment is not None
    assert reply.attachment.content.startswith(b"%PDF")
    assert b"/Subtype /Image" in reply.attachment.content  # the QR code of the verification link
    kept = await store.certificates.of(LEARNER.user_id)
    assert kept is not None
    assert (kept.name, kept.hours) == ("Alex Rivera, RN, BSN", 0.5)
    assert f"https://c.example/verify/{kept.code}" in reply.text
    again = await chat.command(LEARNER, "certificate")  # asking again sends the same certificate
    assert kept.code in again.replies[0].text


@pytest.mark.parametrize(
    ("typed", "says"),
    [("Jane Doe 1990-01-01", "patient details"), ("李小龍", "can't be printed"), ("x" * 200, "1 to 80 characters")],
)
async def test_a_name_that_cannot_or_must_not_be_printed_is_refused(
    chat: CourseChat, store: Store, typed: str, says: str
) -> None:
    await finish(chat, LEARNER, RIGHT)
    await chat.command(LEARNER, "certificate")
    refused = await chat.text(LEARNER, typed)
    assert says in refused.replies[0].text
    assert await store.certificates.of(LEARNER.user_id) is None
    assert await chat.press(LEARNER, buttons.encode(buttons.CertificateConfirm())) is not None
    assert await store.certificates.of(LEARNER.user_id) is None  # no pending name to confirm


async def test_a_certificate_can_carry_no_name(chat: CourseChat, store: Store) -> None:
    await finish(chat, LEARNER, RIGHT)
    await chat.command(LEARNER, "certificate")
    await chat.press(LEARNER, buttons.encode(buttons.CertificateWithoutName()))
    kept = await store.certificates.of(LEARNER.user_id)
    assert kept is not None
    assert kept.name is None


async def _issue(chat: CourseChat, name: str) -> None:
    await chat.text(LEARNER, name)
    await chat.press(LEARNER, buttons.encode(buttons.CertificateConfirm()))


async def test_one_reissue_with_a_corrected_name_revokes_the_old_code(chat: CourseChat, store: Store) -> None:
    await finish(chat, LEARNER, RIGHT)
    await chat.command(LEARNER, "certificate")
    await _issue(chat, "Alx Rivera")
    first = await store.certificates.of(LEARNER.user_id)
    assert first is not None

    offered = await chat.command(LEARNER, "certificate")
    assert offered.replies[0].buttons[0][0].label == "Correct the name"
    await chat.press(LEARNER, buttons.encode(buttons.CertificateCorrect()))
    await _issue(chat, "Alex Rivera")

    second = await store.certificates.of(LEARNER.user_id)
    assert second is not None
    assert (second.name, second.completed_on) == ("Alex Rivera", first.completed_on)
    assert second.code != first.code
    assert (await chat.certificates.describe(first.code)).startswith("REVOKED")
    assert (await chat.certificates.describe(second.code)).startswith("GENUINE")
    assert (await chat.command(LEARNER, "certificate")).replies[0].buttons == ()  # no second correction
    refused = await chat.press(LEARNER, buttons.encode(buttons.CertificateCorrect()))
    assert "already been corrected" in refused.replies[0].text


async def test_the_verification_page_shows_valid_forged_and_revoked(
    chat: CourseChat, store: Store, mini_course: Course, clock: FakeClock
) -> None:
    await finish(chat, LEARNER, RIGHT)
    await chat.command(LEARNER, "certificate")
    await _issue(chat, "Alx Rivera")
    old = await store.certificates.of(LEARNER.user_id)
    await chat.press(LEARNER, buttons.encode(buttons.CertificateCorrect()))
    await _issue(chat, "Alex Rivera")
    new = await store.certificates.of(LEARNER.user_id)
    assert old is not None
    assert new is not None
    ticker = Ticker(mini_course, store, sender=None, clock=clock)  # type: ignore[arg-type]
    server = HealthServer(store, ticker, "polling", clock, verifier=chat.certificates.check, course_title="Course T")
    assert await server.start("127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:

            async def page(code: str) -> tuple[int, str]:
                async with http.get(f"http://127.0.0.1:{server.port}/verify/{code}") as response:
                    return response.status, await response.text()

            valid, forged, revoked = await page(new.code), await page(new.code[:-1] + "Q"), await page(old.code)
    finally:
        await server.close()
    assert valid[0] == 200
    assert "Valid certificate" in valid[1]
    assert "Alex Rivera" in valid[1]
    assert str(LEARNER.user_id) not in valid[1]
    assert forged[0] == 404
    assert "Not a valid certificate" in forged[1]
    assert "replaced by a corrected one" in revoked[1]
    assert "Alx Rivera" not in revoked[1]


def test_a_code_signed_before_certificates_kept_their_hours_still_verifies(mini_course: Course) -> None:
    payload = f"7|2026-03-02|{mini_course.title}|2.5".encode()
    signature = base64.b32encode(hmac.new(SECRET.encode(), payload, hashlib.sha256).digest()).decode()[:10]
    legacy = f"HTR-00007-20260302-{signature}"
    assert certificates.verify_code(SECRET, legacy, mini_course) == certificates.Verified(7, date(2026, 3, 2))


async def test_below_the_mark_says_what_is_missing_and_offers_practice(chat: CourseChat) -> None:
    await chat.start(LEARNER)
    assert "finish every module" in (await chat.command(LEARNER, "certificate")).replies[0].text
    await finish(chat, LEARNER, WRONG)
    refused = (await chat.command(LEARNER, "certificate")).replies[0]
    assert "2 more correct answers (0 of 2 now" in refused.text
    assert refused.buttons == ((texts.PRACTISE_BUTTON,),)


async def test_review_brings_missed_cases_back_now_and_counts_them(
    chat: CourseChat, store: Store, mini_course: Course, clock: FakeClock
) -> None:
    seen = await finish(chat, LEARNER, WRONG)
    assert "needs 2 more correct answers" in seen[-1]

    practice = (await chat.command(LEARNER, "review")).replies[0]
    assert practice.text.startswith("🔁 Practice (and 1 more to practise)")
    assert "Which option is best?" in practice.text  # the one missed longest ago comes first
    right = next(
        b
        for b in practice.buttons[0]
        if isinstance(a := buttons.decode(b.data), buttons.ReviewAnswer) and a.option == 1
    )
    answered = await chat.press(LEARNER, right.data)
    assert answered.notice == "Correct"
    assert texts.PRACTISE_BUTTON in answered.replies[0].buttons[-1]
    following = (await chat.press(LEARNER, texts.PRACTISE_BUTTON.data)).replies[0]
    assert "Which option is best here?" in following.text
    best = next(
        b
        for b in following.buttons[0]
        if isinstance(a := buttons.decode(b.data), buttons.ReviewAnswer) and a.option == 0
    )
    await chat.press(LEARNER, best.data)

    assert "No missed case questions" in (await chat.command(LEARNER, "review")).replies[0].text
    assert "Well done" in (await chat.command(LEARNER, "certificate")).replies[0].text
    practised = await store.database.fetch("SELECT COUNT(*) FROM reviews WHERE user_id = ?", (LEARNER.user_id,))
    assert practised[0][0] == 2  # each answer kept, with its FSRS memory


async def test_a_module_ends_with_its_recap_and_the_course_with_its_payoff(chat: CourseChat) -> None:
    seen = await finish(chat, LEARNER, RIGHT)
    opening_module_two = next(text for text in seen if "Second question" in text)
    assert opening_module_two.startswith(
        "🏁 **Module 1 done: Module one**\nYou can now name the first thing.\nYou can now act on it."
    )
    assert "You have earned your certificate" in seen[-1]
    end = await chat.next_bite(LEARNER)
    assert end.replies[0].buttons[0] == (texts.CERTIFICATE_BUTTON,)
    progress = (await chat.command(LEARNER, "progress")).replies[0].text
    assert "🎓 Certificate: earned" in progress


async def _peers(store: Store, clock: FakeClock, count: int) -> None:
    for user in range(5000, 5000 + count):
        await store.learners.enrol(user, user, clock.now)
        await store.progress.record_delivery(user, "one-question-a", clock.now)
        memory = spacing.review(None, "one-question-a", True, clock.now)
        await store.progress.record_answer(user, engine.AnswerRecord("one-question-a", 1, True, clock.now), memory)


@pytest.mark.parametrize(("peers", "shown"), [(MIN_PEERS - 2, False), (MIN_PEERS, True)])
async def test_the_peer_pulse_shows_only_for_twenty_or_more(
    chat: CourseChat, store: Store, clock: FakeClock, peers: int, shown: bool
) -> None:
    await _peers(store, clock, peers)
    await chat.start(LEARNER)
    await chat.next_bite(LEARNER)
    await chat.next_bite(LEARNER)
    feedback = (await chat.press(LEARNER, answer("one-question-a", 1))).replies[0].text
    assert ("of learners chose the same" in feedback) is shown
    if shown:
        assert "👥 100% of learners chose the same." in feedback
