"""In Chromium at 320 CSS pixels (WCAG 1.4.10 reflow): the supporter and tax report pages never scroll sideways."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from barneby.accounts.models import User
from barneby.core.tests.browser import submit
from barneby.core.tests.personas import PASSWORD
from barneby.fundraising.models import Gift, Payment, PaymentSource, PaymentStatus
from barneby.fundraising.tests import factories as ff
from barneby.fundraising.tests.test_taxreport import REPORTER, synthetic_fnr
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db(transaction=True)

# What is wider than the window, for the failure message.
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_supporter_and_tax_report_pages_fit_320_pixels(
    live_server: Any, browser: Any, settings: Any, association: MemberAssociation, donor_service: User
) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    settings.FUNDRAISING_ORGANISATION_NUMBER = REPORTER
    year = dt.date.today().year - 1
    settings.FUNDRAISING_TAX_DEDUCTION_MAX = {**settings.FUNDRAISING_TAX_DEDUCTION_MAX, year: 25000}
    donor = ff.supporter(
        association,
        first_name="Kari-Margrethe",
        last_name="Nordmann-Johannessen",
        email="kari.margrethe.nordmann-johannessen@eksempel.example.org",
        national_id=synthetic_fnr(1, 2, 1980),
    )
    agreement = ff.agreement(donor, amount="350.00")
    for month in range(1, 13):
        Payment.objects.create(
            association=association,
            source=PaymentSource.MANUAL,
            amount=Decimal(350),
            paid_date=dt.date(year, month, 20),
            status=PaymentStatus.MATCHED,
            supporter=donor,
            agreement=agreement,
            kid=agreement.kid,
        )
    Gift.objects.create(supporter=donor, amount=Decimal(500), date=dt.date(year, 6, 1), channel="giro")
    context = browser.new_context(locale="nb-NO", viewport={"width": 320, "height": 640})
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/konto/logg-inn/")
    page.get_by_label("E-post").fill(donor_service.email)
    page.get_by_label("Passord").fill(PASSWORD)
    submit(page.get_by_role("button", name="Logg inn"))
    for url in (f"/innsamling/givere/{donor.pk}/", f"/innsamling/skattefradrag/?year={year}"):
        response = page.goto(f"{base}{url}")
        assert response is not None
        assert response.status == 200, url
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (url, width, page.evaluate(WIDE))
    context.close()
