from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from barneby.accounts.roles import USER_ADMINS
from barneby.api.urls import api_urlpatterns
from barneby.core.access import PUBLIC, AccessRule, mark
from barneby.website import urls as website_urls

admin.site.site_header = "Barneby"

urlpatterns = [
    path("", include("barneby.core.urls")),
    path("konto/", include("barneby.accounts.urls")),
    path("revisjon/", include("barneby.audit.urls")),
    path("organisasjon/", include("barneby.organisation.urls")),
    path("omsorg/", include("barneby.care.urls")),
    path("plassering/", include("barneby.placements.urls")),
    path("innsamling/", include("barneby.fundraising.urls")),
    path("fadderskap/", include("barneby.sponsorships.urls")),
    path("partnere/", include("barneby.partners.urls")),
    path("nyhetsbrev/", include("barneby.newsletter.urls")),
    path("resultater/", include("barneby.results.urls")),
    path("programgjennomgang/", include("barneby.programme_review.urls")),
    path("statistikk/", include("barneby.reporting.urls")),
    path("varsling/", include("barneby.safeguarding.urls")),
    path("import/", include("barneby.imports.urls")),
    *mark([path("i18n/setlang/", set_language, name="set_language")], PUBLIC),
    path("admin/", (mark(admin.site.get_urls(), AccessRule(roles=USER_ADMINS)), "admin", admin.site.name)),
    *api_urlpatterns,
    # The public website (issue 16): Wagtail's editor for the communications role only (404 to everyone else).
    path("cms/", include(website_urls.editor_patterns())),
    path("", include((website_urls.site_patterns, "website_files"))),
]
# Wagtail's pages: Norwegian without a prefix, English under /en/; the serve catch-all last of all.
urlpatterns += i18n_patterns(
    path("", include("barneby.website.urls")),
    path("", include(website_urls.page_patterns())),
    prefix_default_language=False,
)

handler400 = "barneby.core.errors.bad_request"
handler403 = "barneby.core.errors.permission_denied"
handler404 = "barneby.core.errors.page_not_found"
handler500 = "barneby.core.errors.server_error"
