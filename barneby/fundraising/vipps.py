"""Vipps MobilePay recurring agreements and charges behind a small provider interface.

The real provider (Recurring API v3 over HTTPS, Vipps' own idempotency keys) is
not part of this module; :class:`FakeVippsProvider` stands in for it in tests and
demos and makes no network calls. The flow (FUNDRAISING.md §2.3):

1. :func:`vipps_agreement_start` asks Vipps for an agreement; the supporter
   approves it in the app (the fake's :meth:`FakeVippsProvider.approve`);
2. :func:`vipps_agreement_sync` reads the status and activates (or cancels) ours;
3. :func:`vipps_charges_create` makes the month's claims (the same idempotent,
   resumable claim run as AvtaleGiro) and sends them as charges in bulk
   requests. Each charge's order id is derived from its claim, so a request
   repeated after a crash is recognised by Vipps rather than charged twice.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.fundraising.claims import Progress, create_claims, period_start, run_for
from barneby.fundraising.models import (
    AgreementState,
    Claim,
    ClaimRun,
    ClaimRunStatus,
    PaymentAgreement,
    PaymentMethod,
)
from barneby.organisation.models import MemberAssociation

MAX_CHARGES_PER_REQUEST = 2000  # Vipps' bulk charge limit


class VippsStatus(enum.StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    STOPPED = "STOPPED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class AgreementDraft:
    agreement_id: str
    confirmation_url: str


@dataclass(frozen=True)
class ChargeRequest:
    agreement_id: str
    amount_ore: int
    due: dt.date
    description: str
    order_id: str  # idempotency key: the same order id is the same charge


@dataclass(frozen=True)
class ChargeResult:
    order_id: str
    charge_id: str
    accepted: bool
    reason: str = ""


class VippsProvider(Protocol):
    """What Barneby needs from Vipps' Recurring API."""

    def create_agreement(self, *, phone: str, amount_ore: int, product_name: str, reference: str) -> AgreementDraft: ...

    def agreement_status(self, agreement_id: str) -> VippsStatus: ...

    def create_charges(self, charges: Sequence[ChargeRequest]) -> list[ChargeResult]: ...


@dataclass
class FakeVippsProvider:
    """An in-memory Vipps for tests: agreements to approve by hand, idempotent bulk charges."""

    agreements: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, ChargeResult] = field(default_factory=dict)
    requests: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def create_agreement(self, *, phone: str, amount_ore: int, product_name: str, reference: str) -> AgreementDraft:
        self.requests += 1
        agreement_id = f"agr_fake{next(self._ids):06d}"
        self.agreements[agreement_id] = {"status": VippsStatus.PENDING, "amount_ore": amount_ore, "phone": phone}
        return AgreementDraft(agreement_id, f"https://vipps.example/approve/{agreement_id}")

    def approve(self, agreement_id: str) -> None:
        """What the supporter does in the Vipps app."""
        self.agreements[agreement_id]["status"] = VippsStatus.ACTIVE

    def stop(self, agreement_id: str) -> None:
        self.agreements[agreement_id]["status"] = VippsStatus.STOPPED

    def agreement_status(self, agreement_id: str) -> VippsStatus:
        self.requests += 1
        status: VippsStatus = self.agreements[agreement_id]["status"]
        return status

    def create_charges(self, charges: Sequence[ChargeRequest]) -> list[ChargeResult]:
        self.requests += 1
        if len(charges) > MAX_CHARGES_PER_REQUEST:
            raise ValueError(f"at most {MAX_CHARGES_PER_REQUEST} charges per request")
        results = []
        for charge in charges:
            if charge.order_id in self.charges:
                results.append(self.charges[charge.order_id])
                continue
            agreement = self.agreements.get(charge.agreement_id)
            if agreement is None or agreement["status"] != VippsStatus.ACTIVE:
                results.append(ChargeResult(charge.order_id, "", accepted=False, reason="agreement not active"))
                continue
            result = ChargeResult(charge.order_id, f"chr_fake{next(self._ids):06d}", accepted=True)
            self.charges[charge.order_id] = result
            results.append(result)
        return results


def _require_vipps(agreement: PaymentAgreement) -> None:
    if agreement.method != PaymentMethod.VIPPS:
        raise ValidationError(_("Avtalen er ikke en Vipps-avtale."))


