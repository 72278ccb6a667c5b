from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "barneby.organisation"
    label = "organisation"
    verbose_name = _("Organisasjon")

    def ready(self) -> None:
        import barneby.organisation.demo  # noqa: F401  (registers the demo generator)
        from barneby.core import menu
        from barneby.organisation.permissions import REGISTER_READERS

        menu.register("organisation:association-list", _("Medlemsorganisasjoner"), REGISTER_READERS, order=190)
        menu.register("organisation:location-list", _("Barnebyer og steder"), REGISTER_READERS, order=195)
        menu.register("organisation:programme-list", _("Programmer"), REGISTER_READERS, order=200)
        menu.register("organisation:home-list", _("Hjem"), REGISTER_READERS, order=210)
        menu.register("organisation:staff-list", _("Ansatte og omsorgspersoner"), REGISTER_READERS, order=215)
        menu.register("organisation:training-expiring", _("Opplæring som utløper"), REGISTER_READERS, order=220)
