"""Demo data for the newsletter: synthetic subscribers in every status, each with its consent log."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.utils import timezone
from faker import Faker

from barneby.core.demo import DemoContext, register
from barneby.newsletter.models import ConsentAction, ConsentLog, ConsentSource, Subscriber, SubscriberStatus
from barneby.organisation.models import MemberAssociation

NORWAY_CODE = "NO-SOS"
SUBSCRIBERS = 60


@register("newsletter", order=345)
def seed_newsletter(context: DemoContext) -> None:
    association = MemberAssociation.objects.filter(code=NORWAY_CODE).first()
    if association is None or Subscriber.objects.filter(association=association).exists():
        return
    rng = random.Random(context.seed + 345)
    fake = Faker("no_NO")
    fake.seed_instance(context.seed + 345)
    now = timezone.now()
    version = str(settings.NEWSLETTER_CONSENT_TEXT_VERSION)
    logs: list[ConsentLog] = []
    for _n in context.progress(range(SUBSCRIBERS), desc="abonnenter"):
        status = rng.choices(SubscriberStatus.values, [10, 80, 10])[0]
        requested = now - dt.timedelta(days=rng.randint(1, 700))
        confirmed = requested + dt.timedelta(minutes=rng.randint(2, 600))
        subscriber = Subscriber.objects.create(
            association=association,
            email=fake.unique.email().lower(),
            name=fake.name() if rng.random() < 0.7 else "",
            status=status,
            requested_at=requested,
            confirm_expires_at=requested + dt.timedelta(days=int(settings.NEWSLETTER_CONFIRM_DAYS)),
            confirmed_at=confirmed if status != SubscriberStatus.PENDING else None,
            unsubscribed_at=confirmed + dt.timedelta(days=30) if status == SubscriberStatus.UNSUBSCRIBED else None,
        )
        source = rng.choice([ConsentSource.WEB, ConsentSource.WEB, ConsentSource.DONOR_SERVICE])
        logs.append(
            ConsentLog(
                subscriber=subscriber,
                action=ConsentAction.SUBSCRIBE_REQUESTED,
                source=source,
                text_version=version,
                ip_address=fake.ipv4_private() if source == ConsentSource.WEB else None,
            )
        )
        if status != SubscriberStatus.PENDING:
            logs.append(
                ConsentLog(
                    subscriber=subscriber,
                    action=ConsentAction.CONFIRMED,
                    source=ConsentSource.EMAIL_LINK,
                    text_version=version,
                )
            )
        if status == SubscriberStatus.UNSUBSCRIBED:
            logs.append(
                ConsentLog(subscriber=subscriber, action=ConsentAction.UNSUBSCRIBED, source=ConsentSource.EMAIL_LINK)
            )
    ConsentLog.objects.bulk_create(logs)
    context.counts["abonnenter"] = Subscriber.objects.filter(association=association).count()
