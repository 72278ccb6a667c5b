"""The public website's own addresses; Wagtail's pages and editor are added in config/urls.py."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from barneby.core.access import PUBLIC, mark
from barneby.website import views
from barneby.website.access import EDITOR

app_name = "website"
# Inside i18n_patterns: Norwegian without a prefix, English under /en/.
urlpatterns = [
    path("sok/", views.search, name="search"),
    path("informasjonskapsler/", views.cookies, name="cookies"),
    path("informasjonskapsler/valg/", views.choose, name="cookie-choice"),
]
# Outside i18n_patterns: one address each (namespace website_files).
site_patterns = [
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    re_path(r"^media/(?P<path>(?:images|original_images)/[\w./-]+)$", views.media, name="media"),
]

# Wagtail's admin patterns left out: its deliberate error and 404 test pages and its catch-all
# (an unknown /cms/ address falls through to the site's own 404).
DROPPED_EDITOR_PATTERNS = {"wagtailadmin_error_test"}


def editor_patterns() -> list[URLPattern | URLResolver]:
    """Wagtail's admin, for the communications role only (everybody else: 404, or Barneby's sign-in)."""
    from wagtail.admin import urls as wagtailadmin_urls

    kept = [
        entry
        for entry in wagtailadmin_urls.urlpatterns
        if not (isinstance(entry, URLPattern) and (not entry.name or entry.name in DROPPED_EDITOR_PATTERNS))
    ]
    return mark(kept, EDITOR)


def page_patterns() -> list[URLPattern | URLResolver]:
    """Wagtail's page serving only (not its password or front-end login views: no private pages here).

    Wagtail's own pattern, except that nothing under /api/ is a page, so an unknown API address
    is the API's JSON 404 rather than a redirect to a page address with a slash.
    """
    from wagtail import views as wagtail_views

    return mark([re_path(r"^(?!api/)((?:[\w\-]+/)*)$", wagtail_views.serve, name="wagtail_serve")], PUBLIC)
