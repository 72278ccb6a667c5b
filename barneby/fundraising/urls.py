from django.urls import path

from barneby.fundraising import views

app_name = "fundraising"
urlpatterns = [
    path("givere/", views.supporter_list, name="supporter-list"),
    path("givere/ny/", views.supporter_create, name="supporter-create"),
    path("givere/<int:pk>/", views.supporter_detail, name="supporter-detail"),
    path("givere/<int:pk>/avtale/", views.agreement_create, name="agreement-create"),
    path("givere/<int:pk>/gave/", views.gift_create, name="gift-create"),
    path("nets/", views.nets_import, name="nets-import"),
    path("uavstemt/", views.unmatched, name="unmatched"),
    path("trekk/", views.claim_runs, name="claim-runs"),
    path("trekk/<int:pk>/fil/", views.claim_file, name="claim-file"),
]
