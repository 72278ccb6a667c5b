"""Small PDF documents (receipts, letters, invoices, data exports) with fpdf2's core fonts.

The core fonts are latin-1, which has æ, ø and å; the few typographic
characters our texts use outside latin-1 are replaced, anything else prints
as "?". One A4 layout for every letter the organisation sends: its name on
top, the recipient's address, a heading, then label/value rows and text.
"""

from __future__ import annotations

from collections.abc import Iterable

from fpdf import FPDF
from fpdf.enums import XPos, YPos

_LATIN1 = str.maketrans(
    {"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "\u202f": " ", "−": "-", "…": "..."}
)
FONT = "Helvetica"


def pdf_text(value: object) -> str:
    """``value`` as text a core PDF font can print: æøå are kept, anything else outside latin-1 becomes "?"."""
    return str(value).translate(_LATIN1).encode("latin-1", errors="replace").decode("latin-1")


class Letter:
    """An A4 document built top to bottom; :meth:`output` gives the bytes."""

    def __init__(self, *, title: str, author: str) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_title(pdf_text(title))
        self.pdf.set_author(pdf_text(author))

    def page(self, organisation: str) -> None:
        """A new page with the organisation's name on top."""
        self.pdf.add_page()
        self.pdf.set_font(FONT, "B", 16)
        self.pdf.cell(0, 10, pdf_text(organisation), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_font(FONT, "", 11)
        self.pdf.ln(4)

    def address(self, lines: Iterable[str]) -> None:
        for line in lines:
            if line:
                self.pdf.cell(0, 6, pdf_text(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(6)

    def heading(self, text: str, size: int = 13) -> None:
        self.pdf.set_font(FONT, "B", size)
        self.pdf.multi_cell(0, size * 0.6, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_font(FONT, "", 11)
        self.pdf.ln(2)

    def rows(self, pairs: Iterable[tuple[str, str]], label_width: float = 50) -> None:
        for label, value in pairs:
            self.pdf.set_font(FONT, "B", 11)
            self.pdf.cell(label_width, 7, pdf_text(label))
            self.pdf.set_font(FONT, "", 11)
            self.pdf.cell(0, 7, pdf_text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(4)

    def paragraph(self, text: str, size: int = 11) -> None:
        self.pdf.set_font(FONT, "", size)
        self.pdf.multi_cell(0, size * 0.55, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(2)
        self.pdf.set_font(FONT, "", 11)

    def output(self) -> bytes:
        return bytes(self.pdf.output())
