"""Reporting periods (year, quarter, month) and organisational units an indicator is computed for.

Both are plain values with a stable text key ("2025", "2025-Q2", "2025-03";
"programme:12", "municipality:4601") so they can be stored beside a target
or a snapshot and passed in a URL.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q
from django.utils.translation import gettext as _

PeriodKind = Literal["year", "quarter", "month"]
UnitKind = Literal["global", "association", "programme", "location", "municipality"]
UNIT_KINDS: tuple[UnitKind, ...] = ("global", "association", "programme", "location", "municipality")

_KEY = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar year, quarter or month: ``start`` and ``end`` are both inside it."""

    start: dt.date
    end: dt.date
    kind: PeriodKind

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        last = first + 2
        return cls(dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1]), "quarter")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), "month")

    @classmethod
    def parse(cls, key: str) -> Period:
        """From "2025", "2025-Q2" or "2025-03"; ``ValueError`` otherwise."""
        match = _KEY.match(key.strip())
        if not match or not 1900 <= int(match["year"]) <= 2999:
            raise ValueError(key)
        year = int(match["year"])
        if match["quarter"]:
            return cls.quarter(year, int(match["quarter"]))
        if match["month"]:
            return cls.month(year, int(match["month"]))
        return cls.year(year)

    @property
    def key(self) -> str:
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return _("{quarter}. kvartal {year}").format(quarter=(self.start.month - 1) // 3 + 1, year=self.start.year)
        if self.kind == "month":
            return self.start.strftime("%m.%Y")
        return str(self.start.year)

    def previous(self) -> Period:
        """The period of the same kind just before (last year beside this year)."""
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        before = self.start - dt.timedelta(days=1)
        if self.kind == "quarter":
            return Period.quarter(before.year, (before.month - 1) // 3 + 1)
        return Period.month(before.year, before.month)

    def reference(self, today: dt.date) -> dt.date:
        """The day stock figures are counted on: the period's last day, or today while it runs."""
        return min(self.end, today)

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class OrgUnit:
    """Where an indicator is computed: the whole organisation, an association, a programme, a location
    or a Norwegian municipality (the programmes partnered with it)."""

    kind: UnitKind
    key: str = ""

    @classmethod
    def parse(cls, text: str) -> OrgUnit:
        kind, _sep, key = text.partition(":")
        if kind not in UNIT_KINDS or (kind != "global" and not key):
            raise ValueError(text)
        if kind in {"association", "programme", "location"} and not key.isdigit():
            raise ValueError(text)
        if kind == "municipality" and not re.fullmatch(r"\d{4}", key):
            raise ValueError(text)
        return cls(kind, "" if kind == "global" else key)  # type: ignore[arg-type]

    @property
    def token(self) -> str:
        return self.kind if self.kind == "global" else f"{self.kind}:{self.key}"

    def programme_q(self, prefix: str = "") -> Q:
        """A filter on programmes (``prefix`` leads from the queried model to the programme)."""
        field = prefix.removesuffix("__")
        pk = f"{field}__id" if field else "id"
        lead = f"{prefix}" if prefix else ""
        match self.kind:
            case "global":
                return Q()
            case "association":
                return Q(**{f"{lead}association_id": int(self.key)})
            case "programme":
                return Q(**{pk: int(self.key)})
            case "location":
                return Q(**{f"{lead}location_id": int(self.key)})
            case _:
                return Q(**{f"{lead}partner_municipality__number": self.key})

    def label(self) -> str:
        from barneby.organisation.models import Location, MemberAssociation, Municipality, Programme

        if self.kind == "global":
            return _("Hele organisasjonen")
        found: object = None
        if self.kind == "association":
            found = MemberAssociation.objects.filter(pk=int(self.key)).first()
        elif self.kind == "programme":
            found = Programme.objects.filter(pk=int(self.key)).first()
        elif self.kind == "location":
            found = Location.objects.filter(pk=int(self.key)).first()
        if self.kind in {"association", "programme", "location"}:
            return str(found) if found else self.token
        municipality = Municipality.objects.filter(number=self.key).first()
        return municipality.short_name if municipality else self.key

    def __str__(self) -> str:
        return self.token
