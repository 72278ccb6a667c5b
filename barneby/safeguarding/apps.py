from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafeguardingConfig(AppConfig):
    name = "barneby.safeguarding"
    label = "safeguarding"
    verbose_name = _("Varsling")

    def ready(self) -> None:
        import barneby.safeguarding.demo  # noqa: F401  (registers the demo generator)
        from barneby.core import menu
        from barneby.safeguarding.permissions import FIGURE_READERS, FOCAL_POINTS

        menu.register("safeguarding:case-list", _("Varslingssaker"), FOCAL_POINTS, order=150)
        menu.register("safeguarding:statistics", _("Varsling i tall"), FIGURE_READERS, order=155)
