from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SponsorshipsConfig(AppConfig):
    name = "barneby.sponsorships"
    label = "sponsorships"
    verbose_name = _("Fadderskap")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        import barneby.sponsorships.demo  # noqa: F401  (registers the demo generator)
        from barneby.care.models import Child
        from barneby.core import menu
        from barneby.sponsorships.permissions import PROFILE_WRITERS, SPONSORSHIP_ROLES
        from barneby.sponsorships.signals import child_saved

        post_save.connect(child_saved, sender=Child, dispatch_uid="sponsorships.child_saved")
        menu.register("sponsorships:profile-list", _("Fadderprofiler"), PROFILE_WRITERS, order=130)
        menu.register("sponsorships:sponsorship-list", _("Fadderskap"), SPONSORSHIP_ROLES, order=302)
        menu.register("sponsorships:approved-profiles", _("Barn som søker fadder"), SPONSORSHIP_ROLES, order=303)
        menu.register("sponsorships:transfer-list", _("Overføringer"), SPONSORSHIP_ROLES, order=304)
