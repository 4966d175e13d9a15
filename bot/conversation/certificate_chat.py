"""Certificates and course statistics as a conversation: /certificate for learners, /verify and /stats for
admins. The name printed on a certificate is asked for only once the learner qualifies, and kept only with
the certificate (so /forget erases it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.content.markup import escape
from bot.content.model import Course
from bot.content.study_time import study_hours
from bot.conversation import texts
from bot.conversation.cohort_chat import CohortChat
from bot.conversation.replies import Attachment, Button, Outcome, Reply
from bot.core import buttons
from bot.core.privacy import looks_like_patient_details
from bot.reports import certificates
from bot.reports.certificate_pdf import Sheet, printable, render_pdf
from bot.store import Certificate, Store

NAME_PROMPT = "certificate_name"
# While a typed name waits for the learner's "Yes", it rides in the prompt state, and nowhere else.
_PENDING = f"{NAME_PROMPT}="
REISSUES_ALLOWED = 1


@dataclass(frozen=True)
class CertificateOptions:
    """What this server prints on certificates, from its settings."""

    secret: str | None = None
    issuer: str | None = None
    ce_statement: str | None = None
    verify_url: str | None = None  # the public /verify/ address; the code is appended

    def link(self, code: str) -> str | None:
        return f"{self.verify_url.rstrip('/')}/{code}" if self.verify_url else None


@dataclass(frozen=True)
class Check:
    """What a verification code stands for: `status` is valid, revoked, erased (genuine, but its holder has since
    erased their data) or not_genuine."""

    status: str
    code: str
    serial: int | None = None
    name: str | None = None
    completed_on: date | None = None
    hours: float | None = None


class CertificateChat:
    def __init__(
        self,
        course: Course,
        store: Store,
        clock: Callable[[], datetime],
        options: CertificateOptions,
        admins: frozenset[int],
    ) -> None:
        self.course = course
        self.store = store
        self.clock = clock
        self.options = options
        self.admins = admins

    @property
    def secret(self) -> str | None:
        return self.options.secret

    async def _status(self, user_id: int) -> tuple[Course, certificates.Eligibility]:
        taken = self.course.for_region(await self.store.learners.region(user_id))
        record = await self.store.progress.record(user_id)
        return taken, certificates.eligibility(taken, record, await self.store.progress.best_results(user_id))

    async def eligibility(self, user_id: int) -> certificates.Eligibility:
        return (await self._status(user_id))[1]

    async def request(self, user_id: int) -> Outcome:
        """/certificate: the certificate if already issued, the name question if earned, else what is left."""
        if await self.store.learners.learner(user_id) is None:
            return Outcome((texts.not_enrolled(),))
        if self.secret is None:
            return Outcome((Reply("Certificates are not set up on this server yet; please ask the course team."),))
        issued = await self.store.certificates.of(user_id)
        if issued is not None:
            can_fix = await self.store.certificates.issued_to(user_id) <= REISSUES_ALLOWED
            return Outcome((self._certificate_reply(issued, offer_correction=can_fix),))
        _, status = await self._status(user_id)
        if not status.qualifies:
            return Outcome((not_yet(status),))
        return await self._ask_name(user_id, first=True)

    async def _ask_name(self, user_id: int, *, first: bool) -> Outcome:
        await self.store.learners.set_awaiting(user_id, NAME_PROMPT)
        skip = Button("No name on it", buttons.encode(buttons.CertificateWithoutName()))
        lead = "🎓 **Well done: you have earned your certificate.**\n\n" if first else ""
        return Outcome(
            (
                Reply(
                    f"{lead}What name should it show? Type it exactly as you want it printed (for example with "
                    "your credentials). It is kept only with your certificate, and /forget erases it.",
                    ((skip,),),
                ),
            )
        )

    async def named(self, user_id: int, text: str) -> Outcome:
        """A typed name: checked, then shown back for the learner to confirm before anything is printed."""
        name = certificates.clean_name(text)
        if name is None:
            return Outcome((Reply(f"Please type a name of 1 to {certificates.NAME_MAX} characters."),))
        if looks_like_patient_details(name):
            return Outcome((texts.certificate_name_looks_like_patient_details(),))
        if not printable(name):
            return Outcome((texts.certificate_name_not_printable(),))
        await self.store.learners.set_awaiting(user_id, _PENDING + name)
        confirm = Button("Yes, print it", buttons.encode(buttons.CertificateConfirm()))
        change = Button("Change", buttons.encode(buttons.CertificateChange()))
        return Outcome((Reply(f"Print “{escape(name)}” on your certificate?", ((confirm, change),)),))

    async def change(self, user_id: int) -> Outcome:
        if not (await self.store.learners.awaiting(user_id) or "").startswith(NAME_PROMPT):
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        return await self._ask_name(user_id, first=False)

    async def correct(self, user_id: int) -> Outcome:
        """The one reissue: a corrected name on a new certificate, and the old code revoked."""
        issued = await self.store.certificates.of(user_id)
        if issued is None or self.secret is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        if await self.store.certificates.issued_to(user_id) > REISSUES_ALLOWED:
            return Outcome((Reply("Your certificate has already been corrected once; please ask the course team."),))
        return await self._ask_name(user_id, first=False)

    async def confirm(self, user_id: int, *, without_name: bool = False) -> Outcome:
        """Issue the certificate with the confirmed name (or none), replacing the current one if correcting."""
        awaiting = await self.store.learners.awaiting(user_id) or ""
        if not awaiting.startswith(NAME_PROMPT) or (not without_name and not awaiting.startswith(_PENDING)):
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        name = None if without_name else awaiting.removeprefix(_PENDING)
        await self.store.learners.set_awaiting(user_id, None)
        if self.secret is None or await self.store.learners.learner(user_id) is None:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        current = await self.store.certificates.of(user_id)
        taken, status = await self._status(user_id)
        if current is None and not status.qualifies:
            return Outcome((not_yet(status),))
        if current is not None and await self.store.certificates.issued_to(user_id) > REISSUES_ALLOWED:
            return Outcome(notice=texts.NOTICE_STALE_BUTTON)
        secret = self.secret
        completed_on = (
            current.completed_on if current else await self.store.progress.completed_on(user_id) or self.clock().date()
        )
        issued = await self.store.certificates.issue(
            user_id,
            name=name,
            completed_on=completed_on,
            now=self.clock(),
            hours=study_hours(taken),
            code_for=lambda serial: certificates.make_code(secret, serial, completed_on, self.course),
            replacing=current.code if current else None,
        )
        return Outcome((self._certificate_reply(issued, offer_correction=current is None),), notice="Issued")

    def _certificate_reply(self, issued: Certificate, *, offer_correction: bool) -> Reply:
        sheet = Sheet(
            course_title=self.course.title,
            objectives=self.course.objectives,
            name=issued.name,
            completed_on=issued.completed_on,
            hours=issued.hours,
            code=issued.code,
            issuer=self.options.issuer,
            ce_statement=self.options.ce_statement,
            verify_link=self.options.link(issued.code),
        )
        fix = Button("Correct the name", buttons.encode(buttons.CertificateCorrect()))
        link = self.options.link(issued.code)
        check = f"\nAnyone can check it at {link}" if link else ""
        return Reply(
            f"🎓 Your certificate. Verification code: {issued.code}{check}",
            ((fix,),) if offer_correction else (),
            attachment=Attachment(f"certificate-{issued.code}.pdf", render_pdf(sheet)),
        )

    async def verify(self, user_id: int, code: str) -> Outcome:
        if user_id not in self.admins:
            return Outcome((texts.unknown_command("verify"),))
        return Outcome((Reply(escape(await self.describe(code))),))

    async def check(self, code: str) -> Check | None:
        """What `code` stands for; None when this server cannot verify (no COURSEBOT_SECRET)."""
        if self.secret is None:
            return None
        cleaned = code.strip().upper()[:40]
        verified = certificates.verify_code(self.secret, cleaned, self.course)
        if verified is None:
            return Check("not_genuine", cleaned)
        on_record = await self.store.certificates.by_serial(verified.serial)
        if on_record is None or on_record.code != cleaned:
            return Check("erased", cleaned, verified.serial, completed_on=verified.completed_on)
        status = "revoked" if on_record.revoked_at else "valid"
        return Check(status, cleaned, verified.serial, on_record.name, on_record.completed_on, on_record.hours)

    async def describe(self, code: str) -> str:
        """Whether `code` is genuine, and what it certifies (for /verify and `coursebot verify`)."""
        found = await self.check(code)
        if found is None:
            return "Cannot verify: COURSEBOT_SECRET is not set."
        if found.status == "not_genuine":
            return f"NOT GENUINE: {found.code} was not issued by this course."
        if found.status == "revoked":
            return f"REVOKED: certificate {found.serial} was replaced by a corrected certificate."
        when = f"{found.completed_on:%d %B %Y}" if found.completed_on else "an unknown date"
        if found.status == "erased":
            return (
                f"GENUINE: certificate {found.serial} was issued (its holder has since erased their data) for "
                f'completing "{self.course.title}" on {when}.'
            )
        holder = f" to {found.name}" if found.name else ""
        return (
            f"GENUINE: certificate {found.serial} was issued{holder} for completing "
            f'"{self.course.title}" (about {found.hours:g} hours) on {when}.'
        )

    async def stats(self, user_id: int, argument: str = "") -> Outcome:
        """/stats: the whole course for admins; a cohort's own figures for its owner (and admins); else nothing."""
        lines = await CohortChat(self.course, self.store, self.clock, self.admins).stats(user_id, argument)
        if lines is None:
            return Outcome((texts.unknown_command("stats"),))
        return Outcome(texts.in_messages([escape(line) for line in lines]))


def not_yet(status: certificates.Eligibility) -> Reply:
    """What is still missing for the certificate, with practice on offer when answers are what is missing."""
    left = [] if status.complete else ["finish every module (/progress shows what is left)"]
    rows: tuple[tuple[Button, ...], ...] = ()
    if status.share < certificates.PASS_SHARE:
        more = status.correct_needed
        left.append(
            f"{more} more correct answer{'s' if more != 1 else ''} ({status.correct} of {status.questions} now; "
            f"{certificates.PASS_SHARE:.0%} are needed, and a review answered right counts)"
        )
        rows = ((texts.PRACTISE_BUTTON,),)
    return Reply("Not yet. To earn the certificate: " + "; ".join(left) + ".", rows)
