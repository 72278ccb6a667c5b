"""Vipps recurring agreements and charges against the fake provider (no network)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from barneby.accounts.models import User
from barneby.fundraising.models import AgreementState, Claim, ClaimRunStatus, PaymentMethod
from barneby.fundraising.services import agreement_create, supporter_create
from barneby.fundraising.tests import factories as f
from barneby.fundraising.vipps import (
    FakeVippsProvider,
    vipps_agreement_start,
    vipps_agreement_sync,
    vipps_charges_create,
)
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


def _next_month() -> dt.date:
    return (timezone.localdate() + dt.timedelta(days=40)).replace(day=1)


def test_agreement_is_created_approved_and_charged_once_per_month(
    association: MemberAssociation, donor_service: User
) -> None:
    vipps = FakeVippsProvider()
    donor = supporter_create(actor=donor_service, association=association, first_name="Ola", last_name="Nordmann")
    agreement = agreement_create(actor=donor_service, supporter=donor, method=PaymentMethod.VIPPS, monthly_amount=300)
    assert agreement.state == AgreementState.PENDING

    draft = vipps_agreement_start(actor=donor_service, agreement=agreement, provider=vipps)
    assert draft.confirmation_url.endswith(draft.agreement_id)
    assert vipps.agreements[draft.agreement_id]["amount_ore"] == 30000
    vipps_agreement_sync(actor=donor_service, agreement=agreement, provider=vipps)
    assert agreement.state == AgreementState.PENDING  # not approved yet

    vipps.approve(draft.agreement_id)
    vipps_agreement_sync(actor=donor_service, agreement=agreement, provider=vipps)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE

    run = vipps_charges_create(actor=donor_service, association=association, period=_next_month(), provider=vipps)
    assert (run.status, run.claim_count, run.total_amount) == (ClaimRunStatus.COMPLETE, 1, Decimal(300))
    claim = Claim.objects.get()
    assert claim.external_id.startswith("chr_fake")
    again = vipps_charges_create(actor=donor_service, association=association, period=_next_month(), provider=vipps)
    assert again.pk == run.pk
    assert len(vipps.charges) == 1
    assert Claim.objects.count() == 1


def test_charges_go_in_bulk_and_a_repeated_request_is_not_charged_twice(
    association: MemberAssociation, donor_service: User
) -> None:
    vipps = FakeVippsProvider()
    agreements = []
    for n in range(3):
        draft = vipps.create_agreement(phone="", amount_ore=10000, product_name="x", reference=str(n))
        vipps.approve(draft.agreement_id)
        agreements.append(
            f.agreement(f.supporter(association), method=PaymentMethod.VIPPS, vipps_agreement_id=draft.agreement_id)
        )
    # A stopped agreement: its charge is refused and the run stays open for a retry.
    vipps.stop(agreements[2].vipps_agreement_id)
    run = vipps_charges_create(actor=donor_service, association=association, period=_next_month(), provider=vipps)
    assert run.status == ClaimRunStatus.RUNNING
    assert len(vipps.charges) == 2
    vipps.approve(agreements[2].vipps_agreement_id)
    run = vipps_charges_create(actor=donor_service, association=association, period=_next_month(), provider=vipps)
    assert run.status == ClaimRunStatus.COMPLETE
    assert len(vipps.charges) == 3
    assert Claim.objects.filter(external_id="").count() == 0


def test_stopped_in_vipps_cancels_ours(association: MemberAssociation, donor_service: User) -> None:
    vipps = FakeVippsProvider()
    agreement = f.agreement(f.supporter(association), method=PaymentMethod.VIPPS, state=AgreementState.PENDING)
    draft = vipps_agreement_start(actor=donor_service, agreement=agreement, provider=vipps)
    vipps.approve(draft.agreement_id)
    vipps_agreement_sync(actor=donor_service, agreement=agreement, provider=vipps)
    vipps.stop(draft.agreement_id)
    vipps_agreement_sync(actor=donor_service, agreement=agreement, provider=vipps)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.CANCELLED
    with pytest.raises(ValidationError):
        vipps_agreement_start(actor=donor_service, agreement=agreement, provider=vipps)


def test_avtalegiro_agreement_cannot_go_to_vipps(association: MemberAssociation, donor_service: User) -> None:
    agreement = f.agreement(f.supporter(association), state=AgreementState.PENDING)
    with pytest.raises(ValidationError, match="ikke en Vipps-avtale"):
        vipps_agreement_start(actor=donor_service, agreement=agreement, provider=FakeVippsProvider())
