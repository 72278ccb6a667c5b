"""The public website's language comes from its address; the editor gets the headers Wagtail's admin needs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation

EDITOR_PREFIX = "/cms/"
ENGLISH_PREFIX = "/en/"

# Wagtail's admin uses inline scripts and styles, blob: image previews, and frames its own
# preview; only /cms/ (reached by the communications role alone) gets these relaxations.
EDITOR_CSP = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "frame-src": ["'self'"],
    "frame-ancestors": ["'self'"],
}


WEBSITE_VIEWS = {"wagtail_serve", "core:home"}


def _is_website(path: str) -> bool:
    """True when ``path``, read as a Norwegian address, is a page of the public website."""
    with translation.override("nb"):
        try:
            match = resolve(path)
        except Resolver404:
            return True  # a missing public page: answer its 404 in Norwegian
    return match.view_name in WEBSITE_VIEWS or match.namespace == "website"


class WebsiteMiddleware:
    """``/en/...`` is English and every other public page Norwegian, whatever the language cookie says.

    Runs after Barneby's LanguageMiddleware (which keeps the back office in the
    language the person chose); Django's i18n_patterns resolve by the active
    language, so a public page with no prefix must be resolved in Norwegian.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        language = None
        if path.startswith(ENGLISH_PREFIX) or path == ENGLISH_PREFIX.rstrip("/"):
            language = "en"
        elif translation.get_language() != "nb" and not path.startswith(EDITOR_PREFIX) and _is_website(path):
            language = "nb"
        if language is not None:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if path.startswith(EDITOR_PREFIX):
            from barneby.website.setup import sync_editor

            sync_editor(request.user)
        from barneby.website import pagecache

        response = pagecache.lookup(request) or self.get_response(request)
        if language is not None:
            response.headers["Content-Language"] = language
        if path.startswith(EDITOR_PREFIX):
            response._csp_replace = EDITOR_CSP  # type: ignore[attr-defined]
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response
