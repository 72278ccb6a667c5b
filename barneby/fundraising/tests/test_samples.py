"""The three Nets sample files (../shared/data/nets/) read and import as their own end records say."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from barneby.accounts.models import User
from barneby.audit.models import AuditEvent
from barneby.fundraising import nets
from barneby.fundraising.models import AgreementState, NetsFileKind, Payment, PaymentStatus
from barneby.fundraising.payments import agreements_file_import, ocr_import
from barneby.fundraising.tests import factories as f
from barneby.organisation.models import MemberAssociation

OCR_KIDS = (
    "0000531",
    "0036633",
    "0048763",
    "0063851",
    "0120243",
    "0165867",
    "0178357",
    "02212291038306",
    "02311291038304",
    "02310291038308",
    "000149012",
    "01211291038306",
    "02111291038305",
    "02321291038303",
    "02331291038302",
    "02341291038301",
    "02358291038305",
    "02311291029238",
    "02311291034832",
    "02311291133188",
)


def _end_record(path: Path) -> tuple[int, int, int]:
    """Transactions, records and total (øre) as the file's own 89 record states them."""
    last = path.read_text(encoding="iso-8859-1").strip().splitlines()[-1]
    assert last.startswith("NY000089")
    return int(last[8:16]), int(last[16:24]), int(last[24:41])


def test_ocr_sample_reads_with_the_totals_of_its_end_record(nets_data: Path) -> None:
    path = nets_data / "ocr_giro_transactions.txt"
    summary = nets.summarise(nets.read_transmission(path.read_bytes()))
    transactions, records, total_ore = _end_record(path)
    assert (transactions, records, total_ore) == (20, 45, 5_144_900)
    assert summary.transactions == transactions
    assert summary.records == records
    assert summary.total * 100 == total_ore
    assert summary.kids == OCR_KIDS


@pytest.mark.django_db
def test_ocr_sample_imports_every_payment_and_matches_known_kids(
    nets_data: Path, association: MemberAssociation, donor_service: User
) -> None:
    donor = f.supporter(association)
    known = f.agreement(donor, kid="0036633", amount="1020.00")
    record = ocr_import(
        actor=donor_service,
        association=association,
        data=(nets_data / "ocr_giro_transactions.txt").read_bytes(),
        file_name="ocr_giro_transactions.txt",
    )
    assert record.kind == NetsFileKind.OCR
    assert (record.transmission_number, record.data_transmitter) == ("0170031", "00008080")
    assert record.transaction_count == 20
    assert record.total_amount == Decimal("51449.00")
    assert record.nets_date == dt.date(1992, 1, 20)
    payments = Payment.objects.filter(ocr_import=record).order_by("transaction_number")
    assert payments.count() == 20
    assert sum(p.amount for p in payments) * 100 == 5_144_900
    assert tuple(p.kid for p in payments) == OCR_KIDS
    first = payments[0]
    assert (first.transaction_type, first.amount, first.bank_date) == (21, Decimal("1020.00"), dt.date(1992, 1, 16))
    matched = payments.get(kid="0036633")
    assert (matched.status, matched.agreement, matched.supporter) == (PaymentStatus.MATCHED, known, donor)
    assert (record.matched_count, record.unmatched_count) == (1, 19)
    assert payments.filter(status=PaymentStatus.UNMATCHED).count() == 19
    assert AuditEvent.objects.filter(object_type="fundraising.ocrimport", object_id=str(record.pk)).exists()


def test_payment_request_sample_reads_with_the_totals_of_its_end_record(nets_data: Path) -> None:
    path = nets_data / "avtalegiro_payment_request.txt"
    transmission = nets.read_transmission(path.read_bytes(), expect=nets.is_claims_assignment)
    summary = nets.summarise(transmission)
    transactions, records, total_ore = _end_record(path)
    assert (summary.transactions, summary.records, int(summary.total * 100)) == (transactions, records, total_ore)
    assert (transactions, total_ore) == (6, 600)
    assert summary.kids == (
        "008000011688373",
        "008000021688389",
        "008000031688395",
        "008000041688401",
        "008000051688416",
        "008000061688422",
    )
    requests = transmission.assignments[0].transactions
    assert {r.date for r in requests} == {dt.date(2004, 6, 17)}
    assert "Gjelder Faktura: 168837" in requests[0].text


@pytest.mark.django_db
def test_agreements_sample_activates_known_kids_and_lists_the_rest(
    nets_data: Path, association: MemberAssociation, donor_service: User
) -> None:
    path = nets_data / "avtalegiro_agreements.txt"
    transactions, records, _total = _end_record(path)
    assert (transactions, records) == (16, 20)
    donor = f.supporter(association)
    notify = f.agreement(donor, kid="000112000507155", state=AgreementState.PENDING)
    quiet = f.agreement(donor, kid="001006300507304", state=AgreementState.PENDING, notify_by_bank=True)
    result = agreements_file_import(
        actor=donor_service, association=association, data=path.read_bytes(), file_name=path.name
    )
    notify.refresh_from_db()
    quiet.refresh_from_db()
    assert (notify.state, notify.notify_by_bank) == (AgreementState.ACTIVE, True)
    assert (quiet.state, quiet.notify_by_bank) == (AgreementState.ACTIVE, False)
    assert result.activated == 2
    assert len(result.problems) == 14
    assert result.record.transaction_count == 16
    assert "001186100509492" in {p["kid"] for p in result.problems}
    assert "000112000507155" not in {p["kid"] for p in result.problems}
