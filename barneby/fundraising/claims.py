"""The monthly claim run: one claim per active agreement and month, and the AvtaleGiro file to Nets.

Idempotent and resumable by construction:

* the database allows one ``Claim`` per (agreement, period), and claims are
  inserted with ``ON CONFLICT DO NOTHING`` (``bulk_create(ignore_conflicts=True)``),
  so running a month twice charges nobody twice;
* claims are created in chunks, each in its own transaction; a run that stops
  part-way stays *running* with the chunks already made, and starting it again
  for the same month picks up only the agreements still without a claim;
* the file is rebuilt from the period's claims every time, never appended to,
  so it always holds exactly the claims in the database.

A *complete* run is not rebuilt: it returns as it is (its file may already be at Nets).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import netsgiro
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    OuterRef,
    QuerySet,
    Sum,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from netsgiro.records import (
    AssignmentEnd,
    AssignmentStart,
    TransactionAmountItem1,
    TransactionAmountItem2,
    TransmissionEnd,
    TransmissionStart,
)
from netsgiro.utils import get_minimum_due_date

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.fundraising.models import (
    AgreementState,
    Claim,
    ClaimRun,
    ClaimRunStatus,
    PaymentAgreement,
    PaymentMethod,
)
from barneby.fundraising.nets import ENCODING
from barneby.organisation.models import MemberAssociation

Progress = Callable[[int, int], None]  # (claims made so far in this run, agreements due when it started)
CHUNK = 5000


def period_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def period_end(period: dt.date) -> dt.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def default_due_date(period: dt.date) -> dt.date:
    return period.replace(day=int(settings.FUNDRAISING_CLAIM_DAY))


def claimable_agreements(*, association: MemberAssociation, method: str, period: dt.date) -> QuerySet[PaymentAgreement]:
    """Active agreements of ``method`` that have started by the end of ``period`` (claimed or not)."""
    return PaymentAgreement.objects.filter(
        supporter__association=association,
        method=method,
        state=AgreementState.ACTIVE,
        start_date__lte=period_end(period),
    )


def due_agreements(*, association: MemberAssociation, method: str, period: dt.date) -> QuerySet[PaymentAgreement]:
    """Active agreements of ``method`` that have started by the end of ``period`` and have no claim for it."""
    claimed = Claim.objects.filter(agreement=OuterRef("pk"), period=period)
    return claimable_agreements(association=association, method=method, period=period).filter(~Exists(claimed))


def check_due_date(due: dt.date, *, now: dt.datetime | None = None) -> None:
    """Nets wants claims at least four calendar days (after 14:00: five) and at most 12 months ahead."""
    now = timezone.localtime(now)
    earliest = get_minimum_due_date(now)
    if due < earliest:
        raise ValidationError(
            _(
                "Forfallsdatoen {due} er for tidlig: Nets må ha trekkfilen minst fire kalenderdager før (tidligst {earliest})."
            ).format(due=due.isoformat(), earliest=earliest.isoformat()),
            code="due_date_too_early",
        )
    latest = now.date() + dt.timedelta(days=365)
    if due > latest:
        raise ValidationError(
            _("Forfallsdatoen {due} er mer enn tolv måneder fram i tid.").format(due=due.isoformat()),
            code="due_date_too_late",
        )


def _next_transmission_number() -> str:
    numbers = ClaimRun.objects.exclude(transmission_number="").values_list("transmission_number", flat=True)
    top = max((int(n) for n in numbers), default=0)
    return f"{(top + 1) % 10_000_000 or 1:07d}"


def _existing_run(*, association: MemberAssociation, method: str, period: dt.date) -> ClaimRun | None:
    return ClaimRun.objects.filter(association=association, method=method, period=period).first()


def run_for(
    *, actor: Any, association: MemberAssociation, method: str, period: dt.date, due_date: dt.date | None
) -> tuple[ClaimRun, bool]:
    """The month's run, created if needed (in its own transaction, so it survives an interruption).

    Two processes starting the same month at once both find no run; the database lets one insert it
    (one run per association, method and month). The other gets the winner's run back, to resume or show.
    Two processes starting *different* months may pick the same transmission number; the loser is told
    to try again instead of seeing the database's error.
    """
    try:
        return _run_create(actor=actor, association=association, method=method, period=period, due_date=due_date)
    except IntegrityError:
        winner = ClaimRun.objects.filter(association=association, method=method, period=period).first()
        if winner is not None:
            return winner, False
        raise ValidationError(
            _("En annen trekkjøring ble startet i samme øyeblikk. Ingenting er endret; prøv igjen."),
            code="concurrent_start",
        ) from None


def _run_create(
    *, actor: Any, association: MemberAssociation, method: str, period: dt.date, due_date: dt.date | None
) -> tuple[ClaimRun, bool]:
    with transaction.atomic():
        run = _existing_run(association=association, method=method, period=period)
        if run is not None:
            return run, False
        run = ClaimRun(
            association=association,
            method=method,
            period=period,
            due_date=due_date or default_due_date(period),
            transmission_number=_next_transmission_number() if method == PaymentMethod.AVTALEGIRO else "",
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        # The unique constraints, not full_clean(), decide a race: validate the rest, then let the insert tell.
        run.full_clean(validate_constraints=False)
        run.save()
        audit_record(actor=actor, action=AuditAction.CREATE, obj=run, detail=f"due {run.due_date}")
        return run, True


def _insert_claims(run: ClaimRun, agreements: QuerySet[PaymentAgreement]) -> int:
    """``INSERT … SELECT … ON CONFLICT DO NOTHING``: one statement per chunk, no rows through Python.

    At 130,000 agreements ``bulk_create`` spends most of its time compiling rows
    (SQLite allows only ~140 claims per statement); the database does this in one go.
    """
    now = timezone.now()
    select = agreements.order_by().values_list(
        Value(now, output_field=DateTimeField()),
        Value(now, output_field=DateTimeField()),
        Value(run.pk, output_field=BigIntegerField()),
        "pk",
        Value(run.period, output_field=DateField()),
        "monthly_amount",
        Value(run.due_date, output_field=DateField()),
        Value("", output_field=CharField()),
    )
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = (
        "created_at",
        "updated_at",
        "claim_run_id",
        "agreement_id",
        "period",
        "amount",
        "due_date",
        "external_id",
    )
    statement = (
        f"INSERT INTO {quote(Claim._meta.db_table)} ({', '.join(quote(c) for c in columns)}) {sql} "
        f"ON CONFLICT ({quote('agreement_id')}, {quote('period')}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(int(cursor.rowcount), 0)


def create_claims(*, run: ClaimRun, chunk_size: int = CHUNK, progress: Progress | None = None) -> int:
    """Claims for every due agreement without one for the run's month, a chunk per transaction.

    The database's unique (agreement, period) makes a repeated or concurrent chunk a no-op.
    The agreements already claimed are read once and left out in Python: a ``NOT EXISTS``
    per chunk lets PostgreSQL, whose statistics do not yet know the claims just made,
    choose a nested loop over them that grows with every chunk (minutes at 130,000).
    """
    claimable = claimable_agreements(association=run.association, method=run.method, period=run.period)
    claimed = set(
        Claim.objects.filter(period=run.period, agreement__supporter__association=run.association)
        .order_by()
        .values_list("agreement_id", flat=True)
        .iterator(chunk_size=10_000)
    )
    ids = [
        pk
        for pk in claimable.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10_000)
        if pk not in claimed
    ]
    made = 0
    if progress is not None:
        progress(0, len(ids))
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        with transaction.atomic():
            made += _insert_claims(run, claimable.filter(pk__gte=chunk[0], pk__lte=chunk[-1]))
        if progress is not None:
            progress(min(start + chunk_size, len(ids)), len(ids))
    return made


def build_claim_transmission(run: ClaimRun) -> Any:
    """The run's claims as a ``netsgiro.Transmission`` (payee notifies: transaction type 02).

    For reading and tests; the file itself is written by :func:`write_claim_file`,
    which streams the same records without holding 130,000 objects.
    """
    transmission = netsgiro.Transmission(
        number=run.transmission_number,
        data_transmitter=settings.FUNDRAISING_NETS_CUSTOMER_UNIT_ID,
        data_recipient=netsgiro.NETS_ID,
    )
    assignment = transmission.add_assignment(
        service_code=netsgiro.ServiceCode.AVTALEGIRO,
        assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
        number=run.transmission_number,
        account=settings.FUNDRAISING_NETS_ACCOUNT,
    )
    for kid, amount, due in _claim_rows(run):
        assignment.add_payment_request(kid=kid, due_date=due, amount=amount)
    return transmission


def _claim_rows(run: ClaimRun) -> Iterator[tuple[str, Decimal, dt.date]]:
    return (
        Claim.objects.filter(claim_run=run)
        .order_by("pk")
        .values_list("agreement__kid", "amount", "due_date")
        .iterator(chunk_size=10_000)
    )


@dataclass
class ClaimFile:
    """What :func:`write_claim_file` wrote: the figures of its end records, its checksum and its partial file."""

    transactions: int
    records: int
    total: Decimal
    sha256: str
    partial: Path | None = None


def write_claim_file(run: ClaimRun, path: Path, *, publish: bool = True) -> ClaimFile:
    """Write the run's AvtaleGiro payment requests to ``path``, streaming netsgiro's records.

    The same records, in the same order, as ``build_claim_transmission(run).to_ocr()``
    (plus a final newline), but each is written as soon as it is made: building
    130,000 ``PaymentRequest`` objects first, and ``to_ocr()`` building every record
    again for each end record's count, is most of the time and memory of a claim run.
    The file appears under its name only when complete (written as ``.part``, then renamed); with
    ``publish=False`` it stays as the ``.part`` file named in the result, for the caller to rename.
    """
    payee_notifies = netsgiro.TransactionType.AVTALEGIRO_WITH_PAYEE_NOTIFICATION
    service = netsgiro.ServiceCode.AVTALEGIRO
    digest = hashlib.sha256()
    count = records = 0
    cents = 0
    earliest: dt.date | None = None
    latest: dt.date | None = None
    # Each writer its own partial file: two processes finishing the same run at once must not write into,
    # or rename away, each other's file.
    partial = partial_path(path)
    with partial.open("wb") as out:

        def emit(record: Any) -> None:
            line = (record.to_ocr() + "\n").encode(ENCODING)
            digest.update(line)
            out.write(line)

        emit(
            TransmissionStart(
                service_code=netsgiro.ServiceCode.NONE,
                transmission_number=run.transmission_number,
                data_transmitter=settings.FUNDRAISING_NETS_CUSTOMER_UNIT_ID,
                data_recipient=netsgiro.NETS_ID,
            )
        )
        emit(
            AssignmentStart(
                service_code=service,
                assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
                assignment_number=run.transmission_number,
                assignment_account=settings.FUNDRAISING_NETS_ACCOUNT,
            )
        )
        for kid, amount, due in _claim_rows(run):
            count += 1
            amount_cents = int(amount * 100)
            cents += amount_cents
            earliest = due if earliest is None or due < earliest else earliest
            latest = due if latest is None or due > latest else latest
            emit(
                TransactionAmountItem1(
                    service_code=service,
                    transaction_type=payee_notifies,
                    transaction_number=count,
                    nets_date=due,
                    amount=amount_cents,
                    kid=kid,
                )
            )
            emit(
                TransactionAmountItem2(
                    service_code=service,
                    transaction_type=payee_notifies,
                    transaction_number=count,
                    reference=None,
                    payer_name=None,
                )
            )
        records = 2 + 2 * count
        emit(
            AssignmentEnd(
                service_code=service,
                assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
                num_transactions=count,
                num_records=records,
                total_amount=cents,
                nets_date_1=earliest,
                nets_date_2=latest,
            )
        )
        records += 2
        emit(
            TransmissionEnd(
                service_code=netsgiro.ServiceCode.NONE,
                num_transactions=count,
                num_records=records,
                total_amount=cents,
                nets_date=earliest,
            )
        )
    if publish:
        os.replace(partial, path)  # readers never see half a file
    return ClaimFile(
        transactions=count,
        records=records,
        total=Decimal(cents) / 100,
        sha256=digest.hexdigest(),
        partial=None if publish else partial,
    )


def claim_file_path(run: ClaimRun) -> Path:
    return (
        Path(settings.FUNDRAISING_FILES_DIR)
        / "claims"
        / f"avtalegiro-{run.association.code}-{run.period:%Y-%m}-{run.transmission_number}.txt"
    )


def claim_run_prepare(
    *,
    actor: Any,
    association: MemberAssociation,
    method: str,
    period: dt.date,
    due_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ClaimRun:
    """The month's run for ``method``: the existing one (finished or to resume), or a new one, checked."""
    run, _created = claim_run_begin(
        actor=actor, association=association, method=method, period=period, due_date=due_date, now=now
    )
    return run


