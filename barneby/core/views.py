from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from barneby.core.access import any_staff, public


@public
@require_safe
def ping(request: HttpRequest) -> HttpResponse:
    """Liveness probe for load balancers; also the benchmarks' bare view."""
    return HttpResponse("ok", content_type="text/plain")


@public
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")


@any_staff()
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    assignments = request.user.assignments.order_by("role", "scope_kind", "scope_key")  # type: ignore[union-attr]
    return render(request, "core/dashboard.html", {"role_assignments": assignments})
