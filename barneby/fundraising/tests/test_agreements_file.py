"""AvtaleGiro agreements (FBO) files: activation, deletion, idempotency, unknown KIDs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from barneby.accounts.models import User
from barneby.fundraising.models import AgreementState, OcrImport, PaymentAgreement, PaymentMethod
from barneby.fundraising.payments import agreements_file_import
from barneby.fundraising.tests import factories as f
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db

NEW, DELETED, ALL_ACTIVE = 1, 2, 0


def test_new_mandate_activates_and_deleted_mandate_cancels(association: MemberAssociation, donor_service: User) -> None:
    donor = f.supporter(association)
    pending = f.agreement(donor, state=AgreementState.PENDING)
    active = f.agreement(donor)
    result = agreements_file_import(
        actor=donor_service,
        association=association,
        data=f.agreements_file([(pending.kid, NEW, True), (active.kid, DELETED, False)]),
    )
    pending.refresh_from_db()
    active.refresh_from_db()
    assert (pending.state, pending.notify_by_bank, pending.activated_at is not None) == (
        AgreementState.ACTIVE,
        True,
        True,
    )
    assert (active.state, active.cancelled_at is not None) == (AgreementState.CANCELLED, True)
    assert (result.activated, result.cancelled, result.problems) == (1, 1, [])


def test_the_same_registrations_again_change_nothing(association: MemberAssociation, donor_service: User) -> None:
    agreement = f.agreement(f.supporter(association), state=AgreementState.PENDING)
    data = f.agreements_file([(agreement.kid, NEW, False)])
    agreements_file_import(actor=donor_service, association=association, data=data)
    with pytest.raises(ValidationError, match="allerede importert"):
        agreements_file_import(actor=donor_service, association=association, data=data)
    # A later file (new transmission number) repeating the registration, e.g. Nets' "all active" list.
    again = agreements_file_import(
        actor=donor_service, association=association, data=f.agreements_file([(agreement.kid, ALL_ACTIVE, False)])
    )
    assert (again.activated, again.unchanged) == (0, 1)
    assert OcrImport.objects.count() == 2


def test_unknown_kid_creates_no_agreement_and_is_listed(association: MemberAssociation, donor_service: User) -> None:
    cancelled = f.agreement(f.supporter(association), state=AgreementState.CANCELLED)
    vipps = f.agreement(f.supporter(association), method=PaymentMethod.VIPPS, state=AgreementState.PENDING)
    result = agreements_file_import(
        actor=donor_service,
        association=association,
        data=f.agreements_file([("000000000018", NEW, True), (cancelled.kid, NEW, False), (vipps.kid, NEW, False)]),
    )
    assert [p["kid"] for p in result.problems] == ["000000000018", cancelled.kid, vipps.kid]
    assert result.record.unmatched_count == 3
    assert PaymentAgreement.objects.count() == 2
    cancelled.refresh_from_db()
    vipps.refresh_from_db()
    assert (cancelled.state, vipps.state) == (AgreementState.CANCELLED, AgreementState.PENDING)


def test_corrupt_agreements_file_changes_nothing(association: MemberAssociation, donor_service: User) -> None:
    agreement = f.agreement(f.supporter(association), state=AgreementState.PENDING)
    lines = f.agreements_file([(agreement.kid, NEW, True), ("000000000018", NEW, True)]).splitlines()
    with pytest.raises(ValidationError, match="NY000089"):
        agreements_file_import(actor=donor_service, association=association, data="\n".join(lines[:-1]))
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.PENDING
    assert not OcrImport.objects.exists()
