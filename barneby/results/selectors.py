"""Scoped reads for the results pages and API: which units a user may see figures for, and the figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.scoping import scope_for, visible_to
from barneby.organisation.models import MemberAssociation, Municipality, Programme
from barneby.results.indicators import INDICATORS, IndicatorResult, compute_all
from barneby.results.models import AnnualAccounts, PeriodClose, ServiceReturn, Snapshot, StatusReportText
from barneby.results.periods import OrgUnit, Period
from barneby.results.permissions import (
    ACCOUNTS_READERS,
    ACCOUNTS_WRITERS,
    PERIOD_CLOSERS,
    REPORT_READERS,
    REPORT_WRITERS,
    RESULTS_READERS,
    RETURN_WRITERS,
)

MUNICIPALITY_CONTACT = frozenset({Role.MUNICIPALITY_CONTACT})
# Figures of an open period are computed from the records; a page shows them at most this old.
FIGURES_CACHE_SECONDS = 5 * 60


def visible_programmes(*, user: Any, roles: frozenset[Role] = RESULTS_READERS) -> QuerySet[Programme]:
    return visible_to(
        Programme.objects.all(), user=user, paths=Programme.SCOPE_PATHS, roles=roles - MUNICIPALITY_CONTACT
    )


def may_see_unit(*, user: Any, unit: OrgUnit, roles: frozenset[Role] = RESULTS_READERS) -> bool:
    """A unit's figures are for users who may see every programme in it (the whole organisation: a global grant)."""
    scope = scope_for(user)
    staff_roles = roles - MUNICIPALITY_CONTACT
    if not scope.has_any_role(staff_roles):
        return False
    if scope.is_global(staff_roles):
        return True
    if unit.kind == "global":
        return False
    inside = Programme.objects.filter(unit.programme_q())
    if not inside.exists():
        # An empty association is still the national director's own.
        return unit.kind == "association" and unit.key in scope.keys(ScopeKind.ASSOCIATION, staff_roles)
    visible = visible_programmes(user=user, roles=staff_roles)
    return not inside.exclude(pk__in=visible.values("pk")).exists()


def unit_for(*, user: Any, token: str, roles: frozenset[Role] = RESULTS_READERS) -> OrgUnit:
    """The unit named by ``token`` if the user may see it; 404 otherwise (also for a malformed token)."""
    try:
        unit = OrgUnit.parse(token)
    except ValueError as error:
        raise Http404 from error
    if not may_see_unit(user=user, unit=unit, roles=roles):
        raise Http404
    return unit


def default_unit(*, user: Any) -> OrgUnit | None:
    """The widest unit the user may see: the whole organisation, their association or their first programme."""
    scope = scope_for(user)
    if scope.is_global(RESULTS_READERS):
        # The whole federation is one choice away; computing it on every first visit would be slow.
        first = MemberAssociation.objects.order_by("pk").values_list("pk", flat=True).first()
        return OrgUnit("association", str(first)) if first is not None else OrgUnit("global")
    associations = sorted(scope.keys(ScopeKind.ASSOCIATION, RESULTS_READERS), key=int)
    if associations:
        return OrgUnit("association", associations[0])
    programmes = sorted(scope.keys(ScopeKind.PROGRAMME, RESULTS_READERS), key=int)
    return OrgUnit("programme", programmes[0]) if programmes else None


def unit_choices(*, user: Any) -> list[tuple[str, str]]:
    """(token, label) of the units offered in the unit picker."""
    choices: list[tuple[str, str]] = []
    scope = scope_for(user)
    if scope.is_global(RESULTS_READERS):
        choices.append(("global", str(OrgUnit("global").label())))
    associations = visible_to(
        MemberAssociation.objects.all(), user=user, paths=MemberAssociation.SCOPE_PATHS, roles=RESULTS_READERS
    )
    if scope.is_global(RESULTS_READERS) or scope.keys(ScopeKind.ASSOCIATION, RESULTS_READERS):
        choices += [(f"association:{a.pk}", a.name) for a in associations.order_by("name")[:200]]
    programmes = visible_programmes(user=user).order_by("name")[:300]
    choices += [(f"programme:{p.pk}", p.name) for p in programmes]
    return choices


