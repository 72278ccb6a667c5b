from django.urls import URLPattern, URLResolver

app_name = "programme_review"
urlpatterns: list[URLPattern | URLResolver] = []
