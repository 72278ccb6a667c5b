"""Gift receipts: an e-mail with one PDF after commit, only with an address and not for anonymised donors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from barneby.accounts.models import User
from barneby.accounts.roles import Role
from barneby.core.pdf import pdf_text
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising import receipts, services
from barneby.fundraising.models import Gift, Payment, PaymentSource, Supporter
from barneby.fundraising.tests import factories as ff
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def _gift(actor: User, supporter: Supporter, amount: str = "1234.50") -> Gift:
    return services.gift_create(
        actor=actor, supporter=supporter, amount=amount, date=dt.date(2026, 1, 5), channel="bank_transfer"
    )


def test_receipt_is_mailed_after_commit_with_one_pdf(
    association: MemberAssociation, donor_service: User, django_capture_on_commit_callbacks: Capture
) -> None:
    supporter = ff.supporter(association, email="kari@example.org", first_name="Kari", last_name="Ås")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        gift = _gift(donor_service, supporter)
    assert len(mail.outbox) == 0  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kari@example.org"]
    assert gift.receipt_number in message.subject
    assert "kr\xa01\xa0234,50" in message.body
    assert "05.01.2026" in message.body
    assert len(message.attachments) == 1
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == (f"kvittering-{gift.receipt_number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    gift.refresh_from_db()
    assert gift.receipt_sent_at is not None


def test_no_receipt_without_an_email_or_for_an_anonymised_donor(
    association: MemberAssociation, donor_service: User, django_capture_on_commit_callbacks: Capture
) -> None:
    without = ff.supporter(association, email="")
    anonymised = ff.supporter(association, email="gone@example.org", is_anonymised=True)
    with django_capture_on_commit_callbacks(execute=True):
        _gift(donor_service, without)
        _gift(donor_service, anonymised)
    assert mail.outbox == []
    assert not Gift.objects.filter(receipt_sent_at__isnull=False).exists()


def test_no_receipt_when_asked_not_to(
    association: MemberAssociation, donor_service: User, django_capture_on_commit_callbacks: Capture
) -> None:
    supporter = ff.supporter(association, email="kari@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.gift_create(
            actor=donor_service,
            supporter=supporter,
            amount="100",
            date=dt.date(2026, 1, 5),
            channel="cash",
            send_receipt=False,
        )
    assert mail.outbox == []


def test_tax_note_and_pdf_text() -> None:
    assert pdf_text("kr\xa01\xa0234,50 – æøå ✓") == "kr 1 234,50 - æøå ?"


def test_tax_note_mentions_the_report_only_with_an_identity_number(association: MemberAssociation) -> None:
    supporter = ff.supporter(association)
    gift = Gift(supporter=supporter, amount=Decimal(600), date=dt.date(2025, 3, 1), channel="cash")
    assert "fødselsnummeret ditt" in receipts.tax_note(gift)
    assert "25\xa0000" in receipts.tax_note(gift)
    supporter.national_id = "15908610064"
    assert "rapporterer gavene dine" in receipts.tax_note(gift)


def test_send_again_button(
    association: MemberAssociation, donor_service: User, django_capture_on_commit_callbacks: Capture
) -> None:
    supporter = ff.supporter(association, email="kari@example.org")
    gift = _gift(donor_service, supporter)
    client = verified_client(donor_service)
    url = f"/innsamling/gaver/{gift.pk}/kvittering/"
    page = client.get(f"/innsamling/givere/{supporter.pk}/").content.decode()
    assert url in page
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert len(mail.outbox[0].attachments) == 1


def test_send_again_without_email_is_refused(
    association: MemberAssociation, donor_service: User, django_capture_on_commit_callbacks: Capture
) -> None:
    supporter = ff.supporter(association, email="")
    gift = _gift(donor_service, supporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = verified_client(donor_service).post(f"/innsamling/gaver/{gift.pk}/kvittering/", follow=True)
    assert "ingen e-postadresse" in response.content.decode()
    assert mail.outbox == []


def test_a_payment_matched_as_a_gift_gets_a_receipt(
    association: MemberAssociation, donor_service: User, django_capture_on_commit_callbacks: Capture
) -> None:
    supporter = ff.supporter(association, email="kari@example.org")
    payment = Payment.objects.create(
        association=association, source=PaymentSource.MANUAL, amount=Decimal("200"), paid_date=dt.date(2026, 1, 20)
    )
    client = verified_client(donor_service)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/innsamling/uavstemt/", {"payment": payment.pk, "donor_number": supporter.donor_number})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "kr\xa0200,00" in mail.outbox[0].body


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PROGRAMME_DIRECTOR])
def test_send_again_is_for_donor_service_only(
    role: Role, association: MemberAssociation, donor_service: User, client: Client
) -> None:
    supporter = ff.supporter(association, email="kari@example.org")
    gift = services.gift_create(
        actor=donor_service,
        supporter=supporter,
        amount="100",
        date=dt.date(2026, 1, 5),
        channel="cash",
        send_receipt=False,
    )
    url = f"/innsamling/gaver/{gift.pk}/kvittering/"
    assert verified_client(make_persona(role)).post(url).status_code == 404
    assert client.post(url)["Location"].startswith("/konto/logg-inn/")
    assert mail.outbox == []


def test_receipts_for_the_gifts_of_an_ocr_import(
    association: MemberAssociation, donor_service: User, django_capture_on_commit_callbacks: Capture
) -> None:
    from barneby.fundraising import payments

    with_mail = ff.supporter(association, email="kari@example.org")
    without = ff.supporter(association, email="")
    kids = [services.supporter_gift_kid(with_mail), services.supporter_gift_kid(without)]
    data = ff.ocr_file([(kid or "", Decimal("300")) for kid in kids]).encode("iso-8859-1")
    record = payments.ocr_import(actor=donor_service, association=association, data=data)
    assert Gift.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert receipts.gift_receipts_for_import(record) == 1
    assert [m.to for m in mail.outbox] == [["kari@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert receipts.gift_receipts_for_import(record) == 0  # already sent


def test_uploading_an_ocr_file_sends_the_gift_receipts(
    association: MemberAssociation, donor_service: User, django_capture_on_commit_callbacks: Capture
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    donor = ff.supporter(association, email="per@example.org")
    kid = services.supporter_gift_kid(donor)
    assert kid is not None
    data = ff.ocr_file([(kid, Decimal("450"))]).encode("iso-8859-1")
    client = verified_client(donor_service)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/innsamling/nets/", {"kind": "ocr", "file": SimpleUploadedFile("ocr.txt", data, "text/plain")}
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["per@example.org"]]
    assert Gift.objects.get().receipt_sent_at is not None
