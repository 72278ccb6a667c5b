"""The monthly AvtaleGiro claim run: the file, idempotency, resumption."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import netsgiro
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from barneby.accounts.models import User
from barneby.audit.models import AuditEvent
from barneby.fundraising.claims import build_claim_transmission, claim_file_read, claim_run_start
from barneby.fundraising.models import AgreementState, Claim, ClaimRun, ClaimRunStatus, PaymentMethod
from barneby.fundraising.tests import factories as f
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


def _period(months_ahead: int = 3) -> dt.date:
    return (timezone.localdate() + dt.timedelta(days=31 * months_ahead)).replace(day=1)


def _agreements(association: MemberAssociation, n: int) -> list[str]:
    kids = []
    for i in range(n):
        kids.append(f.agreement(f.supporter(association), amount=Decimal(200 + 50 * i)).kid)
    return kids


class Interrupted(Exception):
    pass


def test_claim_file_parses_back_with_equal_counts_and_totals(
    association: MemberAssociation, other_association: MemberAssociation, donor_service: User, settings: object
) -> None:
    kids = _agreements(association, 5)
    donor = f.supporter(association)
    f.agreement(donor, state=AgreementState.PENDING)
    f.agreement(donor, state=AgreementState.CANCELLED)
    f.agreement(donor, method=PaymentMethod.VIPPS)
    f.agreement(f.supporter(association), start_date=_period(5))  # starts after the month
    f.agreement(f.supporter(other_association))  # another association's sponsor
    period = _period()
    run = claim_run_start(actor=donor_service, association=association, period=period)

    assert run.status == ClaimRunStatus.COMPLETE
    assert run.claim_count == 5
    assert run.total_amount == Decimal(200 + 250 + 300 + 350 + 400)
    assert run.due_date == period.replace(day=20)
    assert Path(run.file_name).is_file()
    transmission = netsgiro.parse(claim_file_read(run).decode("iso-8859-1"))
    assert transmission.get_num_transactions() == run.claim_count
    assert transmission.get_num_records() == 2 * 5 + 4
    assert transmission.get_total_amount() == run.total_amount
    assert transmission.number == run.transmission_number
    assert transmission.data_transmitter == settings.FUNDRAISING_NETS_CUSTOMER_UNIT_ID  # type: ignore[attr-defined]
    assert transmission.data_recipient == netsgiro.NETS_ID
    requests = [r for r in transmission.assignments[0].transactions if isinstance(r, netsgiro.PaymentRequest)]
    assert sorted(str(r.kid) for r in requests) == sorted(kids)
    assert {r.type for r in requests} == {netsgiro.TransactionType.AVTALEGIRO_WITH_PAYEE_NOTIFICATION}
    assert {r.date for r in requests} == {run.due_date}
    assert AuditEvent.objects.filter(object_type="fundraising.claimrun", object_id=str(run.pk)).count() == 2
    # The streamed file is byte for byte what netsgiro's objects API writes for the same claims.
    assert claim_file_read(run) == (build_claim_transmission(run).to_ocr() + "\n").encode("iso-8859-1")


def test_second_run_for_the_same_month_charges_nobody_twice(
    association: MemberAssociation, donor_service: User
) -> None:
    _agreements(association, 3)
    period = _period()
    first = claim_run_start(actor=donor_service, association=association, period=period)
    f.agreement(f.supporter(association))  # a new sponsor after the file was made
    second = claim_run_start(actor=donor_service, association=association, period=period)
    assert second.pk == first.pk
    assert Claim.objects.filter(period=period).count() == 3
    assert ClaimRun.objects.count() == 1
    # The next month is a new run with its own transmission number and everyone in it.
    following = claim_run_start(actor=donor_service, association=association, period=_period(4))
    assert following.claim_count == 4
    assert following.transmission_number != first.transmission_number


def test_unique_constraint_is_the_last_guard_against_double_claims(association: MemberAssociation) -> None:
    from django.db import IntegrityError, transaction

    agreement = f.agreement(f.supporter(association))
    run = ClaimRun.objects.create(association=association, period=_period(), due_date=_period().replace(day=20))
    Claim.objects.create(claim_run=run, agreement=agreement, period=run.period, amount=1, due_date=run.due_date)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(claim_run=run, agreement=agreement, period=run.period, amount=1, due_date=run.due_date)


def test_interrupted_run_resumes_where_it_stopped(association: MemberAssociation, donor_service: User) -> None:
    _agreements(association, 7)
    period = _period()
    calls: list[tuple[int, int]] = []

    def stop_after_first_chunk(done: int, total: int) -> None:
        calls.append((done, total))
        if done >= 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        claim_run_start(
            actor=donor_service, association=association, period=period, chunk_size=3, progress=stop_after_first_chunk
        )
    run = ClaimRun.objects.get()
    assert run.status == ClaimRunStatus.RUNNING
    assert run.file_name == ""
    assert Claim.objects.filter(claim_run=run).count() == 3  # the first chunk was committed
    assert calls == [(0, 7), (3, 7)]
    run.refresh_from_db()
    assert (run.progress_done, run.progress_total) == (3, 7)  # what the page shows while it runs

    progress: list[tuple[int, int]] = []
    resumed = claim_run_start(
        actor=donor_service,
        association=association,
        period=period,
        chunk_size=3,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert resumed.pk == run.pk
    assert progress == [(0, 4), (3, 4), (4, 4)]
    assert resumed.status == ClaimRunStatus.COMPLETE
    assert resumed.claim_count == 7
    transmission = netsgiro.parse(claim_file_read(resumed).decode("iso-8859-1"))
    assert transmission.get_num_transactions() == 7
    assert len({r.kid for r in transmission.assignments[0].transactions}) == 7


def test_due_date_too_early_for_nets_is_refused(association: MemberAssociation, donor_service: User) -> None:
    _agreements(association, 1)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="for tidlig"):
        claim_run_start(actor=donor_service, association=association, period=today, due_date=today)
    with pytest.raises(ValidationError, match="tolv måneder"):
        claim_run_start(
            actor=donor_service, association=association, period=_period(14), due_date=_period(14).replace(day=20)
        )
    assert not ClaimRun.objects.exists()
    assert not Claim.objects.exists()


def test_month_with_nothing_due_completes_without_a_file(association: MemberAssociation, donor_service: User) -> None:
    run = claim_run_start(actor=donor_service, association=association, period=_period())
    assert (run.status, run.claim_count, run.file_name) == (ClaimRunStatus.COMPLETE, 0, "")
    with pytest.raises(ValidationError):
        claim_file_read(run)
