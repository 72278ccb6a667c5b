"""Demo data for the partner pipeline: synthetic companies spread over the stages (Faker ``no_NO``)."""

from __future__ import annotations

import random
from decimal import Decimal
from itertools import pairwise

from faker import Faker

from barneby.core.demo import DemoContext, register
from barneby.organisation.models import MemberAssociation
from barneby.partners.models import Lead, LeadEvent, LeadEventKind, LeadSource, Stage

NORWAY_CODE = "NO-SOS"
LEADS = 24
# How far along the pipeline each demo lead has come (the path new → contacted → meeting → agreement).
PATH = [Stage.NEW, Stage.CONTACTED, Stage.MEETING, Stage.AGREEMENT]


@register("partners", order=340)
def seed_partners(context: DemoContext) -> None:
    association = MemberAssociation.objects.filter(code=NORWAY_CODE).first()
    if association is None or Lead.objects.filter(association=association).exists():
        return
    rng = random.Random(context.seed + 340)
    fake = Faker("no_NO")
    fake.seed_instance(context.seed + 340)
    for _n in context.progress(range(LEADS), desc="partneremner"):
        steps = rng.choice([0, 0, 1, 1, 2, 3])
        stages = PATH[: steps + 1]
        if steps < 3 and rng.random() < 0.2:
            stages.append(Stage.DECLINED)
        lead = Lead.objects.create(
            association=association,
            company_name=fake.company(),
            contact_name=fake.name(),
            email=fake.unique.company_email(),
            phone=fake.phone_number(),
            message=fake.paragraph(nb_sentences=2),
            source=rng.choice(LeadSource.values),
            stage=stages[-1],
            expected_yearly_amount=Decimal(rng.choice([10000, 25000, 50000, 100000])) if steps else None,
        )
        events = [LeadEvent(lead=lead, kind=LeadEventKind.CREATED, to_stage=Stage.NEW)]
        for before, after in pairwise(stages):
            events.append(LeadEvent(lead=lead, kind=LeadEventKind.STAGE, from_stage=before, to_stage=after))
        LeadEvent.objects.bulk_create(events)
    context.counts["partneremner"] = Lead.objects.filter(association=association).count()
