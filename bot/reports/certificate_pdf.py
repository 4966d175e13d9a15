"""The one-page certificate PDF (fpdf2): who, what, when and for how long, who issued it, and how to check it.

Names print in most scripts with DejaVu Sans (shipped with matplotlib); a name with characters the font lacks
(Chinese, Japanese or Korean, for instance) would print blank, so `printable` lets the conversation refuse it
with a message instead. Heavy libraries (fpdf, fontTools, segno) load only when a certificate is drawn.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.content.model import Objective

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sheet:
    """Everything printed on one certificate."""

    course_title: str
    objectives: tuple[Objective, ...]
    name: str | None
    completed_on: date
    hours: float
    code: str
    issuer: str | None = None
    ce_statement: str | None = None
    verify_link: str | None = None


@functools.cache
def _unicode_font() -> Path | None:
    """DejaVu Sans, which matplotlib ships: it prints names in most scripts (the PDF core fonts cannot)."""
    try:
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    except ImportError:
        return None
    return path if path.is_file() else None


@functools.cache
def _glyphs() -> frozenset[int]:
    font = _unicode_font()
    if font is None:
        return frozenset(range(0x20, 0x100))  # the PDF core fonts: Latin-1
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    return frozenset(TTFont(str(font), lazy=True).getBestCmap())


def printable(text: str) -> bool:
    """Whether every character of `text` prints with the certificate's font."""
    glyphs = _glyphs()
    return all(character.isspace() or ord(character) in glyphs for character in text)


def _qr_png(link: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def render_pdf(sheet: Sheet) -> bytes:
    """The one-page certificate."""
    from fpdf import FPDF  # heavy (fontTools, PIL): loaded when a certificate is drawn, not at start

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(f"Certificate: {sheet.course_title}")
    pdf.set_author(sheet.issuer or "coursebot")
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
        shown = text if font else text.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, height, shown, align=align, new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(22)
    line("Certificate of completion", 28, 14)
    pdf.ln(3)
    line("This certifies that", 13, 8)
    line(sheet.name or "the holder of this certificate", 24, 13)
    line("has completed the micro-course", 13, 8)
    line(sheet.course_title, 20, 11)
    pdf.ln(2)
    line(f"Completed on {sheet.completed_on:%d %B %Y}  ·  Estimated study time: {sheet.hours:g} hours", 12, 7)
    if sheet.issuer:
        line(f"Issued by {sheet.issuer}", 12, 7)
    pdf.ln(3)
    pdf.set_x(30)
    line("Learning objectives covered:", 11, 6, align="L")
    pdf.set_font(family, size=10)
    for objective in sheet.objectives:
        pdf.set_x(34)
        pdf.multi_cell(pdf.w - 100, 5.5, f"{objective.id}. {objective.text}", align="L", new_x="LMARGIN", new_y="NEXT")
    if sheet.ce_statement:
        pdf.ln(2)
        pdf.set_x(30)
        pdf.set_font(family, size=9)
        pdf.multi_cell(pdf.w - 96, 5, sheet.ce_statement, align="L", new_x="LMARGIN", new_y="NEXT")
    if sheet.verify_link:
        size = 34
        pdf.image(io.BytesIO(_qr_png(sheet.verify_link)), x=pdf.w - 22 - size, y=pdf.h - 30 - size, w=size)
    pdf.set_y(pdf.h - 34)
    line(f"Verification code: {sheet.code}", 11, 6)
    check = f"Check it at {sheet.verify_link}" if sheet.verify_link else "Check it with the course team"
    line(f"{check}. Education, not a licence or legal advice.", 8, 5)
    return bytes(pdf.output())
