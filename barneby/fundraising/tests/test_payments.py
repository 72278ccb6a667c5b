"""OCR import: whole-file validation, idempotency, matching, the unmatched queue and manual entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from barneby.accounts.models import User
from barneby.audit.models import AuditAction, AuditEvent
from barneby.fundraising.models import (
    Claim,
    ClaimRun,
    Gift,
    OcrImport,
    Payment,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
)
from barneby.fundraising.payments import match_payment, ocr_import, payment_register
from barneby.fundraising.services import gift_create, supporter_gift_kid
from barneby.fundraising.tests import factories as f
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


def _nothing_imported() -> bool:
    return not OcrImport.objects.exists() and not Payment.objects.exists() and not Gift.objects.exists()


def test_same_ocr_file_twice_is_refused_and_adds_nothing(association: MemberAssociation, donor_service: User) -> None:
    donor = f.supporter(association)
    agreement = f.agreement(donor)
    data = f.ocr_file([(agreement.kid, Decimal("350.00")), ("99999999999", Decimal("100.00"))], number="0000077")
    ocr_import(actor=donor_service, association=association, data=data, file_name="a.txt")
    with pytest.raises(ValidationError, match="allerede importert") as caught:
        ocr_import(actor=donor_service, association=association, data=data.encode("iso-8859-1"), file_name="b.txt")
    assert "0000077" in caught.value.messages[0]
    assert OcrImport.objects.count() == 1
    assert Payment.objects.count() == 2


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda lines: lines[:-1], "NY000089"),  # missing end record
        (lambda lines: lines[:4] + lines[6:], "oppgir antall transaksjoner"),  # a transaction removed
        (lambda lines: lines[:3] + lines[5:], "oppgir antall poster"),  # half of two transactions removed
        (lambda lines: [*lines[:-1], lines[-1][:24] + "00000000000099999" + lines[-1][41:]], "totalbeløp"),
        (lambda lines: [*lines[:-2], lines[-2][:24] + "00000000000000001" + lines[-2][41:], lines[-1]], "oppdraget"),
        (lambda lines: [*lines[:4], lines[4][:40], *lines[5:]], "80"),  # truncated line
        (lambda lines: [*lines[:4], "XX" + lines[4][2:], *lines[5:]], "gyldig Nets-post"),
        (lambda lines: lines[1:], "startpost"),
        (lambda lines: [], "tom"),
    ],
)
def test_corrupt_ocr_file_is_rejected_whole_and_nothing_is_imported(
    association: MemberAssociation, donor_service: User, corrupt: object, message: str
) -> None:
    donor = f.supporter(association)
    agreement = f.agreement(donor)
    lines = f.ocr_file([(agreement.kid, Decimal("350.00")), ("55555555555", Decimal("20.00"))]).splitlines()
    data = "\n".join(corrupt(lines))  # type: ignore[operator]
    with pytest.raises(ValidationError) as caught:
        ocr_import(actor=donor_service, association=association, data=data)
    assert message in caught.value.messages[0]
    assert _nothing_imported()


def _fewer_records(line: str) -> str:
    """An end record (88 or 89) counting one record less (positions 17-24)."""
    return f"{line[:16]}{int(line[16:24]) - 1:08d}{line[24:]}"


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        # Amount item 2 of the first payment gone, and the end records' counts made to agree.
        (lambda lines: [*lines[:3], *lines[4:6], _fewer_records(lines[6]), _fewer_records(lines[7])], "beløpspost 2"),
        # Amount item 2 of the first payment carrying the second payment's number.
        (lambda lines: [*lines[:3], lines[3][:8] + "0000002" + lines[3][15:], *lines[4:]], "hører ikke til"),
    ],
)
def test_ocr_payment_without_its_amount_item_2_is_rejected_whole(
    association: MemberAssociation, donor_service: User, corrupt: object, message: str
) -> None:
    agreement = f.agreement(f.supporter(association))
    lines = f.ocr_file([(agreement.kid, Decimal("350.00")), ("55555555555", Decimal("20.00"))]).splitlines()
    with pytest.raises(ValidationError) as caught:
        ocr_import(actor=donor_service, association=association, data="\n".join(corrupt(lines)))  # type: ignore[operator]
    assert message in caught.value.messages[0]
    assert _nothing_imported()


def test_file_for_another_customer_unit_is_refused(association: MemberAssociation, donor_service: User) -> None:
    with pytest.raises(ValidationError, match="kundeenhet"):
        ocr_import(
            actor=donor_service, association=association, data=f.ocr_file([("1234", Decimal(1))], recipient="12345678")
        )
    assert _nothing_imported()


def test_agreements_file_is_not_accepted_as_payments(association: MemberAssociation, donor_service: User) -> None:
    with pytest.raises(ValidationError, match="feil type"):
        ocr_import(actor=donor_service, association=association, data=f.agreements_file([("1234", 1, False)]))
    assert _nothing_imported()


def test_unknown_kid_goes_to_the_unmatched_queue_and_is_matched_by_hand(
    association: MemberAssociation, donor_service: User
) -> None:
    donor = f.supporter(association)
    agreement = f.agreement(donor)
    ocr_import(actor=donor_service, association=association, data=f.ocr_file([("000000012345", Decimal("350.00"))]))
    payment = Payment.objects.get()
    assert (payment.status, payment.agreement, payment.supporter) == (PaymentStatus.UNMATCHED, None, None)

    match_payment(actor=donor_service, payment=payment, agreement=agreement)
    payment.refresh_from_db()
    assert (payment.status, payment.agreement, payment.supporter) == (PaymentStatus.MANUAL, agreement, donor)
    assert payment.matched_by == donor_service
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="fundraising.payment", object_id=str(payment.pk), actor=donor_service
    ).exists()
    with pytest.raises(ValidationError, match="allerede avstemt"):
        match_payment(actor=donor_service, payment=payment, agreement=agreement)


def test_manual_match_to_another_association_is_refused(
    association: MemberAssociation, other_association: MemberAssociation, donor_service: User
) -> None:
    foreign = f.agreement(f.supporter(other_association))
    ocr_import(actor=donor_service, association=association, data=f.ocr_file([("000000012345", Decimal("50.00"))]))
    with pytest.raises(ValidationError, match="annen medlemsorganisasjon"):
        match_payment(actor=donor_service, payment=Payment.objects.get(), agreement=foreign)
    assert Payment.objects.get().status == PaymentStatus.UNMATCHED


def test_unmatched_payment_matched_to_a_supporter_becomes_a_gift(
    association: MemberAssociation, donor_service: User
) -> None:
    donor = f.supporter(association)
    ocr_import(actor=donor_service, association=association, data=f.ocr_file([("000000012345", Decimal("75.00"))]))
    payment = match_payment(actor=donor_service, payment=Payment.objects.get(), supporter=donor)
    gift = Gift.objects.get()
    assert (gift.supporter, gift.amount, gift.payment) == (donor, Decimal("75.00"), payment)


def test_payment_to_a_gift_kid_records_a_one_off_gift(association: MemberAssociation, donor_service: User) -> None:
    donor = f.supporter(association)
    kid = supporter_gift_kid(donor)
    assert kid is not None
    ocr_import(actor=donor_service, association=association, data=f.ocr_file([(kid, Decimal("500.00"))]))
    payment = Payment.objects.get()
    assert (payment.status, payment.supporter, payment.agreement) == (PaymentStatus.MATCHED, donor, None)
    assert Gift.objects.get().payment == payment


def test_kid_of_another_associations_supporter_is_not_matched(
    association: MemberAssociation, other_association: MemberAssociation, donor_service: User
) -> None:
    foreign = f.agreement(f.supporter(other_association))
    ocr_import(actor=donor_service, association=association, data=f.ocr_file([(foreign.kid, Decimal("350.00"))]))
    assert Payment.objects.get().status == PaymentStatus.UNMATCHED


def test_payment_settles_the_oldest_open_claim_and_a_reversal_is_negative(
    association: MemberAssociation, donor_service: User
) -> None:
    donor = f.supporter(association)
    agreement = f.agreement(donor)
    run = ClaimRun.objects.create(
        association=association,
        period=dt.date(2026, 1, 1),
        due_date=dt.date(2026, 1, 20),
        transmission_number="0000001",
    )
    december = Claim.objects.create(
        claim_run=run,
        agreement=agreement,
        period=dt.date(2025, 12, 1),
        amount=Decimal(350),
        due_date=dt.date(2025, 12, 20),
    )
    january = Claim.objects.create(
        claim_run=run,
        agreement=agreement,
        period=dt.date(2026, 1, 1),
        amount=Decimal(350),
        due_date=dt.date(2026, 1, 20),
    )
    data = f.ocr_file([(agreement.kid, Decimal("350.00"))], date=dt.date(2026, 1, 20))
    ocr_import(actor=donor_service, association=association, data=data)
    assert Payment.objects.get().claim == december
    reversal = f.ocr_file(
        [(agreement.kid, Decimal("350.00"))], date=dt.date(2026, 1, 21), reversed_kids=[agreement.kid]
    )
    ocr_import(actor=donor_service, association=association, data=reversal)
    negative = Payment.objects.get(amount__lt=0)
    assert (negative.amount, negative.claim, negative.status) == (Decimal("-350.00"), None, PaymentStatus.MATCHED)
    assert not hasattr(january, "payment") or Payment.objects.filter(claim=january).count() == 0


@pytest.mark.parametrize("amount", ["0", "0.00", "-100", "-0.01", "abc", "1.001"])
def test_zero_negative_or_malformed_manual_amounts_are_refused(
    association: MemberAssociation, donor_service: User, amount: str
) -> None:
    donor = f.supporter(association)
    with pytest.raises(ValidationError):
        payment_register(actor=donor_service, association=association, amount=amount, paid_date=dt.date(2026, 1, 5))
    with pytest.raises(ValidationError):
        gift_create(actor=donor_service, supporter=donor, amount=amount, date=dt.date(2026, 1, 5), channel="cash")
    assert not Payment.objects.exists()
    assert not Gift.objects.exists()


def test_manual_payment_with_a_kid_is_matched(association: MemberAssociation, donor_service: User) -> None:
    agreement = f.agreement(f.supporter(association), method=PaymentMethod.GIRO)
    payment = payment_register(
        actor=donor_service, association=association, amount="350", paid_date=dt.date(2026, 1, 5), kid=agreement.kid
    )
    assert (payment.source, payment.status, payment.agreement) == (
        PaymentSource.MANUAL,
        PaymentStatus.MATCHED,
        agreement,
    )
    assert AuditEvent.objects.filter(object_type="fundraising.payment", object_id=str(payment.pk)).exists()
