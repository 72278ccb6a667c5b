"""Bli SOS-fadder in Chromium: a visitor signs up, and donor service finds it all in the back office.

AvtaleGiro and Vipps (through the fake provider's approval page), the whole sign-up with the
keyboard alone, and axe-core on every step of both forms at 320 px and desktop, in nb and en.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from barneby.accounts.models import User
from barneby.core.tests.browser import submit
from barneby.core.tests.personas import PASSWORD
from barneby.fundraising.kid import is_valid_kid
from barneby.fundraising.models import AgreementState, PaymentAgreement, PaymentMethod, Supporter
from barneby.organisation.models import Location, MemberAssociation
from barneby.organisation.tests import factories as org
from barneby.sponsorships.models import Sponsorship, SponsorshipState
from barneby.website import abuse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"320": {"width": 320, "height": 640}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def village(association: MemberAssociation, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Location:
    monkeypatch.setattr(abuse, "MIN_SECONDS", 0)  # a test types faster than a person (the check: test_giving.py)
    settings.FUNDRAISING_MONTHLY_PRESETS = [250, 350, 500]
    settings.FUNDRAISING_MONTHLY_MIN = 100
    return org.location(association, name="Barneby Nyeri", country="KE")


def _step_one(page: Any, village: Location) -> None:
    page.get_by_label("Eget beløp", exact=True).check()
    page.get_by_label("Eget beløp i kroner").fill("400")
    page.get_by_label("En bestemt barneby").check()
    page.locator("#id_village").select_option(str(village.pk))
    page.get_by_role("button", name="Neste").click()


def _step_two(page: Any) -> None:
    page.get_by_label("Fornavn", exact=True).fill("Solveig")
    page.get_by_label("Etternavn", exact=True).fill("Aasland")
    page.get_by_label("E-post", exact=True).fill("solveig.aasland@example.org")
    page.get_by_label("Mobilnummer", exact=True).fill("41234567")
    page.get_by_label("Adresse", exact=True).fill("Fjordveien 3")
    page.get_by_label("Postnummer", exact=True).fill("5003")
    page.get_by_label("Poststed", exact=True).fill("Bergen")
    page.get_by_label("Ja, jeg vil gjerne få nyheter").check()
    page.get_by_role("button", name="Neste").click()


def _donor_service_sees(page: Any, base: str, donor_service: User, method: str, state: str) -> None:
    supporter = Supporter.objects.get()
    agreement = PaymentAgreement.objects.get()
    sponsorship = Sponsorship.objects.get()
    assert (agreement.method, agreement.state) == (method, state)
    assert is_valid_kid(agreement.kid)
    assert sponsorship.state == SponsorshipState.PENDING
    assert str(sponsorship.monthly_amount) == "400.00"
    page.context.clear_cookies()
    page.goto(f"{base}/konto/logg-inn/?next=/innsamling/givere/{supporter.pk}/")
    page.get_by_label("E-post", exact=True).fill(donor_service.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/innsamling/givere/{supporter.pk}/")
    text = page.locator("main").inner_text()
    assert "Solveig Aasland" in text
    assert agreement.kid in text
    assert "Barneby Nyeri" in text
    assert "Venter" in text  # the pending sponsorship (and agreement)


def test_a_visitor_signs_up_for_400_a_month_to_a_village_with_avtalegiro_and_donor_service_sees_it(
    live_server: Any, page: Any, settings: Any, village: Location, donor_service: User
) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    base = live_server.url
    page.goto(f"{base}/")
    page.get_by_role("link", name="Bli fadder").first.click()
    page.wait_for_url(f"{base}/bli-fadder/")
    _step_one(page, village)
    _step_two(page)
    page.get_by_label("AvtaleGiro").check()
    page.get_by_role("button", name="Bli fadder").click()
    page.wait_for_url(f"{base}/bli-fadder/takk/*/")
    assert "nå er du SOS-fadder" in page.content()
    assert PaymentAgreement.objects.get().kid in page.locator("main").inner_text()
    _donor_service_sees(page, base, donor_service, PaymentMethod.AVTALEGIRO, AgreementState.PENDING)
    assert page.csp_violations == []


def test_the_same_with_vipps_through_the_fake_provider(
    live_server: Any, page: Any, settings: Any, village: Location, donor_service: User
) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    base = live_server.url
    page.goto(f"{base}/bli-fadder/")
    _step_one(page, village)
    _step_two(page)
    page.get_by_label("Vipps").check()
    page.get_by_role("button", name="Bli fadder").click()
    page.wait_for_url(f"{base}/vipps-test/**")
    assert not Supporter.objects.exists()  # nothing until Vipps says yes
    page.get_by_role("button", name="Godkjenn").click()
    page.wait_for_url(f"{base}/bli-fadder/takk/*/")
    _donor_service_sees(page, base, donor_service, PaymentMethod.VIPPS, AgreementState.ACTIVE)


def test_a_cancelled_vipps_step_leads_back_with_nothing_saved(live_server: Any, page: Any, village: Location) -> None:
    base = live_server.url
    page.goto(f"{base}/bli-fadder/")
    _step_one(page, village)
    _step_two(page)
    page.get_by_label("Vipps").check()
    page.get_by_role("button", name="Bli fadder").click()
    page.get_by_role("button", name="Avbryt").click()
    assert "Ingenting er registrert" in page.content()
    assert not Supporter.objects.exists()
    page.get_by_role("button", name="Tilbake til betaling").click()
    page.get_by_label("Giro: faktura").check()
    page.get_by_role("button", name="Bli fadder").click()
    page.wait_for_url(f"{base}/bli-fadder/takk/*/")
    assert PaymentAgreement.objects.get().method == PaymentMethod.GIRO


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_sign_up_can_be_completed_with_the_keyboard_alone(live_server: Any, page: Any, village: Location) -> None:
    base = live_server.url
    page.goto(f"{base}/bli-fadder/")
    # Step 1: the amount radios (three presets, then "own amount"), the place radios ("need" is chosen).
    _tab_to(page, "input[name='a-amount_choice']")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    _tab_to(page, "#id_a-other_amount")
    page.keyboard.type("400")
    _tab_to(page, "input[name='place_kind']")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    _tab_to(page, "#id_village")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "#giving-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_first_name")
    # Step 2: Enter in the last field sends the form on.
    for selector, text in [
        ("#id_first_name", "Solveig"),
        ("#id_last_name", "Aasland"),
        ("#id_email", "solveig.aasland@example.org"),
        ("#id_phone", "41234567"),
        ("#id_street_address", "Fjordveien 3"),
        ("#id_postcode", "5003"),
        ("#id_city", "Bergen"),
    ]:
        _tab_to(page, selector)
        page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_selector("input[name='method']")
    # Step 3: AvtaleGiro is the first method; Space chooses it.
    _tab_to(page, "input[name='method']")
    page.keyboard.press("Space")
    _tab_to(page, "#giving-submit")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/bli-fadder/takk/*/")
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.village == village
    assert str(sponsorship.monthly_amount) == "400.00"
    assert sponsorship.agreement is not None
    assert sponsorship.agreement.method == PaymentMethod.AVTALEGIRO


@pytest.mark.slow
@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_sign_up_and_gift_pages_have_no_axe_violations(
    live_server: Any, page: Any, village: Location, width: str
) -> None:
    page.set_viewport_size(WIDTHS[width])
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:")) else None,
    )
    axe = Axe()

    def check(label: str) -> None:
        results = axe.run(page)
        assert results.violations_count == 0, (label, page.url, results.generate_report())
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"], (label, page.url)

    for prefix in ("", "/en"):
        english = prefix == "/en"
        next_label = "Next" if english else "Neste"
        page.goto(f"{live_server.url}{prefix}/bli-fadder/")
        check("step 1")
        submit(page.get_by_role("button", name=next_label))
        check("step 1 with errors")
        page.locator("#id_a-amount_choice_3").check()
        page.locator("#id_a-other_amount").fill("400")
        page.locator("#id_place_kind_3").check()
        page.locator("#id_village").select_option(str(village.pk))
        submit(page.get_by_role("button", name=next_label))
        check("step 2")
        submit(page.get_by_role("button", name=next_label))
        check("step 2 with errors")
        for field, value in [
            ("first_name", "Solveig"),
            ("last_name", "Aasland"),
            ("email", f"solveig{prefix.strip('/')}.{width}@example.org"),
            ("phone", "41234567"),
            ("street_address", "Fjordveien 3"),
            ("postcode", "5003"),
            ("city", "Bergen"),
        ]:
            page.locator(f"#id_{field}").fill(value)
        submit(page.get_by_role("button", name=next_label))
        check("step 3")
        page.locator("#id_method_2").check()
        page.locator("#giving-submit").click()
        page.wait_for_url("**/takk/*/")
        check("receipt")
        page.goto(f"{live_server.url}{prefix}/gi-en-gave/")
        check("gift step 1")
    assert outside == []
    assert page.csp_violations == []
