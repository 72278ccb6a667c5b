"""The sponsor sign-up and the gift form: public addresses in the website's namespace (Norwegian, and /en/)."""

from __future__ import annotations

from django.urls import path

from barneby.website.giving import views

urlpatterns = [
    path("bli-fadder/", views.sponsor, name="sponsor"),
    path("bli-fadder/vipps/", views.sponsor_vipps, name="sponsor-vipps"),
    path("bli-fadder/takk/<uuid:token>/", views.sponsor_thanks, name="sponsor-thanks"),
    path("gi-en-gave/", views.gift, name="gift"),
    path("gi-en-gave/takk/<uuid:token>/", views.gift_thanks, name="gift-thanks"),
    path("vipps-test/<str:agreement_id>/", views.vipps_test, name="vipps-test"),
]
