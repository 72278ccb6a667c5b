"""Writes for supporters, agreements, gifts and consents: validated, audited, atomic.

Payments and Nets files are in ``payments.py``, the monthly claim run in
``claims.py`` and Vipps in ``vipps.py``. Services do not check permissions; the
views guard with the selectors' ``*_get_for`` functions first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.fundraising.kid import GIFT_SEQUENCE, KidError, kid_base, make_kid
from barneby.fundraising.models import (
    AgreementState,
    Consent,
    ConsentPurpose,
    ConsentSource,
    Gift,
    GiftChannel,
    PaymentAgreement,
    PaymentMethod,
    Supporter,
    TaxReporter,
)
from barneby.organisation.models import MemberAssociation

FIRST_DONOR_NUMBER = 100001
SUPPORTER_FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "company_name",
    "organisation_number",
    "national_id",
    "email",
    "phone",
    "street_address",
    "postcode",
    "city",
)


def _positive(amount: Decimal | int | str | None, field: str = "amount") -> Decimal:
    try:
        value = Decimal(str(amount))
    except (ArithmeticError, ValueError):
        raise ValidationError({field: _("Oppgi et beløp i kroner.")}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({field: _("Beløpet må være større enn null.")})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Beløpet kan ha høyst to desimaler (øre).")})
    return value


# How far from today a start or gift date may lie. An agreement registered from an old paper form may start
# some years back, and one signed now may start next year; 9999-12-31 or 1900-01-01 is a typing error.
# Ten years is how long the books and their vouchers are kept; a gift cannot be dated in the future.
START_YEARS_BACK = 10
START_DAYS_AHEAD = 366


def _years_back(today: dt.date, years: int) -> dt.date:
    return today.replace(year=today.year - years, day=28 if (today.month, today.day) == (2, 29) else today.day)


def start_date_check(value: dt.date | None, field: str = "start_date") -> dt.date:
    """An agreement's or sponsorship's start date, no earlier than ten years back and no later than a year ahead."""
    today = timezone.localdate()
    value = value or today
    earliest, latest = _years_back(today, START_YEARS_BACK), today + dt.timedelta(days=START_DAYS_AHEAD)
    if not earliest <= value <= latest:
        raise ValidationError(
            {
                field: _("Startdatoen må ligge mellom {earliest} og {latest}.").format(
                    earliest=earliest.strftime("%d.%m.%Y"), latest=latest.strftime("%d.%m.%Y")
                )
            }
        )
    return value


def gift_date_check(value: dt.date, field: str = "date") -> dt.date:
    """A gift's date: not in the future, and no earlier than ten years back."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError({field: _("En gave kan ikke dateres fram i tid.")})
    earliest = _years_back(today, START_YEARS_BACK)
    if value < earliest:
        raise ValidationError(
            {field: _("Gavedatoen kan ikke ligge før {earliest}.").format(earliest=earliest.strftime("%d.%m.%Y"))}
        )
    return value


def next_donor_number() -> int:
    current = Supporter.objects.aggregate(top=Max("donor_number"))["top"]
    return max(FIRST_DONOR_NUMBER, (current or 0) + 1)


@transaction.atomic
def supporter_create(*, actor: Any, association: MemberAssociation, **fields: Any) -> Supporter:
    unknown = set(fields) - set(SUPPORTER_FIELDS)
    if unknown:
        raise ValidationError({name: _("Feltet kan ikke settes her.") for name in sorted(unknown)})
    supporter = Supporter(association=association, donor_number=next_donor_number(), **fields)
    supporter.full_clean()
    supporter.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=supporter)
    return supporter


def supporter_gift_kid(supporter: Supporter) -> str | None:
    """The donor's KID for one-off gifts by giro or online bank (sequence 00), if the modulus allows one."""
    length = int(settings.FUNDRAISING_KID_LENGTH)
    try:
        return make_kid(kid_base(supporter.donor_number, GIFT_SEQUENCE, length=length), length=length)
    except KidError:
        return None


