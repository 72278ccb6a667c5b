from django.urls import path

from barneby.placements import views

app_name = "placements"
urlpatterns = [
    path("", views.run_list, name="run-list"),
    path("barn/<int:child_pk>/forslag/", views.propose, name="propose"),
    path("kjoring/ny/", views.batch_create, name="batch-create"),
    path("kjoring/<int:pk>/", views.run_detail, name="run-detail"),
    path("kjoring/<int:pk>/velg/<int:rank>/", views.accept, name="accept"),
]
