from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "barneby.care"
    label = "care"
    verbose_name = _("Omsorg og saksbehandling")

    def ready(self) -> None:
        import barneby.care.demo  # noqa: F401  (registers the demo generator)
        from barneby.care.permissions import CARE_READERS, CAREGIVERS, ME_ROLES
        from barneby.core import menu

        menu.register("care:child-list", _("Barn og unge"), CARE_READERS, order=100)
        menu.register("care:alert-list", _("Varsler"), CARE_READERS, order=105)
        menu.register("care:household-list", _("Familier"), CARE_READERS, order=110)
        menu.register("care:my-home", _("Mitt hjem"), CAREGIVERS, order=100)
        menu.register("care:figures", _("Nøkkeltall for omsorg"), ME_ROLES, order=120)
