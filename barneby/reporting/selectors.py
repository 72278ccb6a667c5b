"""Scoped reads for the statistics and the IATI export; the export's facts loaded in a few queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import translation

from barneby.accounts.scoping import ScopePaths, visible_to
from barneby.organisation.models import MemberAssociation, Programme
from barneby.reporting import iati
from barneby.reporting.models import IatiActivity, IatiBudget, IatiSector
from barneby.reporting.permissions import IATI_ORGANISATION_WRITERS, IATI_WRITERS, REPORT_READERS
from barneby.results import indicators as results
from barneby.results.models import Target
from barneby.results.periods import Period

ASSOCIATION_ONLY = ScopePaths(association="id")


def programmes_for(*, user: Any) -> QuerySet[Programme]:
    """The programmes whose figures ``user`` sees."""
    return visible_to(Programme.objects.all(), user=user, paths=Programme.SCOPE_PATHS, roles=REPORT_READERS)


def associations_for(*, user: Any) -> QuerySet[MemberAssociation]:
    """Associations with at least one programme ``user`` sees, with counts of those programmes."""
    visible = programmes_for(user=user).values("pk")
    return (
        MemberAssociation.objects.filter(programmes__in=visible)
        .annotate(
            programme_count=Count("programmes", filter=Q(programmes__in=visible), distinct=True),
            with_iati=Count(
                "programmes", filter=Q(programmes__in=visible, programmes__iati__isnull=False), distinct=True
            ),
        )
        .order_by("name")
    )


def association_get_for(*, user: Any, pk: int) -> MemberAssociation:
    """The association, if ``user`` sees at least one of its programmes (404 otherwise)."""
    association = MemberAssociation.objects.filter(pk=pk, programmes__in=programmes_for(user=user)).first()
    if association is None:
        raise Http404
    return association


def association_programmes_for(*, user: Any, association: MemberAssociation) -> QuerySet[Programme]:
    return programmes_for(user=user).filter(association=association).order_by("code")


def can_edit_organisation(*, user: Any, association: MemberAssociation) -> bool:
    allowed = visible_to(
        MemberAssociation.objects.filter(pk=association.pk),
        user=user,
        paths=ASSOCIATION_ONLY,
        roles=IATI_ORGANISATION_WRITERS,
    )
    return allowed.exists()


def association_get_for_organisation_edit(*, user: Any, pk: int) -> MemberAssociation:
    """The association whose reporting-organisation data ``user`` keeps (national director of it)."""
    association = (
        visible_to(MemberAssociation.objects.all(), user=user, paths=ASSOCIATION_ONLY, roles=IATI_ORGANISATION_WRITERS)
        .filter(pk=pk)
        .first()
    )
    if association is None:
        raise Http404
    return association


def programme_get_for_iati(*, user: Any, pk: int) -> Programme:
    """A programme whose IATI data ``user`` keeps (404 outside their scope)."""
    programme = (
        visible_to(
            Programme.objects.select_related("association", "location"),
            user=user,
            paths=Programme.SCOPE_PATHS,
            roles=IATI_WRITERS,
        )
        .filter(pk=pk)
        .first()
    )
    if programme is None:
        raise Http404
    return programme


def activity_of(programme: Programme) -> IatiActivity | None:
    return IatiActivity.objects.filter(programme=programme).prefetch_related("sectors", "budgets").first()


def activities(
    programmes: QuerySet[Programme], *, year: int | None = None, chunk: int = 1000
) -> Iterator[iati.Activity]:
    """The export's facts for ``programmes``, ``chunk`` programmes at a time (a few queries each).

    ``year``: the period of the results to report (none when ``None``).
    """
    ids = list(programmes.order_by("association__name", "code").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        loaded = {
            p.pk: p
            for p in Programme.objects.filter(pk__in=part)
            .select_related("association", "association__iati", "location", "iati")
            .prefetch_related(
                Prefetch("iati__sectors", queryset=IatiSector.objects.order_by("vocabulary", "-percentage", "code")),
                Prefetch("iati__budgets", queryset=IatiBudget.objects.order_by("period_start", "type")),
            )
        }
        results = indicators_by_programme(list(loaded.values()), year) if year is not None else {}
        for pk in part:
            yield activity_facts(loaded[pk], indicators=results.get(pk, ()))


def activity_facts(programme: Programme, *, indicators: tuple[iati.Indicator, ...] = ()) -> iati.Activity:
    association = programme.association
    organisation = getattr(association, "iati", None)
    data: IatiActivity | None = getattr(programme, "iati", None)
    sectors: tuple[iati.Sector, ...] = ()
    budgets: tuple[iati.Budget, ...] = ()
    if data is not None:
        sectors = tuple(iati.Sector(s.vocabulary, s.code, s.percentage) for s in data.sectors.all())
        budgets = tuple(
            iati.Budget(b.type, b.status, b.period_start, b.period_end, b.value, b.currency, b.value_date)
            for b in data.budgets.all()
        )
    return iati.Activity(
        programme_code=programme.code,
        programme_name=programme.name,
        org_identifier=organisation.identifier if organisation is not None else None,
        org_type=organisation.type if organisation is not None else "",
        org_name_nb=association.name,
        org_name_en=organisation.name_en if organisation is not None else "",
        identifier=data.identifier if data is not None else None,
        title_nb=programme.name,
        title_en=data.title_en if data is not None else "",
        description_nb=data.description_nb if data is not None else "",
        description_en=data.description_en if data is not None else "",
        status=iati.STATUS[programme.status],
        start=programme.start_date,
        end=programme.end_date,
        country=str(programme.location.country.code or ""),
        sectors=sectors,
        budgets=budgets,
        indicators=indicators if data is not None else (),
        last_updated=data.updated_at if data is not None else None,
    )


def _targets(programmes: list[Programme], year: int) -> dict[int, dict[str, Decimal]]:
    """Programme → indicator code → the target that applies for ``year`` (the programme's own, else its
    association's, else the organisation's), as ``barneby.results.targets`` resolves them, in one query."""
    tokens = {"global"}
    for p in programmes:
        tokens |= {f"programme:{p.pk}", f"association:{p.association_id}"}
    rows = Target.objects.filter(period=str(year), unit__in=tokens).values_list("code", "unit", "value")
    by_unit: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for code, unit, value in rows:
        by_unit[unit][code] = value
    out: dict[int, dict[str, Decimal]] = {}
    for p in programmes:
        merged = {
            **by_unit.get("global", {}),
            **by_unit.get(f"association:{p.association_id}", {}),
            **by_unit.get(f"programme:{p.pk}", {}),
        }
        if merged:
            out[p.pk] = merged
    return out


def indicators_by_programme(programmes: list[Programme], year: int) -> dict[int, tuple[iati.Indicator, ...]]:
    """The results of each programme for ``year``: every indicator with a target, this year's value (actual)
    and last year's (baseline), computed by ``barneby.results``. An indicator without a target, or with no
    one counted in either year, has nothing to report and is left out."""
    targets = _targets(programmes, year)
    if not targets:
        return {}
    wanted = Q(pk__in=sorted(targets))
    now = results.by_programme(Period.year(year), programmes=wanted)
    before = results.by_programme(Period.year(year - 1), programmes=wanted)
    period = Period.year(year)
    out: dict[int, tuple[iati.Indicator, ...]] = {}
    for pk, codes in targets.items():
        found = []
        for code, target in sorted(codes.items()):
            definition = results.INDICATORS.get(code)
            actual = now.get(pk, {}).get(code)
            baseline = before.get(pk, {}).get(code)
            if definition is None or actual is None or baseline is None:
                continue
            if actual.value is None or baseline.value is None:
                continue
            with translation.override("nb"):
                title_nb = str(definition.name)
            with translation.override("en"):
                title_en = str(definition.name)
            found.append(
                iati.Indicator(
                    code=code,
                    title_nb=title_nb,
                    title_en=title_en,
                    measure="2" if definition.unit == "percent" else "1",
                    ascending=definition.direction != "down",
                    baseline_year=year - 1,
                    baseline=baseline.value,
                    period_start=period.start,
                    period_end=period.end,
                    target=target,
                    actual=actual.value,
                )
            )
        if found:
            out[pk] = tuple(found)
    return out


def export_for(programmes: QuerySet[Programme], *, today: dt.date, now: dt.datetime, year: int) -> iati.Export:
    return iati.export(activities(programmes, year=year), today=today, generated=now)
