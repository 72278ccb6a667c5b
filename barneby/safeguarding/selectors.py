"""Scoped reads of safeguarding cases: the focal points of the case's association, nobody else (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from barneby.accounts.roles import ScopeKind
from barneby.accounts.scoping import scope_for
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.safeguarding.models import CaseEvent, Concern, DeadlineAlert, InvolvedPerson
from barneby.safeguarding.permissions import FOCAL_POINTS


def _implicating(user: Any) -> Q:
    """People-involved rows that name ``user``: by their account, or a staff record with their e-mail."""
    condition = Q(user_id=user.pk)
    email = (getattr(user, "email", "") or "").strip()
    if email:
        condition |= Q(staff_member__email__iexact=email)
    return condition


def concern_list_for(*, user: Any) -> QuerySet[Concern]:
    """The cases ``user`` may see as a focal point: their associations' cases, and escalated cases for a
    global focal point; never a case that names them among the people involved."""
    scope = scope_for(user)
    if not getattr(user, "is_authenticated", False) or not scope.has_any_role(FOCAL_POINTS):
        return Concern.objects.none()
    condition = Q(pk__in=[])
    if scope.is_global(FOCAL_POINTS):
        condition |= Q(escalated_at__isnull=False)
    keys = sorted(int(k) for k in scope.keys(ScopeKind.ASSOCIATION, FOCAL_POINTS) if k.isdigit())
    if keys:
        condition |= Q(association_id__in=keys)
    implicated = InvolvedPerson.objects.filter(_implicating(user)).values("concern_id")
    return Concern.objects.filter(condition).exclude(pk__in=implicated)


def concern_get_for(*, user: Any, pk: int, request: Any = None, detail: str = "") -> Concern:
    """The case, read by a focal point who may see it (and audited as read); anyone else: 404."""
    concern = (
        concern_list_for(user=user)
        .select_related("association", "programme", "location", "reported_by", "investigator")
        .filter(pk=pk)
        .first()
    )
    if concern is None:
        raise Http404("no such case")
    audit_record(actor=user, action=AuditAction.VIEW, obj=concern, request=request, detail=detail or "case")
    return concern


def history_for(concern: Concern) -> QuerySet[CaseEvent]:
    return concern.events.select_related("actor").prefetch_related("attachments")


def alerts_for(*, user: Any) -> QuerySet[DeadlineAlert]:
    """The overdue steps (R26) of the cases ``user`` sees."""
    return DeadlineAlert.objects.filter(concern__in=concern_list_for(user=user)).select_related("concern")


def own_reports(*, user: Any) -> QuerySet[Concern]:
    """What a staff member reported themselves (shown as received or closed, nothing more)."""
    return Concern.objects.filter(reported_by_id=user.pk).only("pk", "code", "reported_at", "status", "closed_at")
