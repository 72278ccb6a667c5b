"""Demo sponsorships: approved profiles for a few village children, and sponsors.

Runs after care (200) and fundraising (300). At national scale the profiles
are made and approved through the services, as a caseworker would; one is
then withdrawn so donor service has an open transfer task to resolve. At
global scale every active agreement of the 130,000 global sponsors also gets
its sponsorship (of a country, a village or a continent), bulk-inserted with
its history.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from barneby.care.models import Child, ChildStatus
from barneby.core.demo import DemoContext, Inserter, register, reset_sequences
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


FLUSH_ROWS = 10_000  # sponsorships built before they are written (bounds memory)
GLOBAL_COUNTRIES = ("KE", "ET", "NP", "BO", "SY", "MW", "ZM", "BD", "GT", "TZ", "UG", "PE", "IN", "SO", "HT")


@register("sponsorships-global", order=320)
def seed_global_sponsorships(context: DemoContext) -> None:
    """One sponsorship per active agreement of the global sponsors that has none, with its history."""
    if context.scale != "global":
        return
    from barneby.fundraising.demo import GLOBAL_FIRST_DONOR
    from barneby.fundraising.models import AgreementState, PaymentAgreement
    from barneby.sponsorships.models import EventKind, SponsorshipEvent

    association = MemberAssociation.objects.filter(code=NORWAY_CODE).first()
    if association is None:
        return
    rng = random.Random(context.seed + 320)
    villages = list(
        Location.objects.filter(kind=LocationKind.VILLAGE, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:300]
    )
    sponsored = Sponsorship.objects.filter(agreement__isnull=False).values("agreement_id")
    agreements = (
        PaymentAgreement.objects.filter(
            supporter__association=association,
            supporter__donor_number__gte=GLOBAL_FIRST_DONOR,
            state=AgreementState.ACTIVE,
        )
        .exclude(pk__in=sponsored)
        .order_by("pk")
        .values_list("pk", "supporter_id", "monthly_amount", "start_date")
    )
    # Read before inserting: a server-side cursor open on this query would keep the sponsorship table
    # in use, so its foreign keys could not be set aside for the bulk load (PostgreSQL) and every new
    # row would be checked on its own at commit (minutes at this size).
    rows = list(agreements)
    if not rows:
        return
    sponsorships, events = Inserter(Sponsorship), Inserter(SponsorshipEvent)
    now = timezone.now()
    for agreement_id, supporter_id, amount, start in context.progress(
        rows, desc="fadderskap (global)", total=len(rows)
    ):
        roll = rng.random()
        target: dict[str, object]
        if roll < 0.65 or not villages:
            target = {"target_kind": TargetKind.COUNTRY, "country": rng.choice(GLOBAL_COUNTRIES)}
        elif roll < 0.9:
            target = {"target_kind": TargetKind.VILLAGE, "village_id": rng.choice(villages)}
        else:
            target = {"target_kind": TargetKind.CONTINENT, "continent": rng.choice(Continent.values)}
        pk = sponsorships.add(
            supporter_id=supporter_id,
            association_id=association.pk,
            monthly_amount=amount,
            start_date=start,
            agreement_id=agreement_id,
            state=SponsorshipState.ACTIVE,
            **target,
        )
        events.add(sponsorship_id=pk, kind=EventKind.CREATED, to_state=SponsorshipState.PENDING, at=now)
        events.add(
            sponsorship_id=pk,
            kind=EventKind.STATE,
            from_state=SponsorshipState.PENDING,
            to_state=SponsorshipState.ACTIVE,
            at=now,
        )
        if len(sponsorships.rows) >= FLUSH_ROWS:
            sponsorships.flush()
            events.flush()
    sponsorships.flush()
    events.flush()
    reset_sequences([sponsorships, events])
    context.counts["fadderskap"] = Sponsorship.objects.filter(association=association).count()
