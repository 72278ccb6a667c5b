from django.urls import URLPattern, path

from barneby.sponsorships import views

app_name = "sponsorships"
urlpatterns: list[URLPattern] = [
    # Donor service.
    path("", views.sponsorship_list, name="sponsorship-list"),
    path("giver/<int:supporter_pk>/ny/", views.sponsorship_create, name="sponsorship-create"),
    path("<int:pk>/", views.sponsorship_detail, name="sponsorship-detail"),
    path("<int:pk>/status/<slug:action>/", views.sponsorship_state, name="sponsorship-state"),
    path("<int:pk>/belop/", views.sponsorship_amount, name="sponsorship-amount"),
    path("barn/", views.approved_profiles, name="approved-profiles"),
    path("overforinger/", views.transfer_list, name="transfer-list"),
    path("overforinger/<int:pk>/", views.transfer_resolve, name="transfer-resolve"),
    path("overforinger/<int:pk>/brev/", views.transfer_letter, name="transfer-letter"),
    # Caseworkers and programme directors.
    path("profiler/", views.profile_list, name="profile-list"),
    path("profiler/ny/", views.profile_create, name="profile-create"),
    path("profiler/<int:pk>/", views.profile_detail, name="profile-detail"),
    path("profiler/<int:pk>/endre/", views.profile_edit, name="profile-edit"),
    path("profiler/<int:pk>/samtykke/", views.profile_consents, name="profile-consents"),
    path("profiler/<int:pk>/godkjenn/", views.profile_approve, name="profile-approve"),
    path("profiler/<int:pk>/trekk-tilbake/", views.profile_withdraw, name="profile-withdraw"),
    # Both: the photo, behind the same scoping.
    path("profiler/<int:pk>/bilde/", views.profile_photo, name="profile-photo"),
]
