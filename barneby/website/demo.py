"""Demo content for the public website: every theme, stories, news, a campaign, key figures, where we work,
the partner page and the statements, in nb and en.

Idempotent: a page whose slug already exists under the home page is left as it is.
Illustrations are drawn with Pillow (barneby.website.illustrations); nothing is fetched.
"""

from __future__ import annotations

from typing import Any

from django.core.files.images import ImageFile
from django.db import transaction

from barneby.core.demo import DemoContext, register
from barneby.website import demo_content as content
from barneby.website import illustrations


def _image(title: str, seed: int) -> Any:
    import io

    from wagtail.images.models import Image

    existing = Image.objects.filter(title=title).first()
    if existing is not None:
        return existing
    data = illustrations.draw(seed, figures=1 + seed % 4, houses=1 + seed % 3)
    image = Image(title=title)
    image.file.save(f"demo-{seed}.png", ImageFile(io.BytesIO(data), name=f"demo-{seed}.png"), save=False)
    image.save()
    return image


def _fill(page: Any, texts: dict[str, Any], image: Any, alt: str) -> None:
    page.title = texts["title"]
    page.intro = texts.get("intro", "")
    page.body = texts.get("body", [])
    page.image = image
    page.image_alt = alt if image is not None else ""


def _publish(page: Any) -> None:
    page.save_revision().publish()


def _add(parent: Any, page: Any, texts: dict[str, Any], image: Any, alt: str) -> Any:
    """Create ``page`` (Norwegian) under ``parent`` unless its slug exists; returns the Norwegian page."""
    existing = parent.get_children().filter(slug=page.slug).first()
    if existing is not None:
        return existing.specific
    _fill(page, texts, image, alt)
    parent.add_child(instance=page)
    _publish(page)
    return page


def _translate(page: Any, texts: dict[str, Any], image: Any, alt: str, **extra: Any) -> None:
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    if page.get_translations().filter(locale=english).exists():
        return
    translated = page.copy_for_translation(english, copy_parents=False)
    _fill(translated, texts, image, alt)
    for name, value in extra.items():
        setattr(translated, name, value)
    _publish(translated)


ALTS = {
    "nb": "Tegning av hus på en grønn ås med voksne og barn foran",
    "en": "Drawing of houses on a green hill with adults and children in front",
}


@register("website", order=950)
def seed_website(context: DemoContext) -> None:
    from barneby.website.models import (
        ArticleIndexPage,
        ArticlePage,
        CampaignPage,
        InfoPage,
        KeyFiguresPage,
        PartnerPage,
        ThemePage,
        WhereWeWorkPage,
    )
    from barneby.website.setup import ensure_site

    with transaction.atomic():
        home = ensure_site()
        if not home.intro:
            _fill(home, content.HOME["nb"], _image("Forside", 100), ALTS["nb"])
            _publish(home)
            english_home = home.get_translations().filter(locale__language_code="en").first()
            if english_home is not None:
                english_home = english_home.specific
                _fill(english_home, content.HOME["en"], home.image, ALTS["en"])
                _publish(english_home)
        made = 0
        for n, theme in enumerate(context.progress(content.THEMES, desc="temasider")):
            image = _image(theme["nb"]["title"], 200 + n)
            page = _add(home, ThemePage(slug=theme["slug"], show_in_menus=n < 4), theme["nb"], image, ALTS["nb"])
            _translate(page, theme["en"], image, ALTS["en"])
            made += 1
        for n, listing in enumerate(content.ARTICLE_LISTS):
            image = _image(listing["nb"]["title"], 300 + n)
            index = _add(
                home,
                ArticleIndexPage(slug=listing["slug"], kind=listing["kind"], show_in_menus=True),
                listing["nb"],
                image,
                ALTS["nb"],
            )
            _translate(index, listing["en"], image, ALTS["en"])
            for m, article in enumerate(listing["articles"]):
                picture = _image(article["nb"]["title"], 400 + 10 * n + m)
                page = _add(index, ArticlePage(slug=article["slug"]), article["nb"], picture, ALTS["nb"])
                _translate(page, article["en"], picture, ALTS["en"], date=page.date)
                made += 1
        campaign = content.CAMPAIGN
        image = _image(campaign["nb"]["title"], 500)
        page = _add(
            home,
            CampaignPage(
                slug=campaign["slug"], call_to_action_label=campaign["nb"]["cta"], call_to_action_url="/bli-fadder/"
            ),
            campaign["nb"],
            image,
            ALTS["nb"],
        )
        _translate(page, campaign["en"], image, ALTS["en"], call_to_action_label=campaign["en"]["cta"])
        for n, (kind, texts) in enumerate(
            (
                (KeyFiguresPage, content.KEY_FIGURES_PAGE),
                (WhereWeWorkPage, content.WHERE_WE_WORK_PAGE),
                (PartnerPage, content.PARTNER_PAGE),
            )
        ):
            image = _image(texts["nb"]["title"], 600 + n) if kind is PartnerPage else None
            alt = ALTS["nb"] if image is not None else ""
            page = _add(home, kind(slug=texts["slug"], show_in_menus=kind is not PartnerPage), texts["nb"], image, alt)
            _translate(page, texts["en"], image, ALTS["en"] if image is not None else "")
            made += 1
        for info in content.INFO_PAGES:
            page = _add(home, InfoPage(slug=info["slug"], kind=info["kind"]), info["nb"], None, "")
            _translate(page, info["en"], None, "")
            made += 1
    context.counts["nettsider"] = made