@transaction.atomic
def vipps_agreement_start(*, actor: Any, agreement: PaymentAgreement, provider: VippsProvider) -> AgreementDraft:
    """Ask Vipps for a recurring agreement; the supporter approves it at ``confirmation_url``."""
    _require_vipps(agreement)
    if agreement.vipps_agreement_id or agreement.state != AgreementState.PENDING:
        raise ValidationError(_("Avtalen er allerede sendt til Vipps."))
    draft = provider.create_agreement(
        phone=agreement.supporter.phone,
        amount_ore=int(agreement.monthly_amount * 100),
        product_name=str(_("Fadderskap")),
        reference=agreement.kid,
    )
    agreement.vipps_agreement_id = draft.agreement_id
    agreement.save(update_fields=["vipps_agreement_id", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=agreement, detail=f"vipps {draft.agreement_id}")
    return draft


@transaction.atomic
def vipps_agreement_sync(*, actor: Any, agreement: PaymentAgreement, provider: VippsProvider) -> PaymentAgreement:
    """Bring our agreement in line with Vipps: approved → active, stopped or expired → cancelled."""
    _require_vipps(agreement)
    if not agreement.vipps_agreement_id:
        raise ValidationError(_("Avtalen er ikke sendt til Vipps ennå."))
    status = provider.agreement_status(agreement.vipps_agreement_id)
    now = timezone.now()
    if status == VippsStatus.ACTIVE and agreement.state == AgreementState.PENDING:
        agreement.state, agreement.activated_at = AgreementState.ACTIVE, now
    elif status in (VippsStatus.STOPPED, VippsStatus.EXPIRED) and agreement.state != AgreementState.CANCELLED:
        agreement.state, agreement.cancelled_at = AgreementState.CANCELLED, now
    else:
        return agreement
    agreement.save(update_fields=["state", "activated_at", "cancelled_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=agreement, detail=f"vipps status {status}")
    return agreement


def vipps_charges_create(
    *,
    actor: Any,
    association: MemberAssociation,
    period: dt.date,
    provider: VippsProvider,
    due_date: dt.date | None = None,
    progress: Progress | None = None,
) -> ClaimRun:
    """Make the month's Vipps claims and send each as a charge, once; safe to repeat or resume.

    The run completes when every claim has a charge id; claims Vipps refused
    keep an empty id and are sent again the next time the run is started.
    """
    period = period_start(period)
    run, created = run_for(
        actor=actor, association=association, method=PaymentMethod.VIPPS, period=period, due_date=due_date
    )
    if created and run.due_date <= timezone.localdate():
        raise ValidationError(_("Vipps-trekk må opprettes minst én dag før forfall."))
    if run.status == ClaimRunStatus.COMPLETE:
        return run
    create_claims(run=run, progress=progress)
    pending = (
        Claim.objects.filter(claim_run=run, external_id="")
        .order_by("pk")
        .values_list("pk", "agreement__vipps_agreement_id", "amount", "due_date")
    )
    refused = 0
    rows = iter(list(pending))  # read first: we update these rows as we go
    while batch := list(itertools.islice(rows, MAX_CHARGES_PER_REQUEST)):
        requests = [
            ChargeRequest(
                agreement_id=vipps_id,
                amount_ore=int(amount * 100),
                due=due,
                description=str(_("Fadderskap {month}")).format(month=f"{period:%m.%Y}"),
                order_id=f"barneby-claim-{pk}",
            )
            for pk, vipps_id, amount, due in batch
        ]
        results = {r.order_id: r for r in provider.create_charges(requests)}
        accepted = [
            Claim(pk=pk, external_id=results[f"barneby-claim-{pk}"].charge_id)
            for pk, *_rest in batch
            if results[f"barneby-claim-{pk}"].accepted
        ]
        refused += len(batch) - len(accepted)
        with transaction.atomic():
            Claim.objects.bulk_update(accepted, ["external_id"], batch_size=500)
    figures = Claim.objects.filter(claim_run=run).aggregate(total=Sum("amount"))
    with transaction.atomic():
        run.claim_count = Claim.objects.filter(claim_run=run).count()
        run.total_amount = figures["total"] or Decimal(0)
        if refused == 0:
            run.status, run.completed_at = ClaimRunStatus.COMPLETE, timezone.now()
        run.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=run,
            detail=f"vipps: {run.claim_count} claims, {refused} refused, {provider.__class__.__name__}",
        )
    return run
