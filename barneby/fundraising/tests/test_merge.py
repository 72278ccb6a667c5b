"""Merging duplicate supporters: every related row moves, history is kept, and the wrong merges are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from barneby.accounts.models import User
from barneby.accounts.roles import Role
from barneby.audit.models import AuditEvent
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising import services
from barneby.fundraising.merge import merge_supporters
from barneby.fundraising.models import (
    Consent,
    Gift,
    Payment,
    PaymentAgreement,
    PaymentSource,
    PaymentStatus,
    Supporter,
)
from barneby.fundraising.tests import factories as ff
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


def _payment(supporter: Supporter, agreement: PaymentAgreement | None, amount: str) -> Payment:
    return Payment.objects.create(
        association=supporter.association,
        source=PaymentSource.MANUAL,
        amount=Decimal(amount),
        paid_date=dt.date(2026, 3, 20),
        status=PaymentStatus.MATCHED,
        supporter=supporter,
        agreement=agreement,
        kid=agreement.kid if agreement else "",
    )


@pytest.fixture
def pair(association: MemberAssociation, donor_service: User) -> tuple[Supporter, Supporter]:
    survivor = ff.supporter(association, first_name="Kari", last_name="Nordmann", email="kari@example.org")
    duplicate = ff.supporter(
        association,
        first_name="Kari",
        last_name="Nordmann",
        email="KARI@example.org",
        phone="+47 912 34 567",
        street_address="Storgata 1",
        postcode="0150",
        city="Oslo",
    )
    ff.agreement(survivor, sequence=1)
    theirs = ff.agreement(duplicate, sequence=1)
    ff.agreement(duplicate, sequence=2, state="cancelled")
    _payment(duplicate, theirs, "350.00")
    services.gift_create(
        actor=donor_service,
        supporter=duplicate,
        amount="500",
        date=dt.date(2026, 2, 1),
        channel="cash",
        send_receipt=False,
    )
    services.consent_record(
        actor=donor_service, supporter=duplicate, purpose="email", granted=True, source="form", text_version="v1"
    )
    return survivor, duplicate


def test_merge_moves_everything_and_keeps_history(pair: tuple[Supporter, Supporter], donor_service: User) -> None:
    survivor, duplicate = pair
    kids = set(PaymentAgreement.objects.filter(supporter=duplicate).values_list("kid", flat=True))
    merge_supporters(actor=donor_service, survivor=survivor, duplicate=duplicate)
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert duplicate.is_active is False
    assert duplicate.merged_at is not None
    assert duplicate.email == "KARI@example.org"  # the duplicate keeps its own data for history
    agreements = list(PaymentAgreement.objects.filter(supporter=survivor).order_by("sequence"))
    assert [a.sequence for a in agreements] == [1, 2, 3]  # renumbered after the survivor's own
    assert kids <= {a.kid for a in agreements}  # KIDs the bank knows do not change
    assert Payment.objects.get().supporter == survivor
    assert Payment.objects.get().amount == Decimal("350.00")
    assert Gift.objects.get().supporter == survivor
    assert Consent.objects.get().supporter == survivor
    assert services.consent_granted(survivor, "email") is True
    assert not PaymentAgreement.objects.filter(supporter=duplicate).exists()
    # Empty fields filled from the duplicate; the survivor's own e-mail stays.
    assert (survivor.email, survivor.phone, survivor.street_address, survivor.postcode, survivor.city) == (
        "kari@example.org",
        "+47 912 34 567",
        "Storgata 1",
        "0150",
        "Oslo",
    )
    assert survivor.phone_key == "91234567"
    events = AuditEvent.objects.filter(object_type="fundraising.supporter", detail__startswith="merged")
    assert events.count() == 2


def test_earlier_merges_follow_to_the_survivor(association: MemberAssociation, donor_service: User) -> None:
    survivor, middle, oldest_dup = (ff.supporter(association) for _ in range(3))
    merge_supporters(actor=donor_service, survivor=middle, duplicate=oldest_dup)
    merge_supporters(actor=donor_service, survivor=survivor, duplicate=middle)
    oldest_dup.refresh_from_db()
    assert oldest_dup.merged_into == survivor


def test_refused_merges(
    association: MemberAssociation, other_association: MemberAssociation, donor_service: User
) -> None:
    a, b, c = (ff.supporter(association) for _ in range(3))
    foreign = ff.supporter(other_association)
    with pytest.raises(ValidationError, match="seg selv"):
        merge_supporters(actor=donor_service, survivor=a, duplicate=a)
    with pytest.raises(ValidationError, match="ulike medlemsorganisasjoner"):
        merge_supporters(actor=donor_service, survivor=a, duplicate=foreign)
    merge_supporters(actor=donor_service, survivor=a, duplicate=b)
    b.refresh_from_db()
    with pytest.raises(ValidationError, match="allerede slått sammen"):
        merge_supporters(actor=donor_service, survivor=b, duplicate=c)
    with pytest.raises(ValidationError, match="allerede slått sammen"):
        merge_supporters(actor=donor_service, survivor=c, duplicate=b)
    company = ff.supporter(association, kind="company", company_name="Fjord AS", last_name="")
    with pytest.raises(ValidationError, match="person og en bedrift"):
        merge_supporters(actor=donor_service, survivor=c, duplicate=company)
    c.refresh_from_db()
    assert c.merged_into is None
    assert foreign.merged_from.count() == 0


def test_merged_record_page_redirects_to_the_survivor(pair: tuple[Supporter, Supporter], donor_service: User) -> None:
    survivor, duplicate = pair
    merge_supporters(actor=donor_service, survivor=survivor, duplicate=duplicate)
    client = verified_client(donor_service)
    response = client.get(f"/innsamling/givere/{duplicate.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/innsamling/givere/{survivor.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert str(duplicate.donor_number) in page  # "merged from" on the survivor


def test_merge_page_compares_and_needs_confirmation(pair: tuple[Supporter, Supporter], donor_service: User) -> None:
    survivor, duplicate = pair
    client = verified_client(donor_service)
    url = f"/innsamling/givere/{survivor.pk}/slaa-sammen/"
    chooser = client.get(url).content.decode()
    assert f"?duplikat={duplicate.donor_number}" in chooser  # offered as a candidate
    compare = client.get(url, {"duplikat": duplicate.donor_number})
    assert compare.status_code == 200
    text = compare.content.decode()
    assert "Storgata 1" in text
    assert "Etter sammenslåing" in text
    unconfirmed = client.post(url, {"duplicate": duplicate.donor_number})
    assert unconfirmed.status_code == 400
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    unknown = client.post(url, {"duplicate": 999, "confirm": "on"})
    assert unknown.status_code == 400
    done = client.post(url, {"duplicate": duplicate.donor_number, "confirm": "on"})
    assert done.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.AUDITOR])
def test_merge_page_is_for_donor_service_only(role: Role, pair: tuple[Supporter, Supporter], client: Client) -> None:
    survivor, duplicate = pair
    url = f"/innsamling/givere/{survivor.pk}/slaa-sammen/"
    other = verified_client(make_persona(role))
    assert other.get(url).status_code == 404
    assert other.post(url, {"duplicate": duplicate.donor_number, "confirm": "on"}).status_code == 404
    anonymous = client.post(url, {"duplicate": duplicate.donor_number, "confirm": "on"})
    assert anonymous["Location"].startswith("/konto/logg-inn/")
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_a_unique_conflict_without_a_mover_refuses_the_whole_merge(
    pair: tuple[Supporter, Supporter], donor_service: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any model with a unique constraint per supporter (here agreements, without their renumbering) stops the merge."""
    from barneby.fundraising import merge

    survivor, duplicate = pair
    earlier = ff.supporter(duplicate.association)
    merge_supporters(actor=donor_service, survivor=duplicate, duplicate=earlier)
    monkeypatch.setattr(merge, "MOVERS", {})
    with pytest.raises(ValidationError, match="betalingsavtale"):
        merge_supporters(actor=donor_service, survivor=survivor, duplicate=duplicate)
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert PaymentAgreement.objects.filter(supporter=duplicate).count() == 2
    assert Gift.objects.get().supporter == duplicate
    earlier.refresh_from_db()
    assert earlier.merged_into == duplicate  # moved first, then rolled back: nothing half-way
