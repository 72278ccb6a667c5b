"""Supporters, agreements and their KIDs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from barneby.accounts.models import User
from barneby.audit.models import AuditEvent
from barneby.fundraising.kid import is_valid_kid, kid_base
from barneby.fundraising.models import (
    AgreementState,
    Gift,
    GiftChannel,
    PaymentAgreement,
    PaymentMethod,
    Supporter,
    SupporterKind,
)
from barneby.fundraising.services import (
    agreement_cancel,
    agreement_create,
    gift_create,
    supporter_create,
    supporter_gift_kid,
)
from barneby.fundraising.tests import factories as f
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


def test_supporter_gets_the_next_donor_number_and_is_audited(
    association: MemberAssociation, donor_service: User
) -> None:
    first = supporter_create(actor=donor_service, association=association, first_name="Kari", last_name="Nordmann")
    second = supporter_create(
        actor=donor_service,
        association=association,
        kind=SupporterKind.COMPANY,
        company_name="Eksempel AS",
        organisation_number="988077917",
        postcode="5003",
        city="Bergen",
    )
    assert second.donor_number == first.donor_number + 1
    assert AuditEvent.objects.filter(object_type="fundraising.supporter").count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"last_name": ""}, "last_name"),
        ({"last_name": "Nordmann", "postcode": "503"}, "postcode"),
        ({"last_name": "Nordmann", "organisation_number": "988077917"}, "organisation_number"),
        ({"last_name": "Nordmann", "national_id": "12345678901"}, "national_id"),
        (
            {"kind": SupporterKind.COMPANY, "company_name": "X AS", "organisation_number": "988077918"},
            "organisation_number",
        ),
        ({"kind": SupporterKind.COMPANY, "company_name": ""}, "company_name"),
    ],
)
def test_supporter_with_invalid_fields_is_refused_in_norwegian(
    association: MemberAssociation, donor_service: User, fields: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        supporter_create(actor=donor_service, association=association, **fields)
    assert field in caught.value.message_dict
    assert not Supporter.objects.exists()


def test_national_id_is_accepted_for_tax_deduction_and_stored_encrypted(
    association: MemberAssociation, donor_service: User
) -> None:
    donor = supporter_create(
        actor=donor_service, association=association, last_name="Nordmann", national_id="15108695088"
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM fundraising_supporter WHERE id = %s", [donor.pk])
        stored = cursor.fetchone()[0]
    assert stored != "15108695088"
    assert "15108695088" not in stored
    assert Supporter.objects.get(pk=donor.pk).national_id == "15108695088"


def test_agreement_kids_are_fixed_length_mod10_from_donor_number_and_sequence(
    association: MemberAssociation, donor_service: User, settings: object
) -> None:
    donor = f.supporter(association)
    first = agreement_create(actor=donor_service, supporter=donor, method=PaymentMethod.AVTALEGIRO, monthly_amount=350)
    second = agreement_create(actor=donor_service, supporter=donor, method=PaymentMethod.GIRO, monthly_amount="250.50")
    assert (first.sequence, second.sequence) == (1, 2)
    assert len(first.kid) == settings.FUNDRAISING_KID_LENGTH  # type: ignore[attr-defined]
    assert first.kid.startswith(kid_base(donor.donor_number, 1, length=len(first.kid)))
    assert is_valid_kid(first.kid, "MOD10")
    assert is_valid_kid(second.kid, "MOD10")
    assert (first.state, second.state) == (AgreementState.PENDING, AgreementState.ACTIVE)
    assert supporter_gift_kid(donor) not in {first.kid, second.kid}


def test_mod11_allocation_skips_sequences_whose_check_digit_would_be_a_dash(
    association: MemberAssociation, donor_service: User, settings: object
) -> None:
    settings.FUNDRAISING_KID_MODULUS = "MOD11"  # type: ignore[attr-defined]
    donor = f.supporter(association)
    kids = [
        agreement_create(actor=donor_service, supporter=donor, method=PaymentMethod.GIRO, monthly_amount=100).kid
        for _ in range(12)
    ]
    assert all(is_valid_kid(kid, "MOD11") and not kid.endswith("-") for kid in kids)


@pytest.mark.parametrize("amount", [0, -350, "50", "1000000"])
def test_monthly_amount_must_be_positive_and_within_the_limits(
    association: MemberAssociation, donor_service: User, amount: object
) -> None:
    with pytest.raises(ValidationError):
        agreement_create(
            actor=donor_service,
            supporter=f.supporter(association),
            method="avtalegiro",
            monthly_amount=amount,  # type: ignore[arg-type]
        )
    assert not PaymentAgreement.objects.exists()


def test_database_refuses_a_non_positive_monthly_amount(association: MemberAssociation) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        f.agreement(f.supporter(association), amount="0")


def test_cancel_is_audited_and_idempotent(association: MemberAssociation, donor_service: User) -> None:
    agreement = f.agreement(f.supporter(association))
    agreement_cancel(actor=donor_service, agreement=agreement, reason="giver ønsket det")
    agreement_cancel(actor=donor_service, agreement=agreement)
    assert agreement.state == AgreementState.CANCELLED
    assert AuditEvent.objects.filter(object_type="fundraising.paymentagreement").count() == 1


@pytest.mark.parametrize(
    "start",
    [dt.date(9999, 12, 31), dt.date(1900, 1, 1), "too_far_back", "too_far_ahead"],
)
def test_implausible_agreement_start_dates_are_refused(
    association: MemberAssociation, donor_service: User, start: dt.date | str
) -> None:
    today = timezone.localdate()
    if start == "too_far_back":
        start = today.replace(year=today.year - 11)
    elif start == "too_far_ahead":
        start = today + dt.timedelta(days=400)
    assert isinstance(start, dt.date)
    supporter = f.supporter(association)
    with pytest.raises(ValidationError) as error:
        agreement_create(
            actor=donor_service, supporter=supporter, method=PaymentMethod.GIRO, monthly_amount=300, start_date=start
        )
    assert "Startdatoen må ligge mellom" in error.value.message_dict["start_date"][0]
    assert not PaymentAgreement.objects.exists()
    for fine in (today.replace(year=today.year - 3), today + dt.timedelta(days=200)):
        agreement_create(
            actor=donor_service, supporter=supporter, method=PaymentMethod.GIRO, monthly_amount=300, start_date=fine
        )
    assert PaymentAgreement.objects.count() == 2


def test_a_gift_dated_in_the_future_or_long_ago_is_refused(association: MemberAssociation, donor_service: User) -> None:
    today = timezone.localdate()
    supporter = f.supporter(association)
    for date, message in [
        (today + dt.timedelta(days=30), "fram i tid"),
        (today + dt.timedelta(days=1), "fram i tid"),
        (dt.date(1900, 1, 1), "kan ikke ligge før"),
    ]:
        with pytest.raises(ValidationError) as error:
            gift_create(actor=donor_service, supporter=supporter, amount=500, date=date, channel=GiftChannel.GIRO)
        assert message in error.value.message_dict["date"][0]
    assert not Gift.objects.exists()
    gift_create(actor=donor_service, supporter=supporter, amount=500, date=today, channel=GiftChannel.GIRO)
    assert Gift.objects.count() == 1
