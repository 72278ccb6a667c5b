"""Write audit events. Call inside the service's own transaction."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from barneby.audit.models import AuditAction, AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, as the nearest trusted proxy saw it.

    With ``BARNEBY_TRUSTED_PROXY_COUNT = 0`` (the default) no header is
    trusted and this is ``REMOTE_ADDR``. Behind N proxies, each appends the
    address it received from to ``X-Forwarded-For``, so the client is the N-th
    entry from the right; anything further left was written by the client and
    may be forged. A missing or malformed entry falls back to ``REMOTE_ADDR``
    (the nearest proxy), never to a client-chosen value. Also the address
    django-axes locks sign-ins by (``AXES_CLIENT_IP_CALLABLE``).
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies: int = settings.BARNEBY_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


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
