"""Reads for sponsorships, always scoped (deny by default).

Caseworkers reach profiles through the care scoping of the child; donor
service reaches sponsorships, transfer tasks and approved profiles through its
member association. Donor-service querysets never select the child itself.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from barneby.accounts.scoping import ScopePaths, visible_to
from barneby.care.models import Child, ChildStatus
from barneby.fundraising.selectors import search_number
from barneby.organisation.models import Location, LocationKind
from barneby.sponsorships.models import (
    CARE_PATHS,
    DONOR_PATHS,
    ProfileStatus,
    Sponsorship,
    SponsorshipEvent,
    SponsorshipProfile,
    TransferStatus,
    TransferTask,
)
from barneby.sponsorships.permissions import PHOTO_READERS, PROFILE_WRITERS, SPONSORSHIP_ROLES

M = TypeVar("M", bound=Model)

# Children who can still get a profile: in the programme, not gone.
LEAVING_STATUSES = frozenset({ChildStatus.LEFT, ChildStatus.REUNIFIED, ChildStatus.AFTERCARE})
# What donor service may read of a profile: never the child.
PROFILE_FIELDS = ("id", "first_name", "birth_year", "village", "photo", "status", "approved_at")


def _one(queryset: QuerySet[M], pk: int) -> M:
    obj = queryset.filter(pk=pk).order_by().first()
    if obj is None:
        raise Http404
    return obj


def _for_donor(queryset: QuerySet[M], user: Any, paths: ScopePaths | None = None) -> QuerySet[M]:
    paths = paths or queryset.model.SCOPE_PATHS  # type: ignore[attr-defined]
    return visible_to(queryset, user=user, paths=paths, roles=SPONSORSHIP_ROLES)


# --- caseworkers ------------------------------------------------------------------------------


def children_for_profile(*, user: Any) -> QuerySet[Child]:
    """Children the user may make a profile for: writable (care scoping), still in the programme, none live yet."""
    children = visible_to(
        Child.objects.select_related("programme"), user=user, paths=Child.SCOPE_PATHS, roles=PROFILE_WRITERS
    )
    return children.exclude(status__in=LEAVING_STATUSES).exclude(
        sponsorship_profiles__status__in=[ProfileStatus.DRAFT, ProfileStatus.APPROVED]
    )


def profile_list_for_care(*, user: Any, status: str = "", search: str = "") -> QuerySet[SponsorshipProfile]:
    profiles = visible_to(
        SponsorshipProfile.objects.select_related("village", "child__programme"),
        user=user,
        paths=CARE_PATHS,
        roles=PROFILE_WRITERS,
    )
    if status:
        profiles = profiles.filter(status=status)
    if search:
        profiles = profiles.filter(first_name__istartswith=search)
    return profiles


def profile_get_for_care(*, user: Any, pk: int) -> SponsorshipProfile:
    """The profile of a child in the user's writable scope, or 404."""
    return _one(profile_list_for_care(user=user), pk)


def villages_for(*, child: Child) -> QuerySet[Location]:
    """Villages a profile of ``child`` may name: active villages of the child's member association."""
    return Location.objects.filter(
        kind=LocationKind.VILLAGE, is_active=True, association_id=child.programme.association_id
    ).order_by("name")


# --- donor service ----------------------------------------------------------------------------


def approved_profiles_for(
    *, user: Any, village: Location | None = None, search: str = ""
) -> QuerySet[SponsorshipProfile]:
    """Approved profiles of the user's association; only profile fields are loaded."""
    profiles = _for_donor(
        SponsorshipProfile.objects.filter(status=ProfileStatus.APPROVED).select_related("village"),
        user,
        DONOR_PATHS,
    ).only(*PROFILE_FIELDS, "village__name", "village__country")
    if village is not None:
        profiles = profiles.filter(village=village)
    if search:
        profiles = profiles.filter(Q(first_name__istartswith=search) | Q(village__name__icontains=search))
    return profiles


def approved_profile_get(*, user: Any, pk: int) -> SponsorshipProfile:
    return _one(approved_profiles_for(user=user), pk)


def donor_villages_for(*, user: Any) -> QuerySet[Location]:
    """Villages donor service may offer: active villages of its association."""
    return visible_to(
        Location.objects.filter(kind=LocationKind.VILLAGE, is_active=True),
        user=user,
        paths=ScopePaths(association="association_id"),
        roles=SPONSORSHIP_ROLES,
    ).order_by("name")


def sponsorship_list_for(
    *, user: Any, state: str = "", target_kind: str = "", search: str = ""
) -> QuerySet[Sponsorship]:
    sponsorships = _for_donor(
        Sponsorship.objects.select_related("supporter", "village", "profile", "profile__village", "agreement"), user
    )
    if state:
        sponsorships = sponsorships.filter(state=state)
    if target_kind:
        sponsorships = sponsorships.filter(target_kind=target_kind)
    if search:
        words = search.split()
        number = search_number(search)
        if number is not None:
            sponsorships = sponsorships.filter(supporter__donor_number=number)
        else:
            for word in words[:3]:
                sponsorships = sponsorships.filter(
                    Q(supporter__first_name__icontains=word)
                    | Q(supporter__last_name__icontains=word)
                    | Q(supporter__company_name__icontains=word)
                )
    return sponsorships


def sponsorship_get_for(*, user: Any, pk: int) -> Sponsorship:
    return _one(sponsorship_list_for(user=user), pk)


def events_for(*, user: Any, sponsorship: Sponsorship) -> QuerySet[SponsorshipEvent]:
    return _for_donor(SponsorshipEvent.objects.select_related("actor"), user).filter(sponsorship=sponsorship)


def transfer_list_for(*, user: Any, status: str = "") -> QuerySet[TransferTask]:
    tasks = _for_donor(
        TransferTask.objects.select_related(
            "sponsorship__supporter", "old_profile__village", "new_profile__village", "sponsorship__village"
        ),
        user,
    )
    if status:
        tasks = tasks.filter(status=status)
    return tasks


def transfer_get_for(*, user: Any, pk: int) -> TransferTask:
    return _one(transfer_list_for(user=user), pk)


def transfer_candidates(*, user: Any, task: TransferTask) -> QuerySet[SponsorshipProfile]:
    """Approved children of the same village the sponsor could follow instead."""
    return approved_profiles_for(user=user, village=task.old_profile.village).exclude(pk=task.old_profile_id)


def open_transfer_count(*, user: Any) -> int:
    return transfer_list_for(user=user, status=TransferStatus.OPEN).count()


# --- photos -----------------------------------------------------------------------------------


def photo_profile_get(*, user: Any, pk: int) -> SponsorshipProfile:
    """A profile whose photo the user may see: in the care scope, or approved and in donor service's association."""
    scoped = visible_to(SponsorshipProfile.objects.all(), user=user, paths=CARE_PATHS, roles=PROFILE_WRITERS)
    found = scoped.filter(pk=pk).first()
    if found is None:
        donor = visible_to(
            SponsorshipProfile.objects.filter(status=ProfileStatus.APPROVED),
            user=user,
            paths=DONOR_PATHS,
            roles=PHOTO_READERS & SPONSORSHIP_ROLES,
        )
        found = donor.filter(pk=pk).first()
    if found is None or not found.photo:
        raise Http404
    return found
