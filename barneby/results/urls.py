from django.urls import URLPattern, URLResolver, path

from barneby.results import views

app_name = "results"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.indicators, name="indicators"),
    path("indikator/<str:code>/", views.indicator_detail, name="indicator-detail"),
    path("mal/", views.target_set, name="target-set"),
    path("perioder/", views.periods, name="periods"),
    path("perioder/<int:pk>/", views.period_detail, name="period-detail"),
    path("nokkeltall/", views.key_figures, name="key-figures"),
    path("tjenesterapporter/", views.service_returns, name="service-returns"),
    path("tjenesterapporter/import/", views.service_return_import, name="service-return-import"),
    path("regnskap/", views.accounts, name="accounts"),
    path("tilstandsrapport/", views.status_reports, name="status-reports"),
    path("tilstandsrapport/<str:number>/<int:year>/", views.status_report, name="status-report"),
    path("tilstandsrapport/<str:number>/<int:year>/pdf/", views.status_report_pdf, name="status-report-pdf"),
]
