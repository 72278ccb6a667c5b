"""Demo data for the fundraising back office (synthetic supporters only; Faker ``no_NO``)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from faker import Faker

from barneby.core.demo import DemoContext, register
from barneby.fundraising import payments, services
from barneby.fundraising.models import AgreementState, GiftChannel, PaymentMethod, Supporter, SupporterKind
from barneby.organisation.models import MemberAssociation

NORWAY_CODE = "NO-SOS"
PEOPLE = 280
COMPANIES = 20


@register("fundraising", order=300)
def seed_fundraising(context: DemoContext) -> None:
    """National: a few hundred supporters with agreements, a month of payments, gifts and an unmatched queue."""
    association = MemberAssociation.objects.filter(code=NORWAY_CODE).first()
    if association is None or Supporter.objects.filter(association=association).exists():
        return
    rng = random.Random(context.seed + 300)
    fake = Faker("no_NO")
    fake.seed_instance(context.seed + 300)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=settings.FUNDRAISING_CLAIM_DAY)
    presets = [Decimal(p) for p in settings.FUNDRAISING_MONTHLY_PRESETS]
    for n in context.progress(range(PEOPLE + COMPANIES), desc="givere"):
        company = n >= PEOPLE
        fields = {
            "kind": SupporterKind.COMPANY if company else SupporterKind.PERSON,
            "email": fake.unique.email(),
            "phone": fake.phone_number(),
            "street_address": fake.street_address(),
            "postcode": fake.postcode(),
            "city": fake.city(),
        }
        if company:
            fields["company_name"] = fake.company()
        else:
            fields["first_name"], fields["last_name"] = fake.first_name(), fake.last_name()
        supporter = services.supporter_create(actor=None, association=association, **fields)
        if company:
            services.gift_create(
                actor=None,
                supporter=supporter,
                amount=Decimal(rng.choice([5000, 10000, 25000])),
                date=today - dt.timedelta(days=rng.randint(10, 300)),
                channel=GiftChannel.BANK_TRANSFER,
            )
            continue
        method = rng.choices([PaymentMethod.AVTALEGIRO, PaymentMethod.VIPPS, PaymentMethod.GIRO], [85, 8, 7])[0]
        amount = rng.choice(presets) if rng.random() < 0.8 else Decimal(rng.randrange(150, 1000, 50))
        agreement = services.agreement_create(
            actor=None,
            supporter=supporter,
            method=method,
            monthly_amount=amount,
            start_date=today - dt.timedelta(days=rng.randint(60, 2000)),
        )
        if method == PaymentMethod.AVTALEGIRO and rng.random() < 0.95:
            agreement.state, agreement.activated_at = AgreementState.ACTIVE, timezone.now()
            agreement.save(update_fields=["state", "activated_at", "updated_at"])
            if rng.random() < 0.9:  # last month's claim was paid
                payments.payment_register(
                    actor=None, association=association, amount=amount, paid_date=last_month, kid=agreement.kid
                )
        if rng.random() < 0.15:
            services.gift_create(
                actor=None,
                supporter=supporter,
                amount=Decimal(rng.choice([200, 500, 1000])),
                date=today - dt.timedelta(days=rng.randint(5, 200)),
                channel=rng.choice([GiftChannel.VIPPS, GiftChannel.GIRO]),
            )
    for _ in range(6):  # payments whose KID nobody has: the queue donor service matches by hand
        payments.payment_register(
            actor=None,
            association=association,
            amount=Decimal(rng.choice([250, 350, 500])),
            paid_date=today - dt.timedelta(days=rng.randint(1, 20)),
            kid=str(rng.randrange(10**10, 10**11)),
        )
    context.counts["givere"] = Supporter.objects.filter(association=association).count()
