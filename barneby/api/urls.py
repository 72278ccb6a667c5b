from django.urls import URLPattern, URLResolver, path
from django.views.generic import RedirectView

from barneby.api.root import api
from barneby.core.access import API, PUBLIC, mark

_patterns, _app_name, _namespace = api.urls

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", (mark(list(_patterns), API), _app_name, _namespace)),
    *mark(
        [path("api/docs", RedirectView.as_view(pattern_name="api:openapi-view", permanent=False), name="api-docs")],
        PUBLIC,
    ),
]
