from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SponsorshipsConfig(AppConfig):
    name = "barneby.sponsorships"
    label = "sponsorships"
    verbose_name = _("Fadderskap")
