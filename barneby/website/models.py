# mypy: disable-error-code="misc, var-annotated, no-any-return, untyped-decorator"
# (Wagtail ships no type information: its pages and blocks are Any to mypy.)
"""Page types of the public website (DESIGN.md C9), edited in Wagtail by the communications role."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
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

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Served from the short-lived page cache for anonymous visitors (barneby/website/pagecache.py)."""
        from barneby.website.pagecache import cached_page

        return cached_page(request, lambda: super(WebsitePage, self).serve(request, *args, **kwargs))

    def clean(self) -> None:
        super().clean()

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
        "website.KeyFiguresPage",
        "website.WhereWeWorkPage",
        "website.PartnerPage",
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


class KeyFiguresPage(WebsitePage):
    """Every key figure of the year, live from the results module, each with its definition, source and date."""

    max_count_per_parent = 1
    parent_page_types: ClassVar[list[str]] = ["website.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    template = "website/key_figures_page.html"

    class Meta:
        verbose_name = _("nøkkeltallside")
        verbose_name_plural = _("nøkkeltallsider")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from barneby.website import keyfigures

        context = super().get_context(request, *args, **kwargs)
        context["figures"] = list(keyfigures.published().values())
        return context


class WhereWeWorkPage(RoutablePageMixin, WebsitePage):
    """Where we work: a world map and the same as a list, then a page per continent and per country."""

    max_count_per_parent = 1
    parent_page_types: ClassVar[list[str]] = ["website.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    template = "website/where_we_work_page.html"
    PLACES_PER_PAGE = 25

    class Meta:
        verbose_name = _("side om hvor vi jobber")
        verbose_name_plural = _("sider om hvor vi jobber")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from barneby.website.pagecache import cached_page

        return cached_page(request, lambda: super(WhereWeWorkPage, self).serve(request, *args, **kwargs))

    def _render(self, request: HttpRequest, template: str, route: str, **extra: Any) -> HttpResponse:
        from django.template.response import TemplateResponse

        context = self.get_context(request)
        context.update(extra, route_path=route)
        return TemplateResponse(request, template, context)

    def get_sitemap_urls(self, request: HttpRequest | None = None) -> list[dict[str, Any]]:
        """The page, then every continent and country page under it."""
        from barneby.website import places

        urls: list[dict[str, Any]] = super().get_sitemap_urls(request)
        if not urls:
            return urls
        base = urls[0]["location"]
        for group in places.by_continent(places.presence()):
            urls.append({**urls[0], "location": f"{base}{group.slug}/"})
            urls.extend({**urls[0], "location": f"{base}{group.slug}/{c.code.lower()}/"} for c in group.countries)
        return urls

    def country_url(self, country: Any) -> str:
        from barneby.website.places import CONTINENT_SLUGS

        return f"{self.url}{CONTINENT_SLUGS[country.continent]}/{country.code.lower()}/"

    @path("")
    def overview(self, request: HttpRequest) -> HttpResponse:
        from barneby.website import places, worldmap

        found = places.presence()
        groups = places.by_continent(found)
        marks = [
            worldmap.Mark(c.code, c.name, self.country_url(c), (c.longitude, c.latitude))
            for group in groups
            for c in group.countries
        ]
        world = worldmap.render(
            marks,
            title=str(_("Verdenskart over landene der vi jobber")),
            description=str(
                _("Landene der vi har barnebyer eller programmer, er uthevet. Den samme oversikten står i listen.")
            ),
        )
        return self._render(
            request,
            "website/where_we_work_page.html",
            "",
            groups=groups,
            world_map=world,
            countries=sum(len(g.countries) for g in groups),
            villages=sum(g.villages for g in groups),
            programmes=sum(g.programmes for g in groups),
        )

    @path("<slug:continent>/")
    def continent(self, request: HttpRequest, continent: str) -> HttpResponse:
        from barneby.website import places

        wanted = places.SLUG_CONTINENTS.get(continent)
        group = next((g for g in places.by_continent(places.presence()) if g.continent == wanted), None)
        if group is None:
            raise Http404
        return self._render(request, "website/where_we_work_continent.html", f"{continent}/", group=group)

    @path("<slug:continent>/<str:country>/")
    def country(self, request: HttpRequest, continent: str, country: str) -> HttpResponse:
        from barneby.website import places

        found = places.presence().get(country.upper()) if country.isascii() and country.islower() else None
        if found is None or found.continent is None or places.SLUG_CONTINENTS.get(continent) != found.continent:
            raise Http404
        group_slug = places.CONTINENT_SLUGS[found.continent]
        listing = Paginator(found.places, self.PLACES_PER_PAGE).get_page(request.GET.get("side"))
        return self._render(
            request,
            "website/where_we_work_country.html",
            f"{continent}/{country}/",
            country=found,
            continent_url=f"{self.url}{group_slug}/",
            continent_label=found.continent.label if found.continent else "",
            listing=listing,
        )


class PartnerPage(WebsitePage):
    """ "Bli en partner": the page's own text, then a form that puts a lead in the partner pipeline."""

    max_count_per_parent = 1
    parent_page_types: ClassVar[list[str]] = ["website.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    template = "website/partner_page.html"

    class Meta:
        verbose_name = _("partnerside")
        verbose_name_plural = _("partnersider")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.template.response import TemplateResponse
        from django.views.decorators.cache import never_cache

        from barneby.partners.services import lead_from_website
        from barneby.website import abuse
        from barneby.website.forms import PARTNER_CONSENT_TEXT_VERSION, PartnerForm, site_association

        @never_cache
        def view(request: HttpRequest) -> HttpResponse:
            if request.method not in ("GET", "HEAD", "POST"):
                return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
            form = PartnerForm(request.POST if request.method == "POST" else None)
            status = 200
            if request.method == "POST":
                association = site_association()
                status = abuse.admit(
                    request,
                    form,
                    "partner",
                    association=association,
                    closed=str(_("Skjemaet er ikke i bruk ennå. Send oss en e-post i stedet.")),
                )
                if status == 200 and association is not None:
                    data = form.cleaned_data
                    try:
                        lead_from_website(
                            association=association,
                            company_name=data["company_name"],
                            organisation_number=data["organisation_number"],
                            contact_name=data["contact_name"],
                            email=data["email"],
                            phone=data["phone"],
                            message=data["message"],
                            text_version=PARTNER_CONSENT_TEXT_VERSION,
                        )
                    except ValidationError as error:
                        from barneby.core.forms import add_service_errors

                        add_service_errors(form, error)
                        status = 400
                    else:
                        return redirect(f"{self.url}?sendt=1")
                form.refresh_stamp()
            context = self.get_context(request)
            context["form"] = form
            context["sent"] = request.method == "GET" and request.GET.get("sendt") == "1"
            return TemplateResponse(request, self.template, context, status=status)

        return view(request)
