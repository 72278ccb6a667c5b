from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from barneby.core import dashboard as start_page
from barneby.core.access import any_staff, public


@public
@require_safe
def ping(request: HttpRequest) -> HttpResponse:
    """Liveness probe for load balancers; also the benchmarks' bare view."""
    return HttpResponse("ok", content_type="text/plain")


@public
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The public website's home page (Wagtail, barneby.website), under the name the back office links to."""
    from wagtail.views import serve

    response: HttpResponse = serve(request, "")
    return response


@any_staff()
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    assignments = list(request.user.assignments.order_by("role", "scope_kind", "scope_key"))  # type: ignore[union-attr]
    names = start_page.scope_names(assignments)
    roles = [(a, names.get((a.scope_kind, a.scope_key), a.scope_key)) for a in assignments]
    context = {"role_assignments": roles, "panels": start_page.panels_for(request.user, request)}
    return render(request, "core/dashboard.html", context)
