from django.urls import path

from barneby.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("eksport/", views.event_export, name="event-export"),
]
