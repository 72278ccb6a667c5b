from django.urls import URLPattern, path

from barneby.partners import views

app_name = "partners"
urlpatterns: list[URLPattern] = [
    path("", views.lead_list, name="lead-list"),
    path("ny/", views.lead_create, name="lead-create"),
    path("eksport/", views.lead_export, name="lead-export"),
    path("<int:pk>/", views.lead_detail, name="lead-detail"),
    path("<int:pk>/fase/", views.lead_stage, name="lead-stage"),
    path("<int:pk>/ansvarlig/", views.lead_owner, name="lead-owner"),
    path("<int:pk>/notat/", views.lead_note, name="lead-note"),
]
