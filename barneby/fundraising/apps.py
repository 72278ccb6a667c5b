from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundraisingConfig(AppConfig):
    name = "barneby.fundraising"
    label = "fundraising"
    verbose_name = _("Innsamling")
