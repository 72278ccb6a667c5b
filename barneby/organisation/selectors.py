"""Reads of the organisation register, always scoped to the user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Model, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from barneby.accounts.roles import Role
from barneby.accounts.scoping import ScopePaths, scope_for, visible_to
from barneby.organisation.models import (
    Home,
    Location,
    MemberAssociation,
    Municipality,
    Programme,
    StaffMember,
    Training,
)
from barneby.organisation.permissions import ADDRESS_READERS, REGISTER_READERS, REGISTER_WRITERS

M = TypeVar("M", bound=Model)


def _visible(queryset: QuerySet[M], user: Any, roles: Iterable[Role] = REGISTER_READERS) -> QuerySet[M]:
    paths = queryset.model.SCOPE_PATHS  # type: ignore[attr-defined]
    return visible_to(queryset, user=user, paths=paths, roles=roles)


def with_places(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    """Annotate ``capacity``: the places of the programme's active homes (a subquery, so scope joins cannot
    count a home twice)."""
    places = (
        Home.objects.filter(programme=OuterRef("pk"), is_active=True)
        .order_by()
        .values("programme")
        .annotate(total=Sum("capacity"))
        .values("total")
    )
    return programmes.annotate(capacity=Coalesce(Subquery(places), 0))


def with_occupancy(homes: QuerySet[Home], *, today: dt.date | None = None) -> QuerySet[Home]:
    """Annotate ``occupied_places``: the home's placements open today, from the care app's records."""
    from barneby.care.models import Placement  # the register is read by care; only this count reads back

    day = today or timezone.localdate()
    open_placements = (
        Placement.objects.filter(home=OuterRef("pk"), start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .order_by()
        .values("home")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return homes.annotate(occupied_places=Coalesce(Subquery(open_placements), 0))


def association_list_for(*, user: Any) -> QuerySet[MemberAssociation]:
    return _visible(MemberAssociation.objects.all(), user)


def location_list_for(*, user: Any) -> QuerySet[Location]:
    return _visible(Location.objects.select_related("association", "municipality"), user)


def programme_list_for(
    *,
    user: Any,
    country: str = "",
    type: str = "",
    status: str = "",
    search: str = "",
    association_id: int | None = None,
) -> QuerySet[Programme]:
    programmes = with_places(
        _visible(Programme.objects.select_related("association", "location", "partner_municipality"), user)
    )
    if country:
        programmes = programmes.filter(location__country=country.upper())
    if type:
        programmes = programmes.filter(type=type)
    if status:
        programmes = programmes.filter(status=status)
    if association_id:
        programmes = programmes.filter(association_id=association_id)
    if search:
        programmes = programmes.filter(
            Q(name__icontains=search) | Q(code__icontains=search) | Q(location__name__icontains=search)
        )
    return programmes


def home_list_for(
    *,
    user: Any,
    programme_id: int | None = None,
    kind: str = "",
    search: str = "",
    takes_siblings: bool = False,
    with_free_places: bool = False,
) -> QuerySet[Home]:
    homes = with_occupancy(
        _visible(
            Home.objects.select_related("programme", "programme__association", "municipality").prefetch_related(
                "competences"
            ),
            user,
        )
    )
    if programme_id:
        homes = homes.filter(programme_id=programme_id)
    if kind:
        homes = homes.filter(kind=kind)
    if search:
        homes = homes.filter(Q(name__icontains=search) | Q(programme__name__icontains=search))
    if takes_siblings:
        homes = homes.filter(takes_sibling_groups=True)
    if with_free_places:
        homes = homes.filter(occupied_places__lt=F("capacity"))  # type: ignore[misc]  # annotated above
    return homes


def staff_list_for(*, user: Any, search: str = "", role: str = "", active: bool | None = True) -> QuerySet[StaffMember]:
    staff = _visible(StaffMember.objects.select_related("association", "programme", "home"), user)
    if search:
        staff = staff.filter(
            Q(first_name__icontains=search) | Q(last_name__icontains=search) | Q(email__icontains=search)
        )
    if role:
        staff = staff.filter(role=role)
    if active is not None:
        staff = staff.filter(is_active=active)
    return staff


def training_expiring_list_for(*, user: Any, within_days: int = 60, today: dt.date | None = None) -> QuerySet[Training]:
    """Trainings that expire within ``within_days`` (or have expired) for active staff the user may see."""
    today = today or timezone.localdate()
    trainings = _visible(Training.objects.select_related("staff", "staff__programme", "staff__home"), user)
    return trainings.filter(
        staff__is_active=True, expires_on__isnull=False, expires_on__lte=today + dt.timedelta(days=within_days)
    ).order_by("expires_on", "staff__last_name")


def municipality_list() -> QuerySet[Municipality]:
    """Public facts: every staff user may read them."""
    return Municipality.objects.all()


# Records of the whole association: written only through association-level (or global) grants.
_ASSOCIATION_LEVEL: frozenset[type[Model]] = frozenset({MemberAssociation, Location})


def _association_level(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    """Rows ``user`` may write through a writer role held for a whole association (or globally)."""
    paths = queryset.model.SCOPE_PATHS  # type: ignore[attr-defined]
    return visible_to(queryset, user=user, paths=ScopePaths(association=paths.association), roles=REGISTER_WRITERS)


def _writable(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    if queryset.model in _ASSOCIATION_LEVEL:
        return _association_level(queryset, user)
    return _visible(queryset, user, REGISTER_WRITERS)


def _get_for(queryset: QuerySet[M], user: Any, pk: int, *, for_write: bool) -> M:
    """404 if the user may not know the object exists; 403 if they may read but not write it."""
    obj = _visible(queryset, user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    if for_write and not _writable(queryset, user).filter(pk=pk).exists():
        raise PermissionDenied
    return obj


def association_get_for(*, user: Any, pk: int, for_write: bool = False) -> MemberAssociation:
    return _get_for(MemberAssociation.objects.all(), user, pk, for_write=for_write)


def location_get_for(*, user: Any, pk: int, for_write: bool = False) -> Location:
    return _get_for(Location.objects.select_related("association"), user, pk, for_write=for_write)


def programme_get_for(*, user: Any, pk: int, for_write: bool = False) -> Programme:
    return _get_for(
        with_places(Programme.objects.select_related("association", "location", "partner_municipality")),
        user,
        pk,
        for_write=for_write,
    )


def home_get_for(*, user: Any, pk: int, for_write: bool = False) -> Home:
    return _get_for(with_occupancy(Home.objects.select_related("programme")), user, pk, for_write=for_write)


def staff_get_for(*, user: Any, pk: int, for_write: bool = False) -> StaffMember:
    return _get_for(StaffMember.objects.select_related("programme", "home"), user, pk, for_write=for_write)


def home_address_visible_to(*, user: Any, home: Home) -> bool:
    """Only those who visit the home see its street address."""
    return _visible(Home.objects.filter(pk=home.pk), user, ADDRESS_READERS).exists()


def programme_address_visible_to(*, user: Any, programme: Programme) -> bool:
    """Whether ``user`` sees street addresses of the homes in ``programme``."""
    return _visible(Programme.objects.filter(pk=programme.pk), user, ADDRESS_READERS).exists()


def home_ids_with_visible_address(*, user: Any, homes: Iterable[Home]) -> set[int]:
    """Of ``homes``, those whose street address ``user`` may see (one query for the lot)."""
    ids = [home.pk for home in homes]
    return set(_visible(Home.objects.filter(pk__in=ids), user, ADDRESS_READERS).values_list("pk", flat=True))


def writable_ids(*, user: Any, objects: Iterable[Model]) -> set[int]:
    """Of ``objects`` (all of one model), the primary keys ``user`` may change, in one query."""
    objects = list(objects)
    if not objects:
        return set()
    model = type(objects[0])
    queryset = model._default_manager.filter(pk__in=[o.pk for o in objects])
    return set(_writable(queryset, user).values_list("pk", flat=True))


def can_write(*, user: Any, obj: Model) -> bool:
    queryset = type(obj)._default_manager.filter(pk=obj.pk)
    return _writable(queryset, user).exists()


def can_write_association_level(*, user: Any, association_id: int) -> bool:
    """Whether ``user`` holds a writer role for the whole association (or globally)."""
    return _association_level(MemberAssociation.objects.filter(pk=association_id), user).exists()


def staff_programmes_writable_by(*, user: Any, association_id: int) -> QuerySet[Programme]:
    """The association's programmes in which ``user`` may register and change staff."""
    return _visible(Programme.objects.filter(association_id=association_id), user, REGISTER_WRITERS)


