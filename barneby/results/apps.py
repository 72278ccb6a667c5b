from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "barneby.results"
    label = "results"
    verbose_name = _("Resultater")

    def ready(self) -> None:
        import barneby.results.demo  # noqa: F401  (registers the demo generator)
        from barneby.core import menu
        from barneby.results.permissions import (
            ACCOUNTS_READERS,
            KEY_FIGURE_READERS,
            REPORT_READERS,
            RESULTS_READERS,
            RETURN_WRITERS,
        )

        menu.register("results:indicators", _("Resultater og indikatorer"), RESULTS_READERS, order=130)
        menu.register("results:key-figures", _("Nøkkeltall for året"), KEY_FIGURE_READERS, order=131)
        menu.register("results:service-returns", _("Tjenesterapporter"), RETURN_WRITERS | RESULTS_READERS, order=132)
        menu.register("results:status-reports", _("Tilstandsrapporter"), REPORT_READERS, order=133)
        menu.register("results:accounts", _("Årsregnskap"), ACCOUNTS_READERS, order=134)
