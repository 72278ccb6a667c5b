"""The programme review (seed 004): review rounds, assessments, decisions and phase-out or handover plans (R28)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeReviewConfig(AppConfig):
    name = "barneby.programme_review"
    label = "programme_review"
    verbose_name = _("Programgjennomgang")

    def ready(self) -> None:
        import barneby.programme_review.demo  # noqa: F401  (registers the demo generator)
        from barneby.accounts.roles import Role
        from barneby.core import dashboard, menu
        from barneby.programme_review.dashboard import r28_panel
        from barneby.programme_review.permissions import REVIEW_READERS

        menu.register("programme_review:round-list", _("Programgjennomgang"), REVIEW_READERS, order=230)
        # The start page's R28 panel for the directors who act on it (core.dashboard.PANELS is per role).
        for role in (Role.NATIONAL_DIRECTOR, Role.PROGRAMME_DIRECTOR):
            panels = dashboard.PANELS.get(role, ())
            if r28_panel not in panels:
                dashboard.PANELS[role] = (*panels, r28_panel)