def require_staff_placement_writable(*, user: Any, association_id: int, programme: Programme | None) -> None:
    """Staff outside a programme are association-level; within one, the programme's writers may place them."""
    if can_write_association_level(user=user, association_id=association_id):
        return
    if (
        programme is None
        or not staff_programmes_writable_by(user=user, association_id=association_id).filter(pk=programme.pk).exists()
    ):
        raise PermissionDenied


def require_partner_municipality_writable(
    *, user: Any, programme: Programme, municipality: Municipality | None
) -> None:
    """Repointing the partner municipality changes who may read the programme: an association-level write."""
    if municipality == programme.partner_municipality:
        return
    if not can_write_association_level(user=user, association_id=programme.association_id):
        raise PermissionDenied


def can_create_programme_in(*, user: Any, association: MemberAssociation) -> bool:
    from barneby.organisation.permissions import PROGRAMME_CREATORS

    return _visible(MemberAssociation.objects.filter(pk=association.pk), user, PROGRAMME_CREATORS).exists()


def user_roles(user: Any) -> frozenset[Role]:
    return scope_for(user).roles


def capacity_by_programme(*, user: Any, limit: int = 10, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Places and free places of the care programmes ``user`` directs, fullest first (three queries)."""
    from barneby.care.models import Placement
    from barneby.organisation.models import CARE_TYPES

    day = today or timezone.localdate()
    programmes = list(
        _visible(Programme.objects.filter(type__in=CARE_TYPES).exclude(status="closed"), user, REGISTER_WRITERS)
        .order_by("name", "pk")
        .values("pk", "name")
    )
    ids = [p["pk"] for p in programmes]
    places = dict(
        Home.objects.filter(programme_id__in=ids, is_active=True)
        .values("programme_id")
        .annotate(total=Sum("capacity"))
        .values_list("programme_id", "total")
    )
    taken = dict(
        Placement.objects.filter(home__programme_id__in=ids, home__is_active=True, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .values("home__programme_id")
        .annotate(total=Count("pk"))
        .values_list("home__programme_id", "total")
    )
    rows = [
        {
            "pk": p["pk"],
            "name": p["name"],
            "places": places.get(p["pk"], 0),
            "free": max(0, places.get(p["pk"], 0) - taken.get(p["pk"], 0)),
        }
        for p in programmes
    ]
    rows.sort(key=lambda row: (row["free"], row["name"]))
    return rows[:limit]
