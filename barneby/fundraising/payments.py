"""Incoming money and mandates: OCR giro files, AvtaleGiro agreement (FBO) files, manual payments.

Every import reads and validates the whole file first (``nets.read_transmission``)
and then writes everything in one transaction, or nothing. A Nets transmission is
imported once: a second import of the same (data transmitter, transmission
number) is refused with a message saying when it was imported — before the file
is applied, and again by the database's unique constraint if two imports race.

Payments are matched by KID: to the agreement with that KID (and its oldest open
claim), or to a donor's gift KID (sequence 00), which records a one-off gift.
Everything else waits as *unmatched* for donor service to match by hand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import netsgiro
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.formatting import format_amount, format_date
from barneby.fundraising import nets
from barneby.fundraising.kid import GIFT_SEQUENCE, as_modulus, is_valid_kid, split_kid
from barneby.fundraising.models import (
    AgreementState,
    Claim,
    Gift,
    GiftChannel,
    NetsFileKind,
    NetsUpload,
    NetsUploadStatus,
    OcrImport,
    Payment,
    PaymentAgreement,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
    Supporter,
)
from barneby.fundraising.services import _positive
from barneby.organisation.models import MemberAssociation

CHUNK = 2000  # rows per IN (…) lookup and per bulk insert; well inside SQLite's parameter limit
# Above this many KIDs (or agreements) one pass over the association's rows beats chunked IN (…) lookups.
BULK_LOOKUP = 5 * CHUNK
# A payment settles the oldest open claim falling due at most this long after it was paid.
EARLY_PAYMENT_DAYS = 31
# An import is one transaction of a minute or two: an upload still running this long after its worker
# took it lost the worker (stopped or killed), and nothing of it was saved.
UPLOAD_STALE = dt.timedelta(hours=1)


# --- Matching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a KID leads: a supporter, and an agreement unless it is the supporter's gift KID."""

    supporter_id: int
    agreement_id: int | None = None


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def resolve_kids(*, association: MemberAssociation, kids: Iterable[str]) -> dict[str, Target]:
    """The agreement or gift KIDs among ``kids`` that belong to ``association``'s supporters."""
    wanted = sorted({k for k in kids if k})
    found: dict[str, Target] = {}
    agreements = PaymentAgreement.objects.filter(supporter__association=association)
    if len(wanted) > BULK_LOOKUP:
        # A debit day's file holds nearly every agreement: read them all in one query.
        wanted_set = set(wanted)
        lookups: Iterable[Any] = [agreements]
    else:
        wanted_set = None
        lookups = (agreements.filter(kid__in=chunk) for chunk in _chunks(wanted))
    for queryset in lookups:
        rows = queryset.values_list("kid", "id", "supporter_id", "supporter__merged_into_id").order_by()
        for kid, agreement_id, supporter_id, merged_into in rows.iterator(chunk_size=10_000):
            if wanted_set is None or kid in wanted_set:
                found[kid] = Target(supporter_id=merged_into or supporter_id, agreement_id=agreement_id)
    length = int(settings.FUNDRAISING_KID_LENGTH)
    modulus = as_modulus(settings.FUNDRAISING_KID_MODULUS)
    gift_kids: dict[int, str] = {}
    for kid in wanted:
        parts = None if kid in found else split_kid(kid, length=length)
        if parts is not None and parts[1] == GIFT_SEQUENCE and is_valid_kid(kid, modulus):
            gift_kids[parts[0]] = kid
    numbers = sorted(gift_kids)
    for chunk in _chunks(numbers):
        donors = Supporter.objects.filter(donor_number__in=chunk, association=association).values_list(
            "donor_number", "id", "merged_into_id"
        )
        for number, supporter_id, merged_into in donors:
            found[gift_kids[number]] = Target(supporter_id=merged_into or supporter_id)
    return found


