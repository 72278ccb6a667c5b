"""The public website's own addresses; Wagtail's pages and editor are added in config/urls.py."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path
from django.views.decorators.http import require_POST

from barneby.core.access import PUBLIC, mark
from barneby.website import views
from barneby.website.access import EDITOR
from barneby.website.giving import urls as giving_urls

app_name = "website"
# Inside i18n_patterns: Norwegian without a prefix, English under /en/.
urlpatterns = [
    path("sok/", views.search, name="search"),
    path("informasjonskapsler/", views.cookies, name="cookies"),
    path("informasjonskapsler/valg/", views.choose, name="cookie-choice"),
    path("nyhetsbrevet/", views.newsletter, name="newsletter"),
    *giving_urls.urlpatterns,
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
# Wagtail's password reset (editors reset their password through Barneby's own sign-in, second factor included).
DROPPED_EDITOR_INCLUDES = {"password_reset/"}


def _post_only_logout(entry: URLPattern | URLResolver) -> URLPattern | URLResolver:
    """Wagtail's sign-out answers a GET with 405 but still deletes the session cookie, so any page an editor
    opens could sign them out with an image pointing at it: the GET is refused before Wagtail's view runs."""
    if isinstance(entry, URLPattern) and entry.name == "wagtailadmin_logout":
        return path(str(entry.pattern), require_POST(entry.callback), name=entry.name)
    return entry


def editor_patterns() -> list[URLPattern | URLResolver]:
    """Wagtail's admin, for the communications role only (everybody else: 404, or Barneby's sign-in)."""
    from wagtail.admin import urls as wagtailadmin_urls

    kept = [
        _post_only_logout(entry)
        for entry in wagtailadmin_urls.urlpatterns
        if not (isinstance(entry, URLPattern) and (not entry.name or entry.name in DROPPED_EDITOR_PATTERNS))
        and not (isinstance(entry, URLResolver) and str(entry.pattern) in DROPPED_EDITOR_INCLUDES)
    ]
    return mark(kept, EDITOR)


def page_patterns() -> list[URLPattern | URLResolver]:
    """Wagtail's page serving only (not its password or front-end login views: no private pages here).

    Wagtail's own pattern, except that nothing under /api/ is a page, so an unknown API address
    is the API's JSON 404 rather than a redirect to a page address with a slash.
    """
    from wagtail import views as wagtail_views

    return mark([re_path(r"^(?!api/)((?:[\w\-]+/)*)$", wagtail_views.serve, name="wagtail_serve")], PUBLIC)
