"""Only donor service of the supporter's association sees fundraising data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.http import Http404

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.core.tests.personas import make_persona
from barneby.fundraising import selectors
from barneby.fundraising.models import Claim, ClaimRun, Payment, PaymentStatus
from barneby.fundraising.payments import ocr_import, payment_register
from barneby.fundraising.services import gift_create
from barneby.fundraising.tests import factories as f
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db

LISTS: dict[str, Callable[..., object]] = {
    "supporters": selectors.supporter_list_for,
    "agreements": selectors.agreement_list_for,
    "payments": selectors.payment_list_for,
    "unmatched": selectors.unmatched_payments_for,
    "gifts": selectors.gift_list_for,
    "claim_runs": selectors.claim_run_list_for,
    "imports": selectors.nets_import_list_for,
    "arrears": selectors.arrears_for,
}


@pytest.fixture
def filled(association: MemberAssociation, donor_service: User) -> dict[str, object]:
    donor = f.supporter(association)
    agreement = f.agreement(donor)
    run = ClaimRun.objects.create(association=association, period=dt.date(2025, 1, 1), due_date=dt.date(2025, 1, 20))
    Claim.objects.create(
        claim_run=run, agreement=agreement, period=run.period, amount=Decimal(350), due_date=run.due_date
    )
    ocr_import(actor=donor_service, association=association, data=f.ocr_file([("000000012345", Decimal(10))]))
    gift_create(actor=donor_service, supporter=donor, amount=100, date=dt.date(2025, 2, 1), channel="cash")
    return {"donor": donor, "agreement": agreement}


def _counts(user: User) -> dict[str, int]:
    return {name: fn(user=user).count() for name, fn in LISTS.items()}  # type: ignore[attr-defined]


def test_donor_service_of_the_association_sees_everything(donor_service: User, filled: dict[str, object]) -> None:
    assert all(n >= 1 for n in _counts(donor_service).values()), _counts(donor_service)
    assert selectors.supporter_get_for(user=donor_service, pk=filled["donor"].pk) == filled["donor"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "make_user",
    [
        lambda other: make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(other.pk)),
        lambda other: make_persona(Role.CASEWORKER),
        lambda other: make_persona(Role.NATIONAL_DIRECTOR),
        lambda other: make_persona(Role.AUDITOR),
        lambda other: make_persona(Role.SYSTEM_ADMIN),
    ],
    ids=["donor-service-elsewhere", "caseworker", "national-director", "auditor", "system-admin"],
)
def test_everyone_else_sees_nothing(
    filled: dict[str, object], other_association: MemberAssociation, make_user: Callable[[MemberAssociation], User]
) -> None:
    user = make_user(other_association)
    assert set(_counts(user).values()) == {0}
    with pytest.raises(Http404):
        selectors.supporter_get_for(user=user, pk=filled["donor"].pk)  # type: ignore[attr-defined]
    with pytest.raises(Http404):
        selectors.agreement_get_for(user=user, pk=filled["agreement"].pk)  # type: ignore[attr-defined]


def test_arrears_are_claims_past_due_without_a_payment(
    association: MemberAssociation, donor_service: User, filled: dict[str, object]
) -> None:
    agreement = filled["agreement"]
    arrears = selectors.agreement_arrears_for(user=donor_service, agreement=agreement, today=dt.date(2025, 3, 1))  # type: ignore[arg-type]
    assert (arrears.claims, arrears.amount, arrears.oldest_due) == (1, Decimal(350), dt.date(2025, 1, 20))
    before_due = selectors.agreement_arrears_for(user=donor_service, agreement=agreement, today=dt.date(2025, 1, 20))  # type: ignore[arg-type]
    assert before_due.claims == 0
    payment_register(
        actor=donor_service,
        association=association,
        amount=350,
        paid_date=dt.date(2025, 1, 25),
        kid=agreement.kid,  # type: ignore[attr-defined]
    )
    settled = selectors.agreement_arrears_for(user=donor_service, agreement=agreement, today=dt.date(2025, 3, 1))  # type: ignore[arg-type]
    assert settled.claims == 0


def test_unmatched_queue_lists_only_unmatched(donor_service: User, filled: dict[str, object]) -> None:
    queue = selectors.unmatched_payments_for(user=donor_service)
    assert [p.status for p in queue] == [PaymentStatus.UNMATCHED]
    assert Payment.objects.count() == 1
