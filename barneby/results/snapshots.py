"""Closing a period: the reported figures are frozen, and a recomputation is shown beside them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.results.indicators import IndicatorResult, compute_all
from barneby.results.models import PeriodClose, Snapshot
from barneby.results.periods import OrgUnit, Period


def _inputs(result: IndicatorResult) -> dict[str, Any]:
    return {
        "numerator": result.numerator,
        "denominator": result.denominator,
        "breakdown": {
            cut: {
                key: [str(f.value) if f.value is not None else None, f.numerator, f.denominator]
                for key, f in rows.items()
            }
            for cut, rows in result.breakdown.items()
        },
    }


def close_period(*, unit: OrgUnit, period: Period, user: Any, today: dt.date | None = None) -> PeriodClose:
    """Freeze every indicator of ``unit`` for ``period``; a period is closed once (``ValidationError`` after)."""
    today = today or timezone.localdate()
    if period.end >= today:
        raise ValidationError(_("En periode kan bare lukkes etter at den er over."))
    if PeriodClose.objects.filter(unit=unit.token, period=period.key).exists():
        raise ValidationError(_("Perioden er allerede lukket."))
    results = compute_all(unit, period, today=today, disaggregate_by=("sex", "age_band", "programme_type"))
    try:
        with transaction.atomic():
            closing = PeriodClose.objects.create(
                unit=unit.token,
                period=period.key,
                closed_by=user,
                closed_at=timezone.now(),
                reference_date=period.reference(today),
            )
            Snapshot.objects.bulk_create(
                [
                    Snapshot(
                        closing=closing,
                        code=r.code,
                        name=r.name,
                        definition=r.definition,
                        unit_of_measure=r.unit,
                        value=r.value,
                        numerator=r.numerator,
                        denominator=r.denominator,
                        target=r.target,
                        inputs=_inputs(r),
                    )
                    for r in results
                ]
            )
    except IntegrityError as error:
        raise ValidationError(_("Perioden er allerede lukket.")) from error
    return closing


@dataclass(frozen=True)
class Comparison:
    """A frozen figure beside the figure computed from today's records."""

    code: str
    name: str
    definition: str
    unit: str
    reported: Decimal | None
    reported_numerator: int
    reported_denominator: int | None
    current: Decimal | None
    current_numerator: int
    current_denominator: int | None

    @property
    def changed(self) -> bool:
        return (self.reported, self.reported_numerator, self.reported_denominator) != (
            self.current,
            self.current_numerator,
            self.current_denominator,
        )

    @property
    def difference(self) -> Decimal | None:
        if self.reported is None or self.current is None:
            return None
        return self.current - self.reported


def compare(closing: PeriodClose, *, today: dt.date | None = None) -> list[Comparison]:
    """Each snapshot of ``closing`` beside a recomputation counted on the same day."""
    unit, period = OrgUnit.parse(closing.unit), Period.parse(closing.period)
    current = {r.code: r for r in compute_all(unit, period, today=closing.reference_date)}
    rows = []
    for snap in closing.snapshots.order_by("pk"):
        now = current.get(snap.code)
        rows.append(
            Comparison(
                snap.code,
                snap.name,
                snap.definition,
                snap.unit_of_measure,
                snap.value,
                snap.numerator,
                snap.denominator,
                now.value if now else None,
                now.numerator if now else 0,
                now.denominator if now else None,
            )
        )
    return rows
