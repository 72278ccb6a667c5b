"""Demo sponsorships (national scale, small): approved profiles for a few village children, and sponsors.

Runs after care (200) and fundraising (300). The profiles are made and
approved through the services, as a caseworker would; one is then withdrawn
so donor service has an open transfer task to resolve.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from barneby.care.models import Child, ChildStatus
from barneby.core.demo import DemoContext, register
from barneby.fundraising.models import Supporter, SupporterKind
from barneby.organisation.models import Location, LocationKind, MemberAssociation
from barneby.sponsorships import services
from barneby.sponsorships.models import (
    Continent,
    EndReason,
    ProfileStatus,
    Sponsorship,
    SponsorshipProfile,
    SponsorshipState,
    TargetKind,
)

NORWAY_CODE = "NO-SOS"
PROFILES = 8
SPONSORSHIPS = 24


@register("sponsorships", order=310)
def seed_sponsorships(context: DemoContext) -> None:
    association = MemberAssociation.objects.filter(code=NORWAY_CODE).first()
    if association is None or Sponsorship.objects.filter(association=association).exists():
        return
    rng = random.Random(context.seed + 310)
    today = timezone.localdate()
    villages = list(
        Location.objects.filter(association=association, kind=LocationKind.VILLAGE, is_active=True).order_by("pk")
    )
    children = list(
        Child.objects.filter(
            programme__association=association,
            programme__location__kind=LocationKind.VILLAGE,
            status__in=[ChildStatus.ALTERNATIVE_CARE, ChildStatus.FAMILY_STRENGTHENING],
        )
        .exclude(sponsorship_profiles__status__in=[ProfileStatus.DRAFT, ProfileStatus.APPROVED])
        .select_related("programme__location")
        .order_by("pk")[:PROFILES]
    )
    profiles: list[SponsorshipProfile] = []
    for child in context.progress(children, desc="fadderprofiler"):
        profile = services.profile_create(actor=None, child=child, village=child.programme.location)
        consent_on = today - dt.timedelta(days=rng.randint(10, 200))
        services.profile_record_consents(
            actor=None,
            profile=profile,
            child_consent=True,
            child_consent_on=consent_on,
            guardian_consent=True,
            guardian_consent_on=consent_on,
        )
        profiles.append(services.profile_approve(actor=None, profile=profile))
    supporters = list(
        Supporter.objects.filter(association=association, kind=SupporterKind.PERSON, merged_into__isnull=True).order_by(
            "donor_number"
        )[:SPONSORSHIPS]
    )
    presets = [Decimal(p) for p in settings.FUNDRAISING_MONTHLY_PRESETS]
    made: list[Sponsorship] = []
    for n, supporter in enumerate(context.progress(supporters, desc="fadderskap")):
        target: dict[str, object]
        if profiles and n < len(profiles):
            target = {"target_kind": TargetKind.CHILD, "profile": profiles[n]}
        elif villages and n % 3 == 0:
            target = {"target_kind": TargetKind.VILLAGE, "village": rng.choice(villages)}
        elif n % 3 == 1:
            target = {"target_kind": TargetKind.COUNTRY, "country": rng.choice(["KE", "ET", "NP", "BO", "SY"])}
        else:
            target = {"target_kind": TargetKind.CONTINENT, "continent": rng.choice(Continent.values)}
        agreement = supporter.agreements.order_by("sequence").first()
        sponsorship = services.sponsorship_create(
            actor=None,
            supporter=supporter,
            monthly_amount=agreement.monthly_amount
            if agreement is not None and agreement.monthly_amount <= settings.FUNDRAISING_MONTHLY_MAX
            else rng.choice(presets),
            start_date=today - dt.timedelta(days=rng.randint(30, 1500)),
            agreement=agreement,
            **target,  # type: ignore[arg-type]
        )
        if n % 8 != 7:  # most are active; a few still wait for their first payment
            services.sponsorship_transition(actor=None, sponsorship=sponsorship, to_state=SponsorshipState.ACTIVE)
        made.append(sponsorship)
    if len(made) > 12:
        services.sponsorship_transition(actor=None, sponsorship=made[10], to_state=SponsorshipState.PAUSED)
        services.sponsorship_transition(
            actor=None, sponsorship=made[11], to_state=SponsorshipState.ENDED, end_reason=EndReason.SPONSOR_REQUEST
        )
    if profiles:
        services.profile_withdraw(actor=None, profile=profiles[-1])  # donor service gets a transfer task to resolve
    context.counts["fadderskap"] = Sponsorship.objects.filter(association=association).count()
