"""A small hand-computed world for the indicators (year 2025, counted on 31.12.2025).

Programme P1 (partnered with Bergen) has homes H1a and H1b; programme P2 of the
same association has H2. The children, and what each one is there to test:

* A (P1, H1a, an SOS family in the village) and B (P2, H2): bonded full siblings split across the
  two programmes, with a justified separation decision (contact plan, re-assessment date) on A;
  A's plan (01.03.2025) says 2 contacts a month, B's own separation decision (01.07.2025, a plan
  that starts mid-period) also 2 a month; the contacts logged (``CONTACTS``) leave A one short
  and meet B's plan exactly (I13);
* C and D (P1, H1b, SOS family in the community): full siblings placed together; E is C's half-sibling, who left care
  at 18 on 01.05.2025 and is in aftercare (assessed in time, with plan and support person);
* F (P1): two same-day moves in 2025 (H1a → H1b on 01.02, H1b → H1a on 01.06);
* G (P1): in care at the start of 2025, reunified with the family on 15.07.2025 (left mid-period);
* H (P1): under 3, in an institution placement since 01.10.2025;
* K, L (P1): young adults who were in care at 17; K has aftercare, L declined and was re-contacted;
* U1, U2 (P1): unaccompanied minors settled 91 and 120 days after the residence decision;
* a family-strengthening household of 3 (P1) still supported, and one that ended in 2024;
* caregivers of P1's homes (``CAREGIVERS``): SOS parent Ka (training valid to 01.03.2026),
  foster parent Kb (course 15.06.2025, no expiry), SOS parent Kc (training expired 01.06.2025),
  foster parent Kd (first course 10.01.2026, after the counting day); not counted: a social worker, a caregiver who has left,
  and the caregiver of P2's home.

The expected values (``EXPECTED``) were worked out by hand in the comments below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from barneby.accounts.models import User
from barneby.care.models import (
    Aftercare,
    Child,
    ChildStatus,
    ContactInterval,
    ContactMode,
    Decision,
    DecisionKind,
    EndReason,
    Household,
    HouseholdMember,
    Placement,
    PlacementType,
    PlanGoal,
    PlanReview,
    SeparationReason,
    SiblingContact,
    SiblingKind,
    SiblingRelation,
    TargetGroup,
)
from barneby.care.rules import LEGACY_NOT_HEARD, LEGACY_REVIEW_NOT_HEARD
from barneby.organisation.models import Home, MemberAssociation, Programme, StaffRole, Training
from barneby.organisation.tests import factories as org

D = dt.date


@dataclass
class Hand:
    association: MemberAssociation
    p1: Programme
    p2: Programme
    homes: dict[str, Home]
    children: dict[str, Child] = field(default_factory=dict)


def _child(hand: Hand, name: str, programme: Programme, birth: dt.date, **kw: Any) -> Child:
    kid = Child.objects.create(
        programme=programme,
        first_name=name,
        last_name="Håndregnet",
        birth_date=birth,
        sex=kw.pop("sex", "female"),
        target_group=TargetGroup.WITHOUT_CARE,
        status=kw.pop("status", ChildStatus.ALTERNATIVE_CARE),
        referred_on=kw.pop("referred_on", D(2010, 1, 1)),
        **kw,
    )
    hand.children[name] = kid
    return kid


def _decision(kid: Child, actor: User, on: dt.date, *, heard: bool = True, **kw: Any) -> Decision:
    return Decision.objects.create(
        child=kid,
        kind=kw.pop("kind", DecisionKind.PLACEMENT),
        decided_on=on,
        decided_by="Programleder Test",
        best_interest="Stabil omsorg.",
        child_views="Vil bo her." if heard else "",
        not_heard_reason="" if heard else LEGACY_NOT_HEARD,
        recorded_by=actor,
        **kw,
    )


def _place(
    kid: Child, home: Home, actor: User, start: dt.date, end: dt.date | None = None, reason: str = "", **kw: Any
) -> Placement:
    heard = kw.pop("heard", True)
    return Placement.objects.create(
        child=kid,
        home=home,
        type=kw.pop("type", PlacementType.FOSTER),
        start_date=start,
        end_date=end,
        end_reason=reason,
        decision=_decision(kid, actor, start, heard=heard),
        child_prepared=True,
        **kw,
    )


def _siblings(a: Child, b: Child, kind: str = SiblingKind.FULL) -> None:
    first, second = sorted((a, b), key=lambda c: c.pk)
    SiblingRelation.objects.create(child_a=first, child_b=second, kind=kind, existing_bond=True)


def _goal(kid: Child, domain: str, recorded: dt.date) -> None:
    goal = PlanGoal.objects.create(child=kid, domain=domain, description="Et mål")
    PlanGoal.objects.filter(pk=goal.pk).update(
        created_at=dt.datetime(recorded.year, recorded.month, recorded.day, 12, tzinfo=dt.UTC)
    )


def build(actor: User) -> Hand:
    assoc = org.association()
    bergen = org.bergen()
    p1 = org.programme(assoc, partner_municipality=bergen)
    p2 = org.programme(assoc)
    homes = {
        "H1a": org.home(p1, capacity=6, max_age=25),
        "H1b": org.home(p1, capacity=6, max_age=25),
        "H2": org.home(p2, capacity=6, max_age=25),
    }
    hand = Hand(assoc, p1, p2, homes)
    h1a, h1b, h2 = homes["H1a"], homes["H1b"], homes["H2"]

    a = _child(hand, "A", p1, D(2013, 5, 5))
    b = _child(hand, "B", p2, D(2015, 5, 5), sex="male")
    _siblings(a, b)
    _place(a, h1a, actor, D(2025, 3, 1), type=PlacementType.SOS_FAMILY_VILLAGE)
    _place(b, h2, actor, D(2025, 3, 1))
    plans = {
        "A": _decision(
            a,
            actor,
            D(2025, 3, 1),
            kind=DecisionKind.SIBLING_SEPARATION,
            separation_reason=SeparationReason.NO_HOME,
            relationship_assessment="Nært bånd; ingen plass til begge i ett hjem.",
            contact_plan="Samvær annenhver helg.",
            contact_times=2,
            contact_per=ContactInterval.MONTH,
            reassess_on=D(2026, 3, 1),
        ),
        "B": _decision(
            b,
            actor,
            D(2025, 7, 1),
            kind=DecisionKind.SIBLING_SEPARATION,
            separation_reason=SeparationReason.NO_HOME,
            relationship_assessment="Savner søsteren; ny vurdering av kontakten.",
            contact_plan="Samvær eller samtale to ganger i måneden.",
            contact_times=2,
            contact_per=ContactInterval.MONTH,
            reassess_on=D(2026, 7, 1),
        ),
    }
    for owner, day, form in CONTACTS:
        kid, other = (a, b) if owner == "A" else (b, a)
        SiblingContact.objects.create(
            decision=plans[owner], child=kid, sibling=other, contact_on=day, form=form, recorded_by=actor
        )
    for domain in ("physical", "emotional", "intellectual", "social", "cultural", "religious"):
        _goal(a, domain, D(2025, 2, 1))
    PlanReview.objects.create(
        child=a,
        reviewed_on=D(2025, 9, 1),
        summary="Går bra.",
        not_heard_reason=LEGACY_REVIEW_NOT_HEARD,
        recorded_by=actor,
    )

    c = _child(hand, "C", p1, D(2014, 2, 2))
    d = _child(hand, "D", p1, D(2015, 3, 3), sex="male")
    e = _child(hand, "E", p1, D(2007, 4, 1), status=ChildStatus.AFTERCARE)
    _siblings(c, d)
    _siblings(c, e, SiblingKind.HALF)
    _place(c, h1b, actor, D(2024, 6, 1), type=PlacementType.SOS_FAMILY_COMMUNITY)
    _place(d, h1b, actor, D(2024, 6, 1), type=PlacementType.SOS_FAMILY_COMMUNITY)
    _place(e, h1b, actor, D(2019, 1, 1), D(2025, 5, 1), EndReason.AGED_OUT)
    _goal(c, "physical", D(2025, 3, 1))
    PlanReview.objects.create(
        child=d, reviewed_on=D(2025, 11, 15), summary="Trives.", child_views="Liker skolen.", recorded_by=actor
    )
    Aftercare.objects.create(
        child=e,
        assessed_on=D(2024, 9, 1),
        plan="Bolig og skole.",
        support_person="Kari Kontakt",
        offered_on=D(2024, 10, 1),
        response="accepted",
        responded_on=D(2024, 10, 15),
    )

    f = _child(hand, "F", p1, D(2012, 8, 8), sex="male")
    _place(f, h1a, actor, D(2024, 1, 10), D(2025, 2, 1), EndReason.PLANNED_MOVE)
    _place(f, h1b, actor, D(2025, 2, 1), D(2025, 6, 1), EndReason.BREAKDOWN)
    _place(f, h1a, actor, D(2025, 6, 1), heard=False)

    g = _child(hand, "G", p1, D(2016, 6, 6), status=ChildStatus.REUNIFIED)
    _place(g, h1a, actor, D(2024, 9, 1), D(2025, 7, 15), EndReason.REUNIFICATION)

    h = _child(hand, "H", p1, D(2024, 1, 1))
    _place(h, h1b, actor, D(2025, 10, 1), type=PlacementType.INSTITUTION)

    k = _child(hand, "K", p1, D(2004, 6, 1), status=ChildStatus.AFTERCARE, sex="male")
    _place(k, h1a, actor, D(2015, 1, 1), D(2022, 6, 1), EndReason.AGED_OUT)
    Aftercare.objects.create(
        child=k,
        assessed_on=D(2021, 9, 1),
        plan="Plan",
        support_person="Ola",
        response="accepted",
        responded_on=D(2022, 5, 1),
    )
    l_ = _child(hand, "L", p1, D(2005, 1, 15), status=ChildStatus.LEFT)
    _place(l_, h1b, actor, D(2016, 1, 1), D(2023, 1, 15), EndReason.AGED_OUT)
    Aftercare.objects.create(
        child=l_,
        assessed_on=D(2022, 6, 1),
        plan="Plan",
        support_person="Per",
        response="declined",
        responded_on=D(2024, 3, 1),
        recontacted_on=D(2025, 1, 20),
    )

    _child(
        hand,
        "U1",
        p1,
        D(2009, 1, 1),
        status=ChildStatus.ASSESSED,
        is_unaccompanied=True,
        residence_decision_date=D(2025, 1, 1),
        settlement_date=D(2025, 4, 2),
    )
    _child(
        hand,
        "U2",
        p1,
        D(2010, 1, 1),
        sex="male",
        status=ChildStatus.ASSESSED,
        is_unaccompanied=True,
        residence_decision_date=D(2025, 2, 1),
        settlement_date=D(2025, 6, 1),
    )

    still = Household.objects.create(
        programme=p1, name="Familien Støtte", in_family_strengthening=True, entered_on=D(2024, 1, 1)
    )
    ended = Household.objects.create(
        programme=p1,
        name="Familien Ferdig",
        in_family_strengthening=True,
        entered_on=D(2022, 1, 1),
        exited_on=D(2024, 6, 1),
    )
    for household, size in ((still, 3), (ended, 4)):
        for n in range(size):
            HouseholdMember.objects.create(household=household, first_name=f"M{n}", last_name="Støtte", relation="barn")
    _caregivers(hand)
    return hand


# I13: the contacts between A and B, as (whose case file they are logged in, day, form).
# A's plan (2 a month from 01.03.2025) is in force 306 days of 2025: 2 x 306 / (365/12) = 20.12 → 20 planned.
# B's plan (2 a month from 01.07.2025) 184 days: 2 x 184 / (365/12) = 12.10 → 12 planned.
# Logged: 7 in March-June (no second contact in June), 11 in July-December in A's file, and in B's file
# one on 10.12 (the same meeting A's file has: counted once) and one on 22.12: 12 in July-December.
# A: 7 + 12 = 19 of 20, one short; B: 12 of 12, exactly met. The one in January 2026 is after the year.
_MEET, _PHONE, _VIDEO = ContactMode.MEETING, ContactMode.PHONE, ContactMode.VIDEO
CONTACTS: list[tuple[str, dt.date, str]] = [
    ("A", D(2025, 3, 5), _MEET),
    ("A", D(2025, 3, 20), _PHONE),
    ("A", D(2025, 4, 5), _MEET),
    ("A", D(2025, 4, 20), _VIDEO),
    ("A", D(2025, 5, 5), _MEET),
    ("A", D(2025, 5, 20), _PHONE),
    ("A", D(2025, 6, 5), _MEET),
    *[("A", D(2025, month, 10), _MEET) for month in range(7, 13)],
    *[("A", D(2025, month, 25), _PHONE) for month in range(7, 12)],
    ("B", D(2025, 12, 10), _MEET),
    ("B", D(2025, 12, 22), _VIDEO),
    ("A", D(2026, 1, 15), _MEET),
]


# (name, home, role, active, trainings as (completed, expires))
CAREGIVERS: list[tuple[str, str, str, bool, list[tuple[dt.date, dt.date | None]]]] = [
    ("Ka", "H1a", StaffRole.SOS_PARENT, True, [(D(2024, 3, 1), D(2026, 3, 1))]),
    ("Kb", "H1b", StaffRole.FOSTER_PARENT, True, [(D(2025, 6, 15), None)]),
    ("Kc", "H1a", StaffRole.SOS_PARENT, True, [(D(2023, 1, 1), D(2025, 6, 1))]),
    ("Kd", "H1b", StaffRole.FOSTER_PARENT, True, [(D(2026, 1, 10), None)]),
    ("Sosialarbeider", "H1a", StaffRole.SOCIAL_WORKER, True, [(D(2025, 2, 1), None)]),
    ("Sluttet", "H1b", StaffRole.FOSTER_PARENT, False, [(D(2025, 2, 1), None)]),
    ("P2-forelder", "H2", StaffRole.SOS_PARENT, True, [(D(2025, 2, 1), None)]),
]


def _caregivers(hand: Hand) -> None:
    for name, home_key, role, active, trainings in CAREGIVERS:
        home = hand.homes[home_key]
        person = org.staff(
            hand.association, programme=home.programme, home=home, first_name=name, role=role, is_active=active
        )
        for done, expires in trainings:
            Training.objects.create(staff=person, title="Traumebevisst omsorg", completed_on=done, expires_on=expires)


# Programme P1, year 2025. In care on 31.12.2025: A, C, D, F, H (5).
EXPECTED_P1: dict[str, Decimal | None] = {
    "I6": Decimal("60.0"),  # plans: A, C (goals), D (reviewed 15.11) of 5
    "I7": Decimal("20.0"),  # all six domains: A of 5 (none in emergency care)
    "I8": Decimal("66.7"),  # A reviewed 01.09 (121 d), D 15.11; C's plan of 01.03 never reviewed (305 d) → 2 of 3
    "I11": Decimal("66.7"),  # A (sibling B elsewhere) no; C, D together yes; E not placed → 2 of 3
    "I12": Decimal("100.0"),  # the A-B split is justified with contact plan and re-assessment → 1 of 1
    "I13": Decimal("0.0"),  # A's plan: 19 contacts of 20 planned (see CONTACTS) → 0 of 1
    "I14": Decimal("80.0"),  # F moved twice (same-day moves) → 4 of 5
    "I15": Decimal("40.0"),  # D reviewed 15.11, H placed 01.10 (91 d); A, C, F not → 2 of 5
    "I16": Decimal("80.0"),  # H in an institution → 4 of 5
    "I18": Decimal("1"),  # H
    "I19": Decimal("20.0"),  # in care 01.01: C, D, E, F, G; G reunified → 1 of 5
    "I20": Decimal("50.0"),  # K (21) in aftercare, L (20) declined → 1 of 2
    "I21": Decimal("100.0"),  # E turned 18 on 01.04.2025, assessed 01.09.2024 (≥ 183 d before) → 1 of 1
    "I23": Decimal("100.0"),  # L declined 01.03.2024, deadline 01.03.2025, re-contacted 20.01.2025 → 1 of 1
    "I24": Decimal("66.7"),  # A's 2 decisions yes, F's 2025 decisions 1 yes 1 no, A's review no, D's review yes
    "I30": Decimal("50.0"),  # U1 on day 91 in time, U2 on day 120 not
    "I30M": Decimal("105.5"),  # median of 91 and 120
    "I32A": Decimal("3"),  # A (SOS family in the village), C and D (SOS family in the community)
    "I32B": Decimal("2"),  # F (foster home) and H (institution); with I32A all 5 in care
    "I32C": Decimal("3"),  # the household still supported; the one that ended in 2024 is not counted
    "I34": Decimal("100.0"),  # E left 01.05.2025 with plan assessed 01.09.2024 and a support person
    # Caregivers Ka, Kb, Kc, Kd (the social worker, the one who left and P2's are not P1's caregivers):
    "I33T": Decimal("50.0"),  # valid on 31.12.2025: Ka (to 01.03.2026), Kb; Kc expired, Kd not yet → 2 of 4
    "I33N": Decimal("25.0"),  # a course completed in 2025: Kb → 1 of 4
    "I33U": Decimal("50.0"),  # of Ka and Kb, all valid training ends within 90 days (by 31.03.2026): Ka → 1 of 2
}