def _open_claims(
    agreement_ids: Sequence[int], latest_due: dt.date, *, association: MemberAssociation | None = None
) -> dict[int, deque[tuple[int, Decimal, dt.date]]]:
    """Unpaid claims of these agreements, oldest first.

    For many agreements of ``association`` (a debit day's file), one query over the
    association's open claims replaces a query per chunk of agreements.
    """
    claims: dict[int, deque[tuple[int, Decimal, dt.date]]] = defaultdict(deque)
    wanted = sorted(set(agreement_ids))
    open_claims = Claim.objects.filter(payment__isnull=True, due_date__lte=latest_due)
    if association is not None and len(wanted) > BULK_LOOKUP:
        wanted_set: set[int] | None = set(wanted)
        lookups: Iterable[Any] = [open_claims.filter(agreement__supporter__association=association)]
    else:
        wanted_set = None
        lookups = (open_claims.filter(agreement_id__in=chunk) for chunk in _chunks(wanted))
    for queryset in lookups:
        rows = queryset.order_by("due_date", "id").values_list("id", "agreement_id", "amount", "due_date")
        for claim_id, agreement_id, amount, due in rows.iterator(chunk_size=10_000):
            if wanted_set is None or agreement_id in wanted_set:
                claims[agreement_id].append((claim_id, amount, due))
    return claims


def _claim_for(agreement_id: int, amount: Decimal, paid: dt.date) -> int | None:
    """The open claim of one agreement that a payment of ``amount`` on ``paid`` pays, if any."""
    queue = _open_claims([agreement_id], paid + dt.timedelta(days=EARLY_PAYMENT_DAYS))
    return _take_claim(queue.get(agreement_id), amount, paid)


def _take_claim(queue: deque[tuple[int, Decimal, dt.date]] | None, amount: Decimal, paid: dt.date) -> int | None:
    """The oldest open claim this payment settles: due by ``paid`` + grace and not more than paid."""
    if not queue or amount <= 0:
        return None
    claim_id, claimed, due = queue[0]
    if claimed > amount or due > paid + dt.timedelta(days=EARLY_PAYMENT_DAYS):
        return None
    queue.popleft()
    return claim_id


def _gift_for(payment: Payment) -> Gift | None:
    if payment.agreement_id is None and payment.supporter_id is not None and payment.amount > 0:
        return Gift(
            supporter_id=payment.supporter_id,
            amount=payment.amount,
            date=payment.paid_date,
            channel=GiftChannel.GIRO,
            payment=payment,
        )
    return None


def _account(value: str | None) -> str:
    """The payer's account, or "" where Nets writes zeros for "not given"."""
    return value if value and value.strip("0") else ""


PAYMENT_COLUMNS = (
    "created_at",
    "updated_at",
    "association_id",
    "source",
    "ocr_import_id",
    "assignment_number",
    "transaction_number",
    "transaction_type",
    "kid",
    "amount",
    "paid_date",
    "bank_date",
    "debit_account",
    "status",
    "supporter_id",
    "agreement_id",
    "claim_id",
    "matched_at",
    "archive_reference",
    "duplicate_of_id",
)


