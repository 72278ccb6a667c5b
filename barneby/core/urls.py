from django.urls import path

from barneby.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("ping", views.ping, name="ping"),
    path("ansatt/", views.dashboard, name="dashboard"),
]
