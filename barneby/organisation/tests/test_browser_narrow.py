"""In Chromium at 320 CSS pixels (WCAG 1.4.10 reflow): the register's pages and the start page never scroll
sideways; wide tables scroll inside their own box."""

from __future__ import annotations

from typing import Any

import pytest

from barneby.accounts.roles import Role, ScopeKind
from barneby.core.tests.browser import submit
from barneby.core.tests.personas import PASSWORD, make_persona
from barneby.organisation.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(e => !e.closest('.table-wrap'))
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_register_pages_fit_320_pixels(live_server: Any, browser: Any, settings: Any) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    association = f.association(country="NO", name="SOS-barnebyer Norge og omegn", code="NO-SOS-LANG")
    location = f.location(association, name="SOS-barnebyen Bergen-Fyllingsdalen", municipality=f.bergen())
    programme = f.programme(
        association, location, name="Fosterhjem for søskenflokker – Bergen og Vestland", code="NO-SIB-BGO-VESTLAND"
    )
    home = f.home(programme, name="Familiehjemmet Solsikkeveien-Fyllingsdalen", street_address="Solsikkeveien 123")
    person = f.staff(
        association,
        programme=programme,
        home=home,
        first_name="Kari-Margrethe",
        last_name="Nordmann-Johannessen",
        email="kari.margrethe.nordmann-johannessen@eksempel.example.org",
    )
    user = make_persona(Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(association.pk))
    user.full_name = "Ingeborg-Marie Kristoffersen-Abrahamsen"  # the header's user menu must wrap, not widen
    user.save(update_fields=["full_name"])
    context = browser.new_context(locale="nb-NO", viewport={"width": 320, "height": 640})
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/konto/logg-inn/")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Passord").fill(PASSWORD)
    submit(page.get_by_role("button", name="Logg inn"))
    urls = [
        "/ansatt/",
        "/organisasjon/medlemsorganisasjoner/",
        "/organisasjon/steder/",
        "/organisasjon/programmer/",
        f"/organisasjon/programmer/{programme.pk}/",
        f"/organisasjon/programmer/{programme.pk}/endre/",
        "/organisasjon/hjem/",
        f"/organisasjon/hjem/{home.pk}/endre/",
        "/organisasjon/ansatte/",
        f"/organisasjon/ansatte/{person.pk}/",
        "/organisasjon/opplaering/utloper/",
    ]
    for url in urls:
        response = page.goto(f"{base}{url}")
        assert response is not None
        assert response.status == 200, url
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (url, width, page.evaluate(WIDE))
    context.close()
