"""Scoped reads for the statistics and the IATI export; the export's facts loaded in a few queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from barneby.accounts.scoping import ScopePaths, visible_to
from barneby.organisation.models import MemberAssociation, Programme
from barneby.reporting import iati
from barneby.reporting.models import IatiActivity, IatiBudget, IatiSector
from barneby.reporting.permissions import IATI_ORGANISATION_WRITERS, IATI_WRITERS, REPORT_READERS

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


def _results_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("barneby.results.indicators") is not None


def activities(
    programmes: QuerySet[Programme], *, year: int | None = None, chunk: int = 1000
) -> Iterator[iati.Activity]:
    """The export's facts for ``programmes``: four queries per ``chunk`` programmes, whatever their number.

    ``year``: the period of the results (indicators) to report; results are left out while
    ``barneby.results`` has no indicator computations.
    """
    queryset = (
        programmes.select_related("association", "association__iati", "location", "iati")
        .prefetch_related(
            Prefetch("iati__sectors", queryset=IatiSector.objects.order_by("vocabulary", "-percentage", "code")),
            Prefetch("iati__budgets", queryset=IatiBudget.objects.order_by("period_start", "type")),
        )
        .order_by("association__name", "code")
    )
    for programme in queryset.iterator(chunk_size=chunk):
        yield activity_facts(programme, year=year)


def activity_facts(programme: Programme, *, year: int | None = None) -> iati.Activity:
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
        indicators=indicators_for(programme, year) if year is not None and data is not None else (),
        last_updated=data.updated_at if data is not None else None,
    )


def indicators_for(programme: Programme, year: int) -> tuple[iati.Indicator, ...]:
    """The programme's indicators for ``year`` from ``barneby.results`` (none while it has no computations)."""
    if not _results_available():
        return ()
    return ()


def export_for(programmes: QuerySet[Programme], *, today: dt.date, now: dt.datetime, year: int) -> iati.Export:
    return iati.export(activities(programmes, year=year), today=today, generated=now)
