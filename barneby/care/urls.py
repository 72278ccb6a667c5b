from django.urls import path

from barneby.care import views

app_name = "care"
urlpatterns = [
    path("barn/", views.child_list, name="child-list"),
    path("barn/ny/", views.child_create, name="child-create"),
    path("barn/<int:pk>/", views.child_detail, name="child-detail"),
    path("barn/<int:pk>/endre/", views.child_edit, name="child-edit"),
    path("barn/<int:pk>/status/", views.child_status, name="child-status"),
    path("barn/<int:pk>/skjermet/", views.child_restricted, name="child-restricted"),
    path("barn/<int:pk>/sosken/", views.sibling_add, name="sibling-add"),
    path("sosken/<int:pk>/fjern/", views.sibling_remove, name="sibling-remove"),
    path("barn/<int:pk>/hold-atskilt/", views.keep_apart_add, name="keep-apart-add"),
    path("barn/<int:pk>/inntak/", views.gatekeeping_create, name="gatekeeping-create"),
    path("barn/<int:pk>/plassering/", views.placement_create, name="placement-create"),
    path("plassering/<int:pk>/avslutt/", views.placement_end, name="placement-end"),
    path("barn/<int:pk>/vedtak/", views.decision_create, name="decision-create"),
    path("vedtak/<int:pk>/endre/", views.decision_edit, name="decision-edit"),
    path("barn/<int:pk>/mal/", views.goal_create, name="goal-create"),
    path("mal/<int:pk>/endre/", views.goal_edit, name="goal-edit"),
    path("barn/<int:pk>/gjennomgang/", views.review_create, name="review-create"),
    path("gjennomgang/<int:pk>/endre/", views.review_edit, name="review-edit"),
    path("barn/<int:pk>/ettervern/", views.aftercare_edit, name="aftercare-edit"),
    path("barn/<int:pk>/soskenkontakt/", views.sibling_contact_create, name="sibling-contact-create"),
    path("barn/<int:pk>/oppfolging/", views.follow_up_create, name="follow-up-create"),
    path("varsler/", views.alert_list, name="alert-list"),
    path("familier/", views.household_list, name="household-list"),
    path("familier/ny/", views.household_create, name="household-create"),
    path("familier/<int:pk>/", views.household_detail, name="household-detail"),
    path("familier/<int:pk>/endre/", views.household_edit, name="household-edit"),
    path("familier/<int:pk>/<slug:part>/ny/", views.household_add, name="household-add"),
    path("mitt-hjem/", views.my_home, name="my-home"),
    path("mitt-hjem/barn/<int:pk>/dagbok/", views.daily_note_create, name="daily-note-create"),
    path("nokkeltall/", views.figures, name="figures"),
    path("nokkeltall/eksport/", views.pseudonymised_export, name="pseudonymised-export"),
]
