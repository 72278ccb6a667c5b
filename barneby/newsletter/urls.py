from django.urls import URLPattern, URLResolver, path

from barneby.core.access import PUBLIC, mark
from barneby.newsletter import views

app_name = "newsletter"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.subscriber_list, name="subscriber-list"),
    path("ny/", views.subscriber_create, name="subscriber-create"),
    path("eksport/", views.subscriber_export, name="subscriber-export"),
    path("<int:pk>/", views.subscriber_detail, name="subscriber-detail"),
    path("<int:pk>/avmeld/", views.subscriber_unsubscribe, name="subscriber-unsubscribe"),
    # The links in the e-mails: open to everyone, the token decides.
    *mark(
        [
            path("meld-pa/", views.subscribe, name="subscribe"),
            path("bekreft/<str:token>/", views.confirm, name="confirm"),
            path("avmeld/<str:token>/", views.unsubscribe, name="unsubscribe"),
        ],
        PUBLIC,
    ),
]
