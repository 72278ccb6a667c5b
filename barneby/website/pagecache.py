"""A short-lived cache of the public pages as rendered for anonymous visitors.

A public page is the same for every anonymous visitor but for three things:
the CSRF token of its forms (the footer's newsletter sign-up, the cookie
banner), the signed time stamp of the forms' bot check, and whether the cookie
banner shows. So the page is cached per address, host, language and cookie
choice with the token and the stamp taken out, and each answer puts a fresh
token (Django's ``get_token``, which also sets the CSRF cookie as before) and a
fresh stamp back in.

``WebsiteMiddleware`` looks the page up before any routing (a hit then costs about
what the bare view costs); ``WebsitePage.serve`` stores it. Only a plain GET
without a query string, from a visitor with no session, no pending messages and
no Authorization header, is served from or stored in the cache; everything else is
rendered as usual. Entries live ``WEBSITE_PAGE_CACHE_SECONDS`` (60 by default:
the key figures and the register's counts are cached longer by their own
modules), and publishing or unpublishing any page starts a new generation, so
an editor's change shows at once. The cache is Django's (Redis or the database
in production), never one process's memory alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from barneby.website import abuse, consent

DEFAULT_SECONDS = 60
GENERATION_KEY = "website:page-cache:generation"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
STAMP = re.compile(rb'name="stamp" value="[^"]*"')
TOKEN_MARK = b'name="csrfmiddlewaretoken" value="\x00csrf\x00"'
STAMP_MARK = b'name="stamp" value="\x00stamp\x00"'


def seconds() -> int:
    return int(getattr(settings, "WEBSITE_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))


def _generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        value = cache.get(GENERATION_KEY, 1)
    return int(value)


def clear(*_args: Any, **_kwargs: Any) -> None:
    """Start a new generation: every cached page is stale (a page was published or unpublished)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def _cacheable(request: HttpRequest) -> bool:
    return (
        seconds() > 0
        and request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.path.startswith("/cms/")
    )


def _key(request: HttpRequest) -> str:
    choice = consent.choice(request) or "-"
    language = translation.get_language() or "nb"
    return f"website:page:{_generation()}:{language}:{choice}:{request.get_host()}:{request.path}"


def _fill(content: bytes, request: HttpRequest) -> bytes:
    token = get_token(request).encode()
    stamp = abuse.stamp().encode()
    return content.replace(b"\x00csrf\x00", token).replace(b"\x00stamp\x00", stamp)


def lookup(request: HttpRequest) -> HttpResponse | None:
    """The cached page for this request, with a fresh token and stamp; None when there is none or may be none.

    Called by ``WebsiteMiddleware`` before any routing, so a hit costs about what the bare view costs.
    """
    if not _cacheable(request):
        return None
    request._website_page_cache_checked = True  # type: ignore[attr-defined]
    hit = cache.get(_key(request))
    if hit is None:
        return None
    content, content_type = hit
    response = HttpResponse(_fill(content, request), content_type=content_type)
    # The middleware below the website's (where a hit stops) would have set this; the rest run as usual.
    response.headers.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY"))
    return response


def cached_page(request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The page from the cache when it may be; otherwise rendered by ``render`` (and stored when it may be)."""
    if not _cacheable(request):
        return render()
    if not getattr(request, "_website_page_cache_checked", False):
        hit = lookup(request)
        if hit is not None:
            return hit
    response = render()
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    if response.status_code == 200 and not response.streaming and not response.cookies:
        stored = STAMP.sub(STAMP_MARK, TOKEN.sub(TOKEN_MARK, response.content))
        cache.set(_key(request), (stored, response.get("Content-Type", "text/html; charset=utf-8")), seconds())
    return response


def connect_signals() -> None:
    from wagtail.signals import page_published, page_unpublished

    page_published.connect(clear, dispatch_uid="barneby.website.pagecache.published")
    page_unpublished.connect(clear, dispatch_uid="barneby.website.pagecache.unpublished")
