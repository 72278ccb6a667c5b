from django.urls import path

from barneby.accounts import views

app_name = "accounts"
urlpatterns = [
    path("logg-inn/", views.sign_in, name="login"),
    path("logg-ut/", views.sign_out, name="logout"),
    path("tofaktor/", views.two_factor, name="two-factor"),
    path("tofaktor/send-lenke/", views.two_factor_send_link, name="two-factor-send-link"),
    path("tofaktor/engangskode/", views.two_factor_code, name="two-factor-code"),
    path("tofaktor/oppsett/<str:secret>/", views.two_factor_enrol, name="two-factor-enrol"),
    path("glemt-passord/", views.password_reset, name="password-reset"),
    path("glemt-passord/sendt/", views.password_reset_done, name="password-reset-done"),
    path("glemt-passord/<uidb64>/<token>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("glemt-passord/fullfort/", views.password_reset_complete, name="password-reset-complete"),
    path("api-nokler/", views.api_token_list, name="apitoken-list"),
    path("api-nokler/<int:pk>/trekk-tilbake/", views.api_token_revoke, name="apitoken-revoke"),
]
