from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "barneby.partners"
    label = "partners"
    verbose_name = _("Bedriftspartnere")

    def ready(self) -> None:
        import barneby.partners.demo  # noqa: F401  (registers the demo generator)
        from barneby.core import menu
        from barneby.fundraising.permissions import FUNDRAISING_ROLES

        menu.register("partners:lead-list", _("Bedriftspartnere"), FUNDRAISING_ROLES, order=340)
