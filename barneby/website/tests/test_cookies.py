"""Cookie consent (ekomloven § 3-15): only strictly necessary cookies before and after any choice we offer today."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from barneby.website import consent

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/en/", "/sosken-sammen/", "/en/sosken-sammen/", "/historier/", "/sok/?q=barn"]


def _cookies(client: Client) -> dict[str, str]:
    return {name: morsel.value for name, morsel in client.cookies.items() if morsel.value}


def _choose(client: Client, choice: str, next_url: str = "/sosken-sammen/") -> Any:
    return client.post("/informasjonskapsler/valg/", {"choice": choice, "next": next_url})


def test_before_any_choice_only_necessary_cookies_are_set(demo_site: Any, client: Client) -> None:
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "cookie-banner" in response.content.decode(), url
    assert set(_cookies(client)) <= consent.NECESSARY_COOKIES
    assert set(_cookies(client)) == {"csrftoken"}  # for the consent form itself; no session, no language, no choice


def test_only_necessary_stores_the_choice_with_its_version_and_nothing_else(demo_site: Any, client: Client) -> None:
    client.get("/")
    response = _choose(client, "necessary")
    assert response.status_code == 302
    assert response["Location"] == "/sosken-sammen/"
    morsel = response.cookies[consent.COOKIE_NAME]
    assert morsel.value == f"{consent.version()}.necessary"
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    for url in PUBLIC_PAGES:
        assert "cookie-banner" not in client.get(url).content.decode(), url
    assert set(_cookies(client)) == {"csrftoken", consent.COOKIE_NAME}


def test_accept_stores_the_choice_and_still_sets_no_optional_cookie(demo_site: Any, client: Client) -> None:
    client.get("/")
    _choose(client, "all")
    for url in PUBLIC_PAGES:
        assert "cookie-banner" not in client.get(url).content.decode(), url
    cookies = _cookies(client)
    assert cookies[consent.COOKIE_NAME] == f"{consent.version()}.all"
    assert set(cookies) == {"csrftoken", consent.COOKIE_NAME}


def test_both_choices_are_equally_easy_on_the_first_layer(home: Any, client: Client) -> None:
    html = client.get("/").content.decode()
    banner = html[html.index('class="cookie-banner"') :]
    buttons = re.findall(
        r'<button class="([^"]*)" data-variant="([^"]*)" type="submit" name="choice" value="(\w+)"', banner
    )
    assert [b[2] for b in buttons] == ["all", "necessary"]
    assert buttons[0][:2] == buttons[1][:2]  # same kind of button, side by side in one form


def test_the_choice_can_be_changed_from_every_page_footer(demo_site: Any, client: Client) -> None:
    _choose(client, "all")
    for url in PUBLIC_PAGES:
        assert re.search(r'href="(/en)?/informasjonskapsler/\?next=', client.get(url).content.decode()), url
    page = client.get("/informasjonskapsler/?next=/historier/")
    assert "Du har godtatt alle informasjonskapsler." in page.content.decode()
    response = client.post("/informasjonskapsler/", {"choice": "necessary", "next": "/historier/"})
    assert response["Location"] == "/historier/"
    assert client.cookies[consent.COOKIE_NAME].value == f"{consent.version()}.necessary"


def test_a_choice_for_an_older_version_of_the_notice_counts_as_no_choice(
    home: Any, client: Client, settings: Any
) -> None:
    _choose(client, "all")
    settings.WEBSITE_CONSENT_VERSION = consent.version() + 1
    assert "cookie-banner" in client.get("/").content.decode()
    assert not consent.allows(client.get("/").wsgi_request, "statistics")


def test_a_bad_choice_or_an_outside_next_is_refused(home: Any, client: Client) -> None:
    assert _choose(client, "everything").status_code == 400
    assert consent.COOKIE_NAME not in _cookies(client)
    response = _choose(client, "necessary", next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_no_public_page_loads_anything_from_a_third_party(demo_site: Any, client: Client, settings: Any) -> None:
    attributes = re.compile(r'(?:src|srcset|href|action|content)="(https?://[^"]+)"')
    for url in [*PUBLIC_PAGES, "/personvern/", "/ingen-barn-alene/", "/informasjonskapsler/", "/finnes-ikke/"]:
        html = client.get(url).content.decode()
        own = (settings.SITE_URL.rstrip("/") + "/", "http://testserver/")
        outside = [u for u in attributes.findall(html) if not u.startswith(own)]
        assert outside == [], (url, outside)
        assert "<script" not in html, url


def test_the_privacy_statement_lists_every_cookie(demo_site: Any, client: Client) -> None:
    html = client.get("/personvern/").content.decode()
    for cookie in consent.COOKIES:
        assert f"<code>{cookie.name}</code>" in html
