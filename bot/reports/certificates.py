"""Completion certificates: who may have one, the signed verification code, and the one-page PDF.

A learner qualifies once every module is finished and at least 80% of the case questions were answered
correctly at their best attempt (the first answer or any review). The code carries its serial number and
completion date, signed with COURSEBOT_SECRET (HMAC-SHA256), so it cannot be forged and can be checked
without the database: `coursebot verify CODE`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.content.model import Course
from bot.core import engine

PASS_SHARE = 0.8
PREFIX = "HTR"
_CODE = re.compile(rf"^{PREFIX}-(\d{{5,}})-(\d{{8}})-([A-Z2-7]{{10}})$")
NAME_MAX = 80


@dataclass(frozen=True)
class Eligibility:
    complete: bool
    correct: int
    questions: int

    @property
    def share(self) -> float:
        return self.correct / self.questions if self.questions else 1.0

    @property
    def qualifies(self) -> bool:
        return self.complete and self.share >= PASS_SHARE


def eligibility(course: Course, record: engine.LearnerRecord, best: Mapping[str, bool]) -> Eligibility:
    """`best` maps each answered question to whether any attempt at it was right."""
    questions = course.questions
    return Eligibility(
        complete=engine.is_complete(course, record),
        correct=sum(best.get(question.id, False) for question in questions),
        questions=len(questions),
    )


def _signature(secret: str, serial: int, completed_on: date, course: Course) -> str:
    payload = f"{serial}|{completed_on.isoformat()}|{course.title}|{course.estimated_hours:g}".encode()
    digest = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:10]


def make_code(secret: str, serial: int, completed_on: date, course: Course) -> str:
    return f"{PREFIX}-{serial:05d}-{completed_on:%Y%m%d}-{_signature(secret, serial, completed_on, course)}"


@dataclass(frozen=True)
class Verified:
    serial: int
    completed_on: date


def verify_code(secret: str, code: str, course: Course) -> Verified | None:
    """The certificate a code stands for, or None if the code is malformed or forged."""
    match = _CODE.match(code.strip().upper())
    if match is None:
        return None
    serial, day, signature = int(match.group(1)), match.group(2), match.group(3)
    try:
        completed_on = date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        return None
    expected = _signature(secret, serial, completed_on, course)
    return Verified(serial, completed_on) if hmac.compare_digest(expected, signature) else None


def clean_name(text: str) -> str | None:
    """The name as it will be printed, or None when it is empty or too long."""
    name = " ".join(text.split())
    return name if 0 < len(name) <= NAME_MAX else None


def _unicode_font() -> Path | None:
    """DejaVu Sans, which matplotlib ships: it prints names in most scripts (the PDF core fonts cannot)."""
    try:
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    except ImportError:
        return None
    return path if path.is_file() else None


def render_pdf(course: Course, name: str | None, completed_on: date, code: str) -> bytes:
    """The one-page certificate."""
    from fpdf import FPDF  # heavy (fontTools, PIL): loaded when a certificate is drawn, not at start

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(f"Certificate: {course.title}")
    pdf.set_author("coursebot")
    pdf.add_page()
    font = _unicode_font()
    family = "DejaVu" if font else "Helvetica"
    if font:
        pdf.add_font("DejaVu", "", str(font))
    pdf.set_draw_color(40, 70, 120)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    def line(text: str, size: float, height: float, *, align: str = "C") -> None:
        pdf.set_font(family, size=size)
        printable = text if font else text.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, height, printable, align=align, new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(24)
    line("Certificate of completion", 28, 14)
    pdf.ln(4)
    line("This certifies that", 13, 8)
    line(name or "the holder of this certificate", 24, 13)
    line("has completed the micro-course", 13, 8)
    line(course.title, 20, 11)
    pdf.ln(2)
    line(f"Completed on {completed_on:%d %B %Y}  ·  Estimated study time: {course.estimated_hours:g} hours", 12, 7)
    pdf.ln(4)
    pdf.set_x(30)
    line("Learning objectives covered:", 11, 6, align="L")
    pdf.set_font(family, size=10)
    for objective in course.objectives:
        pdf.set_x(34)
        pdf.multi_cell(pdf.w - 68, 5.5, f"{objective.id}. {objective.text}", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.h - 34)
    line(f"Verification code: {code}", 11, 6)
    line("Check it with the course team (coursebot verify CODE). Education, not a licence or legal advice.", 8, 5)
    return bytes(pdf.output())
