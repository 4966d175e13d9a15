"""Certificates and course statistics as a conversation: /certificate for learners, /verify and /stats for
admins. The name printed on a certificate is asked for only once the learner qualifies, and kept only with
the certificate (so /forget erases it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.content.markup import escape
from bot.content.model import Course
from bot.conversation import texts
from bot.conversation.cohort_chat import CohortChat
from bot.conversation.replies import Attachment, Button, Outcome, Reply
from bot.core import buttons
from bot.reports import certificates
from bot.store import Certificate, Store

NAME_PROMPT = "certificate_name"


class CertificateChat:
    def __init__(
        self, course: Course, store: Store, clock: Callable[[], datetime], secret: str | None, admins: frozenset[int]
    ) -> None:
        self.course = course
        self.store = store
        self.clock = clock
        self.secret = secret
        self.admins = admins

    async def request(self, user_id: int) -> Outcome:
        """/certificate: the certificate if already issued, the name question if earned, else what is left."""
        if await self.store.learners.learner(user_id) is None:
            return Outcome((texts.not_enrolled(),))
        if self.secret is None:
            return Outcome((Reply("Certificates are not set up on this server yet; please ask the course team."),))
        issued = await self.store.certificates.of(user_id)
        if issued is not None:
            return Outcome((self._certificate_reply(issued),))
        status = certificates.eligibility(
            self.course, await self.store.progress.record(user_id), await self.store.progress.best_results(user_id)
        )
        if not status.qualifies:
            return Outcome((_not_yet(status),))
        await self.store.learners.set_awaiting(user_id, NAME_PROMPT)
        skip = Button("No name on it", buttons.encode(buttons.CertificateWithoutName()))
        return Outcome(
            (
                Reply(
                    "🎓 **Well done: you have earned your certificate.**\n\nWhat name should it show? Type it as you "
                    "want it printed. It is kept only with your certificate, and /forget erases it.",
                    ((skip,),),
                ),
            )
        )

    async def named(self, user_id: int, text: str | None) -> Outcome:
        """The name to print (None: no name). Issues the certificate."""
        name = None
        if text is not None:
            name = certificates.clean_name(text)
            if name is None:
                return Outcome((Reply(f"Please type a name of 1 to {certificates.NAME_MAX} characters."),))
        await self.store.learners.set_awaiting(user_id, None)
        if self.secret is None or await self.store.learners.learner(user_id) is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        issued = await self.store.certificates.of(user_id)
        if issued is None:
            status = certificates.eligibility(
                self.course, await self.store.progress.record(user_id), await self.store.progress.best_results(user_id)
            )
            if not status.qualifies:
                return Outcome((_not_yet(status),))
            completed_on = await self.store.progress.completed_on(user_id) or self.clock().date()
            serial = await self.store.certificates.next_serial()
            code = certificates.make_code(self.secret, serial, completed_on, self.course)
            issued = Certificate(code, serial, name, completed_on, self.clock())
            await self.store.certificates.save(user_id, issued)
        return Outcome((self._certificate_reply(issued),))

    def _certificate_reply(self, issued: Certificate) -> Reply:
        pdf = certificates.render_pdf(self.course, issued.name, issued.completed_on, issued.code)
        return Reply(
            f"🎓 Your certificate. Verification code: {issued.code}",
            attachment=Attachment(f"certificate-{issued.code}.pdf", pdf),
        )

    async def verify(self, user_id: int, code: str) -> Outcome:
        if user_id not in self.admins:
            return Outcome((texts.unknown_command("verify"),))
        return Outcome((Reply(await self.describe(code)),))

    async def describe(self, code: str) -> str:
        """Whether `code` is genuine, and what it certifies (for /verify and `coursebot verify`)."""
        if self.secret is None:
            return "Cannot verify: COURSEBOT_SECRET is not set."
        verified = certificates.verify_code(self.secret, code, self.course)
        if verified is None:
            return f"NOT GENUINE: {code.strip()} was not issued by this course."
        on_record = await self.store.certificates.by_serial(verified.serial)
        holder = f" to {on_record.name}" if on_record is not None and on_record.name else ""
        record_note = "" if on_record is not None else " (its holder has since erased their data)"
        return (
            f"GENUINE: certificate {verified.serial} was issued{holder}{record_note} for completing "
            f'"{self.course.title}" (about {self.course.estimated_hours:g} hours) on {verified.completed_on:%d %B %Y}.'
        )

    async def stats(self, user_id: int, argument: str = "") -> Outcome:
        """/stats: the whole course for admins; a cohort's own figures for its owner (and admins); else nothing."""
        lines = await CohortChat(self.course, self.store, self.clock, self.admins).stats(user_id, argument)
        if lines is None:
            return Outcome((texts.unknown_command("stats"),))
        return Outcome(texts.in_messages([escape(line) for line in lines]))


def _not_yet(status: certificates.Eligibility) -> Reply:
    left = [] if status.complete else ["finish every module (/progress shows what is left)"]
    if status.share < certificates.PASS_SHARE:
        left.append(
            f"answer at least {certificates.PASS_SHARE:.0%} of the case questions correctly "
            f"(now {status.correct} of {status.questions}; reviews count, so a missed question can still be won back)"
        )
    return Reply("Not yet: to earn the certificate, " + " and ".join(left) + ".")
