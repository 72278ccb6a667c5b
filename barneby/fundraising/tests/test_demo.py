"""The national fundraising demo: supporters with agreements, payments, gifts and an unmatched queue; idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from barneby.core.demo import DemoContext
from barneby.fundraising.demo import seed_fundraising
from barneby.fundraising.models import Gift, Payment, PaymentAgreement, Supporter
from barneby.organisation.tests import factories as org

pytestmark = pytest.mark.django_db


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
    seed_fundraising(context)
    assert counts == (
        Supporter.objects.count(),
        PaymentAgreement.objects.count(),
        Payment.objects.count(),
        Gift.objects.count(),
    )
