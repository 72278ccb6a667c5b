"""From the database to the solver's plain data, and back to names for people."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from barneby import matching
from barneby.care.models import Child, ChildStatus, Gatekeeping, GatekeepingOutcome, KeepApart, Placement, age_on
from barneby.organisation.models import Home, HomeKind

# Children waiting for a placement: referred, or assessed for alternative care, and not placed. Not children in
# family strengthening or reunified with their family, nor children in care, in aftercare or whose case is closed.
WAITING_STATUSES = (ChildStatus.REFERRED, ChildStatus.ASSESSED)

PLACEMENT_TYPE_FOR_HOME: dict[str, str] = {
    HomeKind.SOS_FAMILY_VILLAGE: "sos_family_village",
    HomeKind.SOS_FAMILY_COMMUNITY: "sos_family_community",
    HomeKind.FOSTER_HOME: "foster",
    HomeKind.FAMILY_HOME: "family_home",
    HomeKind.YOUTH_HOUSE: "youth_house",
}


def _open_on(day: dt.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


def waiting(children: QuerySet[Child], *, today: dt.date | None = None) -> QuerySet[Child]:
    """The children who wait for a placement.

    Referred or assessed, where the latest admission assessment (if any) found alternative care necessary (not
    family strengthening or other services instead), with no placement that is open today or starts later.
    """
    today = today or timezone.localdate()
    placed = Placement.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=today)).values("child_id")
    latest = Gatekeeping.objects.filter(child_id=OuterRef("pk")).order_by("-assessed_on", "-pk").values("outcome")[:1]
    return (
        children.filter(status__in=WAITING_STATUSES)
        .annotate(waiting_assessment=Subquery(latest))
        .filter(Q(waiting_assessment__isnull=True) | Q(waiting_assessment=GatekeepingOutcome.ALTERNATIVE_CARE))
        .exclude(pk__in=placed)
    )


def _coord(lat: object, lon: object) -> tuple[float, float] | None:
    if lat is None or lon is None:
        return None
    return (float(lat), float(lon))  # type: ignore[arg-type]


def build_problem(
    children: Iterable[Child], homes: QuerySet[Home], *, today: dt.date | None = None
) -> matching.Problem:
    """The matching problem for ``children`` over ``homes`` (their free places today; a full home has none).

    A child's keep-apart partner who already lives in a home rules that home out.
    Distance is measured from the child's place of origin where it has
    coordinates; otherwise distance does not count for that child.
    """
    today = today or timezone.localdate()
    kids = list(children)
    ids = [c.pk for c in kids]
    needs: dict[int, set[str]] = defaultdict(set)
    for child_id, code in Child.needs.through.objects.filter(child_id__in=ids).values_list(
        "child_id", "competence__code"
    ):
        needs[child_id].add(code)
    excluded: dict[int, set[int]] = defaultdict(set)
    for child_id, home_id in Child.excluded_homes.through.objects.filter(child_id__in=ids).values_list(
        "child_id", "home_id"
    ):
        excluded[child_id].add(home_id)
    apart: dict[int, list[matching.KeepApart]] = defaultdict(list)
    partners: dict[int, set[int]] = defaultdict(set)
    for a, b, reason in KeepApart.objects.filter(Q(child_a_id__in=ids) | Q(child_b_id__in=ids)).values_list(
        "child_a_id", "child_b_id", "reason"
    ):
        for one, other in ((a, b), (b, a)):
            if one in ids:
                apart[one].append(matching.KeepApart(child=other, reason=reason))
                partners[one].add(other)
    partner_homes = dict(
        Placement.objects.filter(_open_on(today), child_id__in={p for ps in partners.values() for p in ps}).values_list(
            "child_id", "home_id"
        )
    )
    origins = {
        c.pk: _coord(c.origin_location.latitude, c.origin_location.longitude) if c.origin_location else None
        for c in kids
    }
    solver_children = tuple(
        matching.Child(
            id=c.pk,
            age=age_on(c.birth_date, today),
            sex=c.sex,
            group=c.sibling_group_id if c.sibling_group_id else -c.pk,
            needs=frozenset(needs[c.pk]),
            origin=origins[c.pk],
            excluded_homes=frozenset(excluded[c.pk] | {partner_homes[p] for p in partners[c.pk] if p in partner_homes}),
            keep_apart=tuple(k for k in apart[c.pk] if k.child in ids),
        )
        for c in kids
    )
    solver_homes = []
    for home in homes.select_related("programme__location").prefetch_related("competences"):
        if not home.is_active:
            continue
        # A full home stays in the problem with no free places: nobody goes there, and a child it would suit
        # is told that the suitable homes are full rather than that no home meets the requirements.
        free = max(0, home.capacity - home.occupied)
        location = _coord(home.latitude, home.longitude) or _coord(
            home.programme.location.latitude, home.programme.location.longitude
        )
        solver_homes.append(
            matching.Home(
                id=home.pk,
                places=free,
                min_age=home.min_age,
                max_age=home.max_age,
                competences=frozenset(c.code for c in home.competences.all()),
                location=location,
                max_siblings=(home.max_sibling_group_size or free) if home.takes_sibling_groups else 1,
                kind=home.kind,
                region=str(home.programme_id),
            )
        )
    return matching.Problem(children=solver_children, homes=tuple(solver_homes))
