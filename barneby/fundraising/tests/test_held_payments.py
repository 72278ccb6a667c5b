"""Payments already imported under another transmission number are held for a person, never counted twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from barneby.accounts.models import User
from barneby.audit.models import AuditEvent
from barneby.core.tests.personas import verified_client
from barneby.fundraising.models import Claim, ClaimRun, Gift, OcrImport, Payment, PaymentStatus
from barneby.fundraising.payments import ocr_import, payment_discard_held, payment_release_held
from barneby.fundraising.tests import factories as f
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db
PAID = dt.date(2026, 1, 20)


def renumbered(data: str | bytes, number: str) -> str:
    """The same transmission under another transmission number (the start record's positions 17 to 23)."""
    text = data.decode("iso-8859-1") if isinstance(data, bytes) else data
    first, rest = text.split("\n", 1)
    assert first.startswith("NY000010")
    return f"{first[:16]}{number}{first[23:]}\n{rest}"


def test_the_real_sample_sent_again_under_another_number_is_held_whole(
    nets_data: Path, association: MemberAssociation, donor_service: User
) -> None:
    donor = f.supporter(association)
    known = f.agreement(donor, kid="0036633", amount="1020.00")
    data = (nets_data / "ocr_giro_transactions.txt").read_bytes()
    first = ocr_import(actor=donor_service, association=association, data=data, file_name="a.txt")
    assert Payment.objects.filter(ocr_import=first, archive_reference="").count() == 0  # archive refs are kept
    again = ocr_import(actor=donor_service, association=association, data=renumbered(data, "0170099"))
    assert again.transmission_number == "0170099"
    held = Payment.objects.filter(ocr_import=again)
    assert held.count() == 20
    assert set(held.values_list("status", flat=True)) == {PaymentStatus.HELD}
    assert (again.matched_count, again.unmatched_count, len(again.problems)) == (0, 0, 20)
    assert "forsendelse 0170031" in again.problems[0]["reason"]
    assert Payment.objects.filter(agreement=known).count() == 1  # the donor's payment is counted once
    originals = Payment.objects.filter(pk__in=held.values_list("duplicate_of", flat=True))
    assert set(originals.values_list("ocr_import", flat=True)) == {first.pk}


def _claimed_agreement(association: MemberAssociation) -> tuple[Claim, Claim]:
    agreement = f.agreement(f.supporter(association), amount="350.00")
    run = ClaimRun.objects.create(
        association=association, period=dt.date(2026, 1, 1), due_date=PAID, transmission_number="0000001"
    )
    january = Claim.objects.create(
        claim_run=run, agreement=agreement, period=run.period, amount=Decimal(350), due_date=PAID
    )
    february = Claim.objects.create(
        claim_run=run, agreement=agreement, period=dt.date(2026, 2, 1), amount=Decimal(350), due_date=PAID
    )
    return january, february


def test_only_the_payments_seen_before_are_held_and_a_person_decides(
    association: MemberAssociation, donor_service: User
) -> None:
    january, february = _claimed_agreement(association)
    kid = january.agreement.kid
    ocr_import(actor=donor_service, association=association, data=f.ocr_file([(kid, Decimal("350.00"))], date=PAID))
    # The bank sends it again in a new transmission, together with a payment not seen before.
    gift_kid = "99999999999"
    second = ocr_import(
        actor=donor_service,
        association=association,
        data=f.ocr_file([(kid, Decimal("350.00")), (gift_kid, Decimal("75.00"))], date=PAID),
    )
    by_kid = {p.kid: p for p in Payment.objects.filter(ocr_import=second)}
    assert by_kid[kid].status == PaymentStatus.HELD
    assert by_kid[gift_kid].status == PaymentStatus.UNMATCHED  # archive reference differs: not the same payment
    assert (second.unmatched_count, len(second.problems)) == (1, 1)
    january.refresh_from_db()
    assert Payment.objects.get(claim=january).ocr_import_id != second.pk
    assert not Payment.objects.filter(claim=february).exists()  # the duplicate did not pay next month

    client = verified_client(donor_service)
    page = client.get("/innsamling/uavstemt/").content.decode()
    assert "Innbetalinger som kan være dubletter" in page
    assert "Importer likevel" in page
    assert "Forkast" in page
    assert client.post("/innsamling/uavstemt/", {"held": "forkast", "payment": by_kid[kid].pk}).status_code == 302
    discarded = Payment.objects.get(pk=by_kid[kid].pk)
    assert (discarded.status, discarded.supporter, discarded.claim) == (PaymentStatus.DISCARDED, None, None)
    assert AuditEvent.objects.filter(
        object_type="fundraising.payment", object_id=str(discarded.pk), detail__startswith="discarded"
    ).exists()
    assert "held-heading" not in client.get("/innsamling/uavstemt/").content.decode()
    refused = client.post("/innsamling/uavstemt/", {"held": "importer", "payment": discarded.pk}, follow=True)
    assert "ikke holdt tilbake lenger" in refused.content.decode()
    assert Payment.objects.get(pk=discarded.pk).status == PaymentStatus.DISCARDED


def test_import_anyway_matches_the_payment_to_the_next_open_claim(
    association: MemberAssociation, donor_service: User
) -> None:
    january, february = _claimed_agreement(association)
    data = f.ocr_file([(january.agreement.kid, Decimal("350.00"))], date=PAID)
    ocr_import(actor=donor_service, association=association, data=data)
    ocr_import(actor=donor_service, association=association, data=renumbered(data, "7654321"))
    held = Payment.objects.get(status=PaymentStatus.HELD)
    client = verified_client(donor_service)
    response = client.post("/innsamling/uavstemt/", {"held": "importer", "payment": held.pk}, follow=True)
    assert "Innbetalingen er lest inn og avstemt." in response.content.decode()
    held.refresh_from_db()
    assert (held.status, held.agreement, held.claim) == (PaymentStatus.MATCHED, january.agreement, february)
    assert AuditEvent.objects.filter(object_id=str(held.pk), detail__contains="imported anyway").exists()
    with pytest.raises(ValidationError, match="ikke holdt tilbake lenger"):
        payment_release_held(actor=donor_service, payment=held)


def test_payments_imported_before_archive_references_were_kept_are_still_recognised(
    association: MemberAssociation, donor_service: User
) -> None:
    data = f.ocr_file([("99999999999", Decimal("120.00"))], date=PAID)
    ocr_import(actor=donor_service, association=association, data=data)
    Payment.objects.update(archive_reference="")
    again = ocr_import(actor=donor_service, association=association, data=renumbered(data, "1234567"))
    assert Payment.objects.get(ocr_import=again).status == PaymentStatus.HELD


def test_a_discarded_duplicate_is_no_money_and_a_gift_kid_is_not_given_twice(
    association: MemberAssociation, donor_service: User
) -> None:
    from barneby.fundraising.services import supporter_gift_kid

    donor = f.supporter(association)
    kid = supporter_gift_kid(donor)
    assert kid is not None
    data = f.ocr_file([(kid, Decimal("500.00"))], date=PAID)
    ocr_import(actor=donor_service, association=association, data=data)
    second = ocr_import(actor=donor_service, association=association, data=renumbered(data, "2345678"))
    assert Gift.objects.count() == 1
    held = Payment.objects.get(ocr_import=second)
    payment_discard_held(actor=donor_service, payment=held)
    assert Gift.objects.count() == 1
    assert Payment.objects.filter(supporter=donor).count() == 1
    assert OcrImport.objects.count() == 2


def test_the_nets_page_lists_the_held_payments_after_the_import(
    association: MemberAssociation, donor_service: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = f.ocr_file([("99999999999", Decimal("120.00"))], date=PAID)
    client = verified_client(donor_service)
    first = client.post("/innsamling/nets/", {"kind": "ocr", "file": SimpleUploadedFile("a.txt", data.encode())})
    assert first["Location"] == "/innsamling/nets/"
    again = renumbered(data, "3456789").encode()
    response = client.post("/innsamling/nets/", {"kind": "ocr", "file": SimpleUploadedFile("b.txt", again)})
    record = OcrImport.objects.get(transmission_number="3456789")
    assert response["Location"] == f"/innsamling/nets/?vis={record.pk}#import-{record.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "1 innbetalinger er holdt tilbake som mulige dubletter" in page
    assert "Mulig dublett: kr" in page
