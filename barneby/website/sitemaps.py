# mypy: disable-error-code="misc"
# (Wagtail ships no type information: its pages and blocks are Any to mypy.)
from __future__ import annotations

from typing import Any

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class WebsiteSitemap(Sitemap):
    """Every live public page in every language (Wagtail's own lists only the default language's tree)."""

    def items(self) -> Any:
        site = self.get_wagtail_site()
        trees = Q()
        for root in site.root_page.get_translations(inclusive=True):
            trees |= Q(path__startswith=root.path)
        return Page.objects.filter(trees).live().public().order_by("path").defer_streamfields().specific()
