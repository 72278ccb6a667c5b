"""Error pages in the house layout; JSON for the API."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _answer(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "errors/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 400, _("Ugyldig forespørsel"), _("Forespørselen kunne ikke behandles."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 403, _("Ingen tilgang"), _("Du har ikke tilgang til denne siden."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 404, _("Fant ikke siden"), _("Siden finnes ikke, eller du har ikke tilgang til den."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _answer(request, 500, _("Noe gikk galt"), _("En feil oppstod hos oss. Prøv igjen om litt."))
