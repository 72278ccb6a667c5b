from django.urls import URLPattern, URLResolver, path

from barneby.programme_review import views

app_name = "programme_review"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.round_list, name="round-list"),
    path("ny/", views.round_create, name="round-create"),
    path("runde/<int:pk>/", views.round_detail, name="round-detail"),
    path("runde/<int:pk>/programmer/", views.round_programmes, name="round-programmes"),
    path("vurdering/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("vurdering/<int:pk>/vurder/", views.assessment_edit, name="assessment-edit"),
    path("vurdering/<int:pk>/beslutning/", views.assessment_decide, name="assessment-decide"),
    path("program/<int:programme_pk>/plan/", views.plan, name="plan"),
    path("plan/barn/<int:pk>/", views.provision_edit, name="provision-edit"),
]
