# mypy: disable-error-code="misc, var-annotated, no-any-return"
# (Wagtail ships no type information: its pages and blocks are Any to mypy.)
"""Page types of the public website (DESIGN.md C9), edited in Wagtail by the communications role."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from barneby.website.blocks import body_blocks


class WebsitePage(Page):
    """What every page of the site has: a lead paragraph, a main image for sharing, and a body of blocks."""

    intro = models.TextField(_("ingress"), blank=True, max_length=600)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hovedbilde"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_alt = models.CharField(
        _("alternativ tekst for hovedbildet"),
        max_length=250,
        blank=True,
        help_text=_("Påkrevd når siden har et hovedbilde."),
    )
    body = StreamField(body_blocks(), verbose_name=_("innhold"), blank=True)

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("image_alt"),
        FieldPanel("body"),
    ]
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        from django.core.exceptions import ValidationError

        if self.image_id and not self.image_alt.strip():
            raise ValidationError({"image_alt": _("Skriv hva hovedbildet viser.")})


class HomePage(WebsitePage):
    max_count_per_parent = 1
    parent_page_types: ClassVar[list[str]] = ["wagtailcore.Page"]
    subpage_types: ClassVar[list[str]] = [
        "website.ThemePage",
        "website.ArticleIndexPage",
        "website.CampaignPage",
        "website.InfoPage",
    ]
    template = "website/home_page.html"

    class Meta:
        verbose_name = _("forside")
        verbose_name_plural = _("forsider")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["themes"] = ThemePage.objects.child_of(self).live().public().specific()
        context["latest"] = (
            ArticlePage.objects.descendant_of(self).live().public().specific().order_by("-date", "-pk")[:3]
        )
        return context


class ThemePage(WebsitePage):
    """A theme of the organisation's work: siblings together, aftercare, children's rights …"""

    parent_page_types: ClassVar[list[str]] = ["website.HomePage", "website.ThemePage"]
    subpage_types: ClassVar[list[str]] = ["website.ThemePage"]
    template = "website/theme_page.html"

    class Meta:
        verbose_name = _("temaside")
        verbose_name_plural = _("temasider")


class ArticleIndexPage(WebsitePage):
    """A list of articles: a story series or the news."""

    class Kind(models.TextChoices):
        NEWS = "news", _("Nyheter")
        STORIES = "stories", _("Historieserie")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.NEWS)
    parent_page_types: ClassVar[list[str]] = ["website.HomePage"]
    subpage_types: ClassVar[list[str]] = ["website.ArticlePage"]
    template = "website/article_index_page.html"
    content_panels: ClassVar[list[Any]] = [*WebsitePage.content_panels, FieldPanel("kind")]
    PER_PAGE = 12

    class Meta:
        verbose_name = _("artikkelliste")
        verbose_name_plural = _("artikkellister")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.child_of(self).live().public().specific().order_by("-date", "-pk")
        context["articles"] = Paginator(articles, self.PER_PAGE).get_page(request.GET.get("side"))
        return context


class ArticlePage(WebsitePage):
    date = models.DateField(_("dato"), default=timezone.localdate)
    parent_page_types: ClassVar[list[str]] = ["website.ArticleIndexPage"]
    subpage_types: ClassVar[list[str]] = []
    template = "website/article_page.html"
    content_panels: ClassVar[list[Any]] = [*WebsitePage.content_panels, FieldPanel("date")]

    class Meta:
        verbose_name = _("artikkel")
        verbose_name_plural = _("artikler")


class CampaignPage(WebsitePage):
    """A landing page for a campaign: one message and one thing to do."""

    call_to_action_label = models.CharField(_("knappetekst"), max_length=60, blank=True)
    call_to_action_url = models.CharField(
        _("knappens adresse"),
        max_length=300,
        blank=True,
        help_text=_("En adresse på dette nettstedet, for eksempel /bli-fadder/."),
    )
    parent_page_types: ClassVar[list[str]] = ["website.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    template = "website/campaign_page.html"
    content_panels: ClassVar[list[Any]] = [
        *WebsitePage.content_panels,
        FieldPanel("call_to_action_label"),
        FieldPanel("call_to_action_url"),
    ]

    class Meta:
        verbose_name = _("kampanjeside")
        verbose_name_plural = _("kampanjesider")


class InfoPage(WebsitePage):
    """A plain page such as the privacy or accessibility statement."""

    class Kind(models.TextChoices):
        PLAIN = "plain", _("Vanlig side")
        PRIVACY = "privacy", _("Personvernerklæring")
        ACCESSIBILITY = "accessibility", _("Tilgjengelighetserklæring")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.PLAIN)
    parent_page_types: ClassVar[list[str]] = ["website.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    template = "website/info_page.html"
    content_panels: ClassVar[list[Any]] = [*WebsitePage.content_panels, FieldPanel("kind")]

    class Meta:
        verbose_name = _("informasjonsside")
        verbose_name_plural = _("informasjonssider")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from barneby.website.consent import COOKIES

        context = super().get_context(request, *args, **kwargs)
        if self.kind == self.Kind.PRIVACY:
            context["cookies"] = COOKIES
        return context
