from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "barneby.audit"
    label = "audit"
    verbose_name = _("Revisjonslogg")

    def ready(self) -> None:
        from barneby.accounts.roles import AUDIT_READERS
        from barneby.core import menu

        menu.register("audit:event-list", _("Revisjonslogg"), AUDIT_READERS, order=800)
