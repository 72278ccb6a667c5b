from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeReviewConfig(AppConfig):
    name = "barneby.programme_review"
    label = "programme_review"
    verbose_name = _("Programgjennomgang")
