"""Advocacy statistics (seed 000): national tables across municipalities and programmes.

Each table counts the members of one indicator's denominator, split into those in its numerator
and those not, by partner municipality or by programme. The indicators and their computations are
``barneby.results.indicators``' own (never a second definition here): I11 siblings placed together,
I14 stable placements (moves), I20 aftercare coverage, I30 unaccompanied minors settled within
3 months (with I30M, the median waiting time). Every table goes through small-cell suppression
(``barneby.reporting.suppression``) before anything is shown or downloaded; a median is shown only
for a row whose count is published and at least the threshold.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from barneby.organisation.models import Programme
from barneby.reporting.suppression import Suppressed, suppress, threshold
from barneby.results import indicators as results
from barneby.results.periods import Period

HIDDEN = ":"  # Statistics Norway's sign for a figure withheld to protect individuals


@dataclass(frozen=True)
class Topic:
    slug: str
    code: str
    title: Promise
    columns: tuple[Promise, Promise]  # in the numerator, not in it
    median: str | None = None  # the code of a median indicator over the same people


TOPICS: tuple[Topic, ...] = (
    Topic("sosken", "I11", _("Søsken plassert sammen"), (_("Bor med søsken"), _("Bor ikke med søsken"))),
    Topic("flyttinger", "I14", _("Flyttinger siste 12 måneder"), (_("Høyst én flytting"), _("To eller flere"))),
    Topic("ettervern", "I20", _("Ettervern for unge 19–24 år"), (_("Har ettervern"), _("Har ikke ettervern"))),
    Topic(
        "ventetid",
        "I30",
        _("Enslige mindreårige: ventetid på bosetting"),
        (_("Bosatt innen 3 måneder"), _("Bosatt senere")),
        median="I30M",
    ),
)
TOPIC_BY_SLUG = {t.slug: t for t in TOPICS}
BY = {"kommune": _("Kommune"), "program": _("Program")}
NO_MUNICIPALITY = _("Uten samarbeidskommune")


@dataclass(frozen=True)
class Table:
    """One published table: labels, the suppressed counts, and the indicator it stands on."""

    slug: str
    topic: Topic
    by: str
    row_heading: Promise
    rows: list[str]
    columns: list[str]
    published: Suppressed
    medians: list[Decimal | None] | None
    indicator_name: str
    definition: str

    @property
    def title(self) -> str:
        return f"{self.topic.title} – {str(self.row_heading).lower()}"

    def body(self) -> list[dict[str, Any]]:
        """Rows for a template: label, cells, total and median, hidden figures as ``None``."""
        return [
            {
                "label": label,
                "cells": self.published.cells[i],
                "total": self.published.row_totals[i],
                "median": self.medians[i] if self.medians is not None else None,
            }
            for i, label in enumerate(self.rows)
        ]

    def export_rows(self) -> tuple[list[str], list[list[Any]]]:
        """Headers and rows for CSV/XLSX, hidden figures as ``:``, with the totals row last."""
        headers = [str(self.row_heading), *self.columns, str(_("I alt"))]
        if self.medians is not None:
            headers.append(str(_("Median ventetid (dager)")))
        rows: list[list[Any]] = []
        for row in self.body():
            line: list[Any] = [row["label"], *[_shown(c) for c in row["cells"]], _shown(row["total"])]
            if self.medians is not None:
                line.append(_shown(row["median"]))
            rows.append(line)
        total: list[Any] = [
            str(_("I alt")),
            *[_shown(c) for c in self.published.column_totals],
            _shown(self.published.total),
        ]
        if self.medians is not None:
            total.append("")
        rows.append(total)
        return headers, rows


def _shown(value: Any) -> Any:
    return HIDDEN if value is None else value


@dataclass(frozen=True)
class _Row:
    key: tuple[int, str]  # sort key: (group, label)
    label: str


def _row_of(programme: Programme, by: str) -> _Row:
    if by == "program":
        return _Row((0, f"{programme.name} {programme.code}"), f"{programme.name} ({programme.code})")
    municipality = programme.partner_municipality
    if municipality is None:
        return _Row((1, ""), str(NO_MUNICIPALITY))
    return _Row((0, municipality.number), f"{municipality.short_name} ({municipality.number})")


def _median(values: Sequence[float]) -> Decimal | None:
    if not values:
        return None
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def tables(
    programmes: QuerySet[Programme],
    *,
    year: int,
    today: dt.date,
    small: int | None = None,
    only: str | None = None,
) -> list[Table]:
    """Every advocacy table (or the one named ``only``) over ``programmes`` for ``year``."""
    small = threshold() if small is None else small
    wanted = list(programmes.select_related("partner_municipality").order_by("pk"))
    by_pk = {p.pk: p for p in wanted}
    period = Period.year(year)
    data = results.load(Q(pk__in=list(by_pk)), period, today=today, strengthening=False)
    found = []
    for topic in TOPICS:
        indicator = results.INDICATORS[topic.code]
        items = indicator.compute(data)
        waits: dict[int, float] = {}
        if topic.median is not None:
            waits = {
                i.child: i.value
                for i in results.INDICATORS[topic.median].compute(data)
                if i.child is not None and i.value is not None
            }
        for by in BY:
            slug = f"{topic.slug}-{by}"
            if only is not None and slug != only:
                continue
            counts: dict[_Row, list[int]] = defaultdict(lambda: [0, 0])
            values: dict[_Row, list[float]] = defaultdict(list)
            for item in items:
                row = _row_of(by_pk[item.programme], by)
                counts[row][0 if item.hit else 1] += item.weight
                if item.child is not None and item.child in waits:
                    values[row].append(waits[item.child])
            order = sorted(counts, key=lambda r: r.key)
            published = suppress([counts[r] for r in order], small=small)
            medians = None
            if topic.median is not None:
                medians = [
                    _median(values[r])
                    if published.row_totals[i] is not None and (published.row_totals[i] or 0) >= small
                    else None
                    for i, r in enumerate(order)
                ]
            found.append(
                Table(
                    slug=slug,
                    topic=topic,
                    by=by,
                    row_heading=BY[by],
                    rows=[r.label for r in order],
                    columns=[str(c) for c in topic.columns],
                    published=published,
                    medians=medians,
                    indicator_name=f"{indicator.code} {indicator.name}",
                    definition=indicator.definition,
                )
            )
    return found


def slugs() -> list[str]:
    return [f"{t.slug}-{by}" for t in TOPICS for by in BY]
