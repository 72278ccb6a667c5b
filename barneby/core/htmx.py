"""One helper to answer HTMX requests with a fragment of the page's own template."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(request: HttpRequest, template: str, context: dict[str, Any], *, partial: str) -> HttpResponse:
    """Render ``template``, or only its ``{% partialdef partial %}`` block for HTMX requests.

    A history-restore request needs the whole page, so it gets one.
    """
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, f"{template}#{partial}", context)
    return render(request, template, context)
