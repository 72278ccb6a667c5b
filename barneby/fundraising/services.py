"""Writes for supporters, agreements and gifts: validated, audited, atomic.

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
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.fundraising.kid import GIFT_SEQUENCE, KidError, kid_base, make_kid
from barneby.fundraising.models import (
    AgreementState,
    Gift,
    GiftChannel,
    PaymentAgreement,
    PaymentMethod,
    Supporter,
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
        start_date=start_date or timezone.localdate(),
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
) -> Gift:
    """Register a one-off gift by hand; zero and negative amounts are refused."""
    gift = Gift(supporter=supporter, amount=_positive(amount), date=date, channel=channel, note=note)
    gift.full_clean()
    gift.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=gift, detail=f"{gift.amount}")
    return gift
