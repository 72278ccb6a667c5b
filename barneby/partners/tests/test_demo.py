from __future__ import annotations

import pytest

from barneby.core.demo import DemoContext
from barneby.organisation.tests import factories as org
from barneby.partners.demo import LEADS, seed_partners
from barneby.partners.models import TRANSITIONS, Lead, LeadEvent

pytestmark = pytest.mark.django_db


def test_partner_demo_follows_the_pipeline_and_is_idempotent() -> None:
    org.association(code="NO-SOS", name="SOS-barnebyer Norge")
    context = DemoContext(scale="national", seed=1, progress=lambda items, **_kw: items)
    seed_partners(context)
    assert Lead.objects.count() == LEADS
    assert Lead.objects.values("stage").distinct().count() >= 3
    for event in LeadEvent.objects.filter(kind="stage"):
        assert event.to_stage in TRANSITIONS[event.from_stage]
    events = LeadEvent.objects.count()
    seed_partners(context)
    assert Lead.objects.count() == LEADS
    assert LeadEvent.objects.count() == events
