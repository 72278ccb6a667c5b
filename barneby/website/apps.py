from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    name = "barneby.website"
    label = "website"
    verbose_name = _("Nettsted")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import barneby.website.demo  # noqa: F401  (registers the demo generator)
        from barneby.accounts.roles import WEBSITE_EDITORS
        from barneby.core import menu
        from barneby.website import pagecache, setup

        menu.register("wagtailadmin_home", _("Nettstedet"), WEBSITE_EDITORS, order=900)
        setup.connect_signals()
        pagecache.connect_signals()
