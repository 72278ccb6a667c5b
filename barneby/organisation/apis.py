"""Organisation register API: the same selectors, guards and services as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from barneby.core.schemas import omittable
from barneby.organisation import selectors, services
from barneby.organisation.models import Competence, Home, Location, MemberAssociation, Programme, StaffMember

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
    capacity: int = Field(description="Plassene i programmets aktive hjem (beregnet)")
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
    budget_local: Decimal | None = None
    currency: str = ""
    budget_nok: Decimal | None = None
    partner_municipality: str | None = Field(None, description="Kommunenummer, fire siffer")


class ProgrammePatch(Schema):
    location_id: int = omittable()
    name: str = omittable(max_length=200)
    code: str = omittable(max_length=20)
    type: str = omittable()
    status: str = omittable()
    start_date: dt.date = omittable()
    end_date: dt.date | None = None
    budget_local: Decimal | None = None
    currency: str = omittable(description="Tom for ingen")
    budget_nok: Decimal | None = None
    partner_municipality: str | None = None


class HomeOut(Schema):
    id: int
    programme_id: int
    name: str
    kind: str
    capacity: int
    occupied: int = Field(description="Åpne plasseringer i hjemmet i dag (beregnet)")
    free_places: int
    takes_sibling_groups: bool
    max_sibling_group_size: int | None
    min_age: int
    max_age: int
    competences: list[str]
    street_address: str | None = Field(None, description="Bare for dem som besøker hjemmet")
    is_active: bool

    @staticmethod
    def resolve_occupied(obj: Home) -> int:
        return int(getattr(obj, "occupied_places", obj.occupied))

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
    return Status(201, selectors.programme_get_for(user=request.user, pk=programme.pk))


@router.patch("/programmes/{pk}", response=ProgrammeOut, summary="Endre program")
def programme_update(request: HttpRequest, pk: int, payload: ProgrammePatch) -> Programme:
    programme = selectors.programme_get_for(user=request.user, pk=pk, for_write=True)
    fields = _programme_fields(payload.dict(exclude_unset=True), request.user)
    if "partner_municipality" in fields:
        selectors.require_partner_municipality_writable(
            user=request.user, programme=programme, municipality=fields["partner_municipality"]
        )
    services.programme_update(actor=request.user, programme=programme, **fields)
    return selectors.programme_get_for(user=request.user, pk=pk)


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


class HomeIn(Schema):
    programme_id: int
    name: str = Field(max_length=200)
    kind: str
    capacity: int
    takes_sibling_groups: bool = False
    max_sibling_group_size: int | None = None
    min_age: int = 0
    max_age: int = 18
    competences: list[str] = Field(default_factory=list, description="Kompetansekoder, f.eks. trauma")
    street_address: str = ""
    postcode: str = ""
    municipality: str | None = Field(None, description="Kommunenummer, fire siffer")
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class HomePatch(Schema):
    name: str = omittable(max_length=200)
    kind: str = omittable()
    capacity: int = omittable()
    takes_sibling_groups: bool = omittable()
    max_sibling_group_size: int | None = None
    min_age: int = omittable()
    max_age: int = omittable()
    competences: list[str] = omittable()
    street_address: str = omittable(description="Tom for ingen")
    postcode: str = omittable(description="Tom for ingen")
    municipality: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _home_fields(data: dict[str, Any]) -> tuple[dict[str, Any], list[Competence] | None]:
    fields = dict(data)
    codes = fields.pop("competences", None)
    competences = None
    if codes is not None:
        competences = list(Competence.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {c.code for c in competences})
        if unknown:
            raise ValidationError({"competences": [_("Ukjent kompetanse: {codes}.").format(codes=", ".join(unknown))]})
    if "municipality" in fields:
        fields["municipality"] = services.municipality_by_number(fields["municipality"])
    return fields, competences


@router.post("/homes", response={201: HomeOut}, summary="Opprett hjem")
def home_create(request: HttpRequest, payload: HomeIn) -> Status[Home]:
    data = payload.dict()
    programme = selectors.programme_get_for(user=request.user, pk=data.pop("programme_id"), for_write=True)
    fields, competences = _home_fields(data)
    home = services.home_create(actor=request.user, programme=programme, competences=competences or [], **fields)
    return Status(201, _with_addresses(request, [selectors.home_get_for(user=request.user, pk=home.pk)])[0])


@router.patch("/homes/{pk}", response=HomeOut, summary="Endre hjem")
def home_update(request: HttpRequest, pk: int, payload: HomePatch) -> Home:
    home = selectors.home_get_for(user=request.user, pk=pk, for_write=True)
    fields, competences = _home_fields(payload.dict(exclude_unset=True))
    services.home_update(actor=request.user, home=home, competences=competences, **fields)
    return _with_addresses(request, [selectors.home_get_for(user=request.user, pk=pk)])[0]


class LocationIn(Schema):
    association_id: int
    kind: str
    name: str = Field(max_length=200)
    country: str = Field(min_length=2, max_length=2)
    municipality: str | None = None
    latitude: Decimal
    longitude: Decimal


class LocationPatch(Schema):
    kind: str = omittable()
    name: str = omittable(max_length=200)
    municipality: str | None = None
    latitude: Decimal = omittable()
    longitude: Decimal = omittable()


@router.post("/locations", response={201: LocationOut}, summary="Opprett sted")
def location_create(request: HttpRequest, payload: LocationIn) -> Status[Location]:
    data = payload.dict()
    association = selectors.association_get_for(user=request.user, pk=data.pop("association_id"), for_write=True)
    data["country"] = data["country"].upper()
    data["municipality"] = services.municipality_by_number(data["municipality"])
    return Status(201, services.location_create(actor=request.user, association=association, **data))


@router.patch("/locations/{pk}", response=LocationOut, summary="Endre sted")
def location_update(request: HttpRequest, pk: int, payload: LocationPatch) -> Location:
    location = selectors.location_get_for(user=request.user, pk=pk, for_write=True)
    data = payload.dict(exclude_unset=True)
    if "municipality" in data:
        data["municipality"] = services.municipality_by_number(data["municipality"])
    return services.location_update(actor=request.user, location=location, **data)


class StaffOut(Schema):
    id: int
    association_id: int
    programme_id: int | None
    home_id: int | None
    first_name: str
    last_name: str
    role: str
    is_active: bool


@router.get("/staff", response=list[StaffOut], summary="Ansatte og omsorgspersoner")
@paginate(PageNumberPagination, page_size=50)
def staff_list(request: HttpRequest, q: str = "", role: str = "") -> Any:
    return selectors.staff_list_for(user=request.user, search=q, role=role).order_by("last_name", "first_name", "pk")


@router.get("/staff/{pk}", response=StaffOut, summary="Én ansatt")
def staff_detail(request: HttpRequest, pk: int) -> StaffMember:
    return selectors.staff_get_for(user=request.user, pk=pk)


class StaffIn(Schema):
    association_id: int
    programme_id: int | None = None
    home_id: int | None = None
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    role: str
    email: str = ""
    phone: str = ""


class StaffPatch(Schema):
    programme_id: int | None = None
    home_id: int | None = None
    first_name: str = omittable(max_length=100)
    last_name: str = omittable(max_length=100)
    role: str = omittable()
    email: str = omittable(description="Tom for ingen")
    phone: str = omittable(description="Tom for ingen")


def _staff_fields(data: dict[str, Any], user: Any) -> dict[str, Any]:
    fields = dict(data)
    if "programme_id" in fields:
        pk = fields.pop("programme_id")
        fields["programme"] = selectors.programme_get_for(user=user, pk=pk) if pk else None
    if "home_id" in fields:
        pk = fields.pop("home_id")
        fields["home"] = selectors.home_get_for(user=user, pk=pk) if pk else None
    return fields


@router.post("/staff", response={201: StaffOut}, summary="Registrer ansatt")
def staff_create(request: HttpRequest, payload: StaffIn) -> Status[StaffMember]:
    data = payload.dict()
    association = selectors.association_get_for(user=request.user, pk=data.pop("association_id"))
    fields = _staff_fields(data, request.user)
    selectors.require_staff_placement_writable(
        user=request.user, association_id=association.pk, programme=fields.get("programme")
    )
    person = services.staff_create(actor=request.user, association=association, **fields)
    return Status(201, person)


@router.patch("/staff/{pk}", response=StaffOut, summary="Endre ansatt")
def staff_update(request: HttpRequest, pk: int, payload: StaffPatch) -> StaffMember:
    person = selectors.staff_get_for(user=request.user, pk=pk, for_write=True)
    fields = _staff_fields(payload.dict(exclude_unset=True), request.user)
    selectors.require_staff_placement_writable(
        user=request.user, association_id=person.association_id, programme=fields.get("programme", person.programme)
    )
    return services.staff_update(actor=request.user, staff=person, **fields)


class AssociationPatch(Schema):
    name: str = omittable(max_length=200)
    code: str = omittable(max_length=12)


@router.patch("/associations/{pk}", response=AssociationOut, summary="Endre medlemsorganisasjon")
def association_update(request: HttpRequest, pk: int, payload: AssociationPatch) -> MemberAssociation:
    association = selectors.association_get_for(user=request.user, pk=pk, for_write=True)
    return services.association_update(actor=request.user, association=association, **payload.dict(exclude_unset=True))
