from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundraisingConfig(AppConfig):
    name = "barneby.fundraising"
    label = "fundraising"
    verbose_name = _("Innsamling")

    def ready(self) -> None:
        import barneby.fundraising.demo  # noqa: F401  (registers the demo generator)
        from barneby.core import menu
        from barneby.fundraising.permissions import FUNDRAISING_ROLES

        menu.register("fundraising:supporter-list", _("Givere"), FUNDRAISING_ROLES, order=300)
        menu.register("fundraising:nets-import", _("Filer fra Nets"), FUNDRAISING_ROLES, order=305)
        menu.register("fundraising:unmatched", _("Ikke avstemte innbetalinger"), FUNDRAISING_ROLES, order=310)
        menu.register("fundraising:claim-runs", _("Månedlige trekk"), FUNDRAISING_ROLES, order=315)
        menu.register("fundraising:supporter-duplicates", _("Mulige dubletter"), FUNDRAISING_ROLES, order=302)
        menu.register("fundraising:tax-report", _("Skattefradrag"), FUNDRAISING_ROLES, order=340)