def claim_run_begin(
    *,
    actor: Any,
    association: MemberAssociation,
    method: str,
    period: dt.date,
    due_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> tuple[ClaimRun, bool]:
    """:func:`claim_run_prepare`, saying also whether this call created the run (``False``: someone else did)."""
    period = period_start(period)
    existing = _existing_run(association=association, method=method, period=period)
    if existing is not None:
        return existing, False
    check_due_date(due_date or default_due_date(period), now=now)
    return run_for(actor=actor, association=association, method=method, period=period, due_date=due_date)


Finish = Callable[..., ClaimRun]


def claim_run_execute(
    *,
    actor: Any,
    run: ClaimRun,
    finish: Finish | None = None,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
) -> ClaimRun:
    """Make the run's claims chunk by chunk, keeping its progress on the run, then ``finish`` it.

    ``finish(actor=, run=)`` writes what goes out: the AvtaleGiro file by
    default, the giro invoices for a giro run. A finished run is left as it is.
    Not to be called inside a transaction: each chunk commits on its own so
    that an interrupted run keeps its progress.
    """
    if run.status == ClaimRunStatus.COMPLETE:
        return run

    def record(done: int, total: int) -> None:
        ClaimRun.objects.filter(pk=run.pk).update(progress_done=done, progress_total=total)
        if progress is not None:
            progress(done, total)

    create_claims(run=run, chunk_size=chunk_size, progress=record)
    return (finish or _finish_avtalegiro)(actor=actor, run=run)


def claim_run_start(
    *,
    actor: Any,
    association: MemberAssociation,
    period: dt.date,
    due_date: dt.date | None = None,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ClaimRun:
    """Run (or resume) the AvtaleGiro claims for ``period``'s month and write the file for Nets, in one go."""
    run = claim_run_prepare(
        actor=actor,
        association=association,
        method=PaymentMethod.AVTALEGIRO,
        period=period,
        due_date=due_date,
        now=now,
    )
    return claim_run_execute(actor=actor, run=run, chunk_size=chunk_size, progress=progress)


def run_complete(
    *,
    actor: Any,
    run: ClaimRun,
    count: int,
    total: Decimal,
    path: Path,
    partial: Path | None,
    digest: str,
    detail: str,
) -> ClaimRun:
    """Mark ``run`` complete with the file written at ``partial`` — unless another process finished it first.

    Two processes finishing the same run (the same month posted twice) each write their own partial
    file. Marking the run complete is one conditional ``UPDATE``: the first to commit wins and only
    then moves its file into place; the other finds the run complete, throws its partial file away
    and gets the winner's run back, whose file and figures stay as they are.
    """
    try:
        with transaction.atomic():
            now = timezone.now()
            won = (
                ClaimRun.objects.filter(pk=run.pk)
                .exclude(status=ClaimRunStatus.COMPLETE)
                .update(
                    status=ClaimRunStatus.COMPLETE,
                    claim_count=count,
                    total_amount=total,
                    file_name=str(path) if partial is not None else "",
                    file_sha256=digest if partial is not None else "",
                    completed_at=now,
                    updated_at=now,
                )
            )
            if won:
                if partial is not None:
                    os.replace(partial, path)  # inside the transaction: if this fails, nothing is marked
                audit_record(actor=actor, action=AuditAction.UPDATE, obj=run, detail=detail)
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    run.refresh_from_db()
    return run


def partial_path(path: Path) -> Path:
    """A partial file of its own next to ``path``, so that two writers never share one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f"{path.stem}.{secrets.token_hex(8)}.part")


def _finish_avtalegiro(*, actor: Any, run: ClaimRun) -> ClaimRun:
    totals = Claim.objects.filter(claim_run=run).aggregate(total=Sum("amount"))
    count = Claim.objects.filter(claim_run=run).count()
    total = totals["total"] or Decimal(0)
    path = claim_file_path(run)
    written = write_claim_file(run, path, publish=False) if count else None
    if written is not None and (written.transactions != count or written.total != total):
        if written.partial is not None:
            written.partial.unlink(missing_ok=True)
        raise RuntimeError(f"claim file for run {run.pk} does not match its claims")  # a bug, not user input
    return run_complete(
        actor=actor,
        run=run,
        count=count,
        total=total,
        path=path,
        partial=written.partial if written else None,
        digest=written.sha256 if written else "",
        detail=f"complete: {count} claims, {total} NOK",
    )


def claim_file_read(run: ClaimRun) -> bytes:
    """The run's file as written (ISO-8859-1), for download or transfer to Nets."""
    if not run.file_name:
        raise ValidationError(_("Trekkjøringen har ingen fil."))
    return Path(run.file_name).read_bytes()
