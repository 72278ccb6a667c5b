"""Organisation register API: the same selectors, guards and services as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from barneby.organisation import selectors, services
from barneby.organisation.models import Home, Location, MemberAssociation, Programme

router = Router(tags=["organisasjon"])


class AssociationOut(Schema):
    id: int
    name: str
    code: str
    country: str
    is_active: bool

    @staticmethod
    def resolve_country(obj: MemberAssociation) -> str:
        return str(obj.country)


class LocationOut(Schema):
    id: int
    association_id: int
    kind: str
    name: str
    country: str
    municipality: str | None
    latitude: Decimal
    longitude: Decimal
    is_active: bool

    @staticmethod
    def resolve_country(obj: Location) -> str:
        return str(obj.country)

    @staticmethod
    def resolve_municipality(obj: Location) -> str | None:
        return obj.municipality.number if obj.municipality else None


class ProgrammeOut(Schema):
    id: int
    association_id: int
    location_id: int
    name: str
    code: str
    type: str
    status: str
    country: str
    start_date: dt.date
    end_date: dt.date | None
    capacity: int | None
    budget_local: Decimal | None
    currency: str
    budget_nok: Decimal | None
    partner_municipality: str | None

    @staticmethod
    def resolve_country(obj: Programme) -> str:
        return str(obj.location.country)

    @staticmethod
    def resolve_partner_municipality(obj: Programme) -> str | None:
        return obj.partner_municipality.number if obj.partner_municipality else None


class ProgrammeIn(Schema):
    association_id: int
    location_id: int
    name: str = Field(max_length=200)
    code: str = Field(max_length=20)
    type: str
    status: str = "active"
    start_date: dt.date
    end_date: dt.date | None = None
    capacity: int | None = None
    budget_local: Decimal | None = None
    currency: str = ""
    budget_nok: Decimal | None = None
    partner_municipality: str | None = Field(None, description="Kommunenummer, fire siffer")


class ProgrammePatch(Schema):
    location_id: int | None = None
    name: str | None = Field(None, max_length=200)
    code: str | None = Field(None, max_length=20)
    type: str | None = None
    status: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    capacity: int | None = None
    budget_local: Decimal | None = None
    currency: str | None = None
    budget_nok: Decimal | None = None
    partner_municipality: str | None = None


class HomeOut(Schema):
    id: int
    programme_id: int
    name: str
    kind: str
    capacity: int
    free_places: int
    takes_sibling_groups: bool
    max_sibling_group_size: int | None
    min_age: int
    max_age: int
    competences: list[str]
    street_address: str | None = Field(None, description="Bare for dem som besøker hjemmet")
    is_active: bool

    @staticmethod
    def resolve_competences(obj: Home) -> list[str]:
        return [c.code for c in obj.competences.all()]


class ProgrammeFilter(Schema):
    country: str = ""
    type: str = ""
    status: str = ""
    q: str = ""


@router.get("/associations", response=list[AssociationOut], summary="Medlemsorganisasjoner")
@paginate(PageNumberPagination, page_size=50)
def association_list(request: HttpRequest) -> Any:
    return selectors.association_list_for(user=request.user).order_by("name", "pk")


@router.get("/locations", response=list[LocationOut], summary="Barnebyer og lokalsamfunn")
@paginate(PageNumberPagination, page_size=50)
def location_list(request: HttpRequest) -> Any:
    return selectors.location_list_for(user=request.user).order_by("name", "pk")


@router.get("/programmes", response=list[ProgrammeOut], summary="Programmer")
@paginate(PageNumberPagination, page_size=50)
def programme_list(request: HttpRequest, filters: Query[ProgrammeFilter]) -> Any:
    return selectors.programme_list_for(
        user=request.user, country=filters.country, type=filters.type, status=filters.status, search=filters.q
    ).order_by("name", "pk")


@router.get("/programmes/{pk}", response=ProgrammeOut, summary="Ett program")
def programme_detail(request: HttpRequest, pk: int) -> Programme:
    return selectors.programme_get_for(user=request.user, pk=pk)


def _programme_fields(data: dict[str, Any], user: Any) -> dict[str, Any]:
    fields = dict(data)
    if "location_id" in fields:
        fields["location"] = selectors.location_get_for(user=user, pk=fields.pop("location_id"))
    if "partner_municipality" in fields:
        fields["partner_municipality"] = services.municipality_by_number(fields["partner_municipality"])
    return fields


@router.post("/programmes", response={201: ProgrammeOut}, summary="Opprett program")
def programme_create(request: HttpRequest, payload: ProgrammeIn) -> Status[Programme]:
    data = payload.dict()
    association = selectors.association_get_for(user=request.user, pk=data.pop("association_id"))
    programme = services.programme_create(
        actor=request.user, association=association, **_programme_fields(data, request.user)
    )
    return Status(201, programme)


@router.patch("/programmes/{pk}", response=ProgrammeOut, summary="Endre program")
def programme_update(request: HttpRequest, pk: int, payload: ProgrammePatch) -> Programme:
    programme = selectors.programme_get_for(user=request.user, pk=pk, for_write=True)
    data = payload.dict(exclude_unset=True)
    return services.programme_update(actor=request.user, programme=programme, **_programme_fields(data, request.user))


@router.get("/homes", response=list[HomeOut], summary="Hjem")
@paginate(PageNumberPagination, page_size=50)
def home_list(request: HttpRequest, programme_id: int | None = None) -> Any:
    homes = list(selectors.home_list_for(user=request.user, programme_id=programme_id).order_by("name", "pk"))
    return _with_addresses(request, homes)


@router.get("/homes/{pk}", response=HomeOut, summary="Ett hjem")
def home_detail(request: HttpRequest, pk: int) -> Home:
    return _with_addresses(request, [selectors.home_get_for(user=request.user, pk=pk)])[0]


def _with_addresses(request: HttpRequest, homes: list[Home]) -> list[Home]:
    visible = selectors.home_ids_with_visible_address(user=request.user, homes=homes)
    for home in homes:
        if home.pk not in visible:
            home.street_address = None  # type: ignore[assignment]
    return homes
