from django.urls import path

from barneby.fundraising import views, views_tax

app_name = "fundraising"
urlpatterns = [
    path("givere/", views.supporter_list, name="supporter-list"),
    path("givere/ny/", views.supporter_create, name="supporter-create"),
    path("givere/<int:pk>/", views.supporter_detail, name="supporter-detail"),
    path("givere/<int:pk>/avtale/", views.agreement_create, name="agreement-create"),
    path("givere/<int:pk>/gave/", views.gift_create, name="gift-create"),
    path("givere/dubletter/", views.supporter_duplicates, name="supporter-duplicates"),
    path("givere/<int:pk>/samtykke/", views.consent_create, name="consent-create"),
    path("givere/<int:pk>/slaa-sammen/", views.supporter_merge, name="supporter-merge"),
    path("givere/<int:pk>/innsyn.json", views.supporter_export_json, name="supporter-export-json"),
    path("givere/<int:pk>/innsyn.pdf", views.supporter_export_pdf, name="supporter-export-pdf"),
    path("givere/<int:pk>/anonymiser/", views.supporter_erase, name="supporter-erase"),
    path("gaver/<int:pk>/kvittering/", views.gift_receipt, name="gift-receipt"),
    path("nets/", views.nets_import, name="nets-import"),
    path("uavstemt/", views.unmatched, name="unmatched"),
    path("trekk/", views.claim_runs, name="claim-runs"),
    path("trekk/<int:pk>/fil/", views.claim_file, name="claim-file"),
    path("skattefradrag/", views_tax.tax_report, name="tax-report"),
    path("skattefradrag/last-ned/<slug:fmt>/", views_tax.tax_report_download, name="tax-report-download"),
    path("skattefradrag/oppgavegiver/", views_tax.tax_reporter, name="tax-reporter"),
]
