"""GDPR: export of everything about a supporter (JSON, PDF) and erasure by anonymisation; both audited."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from stdnum.no import fodselsnummer

from barneby.accounts.models import User
from barneby.accounts.roles import Role
from barneby.audit.models import AuditAction, AuditEvent
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising import gdpr, services
from barneby.fundraising.models import Consent, Gift, Payment, PaymentSource, PaymentStatus, Supporter
from barneby.fundraising.tests import factories as ff
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


def synthetic_person_number(day: int = 15, month: int = 10, year: int = 1986) -> str:
    """A Tenor-style synthetic fødselsnummer (month + 80) with valid check digits."""
    base = f"{day:02d}{month + 80:02d}{year % 100:02d}512"
    first = fodselsnummer.calc_check_digit1(base)
    return base + first + fodselsnummer.calc_check_digit2(base + first)


@pytest.fixture
def donor(association: MemberAssociation, donor_service: User) -> Supporter:
    supporter = ff.supporter(
        association,
        first_name="Åse",
        last_name="Ødegård",
        email="ase@example.org",
        phone="91234567",
        street_address="Bærveien 2",
        postcode="5003",
        city="Bergen",
        national_id=synthetic_person_number(),
    )
    agreement = ff.agreement(supporter, state="cancelled")
    Payment.objects.create(
        association=association,
        source=PaymentSource.MANUAL,
        amount=Decimal("1234.50"),
        paid_date=dt.date(2024, 5, 20),
        status=PaymentStatus.MATCHED,
        supporter=supporter,
        agreement=agreement,
        kid=agreement.kid,
    )
    services.gift_create(
        actor=donor_service,
        supporter=supporter,
        amount="750",
        date=dt.date(2024, 6, 1),
        channel="cash",
        note="Til minne om mor",
        send_receipt=False,
    )
    services.consent_record(
        actor=donor_service, supporter=supporter, purpose="newsletter", granted=True, source="form", text_version="nb-1"
    )
    return supporter


def test_json_export_holds_everything_and_masks_the_identity_number(donor: Supporter, donor_service: User) -> None:
    data = json.loads(gdpr.supporter_export_json(actor=donor_service, supporter=donor))
    assert data["supporter"]["last_name"] == "Ødegård"
    assert data["supporter"]["national_id"] == "******" + donor.national_id[-5:]
    assert donor.national_id not in json.dumps(data)
    assert [p["amount"] for p in data["payments"]] == ["1234.50"]
    assert [g["amount"] for g in data["gifts"]] == ["750.00"]
    assert [a["kid"] for a in data["agreements"]] == [donor.agreements.get().kid]
    assert [c["purpose"] for c in data["consents"]] == ["newsletter"]
    assert "phone_key" not in data["supporter"]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(donor.pk))
    assert event.detail == "gdpr export json"


def test_pdf_export_is_a_pdf_and_audited(donor: Supporter, donor_service: User) -> None:
    content = gdpr.supporter_export_pdf(actor=donor_service, supporter=donor)
    assert content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail="gdpr export pdf").count() == 1


def test_export_pages(donor: Supporter, donor_service: User) -> None:
    client = verified_client(donor_service)
    as_json = client.get(f"/innsamling/givere/{donor.pk}/innsyn.json")
    assert as_json.status_code == 200
    assert as_json["Content-Disposition"] == f'attachment; filename="giver-{donor.donor_number}.json"'
    assert json.loads(as_json.content)["payments"][0]["amount"] == "1234.50"
    as_pdf = client.get(f"/innsamling/givere/{donor.pk}/innsyn.pdf")
    assert as_pdf.status_code == 200
    assert as_pdf["Content-Type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(donor.pk)).count() == 2


def test_erasure_anonymises_and_keeps_the_accounts(donor: Supporter, donor_service: User) -> None:
    today = dt.date(2026, 3, 1)  # the 2024 gifts were reported by 31 January 2025
    with pytest.raises(ValidationError) as caught:
        gdpr.supporter_erase(actor=donor_service, supporter=donor, confirm_donor_number="1", today=today)
    assert "confirm" in caught.value.message_dict
    gdpr.supporter_erase(actor=donor_service, supporter=donor, confirm_donor_number=donor.donor_number, today=today)
    donor.refresh_from_db()
    assert donor.is_anonymised is True
    assert donor.anonymised_at is not None
    assert (donor.first_name, donor.last_name, donor.email, donor.phone, donor.national_id) == ("", "", "", "", "")
    assert (donor.street_address, donor.postcode, donor.city, donor.phone_key) == ("", "", "", "")
    assert str(donor.display_name) == "Anonymisert giver"
    payment = Payment.objects.get()
    assert (payment.amount, payment.paid_date, payment.supporter_id) == (
        Decimal("1234.50"),
        dt.date(2024, 5, 20),
        donor.pk,
    )
    gift = Gift.objects.get()
    assert (gift.amount, gift.note) == (Decimal("750.00"), "")
    assert services.consent_granted(donor, "newsletter") is False
    assert services.consent_granted(donor, "post") is False
    assert Consent.objects.filter(supporter=donor, granted=False).count() == 2  # newsletter and post
    assert AuditEvent.objects.filter(object_id=str(donor.pk), detail__startswith="gdpr erasure").count() == 1


def test_erasure_waits_for_the_tax_report(association: MemberAssociation, donor_service: User) -> None:
    supporter = ff.supporter(association, national_id=synthetic_person_number())
    services.gift_create(
        actor=donor_service,
        supporter=supporter,
        amount="600",
        date=dt.date(2026, 12, 1),
        channel="cash",
        send_receipt=False,
    )
    assert gdpr.erasure_blocked_until(supporter, today=dt.date(2026, 12, 24)) == dt.date(2027, 2, 1)
    assert gdpr.erasure_blocked_until(supporter, today=dt.date(2027, 1, 31)) == dt.date(2027, 2, 1)
    assert gdpr.erasure_blocked_until(supporter, today=dt.date(2027, 2, 1)) is None
    with pytest.raises(ValidationError, match=r"01\.02\.2027"):
        gdpr.supporter_erase(
            actor=donor_service,
            supporter=supporter,
            confirm_donor_number=supporter.donor_number,
            today=dt.date(2027, 1, 10),
        )
    supporter.refresh_from_db()
    assert supporter.is_anonymised is False
    # Under the minimum, or without an identity number, nothing needs reporting.
    small = ff.supporter(association, national_id=synthetic_person_number(day=16))
    services.gift_create(
        actor=donor_service,
        supporter=small,
        amount="499",
        date=dt.date(2026, 12, 1),
        channel="cash",
        send_receipt=False,
    )
    assert gdpr.erasure_blocked_until(small, today=dt.date(2026, 12, 24)) is None


def test_erasure_refused_with_an_open_agreement(association: MemberAssociation, donor_service: User) -> None:
    supporter = ff.supporter(association)
    ff.agreement(supporter, state="active")
    problems = gdpr.erasure_problems(supporter)
    assert any("betalingsavtaler" in p for p in problems)


def test_erasure_page_asks_for_the_donor_number(donor: Supporter, donor_service: User) -> None:
    client = verified_client(donor_service)
    url = f"/innsamling/givere/{donor.pk}/anonymiser/"
    page = client.get(url)
    assert page.status_code == 200
    assert "bokføringsloven" in page.content.decode()
    wrong = client.post(url, {"confirm": "123"})
    assert wrong.status_code == 400
    assert f"Skriv givernummeret {donor.donor_number}" in wrong.content.decode()
    donor.refresh_from_db()
    assert donor.is_anonymised is False
    done = client.post(url, {"confirm": str(donor.donor_number)})
    assert done.status_code == 302
    donor.refresh_from_db()
    assert donor.is_anonymised is True  # the fixture's 2024 gifts were reported by 31 January 2025


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.AUDITOR])
def test_gdpr_pages_are_for_donor_service_only(role: Role, donor: Supporter, client: Client) -> None:
    other = verified_client(make_persona(role))
    for suffix in ("innsyn.json", "innsyn.pdf", "anonymiser/"):
        url = f"/innsamling/givere/{donor.pk}/{suffix}"
        assert other.get(url).status_code == 404, url
        anonymous = client.get(url)
        assert anonymous.status_code == 302, url
        assert anonymous["Location"].startswith("/konto/logg-inn/")
    assert other.post(
        f"/innsamling/givere/{donor.pk}/anonymiser/", {"confirm": str(donor.donor_number)}
    ).status_code in {
        403,
        404,
    }
    donor.refresh_from_db()
    assert donor.is_anonymised is False
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
