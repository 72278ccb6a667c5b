"""Navigation, language alternates and the footer's links for the public layout."""

from __future__ import annotations

import logging
from typing import Any

from django import template
from django.db import DatabaseError
from django.urls import reverse
from django.utils import translation

register = template.Library()
logger = logging.getLogger(__name__)

OG_LOCALES = {"nb": "nb_NO", "en": "en_GB"}


def safeguarding_report_url() -> str:
    """The safeguarding app's anonymous report form, linked from every public page's footer."""
    return reverse("safeguarding:report-public")


def _home(language: str) -> Any:
    from wagtail.models import Locale, Site

    from barneby.website.models import HomePage

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    locale = Locale.objects.filter(language_code=language).first()
    home = HomePage.objects.filter(translation_key=site.root_page.translation_key, locale=locale).first()
    return home


@register.simple_tag(takes_context=True)
def website_layout(context: template.Context) -> dict[str, Any]:
    """Everything the public layout needs beyond the page itself; degrades to nothing if the database fails."""
    language = translation.get_language() or "nb"
    request = context.get("request")
    page = context.get("page")
    layout: dict[str, Any] = {
        "home_url": "/en/" if language == "en" else "/",
        "menu": [],
        "alternates": [],
        "privacy_url": None,
        "accessibility_url": None,
        "safeguarding_url": safeguarding_report_url(),
        "newsletter_form": None,
        "og_locale": OG_LOCALES.get(language, "nb_NO"),
        "canonical": request.build_absolute_uri(request.path) if request is not None else "",
        "root_url": "",
    }
    try:
        home = _home(language)
        if home is not None:
            from barneby.website.models import InfoPage

            layout["home_url"] = home.get_url(request)
            layout["menu"] = [(p.title, p.get_url(request)) for p in home.get_children().live().in_menu()]
            for kind, key in (
                (InfoPage.Kind.PRIVACY, "privacy_url"),
                (InfoPage.Kind.ACCESSIBILITY, "accessibility_url"),
            ):
                info = InfoPage.objects.child_of(home).live().filter(kind=kind).first()
                layout[key] = info.get_url(request) if info else None
        if home is not None:
            layout["root_url"] = home.get_site().root_url
        if page is not None and getattr(page, "pk", None):
            # A sub-page of a routable page (a continent, a country) adds its own part to the page's address.
            route = str(context.get("route_path") or "")
            layout["canonical"] = page.get_full_url(request) + route
            for translated in page.get_translations(inclusive=True).live().select_related("locale"):
                code = translated.locale.language_code
                layout["alternates"].append(
                    {
                        "code": code,
                        "url": translated.get_full_url(request) + route,
                        "path": translated.get_url(request) + route,
                    }
                )
        else:
            for code in ("nb", "en"):
                other = _home(code)
                if other is not None and code != language:
                    layout["alternates"].append(
                        {"code": code, "url": other.get_full_url(request), "path": other.get_url(request), "home": True}
                    )
    except DatabaseError:  # the 500 page must still render
        logger.exception("website layout without its links")
    match = getattr(request, "resolver_match", None)
    # The sign-up in the footer of the website's own pages (not on the sign-in page, the anonymous
    # safeguarding report or the error pages), and not twice on the newsletter's own page.
    website = page is not None or getattr(match, "namespace", "") == "website"
    if website and context.get("newsletter_form") is None:
        from barneby.website.forms import NewsletterForm

        layout["newsletter_form"] = NewsletterForm()
    layout["other_language"] = next((a for a in layout["alternates"] if a["code"] != language), None)
    layout["og_locale_alternates"] = [OG_LOCALES[a["code"]] for a in layout["alternates"] if a["code"] != language]
    return layout
