"""The public website's own addresses; Wagtail's pages and editor are added in config/urls.py."""

from __future__ import annotations

from django.urls import path, re_path

from barneby.website import views

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
