"""Importing children and supporters from CSV/XLSX with a preview, row-level errors and duplicate detection, all or nothing."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "barneby.imports"
    label = "imports"
    verbose_name = _("Import")

    def ready(self) -> None:
        from barneby.core import menu
        from barneby.imports.permissions import IMPORTERS

        menu.register("imports:index", _("Import"), IMPORTERS, order=950)
