"""Write audit events. Call inside the service's own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from barneby.audit.models import AuditAction, AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a proxy in front is expected to set it (e.g. gunicorn's
    # --forwarded-allow-ips), so a client cannot forge its address in a header.
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Any,
    action: AuditAction,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    request: HttpRequest | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one event. ``obj`` fills type, id and label; or pass them directly."""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = obj.pk if obj.pk is not None else ""
    event = AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=str(obj)[:200] if obj is not None else "",
        detail=detail[:500],
        ip_address=client_ip(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
    )
    event.save()
    return event