def parse_period(text: str | None, *, default_year: int | None = None) -> Period:
    if text:
        try:
            return Period.parse(text)
        except ValueError:
            pass
    return Period.year(default_year or timezone.localdate().year - 1)


@dataclass(frozen=True)
class Published:
    """A figure as it may be shown: ``value`` is ``None`` when its base is under the small-cell threshold."""

    code: str
    name: str
    definition: str
    unit: str
    direction: str
    value: Decimal | None
    numerator: int | None
    denominator: int | None
    target: Decimal | None
    suppressed: bool
    met: bool | None


def small_cell() -> int:
    return int(settings.CARE_SMALL_CELL)


def publish(result: IndicatorResult | Snapshot, *, small: int | None = None) -> Published:
    """Hide a figure whose base (denominator, or the count itself) is between 1 and the threshold."""
    small = small_cell() if small is None else small
    direction: str
    if isinstance(result, Snapshot):
        code, name, definition, unit = result.code, result.name, result.definition, result.unit_of_measure
        direction = INDICATORS[result.code].direction if result.code in INDICATORS else "none"
    else:
        code, name, definition, unit, direction = (
            result.code,
            result.name,
            result.definition,
            result.unit,
            result.direction,
        )
    base = result.denominator if unit in {"percent", "days"} else result.numerator
    suppressed = base is not None and 0 < base < small
    value = None if suppressed else result.value
    met = None
    if value is not None and result.target is not None and direction != "none":
        met = value >= result.target if direction == "up" else value <= result.target
    return Published(
        code,
        name,
        definition,
        unit,
        direction,
        value,
        None if suppressed else result.numerator,
        None if suppressed else result.denominator,
        result.target,
        suppressed,
        met,
    )


# Figures that add up to one shown elsewhere (I32a + I32b = every child in care, I16's base): when one of them
# is hidden under the small-cell threshold, the others are hidden too, or the total would give it away.
COMPLEMENTS: tuple[frozenset[str], ...] = (frozenset({"I32A", "I32B"}),)


def hide_complements(figures: list[Published]) -> list[Published]:
    hidden = {f.code for f in figures if f.suppressed}
    out = []
    for figure in figures:
        group = next((g for g in COMPLEMENTS if figure.code in g), None)
        if group and not figure.suppressed and hidden & (group - {figure.code}):
            figure = replace(figure, value=None, numerator=None, denominator=None, suppressed=True, met=None)
        out.append(figure)
    return out


def closing_for(unit: OrgUnit, period: Period) -> PeriodClose | None:
    return PeriodClose.objects.filter(unit=unit.token, period=period.key).first()


def reported(
    unit: OrgUnit, period: Period, *, codes: list[str] | None = None
) -> tuple[list[Published], PeriodClose | None]:
    """The figures of a unit and period: frozen snapshots once the period is closed, computed before."""
    closing = closing_for(unit, period)
    if closing is not None:
        snaps = closing.snapshots.order_by("pk")
        if codes:
            order = {c: i for i, c in enumerate(codes)}
            rows = sorted((s for s in snaps if s.code in order), key=lambda s: order[s.code])
        else:
            rows = list(snaps)
        return hide_complements([publish(s) for s in rows]), closing
    key = f"results:figures:{unit.token}:{period.key}:{','.join(codes or [])}:{get_language() or 'nb'}"
    computed = cache.get(key)
    if computed is None:
        computed = compute_all(unit, period, codes=codes)
        cache.set(key, computed, FIGURES_CACHE_SECONDS)
    return hide_complements([publish(r) for r in computed]), None


def closings_for(*, user: Any) -> list[PeriodClose]:
    rows = PeriodClose.objects.select_related("closed_by").order_by("-closed_at")[:500]
    return [c for c in rows if may_see_unit(user=user, unit=OrgUnit.parse(c.unit))]


