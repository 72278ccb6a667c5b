"""Reads of the audit log, scoped to the auditor's grants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from barneby.accounts.models import RoleAssignment
from barneby.accounts.roles import AUDIT_READERS, ScopeKind
from barneby.accounts.scoping import scope_for
from barneby.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""


def audit_event_list_for(*, user: Any, filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    """Audit events ``user`` may read, newest first.

    A global grant reads everything. An auditor of one member association
    reads the events of users who hold a role in that association; events
    without an actor (failed sign-ins) are global-only, since the attempted
    address may not belong to anyone.
    """
    scope = scope_for(user)
    events = AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-id")
    if not scope.has_any_role(AUDIT_READERS):
        return events.none()
    if not scope.is_global(AUDIT_READERS):
        associations = scope.keys(ScopeKind.ASSOCIATION, AUDIT_READERS)
        members = RoleAssignment.objects.filter(scope_kind=ScopeKind.ASSOCIATION, scope_key__in=associations)
        events = events.filter(actor_id__in=members.values("user_id"))
    return _apply(events, filters or AuditFilter())


def _apply(events: QuerySet[AuditEvent], f: AuditFilter) -> QuerySet[AuditEvent]:
    if f.actor:
        events = events.filter(Q(actor__email__icontains=f.actor) | Q(actor__full_name__icontains=f.actor))
    if f.action:
        events = events.filter(action=f.action)
    if f.object_type:
        events = events.filter(object_type=f.object_type)
    if f.object_id:
        events = events.filter(object_id=f.object_id)
    zone = timezone.get_current_timezone()
    if f.date_from:
        events = events.filter(occurred_at__gte=dt.datetime.combine(f.date_from, dt.time.min, tzinfo=zone))
    if f.date_to:
        events = events.filter(
            occurred_at__lt=dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        )
    if f.text:
        events = events.filter(
            Q(object_repr__icontains=f.text) | Q(detail__icontains=f.text) | Q(ip_address__startswith=f.text)
        )
    return events


def audit_object_types() -> list[str]:
    """Every model label, for the filter's choices.

    Taken from the app registry rather than the log: no scan of a large
    table, and no hint of what happened outside the reader's scope.
    """
    from django.apps import apps

    return sorted(model._meta.label_lower for model in apps.get_models())