def _insert(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert prepared rows: ``COPY`` on PostgreSQL, ``executemany`` of one ``INSERT`` on SQLite.

    For an OCR file of 130,000 payments ``bulk_create`` spends most of its time
    compiling SQL per row and field (SQLite allows only ~50 payments per statement),
    and on PostgreSQL ``executemany`` is a round trip per row; ``COPY`` streams them
    all (as the global demo's ``Inserter`` does). Ids come from the table's own
    sequence, so concurrent inserts elsewhere are unaffected, and every constraint
    still applies in the database. Values must be what the driver accepts: dates and
    ``Decimal`` are, aware datetimes go through ``adapt_datetimefield_value`` first.
    """
    quote = connection.ops.quote_name
    # Only our own table and column names go into the text (quoted); every value is a parameter.
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own cursor: wrap its errors so a violated constraint is Django's IntegrityError.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        for chunk in _chunks(rows, 5000):
            cursor.executemany(statement, chunk)


# --- Nets transmissions ------------------------------------------------------------------------


def _refuse_duplicate(transmission: Any) -> None:
    earlier = OcrImport.objects.filter(
        data_transmitter=transmission.data_transmitter, transmission_number=transmission.number
    ).first()
    if earlier is not None:
        raise ValidationError(
            _(
                "Forsendelse {number} fra {sender} ble allerede importert {when} ({file}). "
                "Ingenting er importert på nytt."
            ).format(
                number=transmission.number,
                sender=transmission.data_transmitter,
                when=date_format(timezone.localtime(earlier.imported_at), "SHORT_DATETIME_FORMAT"),
                file=earlier.file_name or "-",
            ),
            code="duplicate_transmission",
        )


def _check_recipient(transmission: Any) -> None:
    ours = settings.FUNDRAISING_NETS_CUSTOMER_UNIT_ID
    if transmission.data_recipient != ours:
        raise ValidationError(
            _("Filen er adressert til kundeenhet {theirs}, ikke vår ({ours}).").format(
                theirs=transmission.data_recipient, ours=ours
            ),
            code="wrong_recipient",
        )


def _create_import(
    *, actor: Any, association: MemberAssociation, transmission: Any, kind: str, file_name: str
) -> OcrImport:
    record = OcrImport(
        association=association,
        kind=kind,
        transmission_number=transmission.number,
        data_transmitter=transmission.data_transmitter,
        data_recipient=transmission.data_recipient,
        nets_date=transmission.date,
        file_name=file_name[:300],
        transaction_count=transmission.get_num_transactions(),
        total_amount=Decimal(transmission.get_total_amount()),
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # Another import of the same transmission committed between our check and this insert.
        _refuse_duplicate(transmission)
        raise
    return record


def ocr_import(*, actor: Any, association: MemberAssociation, data: bytes | str, file_name: str = "") -> OcrImport:
    """Import an OCR giro file from Nets: all of it, matched where the KID is known, or nothing.

    The file is read and validated before the transaction opens, so a large file
    does not hold the database's write lock while it is parsed.
    """
    transmission = nets.read_ocr(data)
    _check_recipient(transmission)
    _refuse_duplicate(transmission)
    try:
        return _ocr_apply(actor=actor, association=association, transmission=transmission, file_name=file_name)
    except IntegrityError:
        # The same transmission imported at this moment by someone else: say so, with when and by which file.
        _refuse_duplicate(transmission)
        # Another file imported at this moment paid some of the same claims first (a claim is paid once).
        # This file is rolled back whole; imported again, its payments meet the claims as they are now.
        raise ValidationError(
            _(
                "En annen fil ble lest inn i samme øyeblikk og avstemte noen av de samme trekkene. "
                "Ingenting fra denne filen er lagret; les den inn på nytt."
            ),
            code="concurrent_import",
        ) from None


def ocr_uploads_interrupted(*, now: dt.datetime | None = None) -> int:
    """Mark uploads whose worker stopped in the middle of the import as failed; returns how many.

    Their import was one transaction that never committed, so nothing of the file is
    saved: the upload says so, its bytes are cleared, and the same file can be uploaded
    again (a waiting upload would refuse it). Should the lost worker still finish after
    all, it marks the upload done, and a second upload of the file is refused by the
    import as one imported already.
    """
    now = now or timezone.now()
    return NetsUpload.objects.filter(status=NetsUploadStatus.RUNNING, updated_at__lt=now - UPLOAD_STALE).update(
        status=NetsUploadStatus.FAILED,
        error=_(
            "Innlesingen ble avbrutt (arbeidsprosessen stoppet). Ingenting fra filen er lagret; last den opp på nytt."
        ),
        data=None,
        finished_at=now,
        updated_at=now,
    )


def _refuse_pending(transmission: Any) -> None:
    ocr_uploads_interrupted()
    pending = NetsUpload.objects.filter(
        data_transmitter=transmission.data_transmitter,
        transmission_number=transmission.number,
        status__in=NetsUpload.PENDING,
    ).first()
    if pending is not None:
        raise ValidationError(
            _(
                "Forsendelse {number} fra {sender} er allerede lastet opp ({file}) og venter på innlesing. "
                "Ingenting er lagt i kø på nytt."
            ).format(number=transmission.number, sender=transmission.data_transmitter, file=pending.file_name or "-"),
            code="duplicate_upload",
        )


def ocr_upload(*, actor: Any, association: MemberAssociation, data: bytes, file_name: str = "") -> NetsUpload:
    """Check an OCR file at once and keep it for :func:`ocr_upload_import` to import in the background.

    A file that cannot be read, is addressed to someone else, was imported already or is
    waiting already is refused here with its message, and nothing is stored. The same
    transmission uploaded twice at once is still imported once: the import refuses the second.
    """
    transmission = nets.read_ocr(data)
    _check_recipient(transmission)
    _refuse_duplicate(transmission)
    _refuse_pending(transmission)
    return NetsUpload.objects.create(
        association=association,
        kind=NetsFileKind.OCR,
        file_name=file_name[:300],
        transmission_number=transmission.number,
        data_transmitter=transmission.data_transmitter,
        data=bytes(data),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def ocr_upload_import(*, upload_id: int) -> NetsUpload | None:
    """Import a queued upload (for the task): done with its import, or failed with the reason.

    Only a queued upload is taken (the update is the claim, so two workers never both run it);
    ``None`` if it was not queued (taken or finished already).
    The file's bytes are cleared once it is imported or refused. A refusal (``ValidationError``)
    is kept as the upload's message; any other error marks it failed and is raised again.
    """
    claimed = NetsUpload.objects.filter(pk=upload_id, status=NetsUploadStatus.QUEUED).update(
        status=NetsUploadStatus.RUNNING, updated_at=timezone.now()
    )
    if not claimed:
        return None
    upload = NetsUpload.objects.select_related("association", "uploaded_by").get(pk=upload_id)
    done = NetsUpload.objects.filter(pk=upload_id)
    try:
        record = ocr_import(
            actor=upload.uploaded_by,
            association=upload.association,
            data=bytes(upload.data or b""),
            file_name=upload.file_name,
        )
    except ValidationError as exc:
        done.update(
            status=NetsUploadStatus.FAILED,
            error=" ".join(str(m) for m in exc.messages),
            data=None,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    except Exception:
        done.update(
            status=NetsUploadStatus.FAILED,
            error=_(
                "Innlesingen stoppet på grunn av en uventet feil. Ingenting fra filen er lagret; "
                "last den opp på nytt, eller kontakt brukerstøtten om det skjer igjen."
            ),
            data=None,  # the payers' accounts are not kept for a file that has to be uploaded again
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        raise
    else:
        done.update(
            status=NetsUploadStatus.DONE,
            result=record,
            data=None,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    upload.refresh_from_db()
    return upload


@transaction.atomic
def _ocr_apply(*, actor: Any, association: MemberAssociation, transmission: nets.OcrFile, file_name: str) -> OcrImport:
    record = _create_import(
        actor=actor, association=association, transmission=transmission, kind=NetsFileKind.OCR, file_name=file_name
    )
    rows = transmission.rows
    targets = resolve_kids(association=association, kids=(row[6] for row in rows))
    latest = max((row[3] for row in rows), default=timezone.localdate()) + dt.timedelta(days=EARLY_PAYMENT_DAYS)
    queues = _open_claims(
        [tg.agreement_id for tg in targets.values() if tg.agreement_id], latest, association=association
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    unmatched = Target(supporter_id=0)
    values: list[tuple[Any, ...]] = []
    matched = 0
    cents = Decimal("0.01")
    seen = _seen_before(association, rows)
    held: list[dict[str, str]] = []
    for assignment_number, number, type_, paid, ore, sign, kid, bank_date, debit_account, archive in rows:
        amount = Decimal(-ore if sign == "-" else ore) * cents
        original = seen.get((kid, amount, paid, archive)) or seen.get((kid, amount, paid, ""))
        if original is not None:
            # Seen before under another transmission: held for a person to decide, matched to nothing.
            held.append(_held_problem(kid, amount, paid, original))
            status, supporter_id, agreement_id, claim_id, matched_at = PaymentStatus.HELD, None, None, None, None
        else:
            target = targets.get(kid, unmatched)
            found = target is not unmatched
            matched += found
            claim_id = _take_claim(queues.get(target.agreement_id or 0), amount, paid) if found else None
            status = PaymentStatus.MATCHED if found else PaymentStatus.UNMATCHED
            supporter_id = target.supporter_id if found else None
            agreement_id = target.agreement_id if found else None
            matched_at = now if found else None
        values.append(
            (
                now,
                now,
                association.pk,
                PaymentSource.OCR.value,
                record.pk,
                assignment_number,
                number,
                type_,
                kid,
                amount,
                paid,
                bank_date,
                _account(debit_account),
                status.value,
                supporter_id,
                agreement_id,
                claim_id,
                matched_at,
                archive,
                None if original is None else original[0],
            )
        )
    _insert(Payment, PAYMENT_COLUMNS, values)
    gifts = [
        Gift(supporter_id=supporter_id, amount=amount, date=paid, channel=GiftChannel.GIRO, payment_id=pk)
        for pk, supporter_id, amount, paid in Payment.objects.filter(
            ocr_import=record, agreement__isnull=True, supporter__isnull=False, amount__gt=0
        ).values_list("pk", "supporter_id", "amount", "paid_date")
    ]
    Gift.objects.bulk_create(gifts, batch_size=CHUNK)
    record.matched_count = matched
    record.unmatched_count = len(values) - matched - len(held)
    record.problems = held
    record.save(update_fields=["matched_count", "unmatched_count", "problems", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        detail=(
            f"ocr {transmission.number}: {len(values)} payments, {record.total_amount} NOK, "
            f"{record.matched_count} matched, {len(gifts)} gifts, {len(held)} held as possible duplicates"
        ),
    )
    return record


# A payment already imported: (its id, the transmission it came in, when that was imported).
Original = tuple[int, str, dt.datetime]


def _seen_before(
    association: MemberAssociation, rows: Sequence[nets.OcrRow]
) -> dict[tuple[str, Decimal, dt.date, str], Original]:
    """Payments of these rows already imported from another transmission, by (KID, amount, date, archive ref).

    Nets numbers each transmission, and a transmission is imported once; but the same payments can come
    again under another number (a file sent twice by the bank, or a test file). A payment with the same
    KID, amount, payment date and archive reference as one already imported is held for a person to
    decide. Payments imported before archive references were kept are found under an empty reference.
    Discarded duplicates do not count. One query over the file's payment dates.
    """
    if not rows:
        return {}
    dates = [row[3] for row in rows]
    kids = {row[6] for row in rows}
    earlier = (
        Payment.objects.filter(
            association=association, source=PaymentSource.OCR, paid_date__range=(min(dates), max(dates))
        )
        .exclude(status=PaymentStatus.DISCARDED)
        .order_by("pk")
        .values_list(
            "pk",
            "kid",
            "amount",
            "paid_date",
            "archive_reference",
            "ocr_import__transmission_number",
            "ocr_import__imported_at",
        )
    )
    seen: dict[tuple[str, Decimal, dt.date, str], Original] = {}
    for pk, kid, amount, paid, archive, number, imported_at in earlier.iterator(chunk_size=10_000):
        if kid in kids:
            seen.setdefault((kid, Decimal(amount), paid, archive), (pk, number or "", imported_at))
    return seen


def _held_problem(kid: str, amount: Decimal, paid: dt.date, original: Original) -> dict[str, str]:
    _pk, number, imported_at = original
    return {
        "kid": kid,
        "reason": _(
            "Mulig dublett: {amount} betalt {date} ble allerede lest inn med forsendelse {number} ({when}). "
            "Holdt tilbake til noen har vurdert den under «Ikke avstemte innbetalinger»."
        ).format(
            amount=format_amount(amount),
            date=format_date(paid),
            number=number,
            when=date_format(timezone.localtime(imported_at), "SHORT_DATETIME_FORMAT") if imported_at else "-",
        ),
    }


@dataclass(frozen=True)
class AgreementsFileResult:
    record: OcrImport
    activated: int
    cancelled: int
    unchanged: int
    problems: list[dict[str, str]]


def agreements_file_import(
    *, actor: Any, association: MemberAssociation, data: bytes | str, file_name: str = ""
) -> AgreementsFileResult:
    """Apply an AvtaleGiro agreements file (FBO, record type 70) from Nets.

    * registration 1 (new or changed) and 0 (all active): the pending or active
      AvtaleGiro agreement with that KID becomes active, with the payer's wish
      for a notice from the bank;
    * registration 2 (deleted): the agreement is cancelled.

    An unknown KID does **not** create an agreement: a mandate without a
    supporter, an amount and an association is not something donor service can
    collect on, and a typo'd KID must not start charging someone. It is listed
    in the import's ``problems`` for follow-up, like a mandate for a cancelled
    agreement (not reactivated: the supporter ended it with us). Applying the
    same registrations again changes nothing.
    """
    transmission = nets.read_transmission(data, expect=nets.is_agreements_assignment)
    _check_recipient(transmission)
    _refuse_duplicate(transmission)
    return _agreements_apply(actor=actor, association=association, transmission=transmission, file_name=file_name)


@transaction.atomic
def _agreements_apply(
    *, actor: Any, association: MemberAssociation, transmission: Any, file_name: str
) -> AgreementsFileResult:
    record = _create_import(
        actor=actor,
        association=association,
        transmission=transmission,
        kind=NetsFileKind.AGREEMENTS,
        file_name=file_name,
    )
    registrations = [t for a in transmission.assignments for t in a.transactions]
    kids = sorted({(r.kid or "").strip() for r in registrations})
    agreements: dict[str, PaymentAgreement] = {}
    for chunk in _chunks(kids):
        for found in PaymentAgreement.objects.select_for_update().filter(
            kid__in=chunk, supporter__association=association
        ):
            agreements[found.kid] = found
    now = timezone.now()
    activated = cancelled = unchanged = 0
    problems: list[dict[str, str]] = []
    for registration in registrations:
        kid = (registration.kid or "").strip()
        agreement = agreements.get(kid)
        if agreement is None:
            problems.append({"kid": kid, "reason": str(_("Ukjent KID; ingen avtale er opprettet."))})
            continue
        if agreement.method != PaymentMethod.AVTALEGIRO:
            problems.append({"kid": kid, "reason": str(_("KID-en tilhører en avtale som ikke er AvtaleGiro."))})
            continue
        if registration.registration_type == netsgiro.AvtaleGiroRegistrationType.DELETED_AGREEMENT:
            if agreement.state == AgreementState.CANCELLED:
                unchanged += 1
                continue
            agreement.state = AgreementState.CANCELLED
            agreement.cancelled_at = now
            agreement.save(update_fields=["state", "cancelled_at", "updated_at"])
            audit_record(actor=actor, action=AuditAction.UPDATE, obj=agreement, detail=f"fbo {record.pk}: cancelled")
            cancelled += 1
            continue
        if agreement.state == AgreementState.CANCELLED:
            problems.append({"kid": kid, "reason": str(_("Avtalen er avsluttet hos oss; ikke aktivert på nytt."))})
            continue
        if agreement.state == AgreementState.ACTIVE and agreement.notify_by_bank == registration.notify:
            unchanged += 1
            continue
        agreement.state = AgreementState.ACTIVE
        agreement.notify_by_bank = registration.notify
        agreement.activated_at = agreement.activated_at or now
        agreement.save(update_fields=["state", "notify_by_bank", "activated_at", "updated_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=agreement, detail=f"fbo {record.pk}: active")
        activated += 1
    record.matched_count = activated + cancelled + unchanged
    record.unmatched_count = len(problems)
    record.problems = problems
    record.save(update_fields=["matched_count", "unmatched_count", "problems", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        detail=f"fbo {transmission.number}: {activated} activated, {cancelled} cancelled, {len(problems)} problems",
    )
    return AgreementsFileResult(record, activated, cancelled, unchanged, problems)


# --- Manual payments and matching ------------------------------------------------------------


@transaction.atomic
def payment_register(
    *,
    actor: Any,
    association: MemberAssociation,
    amount: Decimal | int | str,
    paid_date: dt.date,
    kid: str = "",
) -> Payment:
    """Register a payment by hand (e.g. a bank transfer); matched by KID if it has one.

    Zero and negative amounts are refused: corrections are made by matching or by
    the bank's own reversal in the OCR file, never by a hand-typed minus.
    """
    value = _positive(amount)
    kid = kid.strip()
    payment = Payment(association=association, source=PaymentSource.MANUAL, kid=kid, amount=value, paid_date=paid_date)
    target = resolve_kids(association=association, kids=[kid]).get(kid) if kid else None
    if target is not None:
        payment.status = PaymentStatus.MATCHED
        payment.supporter_id = target.supporter_id
        payment.agreement_id = target.agreement_id
        payment.matched_at = timezone.now()
        if target.agreement_id is not None:
            payment.claim_id = _claim_for(target.agreement_id, value, paid_date)
    payment.full_clean()
    payment.save()
    gift = _gift_for(payment)
    if gift is not None:
        gift.channel = GiftChannel.BANK_TRANSFER
        gift.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=payment, detail=f"{value} {kid}".strip())
    return payment


@transaction.atomic
def payment_match(
    *,
    actor: Any,
    payment: Payment,
    agreement: PaymentAgreement | None = None,
    supporter: Supporter | None = None,
) -> Payment:
    """Match an unmatched payment by hand: to an agreement, or to a supporter as a one-off gift."""
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.status != PaymentStatus.UNMATCHED:
        raise ValidationError(_("Innbetalingen er allerede avstemt."), code="already_matched")
    if (agreement is None) == (supporter is None):
        raise ValidationError(_("Velg enten en avtale eller en giver (gave)."))
    if agreement is not None:
        owner = agreement.supporter
    else:
        assert supporter is not None
        owner = supporter
    if owner.association_id != locked.association_id:
        raise ValidationError(_("Avtalen eller giveren hører til en annen medlemsorganisasjon."))
    locked.status = PaymentStatus.MANUAL
    locked.supporter = owner.merged_into or owner
    locked.agreement = agreement
    locked.matched_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.matched_at = timezone.now()
    if agreement is not None:
        locked.claim_id = _claim_for(agreement.pk, locked.amount, locked.paid_date)
    locked.save()
    gift = _gift_for(locked)
    if gift is not None:
        gift.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        detail=f"matched to {'agreement ' + str(agreement.pk) if agreement else 'gift, supporter ' + str(owner.pk)}",
    )
    payment.refresh_from_db()
    return locked


@transaction.atomic
def payment_release_held(*, actor: Any, payment: Payment) -> Payment:
    """A held possible duplicate is money after all ("import anyway"): matched by its KID like the import would."""
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.status != PaymentStatus.HELD:
        raise ValidationError(_("Innbetalingen er ikke holdt tilbake lenger; en annen har alt vurdert den."))
    target = resolve_kids(association=locked.association, kids=[locked.kid]).get(locked.kid) if locked.kid else None
    if target is None:
        locked.status = PaymentStatus.UNMATCHED
    else:
        locked.status = PaymentStatus.MATCHED
        locked.supporter_id = target.supporter_id
        locked.agreement_id = target.agreement_id
        locked.matched_at = timezone.now()
        if target.agreement_id is not None:
            locked.claim_id = _claim_for(target.agreement_id, locked.amount, locked.paid_date)
    locked.save()
    gift = _gift_for(locked)
    if gift is not None:
        gift.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        detail=f"possible duplicate of payment {locked.duplicate_of_id} imported anyway: {locked.status}",
    )
    return locked


@transaction.atomic
def payment_discard_held(*, actor: Any, payment: Payment) -> Payment:
    """A held possible duplicate is a duplicate: kept for the record, never counted as money."""
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.status != PaymentStatus.HELD:
        raise ValidationError(_("Innbetalingen er ikke holdt tilbake lenger; en annen har alt vurdert den."))
    locked.status = PaymentStatus.DISCARDED
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        detail=f"discarded as a duplicate of payment {locked.duplicate_of_id}",
    )
    return locked


# The name used in issue 6.
match_payment = payment_match
