"""The safeguarding API: the same scoped selectors and services as the pages, for focal points only.

Anyone else gets 404 for a case (not even that it exists) and an empty list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from barneby.accounts.models import User
from barneby.audit.models import AuditAction, AuditEvent
from barneby.safeguarding import selectors, services
from barneby.safeguarding.models import Concern

router = Router(tags=["varsling"])


class AuditedPages(PageNumberPagination):
    """Page numbers, and one audit entry per case on the page sent."""

    def paginate_queryset(
        self, queryset: Any, pagination: PageNumberPagination.Input, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(result[self.items_attribute])
        result[self.items_attribute] = items
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=request.user if isinstance(request.user, User) else None,
                action=AuditAction.VIEW,
                object_type="safeguarding.concern",
                object_id=str(c.pk),
                object_repr=c.code,
                detail="api case list",
            )
            for c in items
        )
        return result


class CaseOut(Schema):
    id: int
    code: str
    channel: str
    category: str
    status: str
    association_id: int
    programme_id: int | None
    reported_at: dt.datetime
    immediate_risk: bool
    severity: str
    acknowledged_at: dt.datetime | None
    assessed_at: dt.datetime | None
    closed_at: dt.datetime | None
    escalated_at: dt.datetime | None
    overdue_steps: list[str] = Field(default_factory=list)

    @staticmethod
    def resolve_overdue_steps(obj: Concern) -> list[str]:
        return [a.step for a in obj.deadline_alerts.all()]


class CaseDetailOut(CaseOut):
    details: str
    place: str
    outcome: str
    perpetrator: str


class NoteIn(Schema):
    note: str = Field("", max_length=20000)


@router.get("/cases", response=list[CaseOut], summary="Varslingssaker")
@paginate(AuditedPages)
def case_list(request: HttpRequest) -> Any:
    return (
        selectors.concern_list_for(user=request.user)
        .prefetch_related("deadline_alerts")
        .order_by("-reported_at", "-pk")
    )


@router.get("/cases/{pk}", response=CaseDetailOut, summary="Én varslingssak")
def case_detail(request: HttpRequest, pk: int) -> Any:
    return selectors.concern_get_for(user=request.user, pk=pk, request=request, detail="api case")


@router.post("/cases/{pk}/acknowledge", response=CaseDetailOut, summary="Bekreft mottak")
def case_acknowledge(request: HttpRequest, pk: int, payload: NoteIn) -> Any:
    concern = selectors.concern_get_for(user=request.user, pk=pk, request=request, detail="api acknowledge")
    try:
        return services.concern_acknowledge(actor=request.user, concern=concern, note=payload.note)
    except ValidationError as exc:
        raise HttpError(409, exc.messages[0]) from exc
