from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "barneby.accounts"
    label = "accounts"
    verbose_name = _("Brukere og tilgang")

    def ready(self) -> None:
        import barneby.accounts.demo  # noqa: F401  (registers the demo generator)
        from barneby.accounts.roles import API_USERS
        from barneby.core import menu

        menu.register("accounts:apitoken-list", _("API-nøkler"), API_USERS, order=900)
