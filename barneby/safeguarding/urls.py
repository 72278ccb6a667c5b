from django.urls import URLPattern, URLResolver, path

from barneby.safeguarding import views

app_name = "safeguarding"
urlpatterns: list[URLPattern | URLResolver] = [
    # Public: anyone, without signing in.
    path("meld/", views.report_public, name="report-public"),
    path("min-sak/", views.reporter_access, name="reporter-access"),
    path("min-sak/svar/", views.reporter_reply, name="reporter-reply"),
    # Any signed-in user.
    path("ny/", views.report_staff, name="report-staff"),
    path("mine/", views.my_reports, name="my-reports"),
    # Focal points.
    path("saker/", views.case_list, name="case-list"),
    path("saker/<int:pk>/", views.case_detail, name="case-detail"),
    path("saker/<int:pk>/bekreft/", views.case_acknowledge, name="case-acknowledge"),
    path("saker/<int:pk>/vurder/", views.case_assess, name="case-assess"),
    path("saker/<int:pk>/undersok/", views.case_investigate, name="case-investigate"),
    path("saker/<int:pk>/konkluder/", views.case_conclude, name="case-conclude"),
    path("saker/<int:pk>/avslutt/", views.case_close, name="case-close"),
    path("saker/<int:pk>/notat/", views.case_note, name="case-note"),
    path("saker/<int:pk>/melding/", views.case_message, name="case-message"),
    path("saker/<int:pk>/person/", views.case_person, name="case-person"),
    path("saker/<int:pk>/loft/", views.case_escalate, name="case-escalate"),
    path("vedlegg/<int:pk>/", views.attachment_download, name="attachment-download"),
    # Figures (I33).
    path("statistikk/", views.statistics, name="statistics"),
]