def _allocate_kid(supporter: Supporter) -> tuple[int, str]:
    length = int(settings.FUNDRAISING_KID_LENGTH)
    top = supporter.agreements.aggregate(top=Max("sequence"))["top"] or GIFT_SEQUENCE
    for sequence in range(top + 1, 100):
        try:
            return sequence, make_kid(kid_base(supporter.donor_number, sequence, length=length), length=length)
        except KidError:
            # A MOD11 base whose check digit is "-": netsgiro could not read it back; take the next.
            continue
    raise ValidationError(_("Giveren har brukt opp løpenumrene for avtaler (99)."))


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    supporter: Supporter,
    method: PaymentMethod | str,
    monthly_amount: Decimal | int | str,
    start_date: dt.date | None = None,
    notify_by_bank: bool = False,
) -> PaymentAgreement:
    """A new agreement with its own KID. AvtaleGiro and Vipps wait for the payer's approval; giro is active."""
    amount = _positive(monthly_amount, "monthly_amount")
    start_date = start_date_check(start_date)
    low, high = settings.FUNDRAISING_MONTHLY_MIN, settings.FUNDRAISING_MONTHLY_MAX
    if not low <= amount <= high:
        raise ValidationError(
            {"monthly_amount": _("Månedlig beløp må være mellom {low} og {high} kroner.").format(low=low, high=high)}
        )
    Supporter.objects.select_for_update().filter(pk=supporter.pk).first()  # serialise sequence allocation
    sequence, kid = _allocate_kid(supporter)
    method = PaymentMethod(method)
    now = timezone.now()
    agreement = PaymentAgreement(
        supporter=supporter,
        sequence=sequence,
        method=method,
        kid=kid,
        monthly_amount=amount,
        notify_by_bank=notify_by_bank,
        start_date=start_date,
        state=AgreementState.ACTIVE if method == PaymentMethod.GIRO else AgreementState.PENDING,
        activated_at=now if method == PaymentMethod.GIRO else None,
    )
    agreement.full_clean()
    agreement.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=agreement, detail=f"{method} {amount}")
    return agreement


@transaction.atomic
def agreement_cancel(*, actor: Any, agreement: PaymentAgreement, reason: str = "") -> PaymentAgreement:
    """End an agreement; no further claims are made for it. Cancelling twice changes nothing."""
    if agreement.state == AgreementState.CANCELLED:
        return agreement
    agreement.state = AgreementState.CANCELLED
    agreement.cancelled_at = timezone.now()
    agreement.save(update_fields=["state", "cancelled_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=agreement, detail=f"cancelled {reason}".strip())
    return agreement


@transaction.atomic
def gift_create(
    *,
    actor: Any,
    supporter: Supporter,
    amount: Decimal | int | str,
    date: dt.date,
    channel: GiftChannel | str,
    note: str = "",
    send_receipt: bool = True,
) -> Gift:
    """Register a one-off gift by hand; zero and negative amounts are refused.

    The donor gets an e-mail receipt with a PDF once the transaction commits
    (``receipts.py``; only with an e-mail address and not anonymised). Demo data
    and bulk registrations pass ``send_receipt=False``.
    """
    from barneby.fundraising import receipts

    gift = Gift(supporter=supporter, amount=_positive(amount), date=gift_date_check(date), channel=channel, note=note)
    gift.full_clean()
    gift.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=gift, detail=f"{gift.amount}")
    if send_receipt:
        receipts.gift_receipt_schedule(gift)
    return gift


@transaction.atomic
def tax_reporter_set(*, actor: Any, association: MemberAssociation, organisation_number: str) -> TaxReporter:
    """Record the association's organisasjonsnummer as oppgavegiver on its tax-deduction files."""
    number = "".join((organisation_number or "").split())
    reporter = TaxReporter.objects.select_for_update().filter(association=association).first()
    reporter = reporter or TaxReporter(association=association)
    before = reporter.organisation_number
    reporter.organisation_number = number
    reporter.full_clean()
    reporter.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=reporter,
        detail=f"organisation number {before or '-'} -> {number}",
    )
    return reporter


# --- Consents and communication preferences -----------------------------------------------

