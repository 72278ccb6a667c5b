from django.urls import URLPattern, URLResolver, path

from barneby.reporting import views

app_name = "reporting"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<int:association_pk>/", views.advocacy, name="advocacy"),
    path("<int:association_pk>/<slug:table>/last-ned/", views.advocacy_download, name="advocacy-download"),
    path("iati/", views.iati_list, name="iati-list"),
    path("iati/<int:association_pk>/", views.iati_association, name="iati-association"),
    path("iati/<int:association_pk>/last-ned/", views.iati_download, name="iati-download"),
    path("iati/<int:association_pk>/rapportor/", views.iati_organisation, name="iati-organisation"),
    path("iati/program/<int:programme_pk>/", views.iati_programme, name="iati-programme"),
]
