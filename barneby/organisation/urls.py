from django.urls import URLPattern, URLResolver

app_name = "organisation"
urlpatterns: list[URLPattern | URLResolver] = []
