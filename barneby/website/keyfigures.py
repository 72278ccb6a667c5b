"""Key figures for the website, live from the results module (barneby/results/keyfigures.py).

The website never makes up a number: it shows the results module's figures of
the current year (cached there), each with its definition, source and the date
it counts on. Only aggregate figures exist there; a count of people below
``SMALL_COUNT`` is still shown as "fewer than" rather than as the number, so no
figure on a public page can point at one child or one family.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.core.formatting import NBSP
from barneby.results import keyfigures as results

# Figures that count people (children, young people, family members); the rest count places and programmes.
PEOPLE: frozenset[str] = frozenset(
    {"children_in_care", "people_in_strengthening", "kindergarten_children", "pupils", "vocational_trainees"}
)
SMALL_COUNT = 5


@dataclass(frozen=True)
class KeyFigure:
    code: str
    name: str
    value: str  # formatted; empty when the results module has no value yet
    definition: str
    source: str
    as_of: dt.date  # the day the figure counts on (31.12, or today while the year runs)

    @property
    def available(self) -> bool:
        return bool(self.value)


def format_value(figure: results.KeyFigure) -> str:
    """``1234`` → ``1 234`` (non-breaking space), a percentage → ``82 %``; a small count of people → "fewer than 5"."""
    if figure.value is None:
        return ""
    value = Decimal(figure.value)
    if figure.unit == "percent":
        return f"{value.quantize(Decimal(1)):f}{NBSP}%"
    whole = f"{int(value):d}"
    if figure.code in PEOPLE and 0 < int(value) < SMALL_COUNT:
        return _("færre enn {n}").format(n=SMALL_COUNT)
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return NBSP.join(groups)


def choices() -> list[tuple[str, str]]:
    """The codes an editor can choose for a key figure block, with their names."""
    return [(d.code, str(d.name)) for d in results.KEY_FIGURES]


def published(year: int | None = None) -> dict[str, KeyFigure]:
    """Every key figure of ``year`` (this year by default), by code, in the results module's order."""
    year = year or timezone.localdate().year
    return {
        f.code: KeyFigure(
            code=f.code,
            name=f.name,
            value=format_value(f),
            definition=f.definition,
            source=f.source,
            as_of=f.reference_date,
        )
        for f in results.key_figures(year)
    }


def lookup(code: str) -> KeyFigure | None:
    return published().get(code)
