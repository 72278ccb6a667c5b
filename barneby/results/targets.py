"""Finding the target that applies to an indicator, a unit and a period."""

from __future__ import annotations

from decimal import Decimal

from barneby.results.models import Target
from barneby.results.periods import OrgUnit, Period


def _wider(unit: OrgUnit) -> list[str]:
    """The unit itself, then the units it lies within (a programme's association), then the whole organisation."""
    from barneby.organisation.models import Location, Programme

    tokens = [unit.token]
    association = None
    if unit.kind == "programme":
        association = Programme.objects.filter(pk=int(unit.key)).values_list("association_id", flat=True).first()
    elif unit.kind == "location":
        association = Location.objects.filter(pk=int(unit.key)).values_list("association_id", flat=True).first()
    if association is not None:
        tokens.append(f"association:{association}")
    if unit.kind != "global":
        tokens.append("global")
    return tokens


def target_for(code: str, unit: OrgUnit, period: Period) -> Decimal | None:
    """The most specific target: this unit's for this period, else its association's, else the organisation's;
    a year's target also holds for its quarters and months."""
    periods = [period.key] if period.kind == "year" else [period.key, str(period.start.year)]
    found = {
        (t.unit, t.period): t.value for t in Target.objects.filter(code=code, unit__in=_wider(unit), period__in=periods)
    }
    for token in _wider(unit):
        for key in periods:
            if (token, key) in found:
                return found[(token, key)]
    return None


def targets_for(unit: OrgUnit, period: Period) -> dict[str, Decimal]:
    """Code → target for every indicator (one query)."""
    tokens = _wider(unit)
    periods = [period.key] if period.kind == "year" else [period.key, str(period.start.year)]
    rows = list(
        Target.objects.filter(unit__in=tokens, period__in=periods).values_list("code", "unit", "period", "value")
    )
    out: dict[str, Decimal] = {}
    for code in {r[0] for r in rows}:
        mine = {(u, p): v for c, u, p, v in rows if c == code}
        for token in tokens:
            hit = next((mine[(token, key)] for key in periods if (token, key) in mine), None)
            if hit is not None:
                out[code] = hit
                break
    return out
