from django.urls import path

from barneby.organisation import views

app_name = "organisation"
urlpatterns = [
    path("medlemsorganisasjoner/", views.association_list, name="association-list"),
    path("medlemsorganisasjoner/<int:pk>/endre/", views.association_edit, name="association-edit"),
    path("medlemsorganisasjoner/eksport/", views.association_export, name="association-export"),
    path("steder/", views.location_list, name="location-list"),
    path("steder/eksport/", views.location_export, name="location-export"),
    path("steder/<int:pk>/deaktiver/", views.location_deactivate, name="location-deactivate"),
    path("medlemsorganisasjoner/<int:association_pk>/steder/nytt/", views.location_create, name="location-create"),
    path("programmer/", views.programme_list, name="programme-list"),
    path("programmer/eksport/", views.programme_export, name="programme-export"),
    path("programmer/nytt/", views.programme_create, name="programme-create"),
    path("programmer/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("programmer/<int:pk>/endre/", views.programme_edit, name="programme-edit"),
    path("programmer/<int:programme_pk>/hjem/nytt/", views.home_create, name="home-create"),
    path("hjem/", views.home_list, name="home-list"),
    path("hjem/eksport/", views.home_export, name="home-export"),
    path("hjem/<int:pk>/endre/", views.home_edit, name="home-edit"),
    path("hjem/<int:pk>/deaktiver/", views.home_deactivate, name="home-deactivate"),
    path("ansatte/", views.staff_list, name="staff-list"),
    path("ansatte/eksport/", views.staff_export, name="staff-export"),
    path("ansatte/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("medlemsorganisasjoner/<int:association_pk>/ansatte/ny/", views.staff_create, name="staff-create"),
    path("ansatte/<int:pk>/endre/", views.staff_edit, name="staff-edit"),
    path("ansatte/<int:pk>/deaktiver/", views.staff_deactivate, name="staff-deactivate"),
    path("steder/<int:pk>/endre/", views.location_edit, name="location-edit"),
    path("opplaering/utloper/", views.training_expiring_list, name="training-expiring"),
]
