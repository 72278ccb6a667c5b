"""The national fundraising demo: supporters with agreements, payments, gifts and an unmatched queue; idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import F, Sum, TextField
from django.db.models.functions import Cast

from barneby.core.demo import DemoContext
from barneby.core.fields import decrypt_value
from barneby.core.identity import person_number_error
from barneby.fundraising.demo import UNMATCHED_PER_MONTH, seed_fundraising, seed_global
from barneby.fundraising.kid import is_valid_kid, split_kid
from barneby.fundraising.models import Claim, ClaimRun, Consent, Gift, OcrImport, Payment, PaymentAgreement, Supporter
from barneby.fundraising.tests import factories as f
from barneby.organisation.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_national_fundraising_demo_is_realistic_and_idempotent() -> None:
    org.association(code="NO-SOS", name="SOS-barnebyer Norge")
    context = DemoContext(scale="national", seed=1, progress=lambda items, **_kw: items)
    seed_fundraising(context)
    counts: tuple[Any, ...] = (
        Supporter.objects.count(),
        PaymentAgreement.objects.count(),
        Payment.objects.count(),
        Gift.objects.count(),
    )
    assert counts[0] == 300
    assert PaymentAgreement.objects.filter(state="active", method="avtalegiro").count() > 200
    assert Payment.objects.filter(status="unmatched").count() == 6
    assert Payment.objects.filter(status="matched").count() > 150
    assert Gift.objects.filter(supporter__kind="company").count() == 20
    # Half asked for the tax deduction, so this year's report has donors in it (in January: few, by design).
    from django.conf import settings as django_settings
    from django.utils import timezone

    from barneby.fundraising.taxreport import build_tax_report
    from barneby.organisation.models import MemberAssociation

    with_id = [s for s in Supporter.objects.filter(kind="person") if s.national_id]
    assert 100 < len(with_id) < 180
    today = timezone.localdate()
    if today.month >= 3 and today.year in django_settings.FUNDRAISING_TAX_DEDUCTION_MAX:
        association = MemberAssociation.objects.get(code="NO-SOS")
        assert len(build_tax_report(association=association, year=today.year).lines) > 50
    seed_fundraising(context)
    assert counts == (
        Supporter.objects.count(),
        PaymentAgreement.objects.count(),
        Payment.objects.count(),
        Gift.objects.count(),
    )


def test_global_generator_builds_sponsors_with_a_year_of_payments_and_is_idempotent(settings: Any) -> None:
    """The global generator at a tiny scale: the same code path as 130,000 sponsors, in a second."""
    association = org.association(code="NO-SOS", name="SOS-barnebyer Norge")
    context = DemoContext(scale="global", seed=3, progress=lambda items, **_kw: items)
    assert seed_global(context, association, sponsors=120, months=3, last_period=dt.date(2025, 12, 1))

    supporters = Supporter.objects.filter(association=association)
    assert supporters.count() == 120
    agreements = PaymentAgreement.objects.filter(supporter__association=association)
    assert agreements.count() == 120
    assert set(agreements.values_list("state", flat=True)) == {"active"}
    for kid, donor_number in agreements.values_list("kid", "supporter__donor_number"):
        assert len(kid) == settings.FUNDRAISING_KID_LENGTH
        assert is_valid_kid(kid, "MOD10")
        assert split_kid(kid, length=settings.FUNDRAISING_KID_LENGTH) == (donor_number, 1)
    # Claims and payments for the three months, settled one to one; a few claims left open (arrears).
    claims = Claim.objects.filter(agreement__supporter__association=association)
    assert set(claims.values_list("period", flat=True)) <= {dt.date(2025, m, 1) for m in (10, 11, 12)}
    assert claims.count() > 120 * 2
    assert ClaimRun.objects.count() == 6
    assert sum(ClaimRun.objects.values_list("claim_count", flat=True)) == claims.count()
    settled = Payment.objects.filter(claim__isnull=False)
    assert settled.count() <= claims.count()
    assert not settled.exclude(agreement_id=F("claim__agreement_id")).exists()
    assert Payment.objects.filter(status="unmatched").count() == 3 * UNMATCHED_PER_MONTH
    for record in OcrImport.objects.all():
        assert record.payments.count() == record.transaction_count
        assert record.payments.aggregate(total=Sum("amount"))["total"] == record.total_amount
    # Gifts to the gift KID: a matched payment without an agreement, each with its gift.
    assert Gift.objects.count() == Payment.objects.filter(agreement__isnull=True, status="matched").count()
    # Identity numbers: synthetic, valid, stored encrypted (the column never holds the number itself).
    with_identity = [(pk, number) for pk, number in supporters.values_list("pk", "national_id") if number]
    assert with_identity
    raw = dict(supporters.annotate(token=Cast("national_id", output_field=TextField())).values_list("pk", "token"))
    for pk, number in with_identity:
        assert person_number_error(number, allow_synthetic=True) is None
        assert int(number[2:4]) > 80
        assert raw[pk] != number
        assert decrypt_value(raw[pk]) == number
    assert Consent.objects.filter(purpose="tax_deduction").count() == len(with_identity)

    counts = (Supporter.objects.count(), Claim.objects.count(), Payment.objects.count(), Gift.objects.count())
    assert not seed_global(context, association, sponsors=120, months=3, last_period=dt.date(2025, 12, 1))
    assert counts == (Supporter.objects.count(), Claim.objects.count(), Payment.objects.count(), Gift.objects.count())
    # Ids continue after the bulk-inserted rows (PostgreSQL's sequences are reset).
    assert f.supporter(association).pk > max(pk for pk, _n in with_identity)


def test_the_demo_association_has_a_valid_synthetic_reporter_number() -> None:
    from stdnum.no import orgnr

    from barneby.fundraising.models import TaxReporter
    from barneby.fundraising.taxreport import reporter_number

    association = org.association(code="NO-SOS", name="SOS-barnebyer Norge")
    context = DemoContext(scale="national", seed=1, progress=lambda items, **_kw: items)
    seed_fundraising(context)
    number = TaxReporter.objects.get(association=association).organisation_number
    assert orgnr.is_valid(number)
    assert reporter_number(association) == number
    seed_fundraising(context)  # idempotent: the number is kept
    assert TaxReporter.objects.get().organisation_number == number
