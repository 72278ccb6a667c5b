from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "barneby.newsletter"
    label = "newsletter"
    verbose_name = _("Nyhetsbrev")

    def ready(self) -> None:
        import barneby.newsletter.demo  # noqa: F401  (registers the demo generator)
        from barneby.core import menu
        from barneby.fundraising.permissions import FUNDRAISING_ROLES

        menu.register("newsletter:subscriber-list", _("Nyhetsbrev"), FUNDRAISING_ROLES, order=345)

        from barneby.fundraising import gdpr
        from barneby.newsletter.services import erase_for_supporter

        if erase_for_supporter not in gdpr.ERASERS:
            gdpr.ERASERS.append(erase_for_supporter)
