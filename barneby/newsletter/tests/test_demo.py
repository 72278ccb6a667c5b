from __future__ import annotations

import pytest

from barneby.core.demo import DemoContext
from barneby.newsletter.demo import SUBSCRIBERS, seed_newsletter
from barneby.newsletter.models import ConsentLog, Subscriber
from barneby.organisation.tests import factories as org

pytestmark = pytest.mark.django_db


def test_newsletter_demo_has_every_status_with_consent_and_is_idempotent() -> None:
    org.association(code="NO-SOS", name="SOS-barnebyer Norge")
    context = DemoContext(scale="national", seed=1, progress=lambda items, **_kw: items)
    seed_newsletter(context)
    assert Subscriber.objects.count() == SUBSCRIBERS
    assert set(Subscriber.objects.values_list("status", flat=True)) == {"pending", "confirmed", "unsubscribed"}
    for subscriber in Subscriber.objects.filter(status="confirmed"):
        assert ConsentLog.objects.filter(subscriber=subscriber, action="confirmed").count() == 1
    logs = ConsentLog.objects.count()
    seed_newsletter(context)
    assert Subscriber.objects.count() == SUBSCRIBERS
    assert ConsentLog.objects.count() == logs
