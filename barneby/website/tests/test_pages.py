"""Public page types in nb and en: content, links between languages, sharing tags, search, sitemap, errors."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from barneby.website import blocks
from barneby.website.demo_content import THEMES

pytestmark = pytest.mark.django_db

PAGE_TYPES = {
    "home": ("/", "/en/"),
    "theme": ("/sosken-sammen/", "/en/sosken-sammen/"),
    "article list": ("/historier/", "/en/historier/"),
    "article": ("/historier/tre-sosken-ett-hjem/", "/en/historier/tre-sosken-ett-hjem/"),
    "campaign": ("/ingen-barn-alene/", "/en/ingen-barn-alene/"),
    "privacy": ("/personvern/", "/en/personvern/"),
    "accessibility": ("/tilgjengelighet/", "/en/tilgjengelighet/"),
}


def test_every_theme_is_there_in_both_languages(demo_site: Any, client: Client) -> None:
    for theme in THEMES:
        nb = client.get(f"/{theme['slug']}/")
        en = client.get(f"/en/{theme['slug']}/")
        assert nb.status_code == en.status_code == 200, theme["slug"]
        assert f">{htmllib.escape(theme['nb']['title'])}</h1>" in nb.content.decode()
        assert f">{htmllib.escape(theme['en']['title'])}</h1>" in en.content.decode()
        assert '<html lang="nb"' in nb.content.decode()
        assert '<html lang="en"' in en.content.decode()


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_each_page_type_has_canonical_hreflang_and_open_graph(
    demo_site: Any, client: Client, kind: str, settings: Any
) -> None:
    root = settings.SITE_URL.rstrip("/")
    nb_url, en_url = PAGE_TYPES[kind]
    for url, language, other in ((nb_url, "nb", en_url), (en_url, "en", nb_url)):
        html = client.get(url).content.decode()
        assert f'<link rel="canonical" href="{root}{url}">' in html, url
        assert f'<link rel="alternate" hreflang="{language}" href="{root}{url}">' in html, url
        other_language = "en" if language == "nb" else "nb"
        assert f'<link rel="alternate" hreflang="{other_language}" href="{root}{other}">' in html, url
        assert '<meta property="og:title"' in html, url
        assert '<meta property="og:description"' in html, url
        assert f'<meta property="og:url" content="{root}{url}">' in html, url
        assert f'href="{other}" hreflang="{other_language}"' in html, url  # the language link goes to the translation


def test_images_are_webp_renditions_with_srcset_and_alt_text(demo_site: Any, client: Client, settings: Any) -> None:
    html = client.get("/historier/").content.decode()
    images = re.findall(r"<img [^>]*>", html)
    assert images
    for tag in images:
        assert 'loading="lazy"' in tag or 'loading="eager"' in tag
        assert "srcset=" in tag, tag
        assert ".webp 800w" in tag, tag
        assert re.search(r'alt="[^"]*"', tag), tag
    main = re.findall(r"<img [^>]*>", client.get("/sosken-sammen/").content.decode())[0]
    assert 'alt="Tegning av hus' in main
    rendition = re.search(r'src="(/media/images/[^"]+\.webp)"', main)
    assert rendition is not None
    response = client.get(rendition.group(1))
    assert response.status_code == 200
    assert b"WEBP" in response.getvalue()[:16]
    og = client.get("/sosken-sammen/").content.decode()
    assert f'<meta property="og:image" content="{settings.SITE_URL.rstrip("/")}/media/images/' in og


def test_the_image_block_requires_alt_text() -> None:
    block = blocks.ImageBlock()
    with pytest.raises(ValidationError):
        block.clean({"image": None, "alt": "", "caption": ""})


def test_search_finds_pages_in_the_visitors_language_only(demo_site: Any, client: Client) -> None:
    nb = client.get("/sok/", {"q": "søsken"}).content.decode()
    assert 'href="/sosken-sammen/"' in nb
    assert 'href="/en/' not in nb.split('class="search-results"')[1]
    en = client.get("/en/sok/", {"q": "siblings"}).content.decode()
    assert 'href="/en/sosken-sammen/"' in en
    assert "Ingen sider passet" in client.get("/sok/", {"q": "zzzqqq"}).content.decode()


def test_sitemap_lists_pages_in_both_languages_and_robots_points_to_it(
    demo_site: Any, client: Client, settings: Any
) -> None:
    root = settings.SITE_URL.rstrip("/")
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"<loc>{root}/sosken-sammen/</loc>" in sitemap
    assert f"<loc>{root}/en/sosken-sammen/</loc>" in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /cms/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots


def test_friendly_404_in_both_languages(home: Any, client: Client) -> None:
    nb = client.get("/finnes-ikke/")
    assert nb.status_code == 404
    assert '<html lang="nb"' in nb.content.decode()
    assert "Fant ikke siden" in nb.content.decode()
    en = client.get("/en/does-not-exist/")
    assert en.status_code == 404
    assert '<html lang="en"' in en.content.decode()


def test_friendly_500_in_both_languages(home: Any, rf: Any) -> None:
    from django.utils import translation

    from barneby.core.errors import server_error

    for language in ("nb", "en"):
        with translation.override(language):
            response = server_error(rf.get("/en/" if language == "en" else "/"))
        assert response.status_code == 500
        assert f'<html lang="{language}"' in response.content.decode()


def test_english_cookie_still_gets_the_norwegian_page_at_a_norwegian_address(demo_site: Any, client: Client) -> None:
    client.cookies["django_language"] = "en"
    html = client.get("/sosken-sammen/").content.decode()
    assert '<html lang="nb"' in html
    assert ">Søsken sammen</h1>" in html


def test_media_serves_only_the_website_images(home: Any, client: Client, settings: Any) -> None:
    assert client.get("/media/images/../../secret.txt").status_code == 404
    assert client.get("/media/sponsorships/x.jpg").status_code == 404
    assert client.get("/media/images/missing.webp").status_code == 404


def test_after_migrate_the_site_serves_our_home_page_in_both_languages(client: Client) -> None:
    from wagtail.models import Site

    from barneby.website.models import HomePage

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert client.get("/").status_code == 200
    assert "Welcome to your new Wagtail site" not in client.get("/").content.decode()
    assert client.get("/en/").status_code == 200