def closing_get_for(*, user: Any, pk: int) -> PeriodClose:
    closing = PeriodClose.objects.filter(pk=pk).first()
    if closing is None or not may_see_unit(user=user, unit=OrgUnit.parse(closing.unit)):
        raise Http404
    return closing


def may_close(*, user: Any, unit: OrgUnit) -> bool:
    return may_see_unit(user=user, unit=unit, roles=PERIOD_CLOSERS)


# --- service returns and accounts ---------------------------------------------------------------


def return_programmes(*, user: Any) -> QuerySet[Programme]:
    """Programmes the user may report monthly figures for."""
    from barneby.results.models import SERVICE_TYPES

    return visible_programmes(user=user, roles=RETURN_WRITERS).filter(type__in=SERVICE_TYPES).order_by("name")


def service_returns_for(*, user: Any, programme_id: int | None = None) -> QuerySet[ServiceReturn]:
    rows = visible_to(
        ServiceReturn.objects.select_related("programme"),
        user=user,
        paths=ServiceReturn.SCOPE_PATHS,
        roles=(RETURN_WRITERS | RESULTS_READERS) - MUNICIPALITY_CONTACT,
    )
    if programme_id:
        rows = rows.filter(programme_id=programme_id)
    return rows.order_by("-month", "programme__name")


def return_programme_get(*, user: Any, pk: int) -> Programme:
    programme = return_programmes(user=user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def accounts_for(*, user: Any) -> QuerySet[AnnualAccounts]:
    return visible_to(
        AnnualAccounts.objects.select_related("association").prefetch_related("income"),
        user=user,
        paths=AnnualAccounts.SCOPE_PATHS,
        roles=ACCOUNTS_READERS,
    ).order_by("-year", "association__name")


def accounts_associations(*, user: Any) -> QuerySet[MemberAssociation]:
    return visible_to(
        MemberAssociation.objects.all(), user=user, paths=MemberAssociation.SCOPE_PATHS, roles=ACCOUNTS_WRITERS
    ).order_by("name")


# --- the municipality status report -------------------------------------------------------------


def report_municipalities(*, user: Any) -> QuerySet[Municipality]:
    """Norwegian municipalities with a partnered programme whose status report the user may read."""
    scope = scope_for(user)
    partnered = Municipality.objects.filter(partner_programmes__isnull=False).distinct()
    if scope.is_global(REPORT_READERS):
        return partnered.order_by("name")
    condition = Q(number__in=sorted(scope.keys(ScopeKind.MUNICIPALITY, MUNICIPALITY_CONTACT)))
    staff = REPORT_READERS - MUNICIPALITY_CONTACT
    visible = visible_programmes(user=user, roles=staff)
    condition |= Q(partner_programmes__in=visible.values("pk"))
    return partnered.filter(condition).distinct().order_by("name")


def may_read_report(*, user: Any, municipality: Municipality, roles: frozenset[Role] = REPORT_READERS) -> bool:
    scope = scope_for(user)
    if roles & MUNICIPALITY_CONTACT and municipality.number in scope.keys(ScopeKind.MUNICIPALITY, MUNICIPALITY_CONTACT):
        return True
    staff = roles - MUNICIPALITY_CONTACT
    unit = OrgUnit("municipality", municipality.number)
    return Programme.objects.filter(unit.programme_q()).exists() and may_see_unit(user=user, unit=unit, roles=staff)


def report_municipality_get(*, user: Any, number: str, roles: frozenset[Role] = REPORT_READERS) -> Municipality:
    municipality = Municipality.objects.filter(number=number).first()
    if municipality is None or not may_read_report(user=user, municipality=municipality, roles=roles):
        raise Http404
    return municipality


def may_write_report(*, user: Any, municipality: Municipality) -> bool:
    return may_read_report(user=user, municipality=municipality, roles=REPORT_WRITERS)


def report_text(municipality: Municipality, year: int) -> StatusReportText | None:
    return StatusReportText.objects.filter(municipality=municipality, year=year).first()


def today() -> dt.date:
    return timezone.localdate()
