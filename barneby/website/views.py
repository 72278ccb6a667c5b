"""The public website's own views beside Wagtail's pages: search, cookie choice, newsletter sign-up, robots.txt, media."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from wagtail.models import Locale, Page

from barneby.core.access import public
from barneby.core.forms import add_service_errors
from barneby.website import consent

SEARCH_MAX_LENGTH = 200
SEARCH_PER_PAGE = 10
# Only these folders under MEDIA_ROOT are public: the website's images and their renditions.
PUBLIC_MEDIA = ("images", "original_images")


@public
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    results = None
    if query:
        pages = Page.objects.live().public().filter(locale=Locale.get_active()).specific().search(query)
        results = Paginator(pages, SEARCH_PER_PAGE).get_page(request.GET.get("side"))
    return render(request, "website/search.html", {"query": query, "results": results})


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return "/"
    return target


@public
def cookies(request: HttpRequest) -> HttpResponse:
    """The second layer: what each cookie is for, and the same two choices; reached from every footer."""
    if request.method == "POST":
        return choose(request)
    return render(request, "website/cookies.html", {"cookies": consent.COOKIES, "next": _safe_next(request)})


@public
@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    value = request.POST.get("choice", "")
    if value not in consent.CHOICES:
        return render(
            request,
            "website/cookies.html",
            {"cookies": consent.COOKIES, "next": _safe_next(request), "invalid": True},
            status=400,
        )
    response = redirect(_safe_next(request))
    consent.store(response, value)
    return response


@public
@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /cms/",
        "Disallow: /konto/",
        "Disallow: /ansatt/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@public
@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

    from barneby.website.sitemaps import WebsiteSitemap

    response: HttpResponse = wagtail_sitemap(request, sitemaps={"pages": WebsiteSitemap})
    return response


@public
@require_safe
def media(request: HttpRequest, path: str) -> FileResponse:
    """The website's images (production serves MEDIA_ROOT from the web server instead)."""
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or target.relative_to(root).parts[:1] not in {(p,) for p in PUBLIC_MEDIA}:
        raise Http404
    if not target.is_file():
        raise Http404
    response = FileResponse(target.open("rb"))
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def newsletter(request: HttpRequest) -> HttpResponse:
    """The footer's newsletter sign-up, into the newsletter's double opt-in (an e-mail with a link to confirm).

    The answer is the same whether the address is new, waiting or already subscribed, so the form
    tells a stranger nothing about who subscribes. A GET shows the same form on a page of its own.
    """
    from barneby.audit.services import client_ip
    from barneby.newsletter import services as newsletter_services
    from barneby.newsletter.models import ConsentSource
    from barneby.newsletter.views import PUBLIC_RESEND_AFTER
    from barneby.website import abuse
    from barneby.website.forms import NewsletterForm, site_association

    form = NewsletterForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        association = site_association()
        status = abuse.admit(
            request, form, "newsletter", association=association, closed=_("Nyhetsbrevet er ikke i bruk ennå.")
        )
        if status == 200 and association is not None:
            try:
                newsletter_services.subscribe(
                    association=association,
                    email=form.cleaned_data["email"],
                    source=ConsentSource.WEB,
                    text_version=str(settings.NEWSLETTER_CONSENT_TEXT_VERSION),
                    ip=client_ip(request),
                    user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:300],
                    resend_after=PUBLIC_RESEND_AFTER,
                )
            except ValidationError as error:
                add_service_errors(form, error)
                status = 400
            else:
                return redirect(f"{reverse('website:newsletter')}?sendt=1")
        form.refresh_stamp()
    context = {"newsletter_form": form, "sent": request.method == "GET" and request.GET.get("sendt") == "1"}
    response = render(request, "website/newsletter.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response