# Without any entry, a purpose is off, except post: appeals and thank-you letters by post rest on
# legitimate interest with an easy opt-out (FUNDRAISING.md §4). E-mail, SMS and phone marketing need
# prior consent (markedsføringsloven § 15); the tax deduction needs the donor's own request.
CONSENT_DEFAULTS: dict[str, bool] = {purpose.value: purpose == ConsentPurpose.POST for purpose in ConsentPurpose}
CHANNELS = (ConsentPurpose.EMAIL, ConsentPurpose.SMS, ConsentPurpose.PHONE, ConsentPurpose.POST)


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    supporter: Supporter,
    purpose: ConsentPurpose | str,
    granted: bool,
    source: ConsentSource | str,
    text_version: str = "",
    recorded_at: dt.datetime | None = None,
) -> Consent:
    """Append a grant or withdrawal to the supporter's consent log; the latest entry per purpose wins."""
    errors: dict[str, str] = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = _("Ukjent formål.")
    if source not in ConsentSource.values:
        errors["source"] = _("Ukjent kilde.")
    text_version = text_version.strip()
    if granted and not text_version:
        errors["text_version"] = _("Oppgi hvilken versjon av samtykketeksten giveren svarte på.")
    if supporter.merged_into_id is not None:
        errors["supporter"] = _("Giveren er slått sammen med en annen; registrer samtykket der.")
    elif supporter.is_anonymised and granted:
        errors["supporter"] = _("Giveren er anonymisert; det kan ikke registreres nye samtykker.")
    if recorded_at is not None and recorded_at > timezone.now():
        errors["recorded_at"] = _("Tidspunktet kan ikke være fram i tid.")
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        supporter=supporter,
        purpose=purpose,
        granted=granted,
        source=source,
        text_version=text_version,
        recorded_at=recorded_at or timezone.now(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    consent.full_clean()
    consent.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=consent,
        detail=f"{purpose} {'granted' if granted else 'withdrawn'} ({source})",
    )
    return consent


def consent_current(supporter: Supporter) -> dict[str, Consent | None]:
    """The latest entry per purpose (``None`` where the log has none)."""
    current: dict[str, Consent | None] = dict.fromkeys(ConsentPurpose.values)
    for consent in Consent.objects.filter(supporter=supporter).order_by("recorded_at", "id"):
        current[consent.purpose] = consent
    return current


def consent_granted(supporter: Supporter, purpose: ConsentPurpose | str) -> bool:
    latest = consent_current(supporter)[str(purpose)]
    return latest.granted if latest is not None else CONSENT_DEFAULTS[str(purpose)]


def communication_preferences(supporter: Supporter) -> dict[str, bool]:
    """The channels the supporter may be contacted through for appeals and news, from the consent log."""
    if supporter.is_anonymised or supporter.merged_into_id is not None:
        return {str(channel): False for channel in CHANNELS}
    current = consent_current(supporter)
    return {
        str(channel): (entry.granted if (entry := current[str(channel)]) is not None else CONSENT_DEFAULTS[channel])
        for channel in CHANNELS
    }


def supporters_with_consent(supporters: QuerySet[Supporter], purpose: ConsentPurpose | str) -> QuerySet[Supporter]:
    """``supporters`` narrowed to those whose latest entry for ``purpose`` grants it (or the default does).

    One query for any number of supporters, for mailings and exports.
    """
    latest = Consent.objects.filter(supporter=OuterRef("pk"), purpose=str(purpose)).order_by("-recorded_at", "-id")
    annotated = supporters.filter(is_anonymised=False, merged_into__isnull=True).annotate(
        consent_latest=Subquery(latest.values("granted")[:1])
    )
    if CONSENT_DEFAULTS[str(purpose)]:
        return annotated.filter(Q(consent_latest=True) | Q(consent_latest__isnull=True))
    return annotated.filter(consent_latest=True)


@transaction.atomic
def vipps_agreement_attach(*, actor: Any, agreement: PaymentAgreement, vipps_agreement_id: str, provider: Any) -> None:
    """Tie a new Vipps agreement of ours to one the payer has already approved at Vipps, and read its status.

    The public sign-up asks Vipps first and saves nothing until the payer has approved, so the
    agreement is made after Vipps' and linked here (``vipps.vipps_agreement_start`` is the other
    order: ours first, then Vipps'). ``provider`` is a ``vipps.VippsProvider``.
    """
    from barneby.fundraising.vipps import vipps_agreement_sync

    if agreement.method != PaymentMethod.VIPPS:
        raise ValidationError(_("Avtalen er ikke en Vipps-avtale."))
    vipps_agreement_id = (vipps_agreement_id or "").strip()
    if not vipps_agreement_id or agreement.vipps_agreement_id or agreement.state != AgreementState.PENDING:
        raise ValidationError(_("Avtalen er allerede sendt til Vipps."))
    if PaymentAgreement.objects.filter(vipps_agreement_id=vipps_agreement_id).exists():
        raise ValidationError(_("Vipps-avtalen er allerede knyttet til en annen avtale."))
    agreement.vipps_agreement_id = vipps_agreement_id
    agreement.save(update_fields=["vipps_agreement_id", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=agreement, detail=f"vipps {vipps_agreement_id}")
    vipps_agreement_sync(actor=actor, agreement=agreement, provider=provider)
