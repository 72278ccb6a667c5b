"""I33 for the annual report: concerns by category and channel, substantiated incidents by category and
perpetrator category, and the median days from report to response. Counts only, with small cells
suppressed (``barneby.reporting.suppression``), so a small association's figures name nobody.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from barneby.accounts.scoping import visible_to
from barneby.reporting.suppression import Suppressed, suppress, threshold
from barneby.safeguarding.models import Category, Channel, Concern, Outcome, Perpetrator
from barneby.safeguarding.permissions import FIGURE_READERS


@dataclass(frozen=True)
class Table:
    row_labels: list[str]
    column_labels: list[str]
    published: Suppressed

    @property
    def rows(self) -> list[tuple[str, list[int | None], int | None]]:
        return [
            (label, self.published.cells[i], self.published.row_totals[i]) for i, label in enumerate(self.row_labels)
        ]


@dataclass(frozen=True)
class Figures:
    year: int
    by_channel: Table
    substantiated: Table
    responses: int
    median_days: float | None  # None: too few responses to publish
    small: int


def _table(
    rows: Sequence[tuple[str, Any]], columns: Sequence[tuple[str, Any]], counts: dict[tuple[str, str], int], small: int
) -> Table:
    grid = [[counts.get((r, c), 0) for c, _label in columns] for r, _rl in rows]
    return Table([str(label) for _v, label in rows], [str(label) for _v, label in columns], suppress(grid, small=small))


def compute(concerns: QuerySet[Concern], *, year: int, small: int | None = None) -> Figures:
    small = threshold() if small is None else small
    in_year = concerns.filter(reported_at__year=year)
    categories = list(Category.choices)
    by_channel = {
        (row["category"], row["channel"]): row["n"]
        for row in in_year.values("category", "channel").annotate(n=Count("pk")).order_by()
    }
    substantiated = {
        (row["category"], row["perpetrator"]): row["n"]
        for row in in_year.filter(outcome=Outcome.SUBSTANTIATED)
        .values("category", "perpetrator")
        .annotate(n=Count("pk"))
        .order_by()
    }
    days = [
        (acknowledged - reported).total_seconds() / 86400
        for reported, acknowledged in in_year.filter(acknowledged_at__isnull=False).values_list(
            "reported_at", "acknowledged_at"
        )
        if acknowledged is not None
    ]
    median = round(statistics.median(days), 1) if days and len(days) >= small else None
    return Figures(
        year=year,
        by_channel=_table(categories, list(Channel.choices), by_channel, small),
        substantiated=_table(categories, list(Perpetrator.choices), substantiated, small),
        responses=len(days),
        median_days=median,
        small=small,
    )


def for_user(*, user: Any, year: int) -> Figures:
    """The figures of the concerns in the user's scope (all for a global role, one association, or the
    programmes of a programme-scoped advisor)."""
    scoped = visible_to(Concern.objects.all(), user=user, paths=Concern.SCOPE_PATHS, roles=FIGURE_READERS)
    return compute(scoped, year=year)
