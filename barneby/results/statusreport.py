"""The municipality status report (seed 003; NORMS.md appendix E): one template for the page and the PDF.

For a Norwegian partner municipality and a year: the children Barneby serves
there in care (both I32a, SOS families and youth programmes, and I32b, foster and
transit care: in Norway most children are in the latter, so showing I32a alone
would understate them), siblings together and splits with justification, stability,
plans and reviews, aftercare, unaccompanied minors settled in time, and the
follow-up of the caregivers (SOS parents and foster parents: their training), with
last year beside it and the text the municipality contact or national
director wrote. Figures come from the closed period's snapshots where the
year is closed. No name appears, and every figure whose base is under the
small-cell threshold is hidden. Charts are SVG drawn here, with the same
numbers in a table beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from barneby.organisation.models import Municipality
from barneby.results.models import PeriodClose
from barneby.results.periods import OrgUnit, Period
from barneby.results.selectors import Published, report_text, reported, small_cell

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Both parts of the children in care: SOS families and youth programmes (I32a), foster and transit care (I32b).
    ("care", ("I32A", "I32B", "I16", "I18")),
    ("siblings", ("I11", "I12")),
    ("stability", ("I14",)),
    ("plans", ("I6", "I7", "I8", "I15", "I24")),
    ("aftercare", ("I20", "I21", "I23", "I34")),
    ("unaccompanied", ("I30", "I30M")),
    ("caregivers", ("I33T", "I33N", "I33U")),
)
CODES = [code for _s, codes in SECTIONS for code in codes]


def section_title(key: str) -> str:
    return {
        "care": _("Barn i omsorg"),
        "siblings": _("Søsken"),
        "stability": _("Stabilitet"),
        "plans": _("Planer, gjennomganger og medvirkning"),
        "aftercare": _("Ettervern"),
        "unaccompanied": _("Enslige mindreårige"),
        "caregivers": _("Oppfølging av omsorgspersoner"),
    }[key]


def section_note(key: str) -> str:
    """What a reader must know to read a section's figures right (empty when nothing)."""
    if key == "care":
        return _(
            "I32a og I32b er til sammen alle barn og unge med en åpen plassering på telledagen (grunnlaget for "
            "I16). Skjules det ene tallet fordi det er lite, skjules også det andre. Et år som ble låst før "
            "tallene ble delt, viser I32a slik det da var definert (alle barn i omsorg)."
        )
    if key == "caregivers":
        return _(
            "Opplæring og kvalifikasjoner registrert for SOS-foreldre og fosterforeldre i hjemmene. Registeret har "
            "ikke start- og sluttdato for omsorgspersoner, så grunnlaget er dem som er registrert som aktive nå, "
            "også for i fjor, med mindre året er låst."
        )
    return ""


@dataclass(frozen=True)
class Line:
    this: Published
    last: Published | None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    lines: list[Line]
    note: str = ""


@dataclass
class StatusReport:
    municipality: Municipality
    year: int
    sections: list[Section]
    chart: SafeString
    text: str
    closing: PeriodClose | None
    last_closing: PeriodClose | None
    small: int

    @property
    def title(self) -> str:
        return _("Tilstandsrapport {year}: barn i SOS-barnebyers tiltak i {name}").format(
            year=self.year, name=self.municipality.short_name
        )


def _fmt(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "–"
    text = (
        f"{value:.1f}".replace(".", ",")
        if unit == "percent"
        else f"{value:.0f}"
        if unit == "count"
        else f"{value:.1f}".replace(".", ",")
    )
    return f"{text} %" if unit == "percent" else text


def bar_chart(lines: list[Line], *, year: int) -> SafeString:
    """Horizontal bars (this year and last) for the percentage figures, as accessible SVG."""
    rows = [line for line in lines if line.this.unit == "percent"]
    bar, gap, label_width, width = 12, 10, 250, 640
    height = 30 + len(rows) * (2 * bar + gap)
    scale = (width - label_width - 60) / 100
    title = _("Andeler {year} og {last}").format(year=year, last=year - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="results-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<rect x="{label_width}" y="4" width="10" height="10" fill="#1e6b52"/>'
        f'<text x="{label_width + 14}" y="13" font-size="11">{year}</text>',
        f'<rect x="{label_width + 70}" y="4" width="10" height="10" fill="#9dbfb2"/>'
        f'<text x="{label_width + 84}" y="13" font-size="11">{year - 1}</text>',
    ]
    y = 24
    for line in rows:
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar + 3}" font-size="11" text-anchor="end">'
            f"{escape(line.this.code)} {escape(line.this.name[:34])}</text>"
        )
        for offset, figure, colour in ((0, line.this, "#1e6b52"), (bar, line.last, "#9dbfb2")):
            value = figure.value if figure is not None else None
            length = float(value) * scale if value is not None else 0
            shown = _fmt(value, "percent")
            parts.append(
                f'<rect x="{label_width}" y="{y + offset}" width="{length:.1f}" height="{bar - 1}" fill="{colour}"/>'
                f'<text x="{label_width + length + 4:.1f}" y="{y + offset + bar - 2}" font-size="10">{escape(shown)}</text>'
            )
        y += 2 * bar + gap
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text in it is escaped above)


def build(municipality: Municipality, year: int) -> StatusReport:
    unit = OrgUnit("municipality", municipality.number)
    this, closing = reported(unit, Period.year(year), codes=CODES)
    last, last_closing = reported(unit, Period.year(year - 1), codes=CODES)
    this_by = {p.code: p for p in this}
    last_by = {p.code: p for p in last}
    sections = [
        Section(
            key,
            section_title(key),
            [Line(this_by[c], last_by.get(c)) for c in codes if c in this_by],
            section_note(key),
        )
        for key, codes in SECTIONS
    ]
    lines = [line for s in sections for line in s.lines]
    text = report_text(municipality, year)
    return StatusReport(
        municipality,
        year,
        sections,
        bar_chart(lines, year=year),
        text.text if text else "",
        closing,
        last_closing,
        small_cell(),
    )


def render_body(report: StatusReport, **extra: Any) -> str:
    return render_to_string("results/status_report_body.html", {"report": report, **extra})


def pdf(report: StatusReport) -> bytes:
    """The report as a tagged PDF (PDF/UA-1), from the same body template as the page."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = render_to_string(
        "results/status_report_pdf.html",
        {"report": report, "body": mark_safe(render_body(report, for_pdf=True))},  # noqa: S308
    )
    return bytes(HTML(string=document).write_pdf(pdf_variant="pdf/ua-1"))
