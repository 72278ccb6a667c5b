from django.urls import URLPattern, URLResolver, path

from barneby.imports import views

app_name = "imports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("barn/", views.children, name="children"),
    path("barn/mal.<slug:fmt>", views.children_template, name="children-template"),
    path("givere/", views.supporters, name="supporters"),
    path("givere/mal.<slug:fmt>", views.supporters_template, name="supporters-template"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/bekreft/", views.confirm, name="confirm"),
    path("<int:pk>/forkast/", views.discard, name="discard"),
]
