"""The public website in Chromium: axe-core on every page type, nb and en, at 320 px and desktop; the cookie banner."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/sosken-sammen/",
    "/historier/",
    "/historier/tre-sosken-ett-hjem/",
    "/ingen-barn-alene/",
    "/personvern/",
    "/tilgjengelighet/",
    "/nokkeltall/",
    "/hvor-vi-jobber/",
    "/hvor-vi-jobber/europa/",
    "/hvor-vi-jobber/europa/no/",
    "/bli-partner/",
    "/nyhetsbrevet/",
    "/sok/?q=s%C3%B8sken",
    "/informasjonskapsler/",
    "/finnes-ikke/",
]
WIDTHS = {"320": {"width": 320, "height": 640}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def seeded(transactional_db: None) -> None:  # a live server needs committed pages
    from barneby.core.demo import DemoContext
    from barneby.organisation.tests import factories as org
    from barneby.website.demo import seed_website

    norway = org.association(country="NO")  # where we work: one village with a programme
    org.programme(norway, org.location(norway, name="Barnebyen Bergen"), name="Fosterhjem for søsken")
    seed_website(DemoContext(scale="national", seed=1, progress=lambda items, **kw: iter(items)))


@pytest.mark.slow
@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_public_page_type_has_no_axe_violations_in_both_languages(
    live_server: Any, page: Any, seeded: None, width: str
) -> None:
    page.set_viewport_size(WIDTHS[width])
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:")) else None,
    )
    axe = Axe()
    for language_prefix in ("", "/en"):
        for path in PAGES:
            url = f"{live_server.url}{language_prefix}{path}"
            page.goto(url)
            results = axe.run(page)
            assert results.violations_count == 0, (url, results.generate_report())
            assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"], url
    assert outside == []
    assert page.csp_violations == []


def test_the_cookie_banner_goes_away_after_a_choice_and_comes_back_from_the_footer(
    live_server: Any, page: Any, seeded: None
) -> None:
    page.goto(f"{live_server.url}/sosken-sammen/")
    banner = page.get_by_role("region", name="Ditt valg om informasjonskapsler")
    assert banner.is_visible()
    banner.get_by_role("button", name="Bare nødvendige").click()
    page.wait_for_url(f"{live_server.url}/sosken-sammen/")
    assert page.get_by_role("region", name="Ditt valg om informasjonskapsler").count() == 0
    names = {c["name"] for c in page.context.cookies()}
    assert names == {"csrftoken", "barneby_samtykke"}
    page.get_by_role("link", name="Valg for informasjonskapsler").click()
    page.get_by_role("button", name="Godta alle").click()
    page.wait_for_url(f"{live_server.url}/sosken-sammen/")
    assert next(c["value"] for c in page.context.cookies() if c["name"] == "barneby_samtykke").endswith(".all")
