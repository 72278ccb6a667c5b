from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "barneby.placements"
    label = "placements"
    verbose_name = _("Forslag til plassering")

    def ready(self) -> None:
        from barneby.core import menu
        from barneby.placements.permissions import MATCHERS

        menu.register("placements:run-list", _("Forslag til plassering"), MATCHERS, order=108)
