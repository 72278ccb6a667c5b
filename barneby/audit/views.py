from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from barneby.accounts.roles import AUDIT_READERS
from barneby.core.access import staff


@staff(AUDIT_READERS)
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    # Filled in by the audit page work: filters, search, pagination.
    return render(request, "audit/auditevent_list.html", {})
