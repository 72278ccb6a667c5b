"""Sponsorships API for donor service: the same scoped selectors as the pages.

Other roles, and a sponsorship outside the user's association, get 404. A
child is shown only through its profile (first name, age, village).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from barneby.fundraising.permissions import require_donor_service
from barneby.sponsorships import selectors
from barneby.sponsorships.models import Sponsorship, SponsorshipEvent, SponsorshipProfile

router = Router(tags=["fadderskap"])


class ProfileOut(Schema):
    id: int
    first_name: str
    age: int
    village: str

    @staticmethod
    def resolve_age(obj: SponsorshipProfile) -> int:
        return obj.age()

    @staticmethod
    def resolve_village(obj: SponsorshipProfile) -> str:
        return obj.village.name


class SponsorshipOut(Schema):
    id: int
    supporter_id: int
    donor_number: int
    target_kind: str
    continent: str
    country: str
    village_id: int | None
    village: str | None
    profile: ProfileOut | None
    monthly_amount: Decimal
    start_date: dt.date
    agreement_id: int | None
    state: str
    end_reason: str
    ended_on: dt.date | None

    @staticmethod
    def resolve_donor_number(obj: Sponsorship) -> int:
        return obj.supporter.donor_number

    @staticmethod
    def resolve_country(obj: Sponsorship) -> str:
        return str(obj.country.code or "")

    @staticmethod
    def resolve_village(obj: Sponsorship) -> str | None:
        return obj.village.name if obj.village is not None else None


class EventOut(Schema):
    kind: str
    from_state: str
    to_state: str
    old_amount: Decimal | None
    new_amount: Decimal | None
    at: dt.datetime


class SponsorshipDetailOut(SponsorshipOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj: Sponsorship) -> list[SponsorshipEvent]:
        return list(obj.events.order_by("at", "pk"))


class SponsorshipFilter(Schema):
    q: str = Field("", max_length=100)
    state: str = ""
    target_kind: str = ""


def _require_donor_service(request: HttpRequest) -> None:
    require_donor_service(request.user)


@router.get("/sponsorships", response=list[SponsorshipOut], summary="Fadderskap")
@paginate(PageNumberPagination)
def sponsorship_list(request: HttpRequest, filters: Query[SponsorshipFilter]) -> Any:
    _require_donor_service(request)
    return selectors.sponsorship_list_for(
        user=request.user, state=filters.state, target_kind=filters.target_kind, search=filters.q.strip()
    ).order_by("-start_date", "-pk")


@router.get("/sponsorships/{pk}", response=SponsorshipDetailOut, summary="Ett fadderskap med historikk")
def sponsorship_detail(request: HttpRequest, pk: int) -> Sponsorship:
    _require_donor_service(request)
    return selectors.sponsorship_get_for(user=request.user, pk=pk)
