from django.urls import URLPattern, URLResolver

app_name = "safeguarding"
urlpatterns: list[URLPattern | URLResolver] = []
