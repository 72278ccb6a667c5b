"""The losing side of a race: a clear message or the winner's result, never a database error; the winner's work stands.

Each test lets the loser act on what it read before the winner committed (the stale read is patched in),
so the database's constraints decide, as they would between two processes.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from barneby.accounts.models import User
from barneby.core.tests.personas import verified_client
from barneby.fundraising import claims, payments
from barneby.fundraising.models import (
    Claim,
    ClaimRun,
    ClaimRunStatus,
    NetsUpload,
    NetsUploadStatus,
    OcrImport,
    Payment,
    PaymentMethod,
)
from barneby.fundraising.tests import factories as f
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


def _period(months_ahead: int = 3) -> dt.date:
    return (timezone.localdate() + dt.timedelta(days=31 * months_ahead)).replace(day=1)


def _missed_the_winner(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loser looked for the month's run before the winner had committed it: it found none."""
    monkeypatch.setattr(claims, "_existing_run", lambda **_kw: None)


def test_a_second_start_of_the_same_month_gets_the_winners_run(
    association: MemberAssociation, donor_service: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    f.agreement(f.supporter(association))
    period = _period()
    winner = claims.claim_run_start(actor=donor_service, association=association, period=period)
    file_bytes = claims.claim_file_read(winner)
    _missed_the_winner(monkeypatch)
    loser = claims.claim_run_start(actor=donor_service, association=association, period=period)
    assert loser.pk == winner.pk
    assert ClaimRun.objects.count() == 1
    winner.refresh_from_db()
    assert (winner.status, winner.claim_count) == (ClaimRunStatus.COMPLETE, 1)
    assert claims.claim_file_read(winner) == file_bytes


def test_two_months_started_at_once_with_the_same_transmission_number_ask_to_try_again(
    association: MemberAssociation, donor_service: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = claims.claim_run_prepare(
        actor=donor_service, association=association, method=PaymentMethod.AVTALEGIRO, period=_period(3)
    )
    # The loser computed the next transmission number before the winner's run was committed.
    monkeypatch.setattr(claims, "_next_transmission_number", lambda: first.transmission_number)
    with pytest.raises(ValidationError, match="En annen trekkjøring ble startet i samme øyeblikk"):
        claims.claim_run_prepare(
            actor=donor_service, association=association, method=PaymentMethod.AVTALEGIRO, period=_period(4)
        )
    assert list(ClaimRun.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_same_month_posted_twice_answers_the_loser_with_a_page_not_an_error(
    association: MemberAssociation, donor_service: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    f.agreement(f.supporter(association))
    client = verified_client(donor_service)
    form = {"method": "avtalegiro", "period": _period().strftime("%d.%m.%Y")}
    assert client.post("/innsamling/trekk/", form).status_code == 302
    run = ClaimRun.objects.get()
    _missed_the_winner(monkeypatch)
    again = client.post("/innsamling/trekk/", form, follow=True)
    assert again.status_code == 200
    assert "Måneden er allerede kjørt" in again.content.decode()
    assert ClaimRun.objects.get() == run
    assert Claim.objects.count() == 1


def test_a_second_finish_of_a_run_keeps_the_winners_file_and_figures(
    association: MemberAssociation, donor_service: User, settings: Settings
) -> None:
    f.agreement(f.supporter(association))
    run = claims.claim_run_prepare(
        actor=donor_service, association=association, method=PaymentMethod.AVTALEGIRO, period=_period()
    )
    stale = ClaimRun.objects.get(pk=run.pk)  # what the losing process holds: still running
    claims.create_claims(run=run)
    winner = claims._finish_avtalegiro(actor=donor_service, run=run)
    sha, path = winner.file_sha256, Path(winner.file_name)
    first_written = path.stat().st_mtime_ns
    f.agreement(f.supporter(association))  # an agreement the loser's claims would have included
    claims.create_claims(run=stale)
    loser = claims._finish_avtalegiro(actor=donor_service, run=stale)
    assert (loser.pk, loser.status, loser.file_sha256) == (winner.pk, ClaimRunStatus.COMPLETE, sha)
    assert path.stat().st_mtime_ns == first_written  # the winner's file was not replaced
    assert list(path.parent.glob("*.part")) == []  # the loser's partial file is gone


def test_two_writers_of_the_same_claim_file_do_not_trip_over_each_others_part_file(
    association: MemberAssociation, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    run = ClaimRun.objects.create(
        association=association, period=_period(), due_date=_period().replace(day=20), transmission_number="0000042"
    )
    rows = [(f.agreement_kid(100001 + i), Decimal(300), run.due_date) for i in range(3)]
    both_open = threading.Barrier(2, timeout=10)

    def rows_after_both_opened(_run: ClaimRun) -> Any:
        both_open.wait()  # both writers have opened their partial file before either writes a line
        return iter(rows)

    monkeypatch.setattr(claims, "_claim_rows", rows_after_both_opened)
    path = claims.claim_file_path(run)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            claims.write_claim_file(run, path)
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=write) for _ in range(2)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    assert errors == []
    assert path.read_text(encoding="latin-1").count("\n") == 2 + 2 * len(rows) + 2
    assert list(path.parent.glob("*.part")) == []


def test_two_ocr_files_paying_the_same_claim_at_once_the_loser_is_told_and_saves_nothing(
    association: MemberAssociation, donor_service: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreement = f.agreement(f.supporter(association))
    run = ClaimRun.objects.create(
        association=association, period=dt.date(2026, 1, 1), due_date=dt.date(2026, 1, 20), transmission_number="1"
    )
    claim = Claim.objects.create(
        claim_run=run, agreement=agreement, period=run.period, amount=Decimal(350), due_date=run.due_date
    )
    first = f.ocr_file([(agreement.kid, Decimal("350.00"))], date=dt.date(2026, 1, 20))
    second = f.ocr_file([(agreement.kid, Decimal("350.00")), ("99999999999", Decimal(5))], date=dt.date(2026, 1, 21))
    stale_open = payments._open_claims  # the loser read the open claims before the winner committed
    queues = stale_open([agreement.pk], dt.date(2026, 3, 1), association=association)
    winner = payments.ocr_import(actor=donor_service, association=association, data=first)
    monkeypatch.setattr(payments, "_open_claims", lambda *_a, **_kw: queues)
    with pytest.raises(ValidationError, match="En annen fil ble lest inn i samme øyeblikk"):
        payments.ocr_import(actor=donor_service, association=association, data=second)
    assert list(OcrImport.objects.all()) == [winner]
    assert Payment.objects.get().claim == claim  # the winner's payment keeps the claim
    monkeypatch.setattr(payments, "_open_claims", stale_open)
    again = payments.ocr_import(actor=donor_service, association=association, data=second)
    assert Payment.objects.filter(ocr_import=again, claim__isnull=True).count() == 2


def test_the_loser_of_an_ocr_race_sees_a_message_on_the_page(
    association: MemberAssociation, donor_service: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    def lost(**_kw: Any) -> Any:
        from django.db import IntegrityError

        raise IntegrityError("UNIQUE constraint failed: fundraising_payment.claim_id")

    monkeypatch.setattr(payments, "_ocr_apply", lost)
    client: Client = verified_client(donor_service)
    data = f.ocr_file([("99999999999", Decimal(5))]).encode("latin-1")
    response = client.post("/innsamling/nets/", {"kind": "ocr", "file": SimpleUploadedFile("ocr.txt", data)})
    # The file was sound, so it was queued; the task lost the race and says so on the import page.
    assert response["Location"] == "/innsamling/nets/"
    page = client.get("/innsamling/nets/").content.decode()
    assert "Ingenting fra denne filen er lagret" in page
    assert not OcrImport.objects.exists()
    upload = NetsUpload.objects.get()
    assert (upload.status, upload.data) == (NetsUploadStatus.FAILED, None)


def test_posting_a_month_that_is_still_running_says_so_and_resumes_it(
    association: MemberAssociation, donor_service: User
) -> None:
    f.agreement(f.supporter(association))
    period = _period()
    started = claims.claim_run_prepare(
        actor=donor_service, association=association, method=PaymentMethod.AVTALEGIRO, period=period
    )
    client = verified_client(donor_service)
    form = {"method": "avtalegiro", "period": period.strftime("%d.%m.%Y")}
    page = client.post("/innsamling/trekk/", form, follow=True).content.decode()
    assert "Kjøringen for denne måneden var allerede startet" in page
    assert "Kjøringen er startet." not in page
    started.refresh_from_db()
    assert (started.status, started.claim_count) == (ClaimRunStatus.COMPLETE, 1)
    assert ClaimRun.objects.count() == 1
