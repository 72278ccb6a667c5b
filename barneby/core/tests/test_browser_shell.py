"""The UI shell in a real browser: sign-in, landmarks, 320 px, CSP, accessibility."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from barneby.accounts.roles import Role
from barneby.core.tests.browser import submit
from barneby.core.tests.personas import PASSWORD, make_persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_journey_in_chromium(live_server: Any, page: Any) -> None:
    from django_otp.oath import totp

    from barneby.accounts.models import AuthenticatorDevice

    user = make_persona(Role.ME_ADVISOR)
    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    page.goto(f"{live_server.url}/konto/logg-inn/")
    assert page.locator("h1").count() == 1
    assert page.locator("main#main").count() == 1
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/konto/tofaktor/**")
    page.get_by_label("Engangskode", exact=True).fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Bekreft").click()
    page.wait_for_url(f"{live_server.url}/ansatt/")
    assert "Hei," in page.locator("h1").inner_text()
    assert page.csp_violations == []


def test_language_switch_to_english_and_back(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/konto/logg-inn/")
    submit(page.get_by_role("button", name="English"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Sign in"
    submit(page.get_by_role("button", name="Norsk"))
    assert page.locator("html").get_attribute("lang") == "nb"


def test_sign_in_page_works_at_320_px_without_horizontal_scroll(live_server: Any, page: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/konto/logg-inn/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320
    assert page.get_by_role("button", name="Logg inn").is_visible()


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hopp til hovedinnhold"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("path", ["/", "/konto/logg-inn/", "/konto/glemt-passord/"])
def test_public_pages_have_no_axe_violations(live_server: Any, page: Any, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_staff_list_page_works_at_320_px_and_filters_with_htmx(live_server: Any, page: Any, settings: Any) -> None:
    from barneby.audit.models import AuditAction
    from barneby.audit.services import audit_record

    settings.BARNEBY_REQUIRE_2FA = False
    user = make_persona(Role.AUDITOR)
    audit_record(actor=None, action=AuditAction.VIEW, object_type="accounts.user", object_id=1, detail="needle")
    audit_record(actor=None, action=AuditAction.VIEW, object_type="accounts.user", object_id=2, detail="haystack")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/konto/logg-inn/?next=/revisjon/")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/revisjon/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Søk i objekt, detaljer og IP").fill("needle")
    page.locator("main").get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**/revisjon/?*text=needle*")
    results = page.locator("#results")
    assert "needle" in results.inner_text()
    assert "haystack" not in results.inner_text()
    # HTMX swapped the results in place: no full reload happened.
    assert page.evaluate("window.__marker") == "same page"
    assert page.csp_violations == []
