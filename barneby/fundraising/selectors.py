"""Reads for the fundraising back office, always scoped: only donor service of the supporter's association."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from barneby.accounts.roles import ScopeKind
from barneby.accounts.scoping import scope_for, visible_to
from barneby.fundraising.models import (
    Claim,
    ClaimRun,
    Gift,
    NetsUpload,
    NetsUploadStatus,
    OcrImport,
    Payment,
    PaymentAgreement,
    PaymentStatus,
    Supporter,
)
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.organisation.models import MemberAssociation

_DONOR_NUMBER = re.compile(r"[0-9]{1,18}")


def association_of(*, user: Any) -> MemberAssociation | None:
    """The member association a donor-service user works for (the first, if several), or ``None``."""
    ids = sorted(int(k) for k in scope_for(user).keys(ScopeKind.ASSOCIATION, FUNDRAISING_ROLES) if k.isdigit())
    return MemberAssociation.objects.filter(pk__in=ids).order_by("pk").first() if ids else None


def association_required(*, user: Any) -> MemberAssociation:
    """:func:`association_of`, or 404 for a user who works for none (a change needs one)."""
    association = association_of(user=user)
    if association is None:
        raise Http404
    return association


M = TypeVar("M", bound=Model)


def _visible(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    paths = queryset.model.SCOPE_PATHS  # type: ignore[attr-defined]
    return visible_to(queryset, user=user, paths=paths, roles=FUNDRAISING_ROLES)


def _get(queryset: QuerySet[M], user: Any, pk: int) -> M:
    """The object, or 404 to anyone outside donor service of its association (they may not know it exists)."""
    obj = _visible(queryset, user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def search_number(search: str) -> int | None:
    """The search as a donor number when it is one: ASCII digits only, at most 18 of them, else ``None``.

    ``str.isdigit()`` also accepts ``"¹"``, ``"²"`` and ``"①"``, which ``int()`` refuses, and a longer string of
    digits overflows the database's integer; both used to answer 500.
    """
    return int(search) if _DONOR_NUMBER.fullmatch(search) else None


def supporter_list_for(*, user: Any, search: str = "") -> QuerySet[Supporter]:
    supporters = _visible(Supporter.objects.filter(merged_into__isnull=True), user)
    if search:
        condition = (
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(company_name__icontains=search)
            | Q(email__icontains=search)
        )
        number = search_number(search)
        if number is not None:
            condition |= Q(donor_number=number) | Q(agreements__kid=search)
        supporters = supporters.filter(condition).distinct()
    return supporters


def supporter_get_for(*, user: Any, pk: int) -> Supporter:
    return _get(Supporter.objects.all(), user, pk)


def agreement_list_for(*, user: Any, supporter: Supporter | None = None, state: str = "") -> QuerySet[PaymentAgreement]:
    agreements = _visible(PaymentAgreement.objects.select_related("supporter"), user)
    if supporter is not None:
        agreements = agreements.filter(supporter=supporter)
    if state:
        agreements = agreements.filter(state=state)
    return agreements


def agreement_get_for(*, user: Any, pk: int) -> PaymentAgreement:
    return _get(PaymentAgreement.objects.select_related("supporter"), user, pk)


def payment_list_for(*, user: Any, status: str = "", agreement: PaymentAgreement | None = None) -> QuerySet[Payment]:
    payments = _visible(Payment.objects.select_related("agreement", "supporter", "ocr_import"), user)
    if status:
        payments = payments.filter(status=status)
    if agreement is not None:
        payments = payments.filter(agreement=agreement)
    return payments


def unmatched_payments_for(*, user: Any) -> QuerySet[Payment]:
    """The queue of payments nobody could match by KID, oldest first."""
    return payment_list_for(user=user, status=PaymentStatus.UNMATCHED).order_by("paid_date", "pk")


def held_payments_for(*, user: Any) -> QuerySet[Payment]:
    """Payments held as possible duplicates of ones already imported, with the original, oldest first."""
    return (
        payment_list_for(user=user, status=PaymentStatus.HELD)
        .select_related("duplicate_of", "duplicate_of__ocr_import")
        .order_by("paid_date", "pk")
    )


def payment_get_for(*, user: Any, pk: int) -> Payment:
    return _get(Payment.objects.select_related("agreement", "supporter"), user, pk)


def gift_list_for(*, user: Any, supporter: Supporter | None = None) -> QuerySet[Gift]:
    gifts = _visible(Gift.objects.select_related("supporter"), user)
    return gifts.filter(supporter=supporter) if supporter is not None else gifts


def claim_run_list_for(*, user: Any) -> QuerySet[ClaimRun]:
    return _visible(ClaimRun.objects.select_related("association"), user)


def claim_run_get_for(*, user: Any, pk: int) -> ClaimRun:
    return _get(ClaimRun.objects.select_related("association"), user, pk)


def nets_import_list_for(*, user: Any) -> QuerySet[OcrImport]:
    return _visible(OcrImport.objects.all(), user)


def nets_upload_open_for(*, user: Any) -> QuerySet[NetsUpload]:
    """Uploads waiting for, in or refused by their import (a done one is listed as its import)."""
    return _visible(NetsUpload.objects.exclude(status=NetsUploadStatus.DONE).defer("data"), user).order_by(
        "-created_at", "-pk"
    )


def nets_upload_get_for(*, user: Any, pk: int) -> NetsUpload:
    return _get(NetsUpload.objects.select_related("result").defer("data"), user, pk)


def arrears_for(
    *, user: Any, agreement: PaymentAgreement | None = None, today: dt.date | None = None
) -> QuerySet[Claim]:
    """Claims past their due date with no payment settling them (restanser), oldest first."""
    today = today or timezone.localdate()
    claims = _visible(Claim.objects.select_related("agreement", "agreement__supporter"), user).filter(
        due_date__lt=today, payment__isnull=True
    )
    if agreement is not None:
        claims = claims.filter(agreement=agreement)
    return claims.order_by("due_date", "pk")


@dataclass(frozen=True)
class Arrears:
    claims: int
    amount: Decimal
    oldest_due: dt.date | None


def agreement_arrears_for(*, user: Any, agreement: PaymentAgreement, today: dt.date | None = None) -> Arrears:
    """How many claims of ``agreement`` are unpaid past due, their sum, and the oldest due date."""
    claims = arrears_for(user=user, agreement=agreement, today=today)
    figures = claims.aggregate(count=Count("pk"), total=Sum("amount"))
    oldest = claims.values_list("due_date", flat=True).first()
    return Arrears(claims=figures["count"], amount=figures["total"] or Decimal(0), oldest_due=oldest)
