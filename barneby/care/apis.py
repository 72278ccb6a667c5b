"""Care API: the same selectors, guards and services as the pages.

Restricted fields (health, disability, HIV status) and identity numbers are
never sent by the API; they are read on their own logged page. Every child a
list sends is audit-logged as a read, like the pages.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from barneby.care import alerts as alert_rules
from barneby.care import selectors, services
from barneby.care.models import Alert, Child, Decision, Placement, PlanGoal, PlanReview, SiblingRelation
from barneby.organisation.selectors import programme_get_for

router = Router(tags=["omsorg"])


class AuditedPages(PageNumberPagination):
    """Page numbers, and one audit entry per child on the page sent (``audit_detail`` names the list)."""

    def __init__(self, *, audit_detail: str, **kwargs: Any) -> None:
        self.audit_detail = audit_detail
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: Any, pagination: PageNumberPagination.Input, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(result[self.items_attribute])
        result[self.items_attribute] = items
        ids = [item.pk if isinstance(item, Child) else item.child_id for item in items]
        services.record_views(actor=request.user, child_ids=ids, request=request, detail=self.audit_detail)
        return result


class ChildOut(Schema):
    id: int
    programme_id: int
    caseworker_id: int | None
    first_name: str
    last_name: str
    birth_date: dt.date
    sex: str
    status: str
    target_group: str
    is_unaccompanied: bool
    sibling_group_id: int | None


class ChildIn(Schema):
    programme_id: int
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    birth_date: dt.date
    sex: str
    target_group: str
    national_id: str = ""
    languages: str = ""
    is_unaccompanied: bool = False


class ChildFilter(Schema):
    q: str = Field("", max_length=100)
    status: str = ""
    mine: bool = False


class RelationOut(Schema):
    id: int
    child_a_id: int
    child_b_id: int
    kind: str
    existing_bond: bool


class PlacementOut(Schema):
    id: int
    home_id: int
    type: str
    is_emergency: bool
    start_date: dt.date
    end_date: dt.date | None
    end_reason: str
    decision_id: int


class DecisionIn(Schema):
    decided_on: dt.date
    decided_by: str = Field(..., min_length=1, max_length=200)
    best_interest: str = Field(..., min_length=1)
    participants: str = ""
    heard_how: str = ""
    child_views: str = ""
    not_heard_reason: str = ""


class DecisionFullIn(DecisionIn):
    kind: str
    separation_reason: str = ""
    relationship_assessment: str = ""
    contact_plan: str = ""
    # The plan's planned frequency, both or neither: contact_times per contact_per (week, month, quarter, year).
    contact_times: int | None = Field(None, ge=1, le=99)
    contact_per: str = ""
    reassess_on: dt.date | None = None
    complaint_info_given: bool = False


class PlacementIn(Schema):
    home_id: int
    type: str
    start_date: dt.date
    is_emergency: bool = False
    child_prepared: bool = False
    capacity_override: str = ""
    end_reason: str = "planned_move"
    decision: DecisionIn


class PlacementCreated(Schema):
    placement: PlacementOut
    separated_from: list[int]


class DecisionOut(Schema):
    id: int
    kind: str
    decided_on: dt.date
    decided_by: str
    best_interest: str
    child_views: str
    heard_how: str
    not_heard_reason: str
    separation_reason: str
    contact_plan: str
    contact_times: int | None
    contact_per: str
    reassess_on: dt.date | None


class GoalOut(Schema):
    id: int
    domain: str
    description: str
    status: str
    target_date: dt.date | None


class ReviewOut(Schema):
    id: int
    reviewed_on: dt.date
    summary: str
    child_took_part: bool
    child_views: str


class PlanOut(Schema):
    goals: list[GoalOut]
    reviews: list[ReviewOut]


class AlertOut(Schema):
    id: int
    child_id: int
    rule: str
    severity: str
    message: str
    raised_at: dt.datetime

    @staticmethod
    def resolve_message(obj: Alert, context: dict[str, Any]) -> str:
        sibling = obj.params.get("sibling_id")
        if not isinstance(sibling, int):
            return alert_rules.message(obj)
        # Whether the reader may see the sibling named, asked once per sibling and request.
        known: dict[int, bool] = context["request"].__dict__.setdefault("_care_readable_siblings", {})
        if sibling not in known:
            user = context["request"].user
            known[sibling] = bool(selectors.readable_child_ids(user=user, ids=[sibling]))
        return alert_rules.message(obj, readable={sibling} if known[sibling] else set())


@router.get("/children", response=list[ChildOut], summary="Barn og unge")
@paginate(AuditedPages, audit_detail="api child list")
def child_list(request: HttpRequest, filters: Query[ChildFilter]) -> Any:
    return selectors.child_list_for(
        user=request.user, search=filters.q.strip(), status=filters.status, mine=filters.mine
    ).order_by("last_name", "first_name", "pk")


def _child(request: HttpRequest, pk: int, *, for_write: bool = False) -> Child:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=for_write)
    if not for_write:
        services.record_view(actor=request.user, child=child, request=request)
    return child


@router.get("/children/{pk}", response=ChildOut, summary="Ett barn")
def child_detail(request: HttpRequest, pk: int) -> Child:
    return _child(request, pk)


@router.post("/children", response={201: ChildOut}, summary="Registrer barn")
def child_create(request: HttpRequest, payload: ChildIn) -> Status[Child]:
    data = payload.dict()
    programme = programme_get_for(user=request.user, pk=data.pop("programme_id"))
    selectors.child_writable_programme(user=request.user, programme=programme)
    child = services.child_create(actor=request.user, programme=programme, caseworker=request.user, **data)
    return Status(201, child)


@router.get("/children/{pk}/relations", response=list[RelationOut], summary="Søskenrelasjoner")
def relation_list(request: HttpRequest, pk: int) -> Any:
    child = _child(request, pk)
    return list(SiblingRelation.objects.filter(child_a=child) | SiblingRelation.objects.filter(child_b=child))


@router.get("/children/{pk}/placements", response=list[PlacementOut], summary="Plasseringer")
def placement_list(request: HttpRequest, pk: int) -> list[Placement]:
    return list(_child(request, pk).placements.order_by("start_date", "pk"))


@router.post("/children/{pk}/placements", response={201: PlacementCreated}, summary="Ny plassering med vedtak")
def placement_create(request: HttpRequest, pk: int, payload: PlacementIn) -> Status[dict[str, Any]]:
    child = _child(request, pk, for_write=True)
    data = payload.dict()
    home = selectors.placement_home(user=request.user, child=child, pk=data.pop("home_id"))
    result = services.place_child(actor=request.user, child=child, home=home, **data)
    return Status(201, {"placement": result.placement, "separated_from": [c.pk for c in result.separated_from]})


@router.get("/children/{pk}/decisions", response=list[DecisionOut], summary="Vedtak")
def decision_list(request: HttpRequest, pk: int) -> list[Decision]:
    return list(_child(request, pk).decisions.order_by("decided_on", "pk"))


@router.post("/children/{pk}/decisions", response={201: DecisionOut}, summary="Nytt vedtak")
def decision_create(request: HttpRequest, pk: int, payload: DecisionFullIn) -> Status[Decision]:
    child = _child(request, pk, for_write=True)
    return Status(201, services.decision_record(actor=request.user, child=child, **payload.dict()))


@router.get("/children/{pk}/plan", response=PlanOut, summary="Utviklingsplan")
def plan(request: HttpRequest, pk: int) -> dict[str, list[PlanGoal] | list[PlanReview]]:
    child = _child(request, pk)
    return {"goals": list(child.goals.all()), "reviews": list(child.reviews.all())}


@router.get("/alerts", response=list[AlertOut], summary="Varsler")
@paginate(AuditedPages, audit_detail="api alert list")
def alert_list(request: HttpRequest, mine: bool = False, severity: str = "") -> Any:
    return selectors.alert_list_for(user=request.user, mine=mine, severity=severity).order_by("raised_at", "pk")
