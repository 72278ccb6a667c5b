"""Reads of the audit log, scoped to the auditor's grants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from barneby.accounts.models import RoleAssignment
from barneby.accounts.roles import AUDIT_READERS, ScopeKind
from barneby.accounts.scoping import ScopePaths, scope_for
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

    A global grant reads everything. An auditor of member associations reads
    every event within them: by users whose role lies inside one (at the
    association, or at one of its programmes or homes: caseworkers and
    caregivers too), and about objects inside one (a child, a supporter, a
    staff member, or a user or role assignment of such a member). Events
    without an actor and object inside (failed sign-ins) are global-only,
    since the attempted address may not belong to anyone.
    """
    scope = scope_for(user)
    events = AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-id")
    if not scope.has_any_role(AUDIT_READERS):
        return events.none()
    if not scope.is_global(AUDIT_READERS):
        associations = sorted(int(k) for k in scope.keys(ScopeKind.ASSOCIATION, AUDIT_READERS) if k.isdigit())
        events = events.filter(_within_associations(associations))
    return _apply(events, filters or AuditFilter())


def _as_text(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The primary keys of ``queryset`` as text, to compare with ``scope_key`` and ``object_id``."""
    keys: QuerySet[Any] = queryset.annotate(_key_text=Cast("pk", output_field=CharField())).values("_key_text")
    return keys


def _within_associations(associations: list[int]) -> Q:
    """Events by members of ``associations`` or about objects inside them."""
    if not associations:
        return Q(pk__in=[])
    programme = apps.get_model("organisation", "Programme")
    home = apps.get_model("organisation", "Home")
    members = RoleAssignment.objects.filter(
        Q(scope_kind=ScopeKind.ASSOCIATION, scope_key__in=[str(a) for a in associations])
        | Q(
            scope_kind=ScopeKind.PROGRAMME,
            scope_key__in=_as_text(programme.objects.filter(association_id__in=associations)),
        )
        | Q(
            scope_kind=ScopeKind.HOME,
            scope_key__in=_as_text(home.objects.filter(programme__association_id__in=associations)),
        )
    )
    condition = (
        Q(actor_id__in=members.values("user_id"))
        | Q(
            object_type="accounts.user",
            object_id__in=members.annotate(_key_text=Cast("user_id", output_field=CharField())).values("_key_text"),
        )
        | Q(object_type="accounts.roleassignment", object_id__in=_as_text(members))
    )
    # Every scoped model says how it reaches its association (accounts.scoping.ScopePaths).
    for model in apps.get_models():
        paths = getattr(model, "SCOPE_PATHS", None)
        if not isinstance(paths, ScopePaths) or paths.association is None:
            continue
        inside = model._base_manager.filter(**{f"{paths.association}__in": associations})
        condition |= Q(object_type=model._meta.label_lower, object_id__in=_as_text(inside))
    return condition


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
    return sorted(model._meta.label_lower for model in apps.get_models())
