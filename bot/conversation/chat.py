"""The course as a conversation, independent of where it is held (Telegram or the terminal).

Each method takes who is speaking and what they did, asks the store and the engine, records what must
be kept, and returns an Outcome for the adapter to show. Message text is never logged. It is used once
and dropped: to search the reference cards, or to read an answer the bot asked for (a time zone, a time
of day). The one text ever kept is the name a learner chooses to print on their certificate.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.content.model import Course, Lesson, Question
from bot.conversation import bite_texts, schedule_texts, texts
from bot.conversation.audience import Audience
from bot.conversation.certificate_chat import NAME_PROMPT, CertificateChat, CertificateOptions
from bot.conversation.check_chat import CheckChat
from bot.conversation.cohort_chat import CohortChat
from bot.conversation.discreet import open_bite
from bot.conversation.lookups import LookupChat
from bot.conversation.peer_pulse import PeerPulse
from bot.conversation.privacy_chat import PrivacyChat
from bot.conversation.replies import Outcome
from bot.conversation.schedule_chat import ScheduleChat
from bot.core import buttons, engine, lookup_buttons, options
from bot.core import training_buttons as tb
from bot.logs import learner_ref
from bot.store import Store
from scheduler import spacing

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
CLAIM_ATTEMPTS = 3
# How long a /next waits for a scheduled bite already announced as on its way, before asking for the one after.
SCHEDULED_WAIT_S = 10.0
COMMAND_LENGTH = 32


@dataclass(frozen=True)
class Who:
    """The person speaking and the private chat they speak in."""

    user_id: int
    chat_id: int


class CourseChat:
    """Commands and button presses in, Outcomes out."""

    def __init__(
        self,
        course: Course,
        store: Store,
        clock: Clock,
        *,
        retention_days: int = 365,
        certificates: CertificateOptions | None = None,
        admins: frozenset[int] = frozenset(),
    ) -> None:
        self.course = course
        self.store = store
        self.clock = clock
        self.schedule = ScheduleChat(course, store, clock)
        self.lookups = LookupChat(course, store, clock)
        self.privacy = PrivacyChat(store, clock, retention_days)
        self.pulse = PeerPulse(store, clock)
        self.certificates = CertificateChat(course, store, clock, certificates or CertificateOptions(), admins)
        self.cohorts = CohortChat(course, store, clock, admins)
        self.checks = CheckChat(course, store, clock)
        # Per learner, the scheduled send their last /next was told is on its way. Only for what to answer the
        # next /next: one scheduled bite stands in for one /next, never two (lost on a restart, harmlessly).
        self._announced: dict[int, int] = {}
        self._commands: dict[str, Callable[[Who, str], Awaitable[Outcome]]] = {
            "start": lambda who, argument: self.start(who, argument),
            "next": lambda who, _: self.next_bite(who),
            "progress": lambda who, _: self.show_progress(who),
            "settings": lambda who, _: self.schedule.menu(who.user_id),
            "pause": lambda who, argument: self.schedule.pause(who.user_id, argument),
            "resume": lambda who, _: self.schedule.resume(who.user_id),
            "indicators": lambda who, _: self.menu(who, "indicators"),
            "document": lambda who, _: self.menu(who, "document"),
            "resources": lambda who, _: self.lookups.resources(who.user_id),
            "now": lambda who, _: _ready(self.lookups.onshift.menu()),
            "respond": lambda who, _: self.respond(who),
            "privacy": lambda who, _: _ready(self.privacy.privacy()),
            "mydata": lambda who, _: self.privacy.mydata(who.user_id),
            "forget": lambda who, _: _ready(self.privacy.forget_question()),
            "hide": lambda who, _: self.privacy.hide(who.user_id, who.chat_id),
            "certificate": lambda who, _: self.certificates.request(who.user_id),
            "review": lambda who, _: self.practise(who),
            "check": lambda who, _: self.checks.command(who.user_id),
            "verify": lambda who, argument: self.certificates.verify(who.user_id, argument),
            "stats": lambda who, argument: self.certificates.stats(who.user_id, argument),
            "help": lambda who, _: self.help(who),
        }

    @property
    def command_names(self) -> tuple[str, ...]:
        return tuple(self._commands)

    async def command(self, who: Who, name: str, argument: str = "") -> Outcome:
        """Run the command `name` (without the slash); an unknown one gets a hint."""
        handler = self._commands.get(name.lower())
        if handler is None:
            # Telegram's commands are at most 32 characters: anything longer is not echoed back whole.
            shown = name if len(name) <= COMMAND_LENGTH else name[:COMMAND_LENGTH] + "…"
            return Outcome((texts.unknown_command(shown),))
        return await handler(who, argument)

    async def start(self, who: Who, argument: str = "") -> Outcome:
        """/start, or /start CODE from a cohort's invite link (an unknown or closed code changes nothing).

        A new learner gets one message that welcomes and asks the schedule question, with a way to skip it.
        """
        code = argument.strip()
        refused = await self.cohorts.refusal(code) if code else None
        if refused is not None:
            return Outcome((refused,))
        enrolled = await self.store.learners.enrol(who.user_id, who.chat_id, self.clock())
        invitation = (await self.cohorts.invitation(who.user_id, code),) if code else ()
        if enrolled:
            logger.info("learner enrolled", extra={"learner": learner_ref(who.user_id)})
            # With an invitation, setting the schedule follows the learner's answer to it.
            welcome = texts.welcome(self.course, returning=False)
            return Outcome((welcome, *invitation) if invitation else (schedule_texts.first_message(welcome),))
        await self.schedule.drop_prompt(who.user_id)
        await self.schedule.reactivate(who.user_id)
        return Outcome((texts.welcome(self.course, returning=True), *invitation))

    async def help(self, who: Who) -> Outcome:
        return Outcome((texts.help_text(),))

    async def audience(self, user_id: int) -> Audience:
        return Audience(self.course, await self.store.learners.region(user_id), user_id)

    async def next_bite(self, who: Who) -> Outcome:
        """The next lesson or question at once, claimed for the adapter to send and then settle (`settle`)."""
        schedule = await self.store.learners.schedule(who.user_id)
        if schedule is None:  # never enrolled, or erased with /forget: say so rather than enrol them silently
            return self.privacy.not_enrolled()
        audience = Audience(self.course, schedule.region, who.user_id)
        now = self.clock()
        day = schedule.prefs.local_day(now) if schedule.prefs else now.date()
        for attempt in range(CLAIM_ATTEMPTS):
            record = await self.store.progress.record(who.user_id)
            if attempt == 0 and not record.delivered:
                offer = await self.checks.offer_before(who.user_id, audience.course, record)
                if offer is not None:
                    return offer
            item = engine.next_item(audience.course, record)
            if item is None:
                return await self._course_complete(who, audience)
            claim = await self.store.progress.record_pull(
                who.user_id, item.id, now, day, again=isinstance(item, Question)
            )
            if claim.behind is not None:  # a scheduled bite is being sent to this learner now: it must arrive first
                if self._announced.get(who.user_id) != claim.behind:
                    self._announced[who.user_id] = claim.behind  # it answers this /next
                    return Outcome((texts.bite_on_its_way(),))
                # This /next asks for the bite after the one announced: once that one is out, claim the next.
                try:
                    async with asyncio.timeout(SCHEDULED_WAIT_S):
                        await self.store.outbox.until_settled(claim.behind)
                except TimeoutError:
                    return Outcome((texts.bite_on_its_way(),))
                continue
            self._announced.pop(who.user_id, None)
            if claim.send_id is None:  # the schedule delivered this lesson a moment ago: look again
                continue
            reply = texts.question(audience, item) if isinstance(item, Question) else texts.lesson(audience, item)
            bite = texts.with_milestone(audience, item, reply)
            return Outcome((bite,), pulled=claim.send_id, discreet=schedule.discreet)
        return Outcome((texts.bite_on_its_way(),))

    async def settle(self, outcome: Outcome, *, sent: bool, message: tuple[int, int] | None = None) -> None:
        """The adapter sent `outcome`'s replies, or could not: confirm the bite it pulled, or give it back.
        `message` is (chat id, message id) of the bite as sent, so its buttons can go once it is superseded or
        answered in another copy (the adapter keeps the id for /hide itself)."""
        if outcome.pulled is None:
            return
        if sent:
            await self.store.outbox.confirm_sent(outcome.pulled, self.clock(), message, for_hide=False)
        else:
            await self.store.outbox.confirm_failed(outcome.pulled)

    async def _course_complete(self, who: Who, audience: Audience) -> Outcome:
        offered = self.certificates.secret is not None
        eligibility = await self.certificates.eligibility(who.user_id)
        missed = engine.missed_questions(audience.course, await self.store.outbox.attempts(who.user_id))
        done = texts.course_complete(audience, eligibility, missed=len(missed), certificates_offered=offered)
        return Outcome((done, *await self.checks.offer_after(who.user_id, audience.course)))

    async def show_progress(self, who: Who) -> Outcome:
        if await self.store.learners.learner(who.user_id) is None:
            return Outcome((texts.not_enrolled(),))
        course = (await self.audience(who.user_id)).course
        record = await self.store.progress.record(who.user_id)
        eligibility = await self.certificates.eligibility(who.user_id) if self.certificates.secret else None
        due = await self.cohorts.due_line(who.user_id)
        schedule = await self.schedule.state(who.user_id)
        status = engine.progress(course, record)
        return Outcome((texts.progress(course, status, eligibility, due=due, schedule=schedule),))

    async def practise(self, who: Who) -> Outcome:
        """/review: the most useful missed case question, now, outside the daily pace; FSRS records the answer."""
        schedule = await self.store.learners.schedule(who.user_id)
        if schedule is None:
            return Outcome((texts.not_enrolled(),))
        audience = Audience(self.course, schedule.region, who.user_id)
        missed = engine.missed_questions(audience.course, await self.store.outbox.attempts(who.user_id))
        if not missed:
            return Outcome((texts.nothing_to_practise(),))
        now = self.clock()
        day = schedule.prefs.local_day(now) if schedule.prefs else now.date()
        send_id = await self.store.outbox.record_practice(who.user_id, missed[0].id, now, day)
        return Outcome((bite_texts.practice_question(audience, missed[0], send_id, missed=len(missed)),))

    async def menu(self, who: Who, name: str) -> Outcome:
        return await self.lookups.menu(name, await self.audience(who.user_id))

    async def respond(self, who: Who) -> Outcome:
        return await self.lookups.respond(await self.audience(who.user_id))

    async def media(self, who: Who, kind: str) -> Outcome:
        """A photo or other media: never needed, so deleted at once."""
        return self.privacy.media(kind)

    async def more(self, who: Who, item_id: str) -> Outcome:
        """The longer part of a lesson, opened under it."""
        item = self.course.item(item_id)
        if not isinstance(item, Lesson) or item.more is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        return Outcome(edit=texts.lesson_with_more(await self.audience(who.user_id), item))

    async def why_not(self, who: Who, item_id: str, option: int) -> Outcome:
        """All the options' feedback, for a question this learner has answered."""
        item = self.course.item(item_id)
        if not isinstance(item, Question) or not 0 <= option < len(item.options):
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        record = await self.store.progress.record(who.user_id, only=item_id)
        if item_id not in record.answers:
            return Outcome(notice=texts.NOTICE_NOT_YOURS)
        return Outcome(edit=texts.why_not_the_others(await self.audience(who.user_id), item, option))

    async def press(self, who: Who, data: str | None) -> Outcome:
        """A button was pressed; `data` is its callback data, which may be stale or forged."""
        action = buttons.decode(data)
        if action is None:
            looked = lookup_buttons.decode(data)
            if looked is not None:
                return await self._press_lookup(who, looked)
            return await self._press_training(who, tb.decode(data))
        if isinstance(action, buttons.NextBite):
            return await self.next_bite(who)
        if isinstance(action, buttons.ShowProgress):
            return await self.show_progress(who)
        if isinstance(action, buttons.Answer):
            return await self.answer(who, action.item_id, action.option)
        if isinstance(action, buttons.More):
            return await self.more(who, action.item_id)
        if isinstance(action, buttons.GotIt):
            return await self.schedule.got_it(who.user_id)
        if isinstance(action, buttons.WhyNot):
            return await self.why_not(who, action.item_id, action.option)
        if isinstance(action, buttons.ReviewAnswer):
            return await self.schedule.review_answer(who.user_id, action.send_id, action.option)
        if isinstance(action, buttons.Later):
            return await self.schedule.later(who.user_id, action.send_id)
        if isinstance(action, buttons.Snooze):
            return await self.schedule.snooze(who.user_id, action.send_id, action.choice)
        if isinstance(action, buttons.Resume):
            return await self.schedule.resume(who.user_id)
        if isinstance(action, buttons.Look):
            return await self.lookups.look(action.kind, action.item_id, await self.audience(who.user_id))
        if isinstance(action, buttons.Menu):
            return await self.menu(who, action.name)
        if isinstance(action, buttons.Region):
            return await self.lookups.resources_for(action.code)
        if isinstance(action, buttons.Forget):
            return await self.privacy.forget(who.user_id, who.chat_id, action.confirmed, action.clear)
        if isinstance(action, buttons.CertificateWithoutName):
            return await self.certificates.confirm(who.user_id, without_name=True)
        if isinstance(action, buttons.CertificateConfirm):
            return await self.certificates.confirm(who.user_id)
        if isinstance(action, buttons.CertificateChange):
            return await self.certificates.change(who.user_id)
        if isinstance(action, buttons.CertificateCorrect):
            return await self.certificates.correct(who.user_id)
        if isinstance(action, buttons.ShowCertificate):
            return await self.certificates.request(who.user_id)
        if isinstance(action, buttons.Practise):
            return await self.practise(who)
        return await self.schedule.choose(who.user_id, action.field, action.value)

    async def _press_lookup(self, who: Who, action: lookup_buttons.LookupAction) -> Outcome:
        """Buttons of the on-shift card, search results and discreet mode's teaser (their own codec)."""
        if isinstance(action, lookup_buttons.Open):
            return await open_bite(self.course, self.store, who.user_id, action.send_id)
        if isinstance(action, lookup_buttons.Found):
            return await self.lookups.found(action, await self.audience(who.user_id))
        if not action.part:
            return self.lookups.onshift.menu()
        return await self.lookups.onshift.part(action.part, await self.audience(who.user_id))

    async def _press_training(self, who: Who, action: tb.TrainingAction | None) -> Outcome:
        """Buttons of the cohorts and the knowledge checks (their own codec)."""
        if isinstance(action, tb.JoinCohort | tb.DeclineCohort | tb.LeaveCohort):
            return await self.cohorts.press(who.user_id, action)
        if action is not None:
            return await self.checks.press(who.user_id, action, lambda: self.next_bite(who))
        return Outcome(notice=texts.NOTICE_STALE_BUTTON)

    async def answer(self, who: Who, item_id: str, option: int) -> Outcome:
        graded = engine.grade(self.course, item_id, option)
        if isinstance(graded, engine.Rejection):
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        # Answering is the busiest path, so it is optimistic: one trip to the store keeps the answer if the
        # question was sent to this learner and not yet answered (atomically, so a double tap counts once).
        now = self.clock()
        memory = spacing.review(None, item_id, graded.correct, now)
        if await self.store.progress.record_answer(who.user_id, graded.record(now), memory):
            learner = await self.store.learners.at_hand(who.user_id)
            audience = Audience(self.course, learner.region, who.user_id)
            order = audience.order(graded.question, options.FIRST_SHOWING)
            edit, feedback = texts.answered(audience, graded.question, option, order)
            share = await self.pulse.share_choosing(item_id, option)
            if share is not None:
                feedback = texts.with_peer_pulse(feedback, share)
            notice = "Correct" if graded.correct else "Not the best answer"
            return Outcome(replies=(feedback,), edit=edit, notice=notice, discreet=learner.discreet)
        return await self._explain_refused_answer(who, item_id, option)

    async def _explain_refused_answer(self, who: Who, item_id: str, option: int) -> Outcome:
        record = await self.store.progress.record(who.user_id, only=item_id)
        verdict = engine.score_answer(self.course, record, item_id, option)
        if verdict is engine.Rejection.ALREADY_ANSWERED:
            question = self.course.item(item_id)
            assert isinstance(question, Question)
            order = options.shown_order(who.user_id, item_id, options.FIRST_SHOWING, len(question.options))
            letter = options.letter_of(order, record.answers[item_id].option)
            return Outcome(notice=texts.notice_already_answered(letter))
        if await self.store.learners.learner(who.user_id) is None:
            return Outcome((texts.not_enrolled(),), notice=texts.NOTICE_NOT_YOURS)
        return Outcome(notice=texts.NOTICE_NOT_YOURS)

    async def text(self, who: Who, text: str) -> Outcome:
        """Free text that is not a command: an answer the bot asked for, or a hint. Never stored or logged."""
        learner = await self.store.learners.at_hand(who.user_id)
        awaiting = learner.awaiting
        if awaiting and awaiting.startswith(NAME_PROMPT):
            return await self.certificates.named(who.user_id, text)
        audience = Audience(self.course, learner.region, who.user_id)
        if awaiting:  # a schedule prompt: read as the setting if it is one, else answered as a search
            return await self.schedule.typed(
                who.user_id, awaiting, text, lambda query: self.lookups.search(query, audience)
            )
        return dataclasses.replace(self.lookups.search(text, audience), discreet=learner.discreet)

    async def remember(self, chat_id: int, message_id: int) -> None:
        """The adapter sent a message: keep its id for 48 hours, so /hide can delete it."""
        await self.store.privacy.remember_message(chat_id, message_id, self.clock())


async def _ready(outcome: Outcome) -> Outcome:
    """An outcome that needed no waiting, in the shape the command table wants."""
    return outcome
