from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "barneby.reporting"
    label = "reporting"
    verbose_name = _("Statistikk og rapporter")

    def ready(self) -> None:
        import barneby.reporting.demo  # noqa: F401  (registers the demo generator)
        from barneby.core import menu
        from barneby.reporting.permissions import REPORT_READERS

        menu.register("reporting:index", _("Statistikk og IATI"), REPORT_READERS, order=520)
