from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from barneby.accounts.roles import AUDIT_READERS
from barneby.audit.forms import AuditFilterForm
from barneby.audit.models import AuditAction
from barneby.audit.selectors import audit_event_list_for
from barneby.audit.services import audit_record
from barneby.core.access import staff
from barneby.core.htmx import render_page
from barneby.core.listing import export_response, paginate

PER_PAGE = 50


@staff(AUDIT_READERS)
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = audit_event_list_for(user=request.user, filters=form.to_filter())
    page = paginate(request, events, per_page=PER_PAGE)
    context = {"form": form, "page_obj": page, "events": page.object_list, "hx_target": "#results"}
    return render_page(request, "audit/auditevent_list.html", context, partial="results")


@staff(AUDIT_READERS)
@require_safe
def event_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.to_filter()
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    events = audit_event_list_for(user=request.user, filters=filters)
    with transaction.atomic():
        exported = audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            object_type="audit.auditevent",
            request=request,
            detail=f"{fmt}; {events.count()} rows; {request.GET.urlencode()}"[:500],
        )
    # The export's own event is not part of what was asked for.
    events = events.exclude(pk=exported.pk)
    headers = [
        _("Tidspunkt"),
        _("Utført av"),
        _("Handling"),
        _("Objekttype"),
        _("Objekt-ID"),
        _("Objekt"),
        _("Detaljer"),
        _("IP-adresse"),
        _("Nettleser"),
    ]
    rows = (
        [
            e.occurred_at,
            e.actor.email if e.actor else "",
            e.get_action_display(),
            e.object_type,
            e.object_id,
            e.object_repr,
            e.detail,
            e.ip_address or "",
            e.user_agent,
        ]
        for e in events.iterator(chunk_size=2000)
    )
    return export_response(fmt, "revisjonslogg", headers, rows)
