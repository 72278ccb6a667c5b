"""In Chromium: donor service registers a supporter past a duplicate warning, then runs the month's giro invoices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from barneby.accounts.models import User
from barneby.core.tests.personas import PASSWORD
from barneby.fundraising.models import ClaimRun, PaymentAgreement, Supporter
from barneby.fundraising.tests import factories as ff
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db(transaction=True)


def test_donor_service_registers_a_supporter_and_runs_giro_invoices(
    live_server: Any, page: Any, settings: Any, association: MemberAssociation, donor_service: User
) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    existing = ff.supporter(association, first_name="Kari", last_name="Nordmann", email="kari@example.org")
    base = live_server.url
    page.goto(f"{base}/konto/logg-inn/?next=/innsamling/givere/ny/")
    page.get_by_label("E-post").fill(donor_service.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/innsamling/givere/ny/")

    page.get_by_label("Fornavn").fill("Kari")
    page.get_by_label("Etternavn").fill("Nordmann-Berg")
    page.get_by_label("E-post").fill("KARI@example.org")
    page.get_by_role("button", name="Lagre").click()
    # Same e-mail: the existing supporter is shown, and nothing is saved until it is confirmed.
    duplicates = page.locator("section[aria-labelledby='duplicates-heading']")
    assert str(existing.donor_number) in duplicates.inner_text()
    assert Supporter.objects.count() == 1
    page.get_by_label("Opprett likevel").check()
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url("**/innsamling/givere/*/")
    assert "Giveren er registrert med givernummer" in page.content()
    created = Supporter.objects.exclude(pk=existing.pk).get()

    PaymentAgreement.objects.create(
        supporter=created,
        sequence=1,
        method="giro",
        kid=ff.agreement_kid(created.donor_number, 1),
        monthly_amount=300,
        state="active",
        start_date=dt.date(2020, 1, 1),
    )
    page.goto(f"{base}/innsamling/trekk/")
    page.get_by_label("Betalingsmåte").select_option("giro")
    month = (dt.date.today().replace(day=1) + dt.timedelta(days=40)).replace(day=1)
    page.get_by_label("Måned").fill(month.strftime("%d.%m.%Y"))
    page.once("dialog", lambda dialog: dialog.accept())  # "Lage trekk for denne måneden?"
    page.get_by_role("button", name="Start kjøringen").click()
    page.wait_for_url(f"{base}/innsamling/trekk/")
    row = page.locator("#runs tbody tr").first
    assert "Giro" in row.inner_text()
    assert "Fullført" in row.inner_text()
    assert row.get_by_role("link", name="Last ned").count() == 1
    assert ClaimRun.objects.get().claim_count == 1
    assert page.csp_violations == []
