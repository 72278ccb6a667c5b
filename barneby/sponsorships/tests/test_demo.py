"""The national sponsorship demo: approved profiles and sponsors, one open transfer task; idempotent."""

from __future__ import annotations

import datetime as dt
import functools
import logging

import pytest

from barneby.core.demo import DemoContext
from barneby.fundraising.demo import seed_global
from barneby.fundraising.models import PaymentAgreement
from barneby.fundraising.tests import factories as fund
from barneby.organisation.tests import factories as org
from barneby.sponsorships import demo as sponsorship_demo
from barneby.sponsorships.demo import seed_global_sponsorships, seed_sponsorships
from barneby.sponsorships.models import Sponsorship, SponsorshipEvent, SponsorshipProfile, TransferTask
from barneby.sponsorships.tests.factories import child, world

pytestmark = pytest.mark.django_db


def test_national_sponsorship_demo_is_small_realistic_and_idempotent() -> None:
    w = world()
    w.association.code = "NO-SOS"
    w.association.save()
    for n in range(5):
        child(w, first_name=f"Barn{n}")
    for n in range(30):
        supporter = fund.supporter(w.association, first_name=f"Giver{n}")
        if n % 2:
            fund.agreement(supporter, amount="350.00")
    org.association(code="SE-SOS", name="SOS Sverige 2", country="SE")
    context = DemoContext(scale="national", seed=1, progress=lambda items, **_kw: items)
    seed_sponsorships(context)
    counts = (Sponsorship.objects.count(), SponsorshipProfile.objects.count(), SponsorshipEvent.objects.count())
    # The children are referred, not in care yet: the demo takes only children in a village programme's care.
    assert SponsorshipProfile.objects.count() == 0
    assert counts[0] == 24
    assert Sponsorship.objects.filter(state="active").count() >= 15
    assert Sponsorship.objects.filter(state="ended").exclude(end_reason="").count() == 1
    seed_sponsorships(context)
    assert counts == (Sponsorship.objects.count(), SponsorshipProfile.objects.count(), SponsorshipEvent.objects.count())
    assert context.counts["fadderskap"] == 24


def test_demo_profiles_are_approved_and_one_is_withdrawn_with_a_task() -> None:
    from barneby.care.models import Child, ChildStatus

    w = world()
    w.association.code = "NO-SOS"
    w.association.save()
    for n in range(4):
        kid = child(w, first_name=f"Barn{n}")
        Child.objects.filter(pk=kid.pk).update(status=ChildStatus.ALTERNATIVE_CARE)
    for n in range(6):
        fund.supporter(w.association, first_name=f"Giver{n}")
    seed_sponsorships(DemoContext(scale="national", seed=1, progress=lambda items, **_kw: items))
    assert SponsorshipProfile.objects.filter(status="approved").count() == 3
    assert SponsorshipProfile.objects.filter(status="withdrawn").count() == 1
    assert Sponsorship.objects.filter(target_kind="child").count() == 4
    assert TransferTask.objects.filter(status="open").count() == 1


def test_global_sponsorships_follow_the_global_sponsors_agreements_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    association = org.association(code="NO-SOS", name="SOS-barnebyer Norge")
    context = DemoContext(scale="global", seed=3, progress=lambda items, **_kw: items)
    assert seed_global(context, association, sponsors=60, months=1, last_period=dt.date(2025, 12, 1))
    monkeypatch.setattr(sponsorship_demo, "FLUSH_ROWS", 25)  # written in rounds, as at the global scale
    with caplog.at_level(logging.WARNING, logger="barneby.core.demo"):
        # As seed_demo runs it: one step, in which PostgreSQL's foreign keys are set aside for the bulk load.
        context.step("sponsorships-global", functools.partial(seed_global_sponsorships, context), record=False)
    # Setting them aside failed (a cursor kept the table in use): each row checked at commit, minutes at scale.
    assert not [r for r in caplog.records if "rad for rad" in r.getMessage()]
    active = PaymentAgreement.objects.filter(supporter__association=association, state="active")
    sponsorships = Sponsorship.objects.filter(association=association)
    assert sponsorships.count() == active.count() == 60
    assert set(sponsorships.values_list("state", flat=True)) == {"active"}
    for s in sponsorships.select_related("agreement"):
        assert s.agreement is not None
        assert s.supporter_id == s.agreement.supporter_id
        assert s.monthly_amount == s.agreement.monthly_amount
        s.full_clean()  # a valid target of its kind
    assert SponsorshipEvent.objects.count() == 120  # created, then activated
    seed_global_sponsorships(context)
    assert Sponsorship.objects.count() == 60
    # New rows after the bulk ones get ids past them (PostgreSQL's sequence was moved on).
    highest = max(sponsorships.values_list("pk", flat=True))
    supporter = sponsorships.first().supporter  # type: ignore[union-attr]
    later = Sponsorship.objects.create(
        supporter=supporter, association=association, target_kind="continent", continent="africa", monthly_amount=300
    )
    assert later.pk > highest
