"""The indicators of ../shared/NORMS.md §5.1 that Barneby has records for: definitions and computations.

Each :class:`Indicator` is written out (numerator, denominator, unit,
direction, the disaggregations that apply) and computed by a pure function
over plain facts (:mod:`barneby.care.rules`' ``ChildFacts`` and a few rows
more) for one :class:`~barneby.results.periods.Period`. The functions return
:class:`Item` s — one per member of the denominator, with ``hit`` when it is
also in the numerator — so every indicator can be cut by sex, age band,
disability or programme type in the same way, and split by programme.

Stock indicators are counted on the period's last day (or today, while the
period runs); flow indicators over the days of the period.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Literal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from barneby.care import rules
from barneby.care.alerts import thresholds
from barneby.care.models import Child, HouseholdMember, PlanGoal, SiblingContact
from barneby.care.selectors import age_band
from barneby.organisation.models import Programme, StaffMember, StaffRole, Training
from barneby.results.loading import facts_for_programmes
from barneby.results.periods import OrgUnit, Period

Unit = Literal["percent", "count", "days"]
Direction = Literal["up", "down", "none"]
Disaggregation = Literal["sex", "age_band", "disability", "programme_type"]
DISAGGREGATIONS: tuple[Disaggregation, ...] = ("sex", "age_band", "disability", "programme_type")
DISAGGREGATION_LABELS: dict[str, Promise] = {
    "sex": _("Kjønn"),
    "age_band": _("Aldersgruppe"),
    "disability": _("Funksjonsnedsettelse"),
    "programme_type": _("Programtype"),
}
UNIT_LABELS: dict[str, Promise] = {"percent": _("prosent"), "count": _("antall"), "days": _("dager")}
DIRECTION_LABELS: dict[str, Promise] = {
    "up": _("Høyere er bedre"),
    "down": _("Lavere er bedre"),
    "none": _("Ingen retning"),
}

# NORMS.md: a plan is evaluated "regularly", proposed ≤ 6 months; the leaving-care plan ≥ 6 months before exit.
PLAN_EVALUATION_DAYS = 183
LEAVING_PLAN_LEAD_DAYS = 183
VOICE_MIN_AGE = 7
ALL_DOMAINS = frozenset({"physical", "emotional", "intellectual", "social", "cultural", "religious"})
CHILD_BATCH = 2000
# Caregiver follow-up: a caregiver whose valid training all runs out within this many days needs a course soon.
TRAINING_EXPIRY_WARNING_DAYS = 90
CAREGIVER_ROLES = (StaffRole.SOS_PARENT, StaffRole.FOSTER_PARENT)
PROGRAMME_BATCH = 300
# I13: the days of one interval of a contact plan's frequency ("2 a month" is 2 per 365/12 days).
CONTACT_INTERVAL_DAYS: dict[str, Fraction] = {
    "week": Fraction(7),
    "month": Fraction(365, 12),
    "quarter": Fraction(365, 4),
    "year": Fraction(365),
}


def setting(name: str, default: int) -> int:
    values: dict[str, Any] = getattr(settings, "RESULTS", {})
    return int(values.get(name, default))


# --- the records an indicator reads ------------------------------------------------------------


@dataclass(frozen=True)
class ChildRow:
    """What the indicators need to know about a child beside its care facts."""

    id: int
    programme_id: int
    programme_type: str
    sex: str
    birth_date: dt.date
    status: str
    is_unaccompanied: bool = False
    residence_decision_date: dt.date | None = None
    settlement_date: dt.date | None = None
    has_disability: bool | None = None


@dataclass(frozen=True)
class CaregiverRow:
    """An active SOS parent or foster parent of one of the programmes' homes, with their trainings.

    ``trainings``: (completed on, expires on or ``None``) of every training and qualification recorded.
    """

    id: int
    programme_id: int
    trainings: tuple[tuple[dt.date, dt.date | None], ...] = ()


@dataclass
class Data:
    """The records of one set of children (a unit, or a batch of programmes) for one period."""

    period: Period
    today: dt.date
    children: dict[int, ChildRow]
    facts: dict[int, rules.ChildFacts]
    # child id → (day the goal was recorded, domain) of the development plan's goals
    goals: dict[int, list[tuple[dt.date, str]]] = field(default_factory=dict)
    # programme id → people in family-strengthening households whose support overlapped the period
    strengthening: dict[int, int] = field(default_factory=dict)
    limits: rules.Thresholds = field(default_factory=rules.Thresholds)
    # the active caregivers (SOS parents, foster parents) of the programmes' homes
    caregivers: list[CaregiverRow] = field(default_factory=list)
    # I13: (lower child id, higher child id) → the days and forms of the contacts between the two siblings
    # logged in the period, in either one's case file (the same day and form logged twice is one contact)
    contacts: dict[tuple[int, int], set[tuple[dt.date, str]]] = field(default_factory=dict)

    _at_ref: list[tuple[int, rules.ChildFacts, rules.PlacementFact]] | None = None

    @property
    def ref(self) -> dt.date:
        return self.period.reference(self.today)

    def in_care_at_ref(self) -> list[tuple[int, rules.ChildFacts, rules.PlacementFact]]:
        """The children with an open placement on the reference day, with it (computed once)."""
        if self._at_ref is None:
            found = []
            for pk, facts in self.facts.items():
                now = rules.current_placement(facts.placements, self.ref)
                if now is not None:
                    found.append((pk, facts, now))
            self._at_ref = found
        return self._at_ref


@dataclass(frozen=True)
class Item:
    """One member of an indicator's denominator (``hit``: also in its numerator).

    ``child`` is the child it is about (``None`` for figures about other people);
    ``programme`` the programme it counts for; ``weight`` how many it stands for;
    ``value`` the measured quantity of a median indicator.
    """

    child: int | None
    programme: int
    hit: bool = True
    weight: int = 1
    value: float | None = None


Compute = Callable[[Data], list[Item]]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Promise
    numerator: Promise
    denominator: Promise
    unit: Unit
    direction: Direction
    compute: Compute
    disaggregations: tuple[Disaggregation, ...] = ("sex", "age_band", "disability", "programme_type")
    source: str = ""
    note: Promise | str = ""

    @property
    def definition(self) -> str:
        """The definition in one sentence, shown wherever the figure is."""
        if self.unit == "percent":
            return str(_("{numerator}, delt på {denominator}.")).format(
                numerator=self.numerator, denominator=str(self.denominator)[:1].lower() + str(self.denominator)[1:]
            )
        return str(self.numerator) + "."


# --- shared helpers -----------------------------------------------------------------------------


def _item(data: Data, child: int, hit: bool = True, value: float | None = None) -> Item:
    return Item(child, data.children[child].programme_id, hit, 1, value)


def _in_care(data: Data, day: dt.date) -> Iterable[tuple[int, rules.ChildFacts, rules.PlacementFact]]:
    if day == data.ref:
        yield from data.in_care_at_ref()
        return
    for pk, facts in data.facts.items():
        now = rules.current_placement(facts.placements, day)
        if now is not None:
            yield pk, facts, now


def _plan_since(data: Data, child: int, day: dt.date) -> dt.date | None:
    """When the child's development plan began: its first goal recorded, or its first review (a review is of a plan)."""
    days = [recorded for recorded, _domain in data.goals.get(child, ()) if recorded <= day]
    facts = data.facts.get(child)
    if facts is not None:
        days += [r.reviewed_on for r in facts.reviews if r.reviewed_on <= day]
    return min(days) if days else None


def _domains(data: Data, child: int, day: dt.date) -> set[str]:
    return {domain for recorded, domain in data.goals.get(child, ()) if recorded <= day}


def _in_period(data: Data, day: dt.date | None) -> bool:
    return day is not None and data.period.start <= day <= data.ref


# --- the indicators -----------------------------------------------------------------------------


def i6_with_plan(data: Data) -> list[Item]:
    ref = data.ref
    return [_item(data, pk, _plan_since(data, pk, ref) is not None) for pk, _f, _p in _in_care(data, ref)]


def i7_care_plan(data: Data) -> list[Item]:
    ref = data.ref
    return [
        _item(data, pk, _domains(data, pk, ref) >= ALL_DOMAINS)
        for pk, _f, now in _in_care(data, ref)
        if not (now.is_emergency or now.type == rules.EMERGENCY)
    ]


def i8_plan_evaluated(data: Data) -> list[Item]:
    ref = data.ref
    interval = setting("PLAN_EVALUATION_DAYS", PLAN_EVALUATION_DAYS)
    found = []
    for pk, facts, _now in _in_care(data, ref):
        since = _plan_since(data, pk, ref)
        if since is None:
            continue
        last = max((r.reviewed_on for r in facts.reviews if r.reviewed_on <= ref), default=None)
        latest = max(since, last) if last else since
        found.append(_item(data, pk, (ref - latest).days <= interval))
    return found


def _siblings_placed(facts: rules.ChildFacts, day: dt.date) -> list[tuple[rules.SiblingFact, rules.PlacementFact]]:
    placed = []
    for sibling in facts.siblings:
        theirs = rules.current_placement(sibling.placements, day)
        if theirs is not None:
            placed.append((sibling, theirs))
    return placed


def i11_siblings_together(data: Data) -> list[Item]:
    ref = data.ref
    found = []
    for pk, facts, now in _in_care(data, ref):
        placed = _siblings_placed(facts, ref)
        if placed:
            found.append(_item(data, pk, any(p.home_id == now.home_id for _s, p in placed)))
    return found


def _split_documented(
    facts: rules.ChildFacts, sibling: rules.SiblingFact, since: dt.date, ref: dt.date, lead: int
) -> bool:
    earliest = since - dt.timedelta(days=lead)
    return any(
        d.justifies_separation and earliest <= d.decided_on <= ref and d.contact_plan.strip() and d.reassess_on
        for d in (*facts.decisions, *sibling.decisions)
    )


def i12_split_documented(data: Data) -> list[Item]:
    """One item per split pair of bonded siblings, counted for the lower-numbered child in the set."""
    ref = data.ref
    found = []
    for pk, facts, now in _in_care(data, ref):
        for sibling, theirs in _siblings_placed(facts, ref):
            if not sibling.existing_bond or theirs.home_id == now.home_id:
                continue
            if sibling.child_id in data.facts and sibling.child_id < pk:
                continue  # the pair is counted once, for its first member
            since = max(now.start, theirs.start)
            found.append(
                _item(data, pk, _split_documented(facts, sibling, since, ref, data.limits.separation_lead_days))
            )
    return found


def planned_contacts(times: int, per: str, days: int) -> int:
    """I13: the contacts a plan of ``times`` per ``per`` asks for over ``days`` days, pro rata.

    ``times x days / days of the interval`` (week 7, month 365/12, quarter 365/4, year 365), computed
    exactly and rounded to the nearest whole contact, a half rounded up: 2 a month over 306 days is
    20.12 → 20; 1 a month over 15 days is 0.49 → 0 (nothing was due yet).
    """
    exact = Fraction(times * days) / CONTACT_INTERVAL_DAYS[per]
    return int(exact + Fraction(1, 2))


def _contact_plans(facts: rules.ChildFacts) -> list[rules.DecisionFact]:
    """The child's sibling separation decisions whose contact plan states how often, oldest first."""
    plans = [d for d in facts.decisions if d.kind == rules.SEPARATION and d.contact_times and d.contact_per]
    return sorted(plans, key=lambda d: (d.decided_on, d.id))


def i13_sibling_contact(data: Data) -> list[Item]:
    """One item per child and separated sibling under a contact plan in force in the period.

    A plan is in force from its decision day until the day before the child's next such plan (a new
    separation decision states the plan anew), within the period up to the counting day. The sibling
    counts when the two have an established bond and live in different homes on the last day the plan
    was in force in the period. Met when the contacts logged between the two on the days the plan was in
    force are at least the planned number (:func:`planned_contacts`); a plan with no contact due yet is left out.
    """
    start, ref = data.period.start, data.ref
    found = []
    for pk, facts in data.facts.items():
        plans = _contact_plans(facts)
        for n, plan in enumerate(plans):
            first = max(plan.decided_on, start)
            last = ref if n + 1 == len(plans) else min(ref, plans[n + 1].decided_on - dt.timedelta(days=1))
            if last < first:
                continue
            planned = planned_contacts(plan.contact_times or 0, plan.contact_per, (last - first).days + 1)
            mine = rules.current_placement(facts.placements, last)
            if planned == 0 or mine is None:
                continue
            for sibling in facts.siblings:
                theirs = rules.current_placement(sibling.placements, last)
                if not sibling.existing_bond or theirs is None or theirs.home_id == mine.home_id:
                    continue
                pair = (min(pk, sibling.child_id), max(pk, sibling.child_id))
                delivered = sum(1 for day, _form in data.contacts.get(pair, ()) if first <= day <= last)
                found.append(_item(data, pk, delivered >= planned))
    return found


def i14_stability(data: Data) -> list[Item]:
    ref = data.ref
    window = ref - dt.timedelta(days=365)
    found = []
    for pk, facts, _now in _in_care(data, ref):
        moved = [
            d for d in rules.moves(facts.placements, max_gap_days=data.limits.move_max_gap_days) if window < d <= ref
        ]
        found.append(_item(data, pk, len(moved) <= 1))
    return found


def i15_reviewed(data: Data) -> list[Item]:
    ref = data.ref
    return [_item(data, pk, not rules.r5_no_review(facts, ref, data.limits)) for pk, facts, _p in _in_care(data, ref)]


def i16_family_based(data: Data) -> list[Item]:
    ref = data.ref
    return [_item(data, pk, now.type in rules.FAMILY_BASED) for pk, _f, now in _in_care(data, ref)]


def i18_under_three_non_family(data: Data) -> list[Item]:
    ref = data.ref
    return [
        _item(data, pk)
        for pk, facts, now in _in_care(data, ref)
        if now.type not in rules.FAMILY_BASED and rules.age_on(facts.birth_date, ref) < 3
    ]


def i19_reunified(data: Data) -> list[Item]:
    start = data.period.start
    found = []
    for pk, facts, _now in _in_care(data, start):
        back = any(
            p.end_reason == "reunification" and p.end is not None and start <= p.end <= data.ref
            for p in facts.placements
        )
        found.append(_item(data, pk, back))
    return found


def _aftercare_active(care: rules.AftercareFact | None, day: dt.date) -> bool:
    return (
        care is not None
        and care.response == "accepted"
        and (care.responded_on is None or care.responded_on <= day)
        and (care.closed_on is None or care.closed_on > day)
    )


def i20_aftercare_coverage(data: Data) -> list[Item]:
    ref = data.ref
    found = []
    for pk, facts in data.facts.items():
        if not 19 <= rules.age_on(facts.birth_date, ref) <= 24:
            continue
        seventeen, eighteen = rules.birthday(facts.birth_date, 17), rules.birthday(facts.birth_date, 18)
        in_care_at_17 = any(p.start < eighteen and (p.end is None or p.end > seventeen) for p in facts.placements)
        if in_care_at_17:
            found.append(_item(data, pk, _aftercare_active(facts.aftercare, ref)))
    return found


def i21_aftercare_assessed(data: Data) -> list[Item]:
    lead = data.limits.r12_aftercare_lead_days
    found = []
    for pk, facts in data.facts.items():
        eighteen = rules.birthday(facts.birth_date, 18)
        if not _in_period(data, eighteen):
            continue
        if rules.current_placement(facts.placements, eighteen - dt.timedelta(days=1)) is None:
            continue
        care = facts.aftercare
        assessed = care is not None and care.assessed_on is not None
        found.append(_item(data, pk, assessed and care.assessed_on <= eighteen - dt.timedelta(days=lead)))  # type: ignore[union-attr,operator]
    return found


def i23_recontacted(data: Data) -> list[Item]:
    days = data.limits.r14_recontact_days
    found = []
    for pk, facts in data.facts.items():
        care = facts.aftercare
        if care is None or care.response != "declined" or care.responded_on is None:
            continue
        due = care.responded_on + dt.timedelta(days=days)
        if not _in_period(data, due):
            continue
        back = care.recontacted_on is not None and care.responded_on <= care.recontacted_on <= due
        found.append(_item(data, pk, back))
    return found


def i24_voice(data: Data) -> list[Item]:
    found = []
    for pk, facts in data.facts.items():
        for decision in facts.decisions:
            if _in_period(data, decision.decided_on) and rules.age_on(facts.birth_date, decision.decided_on) >= (
                VOICE_MIN_AGE
            ):
                found.append(_item(data, pk, decision.voice_recorded))
        for review in facts.reviews:
            if _in_period(data, review.reviewed_on) and rules.age_on(facts.birth_date, review.reviewed_on) >= (
                VOICE_MIN_AGE
            ):
                found.append(_item(data, pk, review.voice_recorded))
    return found


def _settled(data: Data) -> list[tuple[int, int]]:
    """Unaccompanied minors settled in the period: (child, days from the residence decision)."""
    return [
        (row.id, (row.settlement_date - row.residence_decision_date).days)
        for row in data.children.values()
        if row.is_unaccompanied
        and row.residence_decision_date is not None
        and row.settlement_date is not None
        and _in_period(data, row.settlement_date)
    ]


def i30_settled_in_time(data: Data) -> list[Item]:
    limit = data.limits.r22_settlement_days
    return [_item(data, pk, days <= limit) for pk, days in _settled(data)]


def i30_waiting_days(data: Data) -> list[Item]:
    return [_item(data, pk, value=float(days)) for pk, days in _settled(data)]


def i32_in_sos_families(data: Data) -> list[Item]:
    return [_item(data, pk) for pk, _f, now in _in_care(data, data.ref) if now.type in rules.SOS_FAMILY_AND_YOUTH]


def i32_in_foster_care(data: Data) -> list[Item]:
    return [_item(data, pk) for pk, _f, now in _in_care(data, data.ref) if now.type not in rules.SOS_FAMILY_AND_YOUTH]


def i32_strengthening(data: Data) -> list[Item]:
    return [Item(None, programme, True, people) for programme, people in sorted(data.strengthening.items()) if people]


def i34_leaving_prepared(data: Data) -> list[Item]:
    lead = setting("LEAVING_PLAN_LEAD_DAYS", LEAVING_PLAN_LEAD_DAYS)
    found = []
    for pk, facts in data.facts.items():
        left = rules.left_care_on(facts, data.ref)
        if not _in_period(data, left):
            continue
        care = facts.aftercare
        ready = (
            care is not None
            and care.assessed_on is not None
            and care.assessed_on <= left - dt.timedelta(days=lead)  # type: ignore[operator]
            and bool(care.plan.strip())
            and bool(care.support_person.strip())
        )
        found.append(_item(data, pk, ready))
    return found


def _valid_on(trainings: Iterable[tuple[dt.date, dt.date | None]], day: dt.date) -> list[dt.date | None]:
    """The expiry dates (``None``: never) of the trainings completed by ``day`` and not expired on it."""
    return [expires for done, expires in trainings if done <= day and (expires is None or expires >= day)]


def i33_caregivers_trained(data: Data) -> list[Item]:
    return [Item(None, c.programme_id, bool(_valid_on(c.trainings, data.ref))) for c in data.caregivers]


def i33_caregivers_trained_in_period(data: Data) -> list[Item]:
    return [
        Item(None, c.programme_id, any(_in_period(data, done) for done, _expires in c.trainings))
        for c in data.caregivers
    ]


def i33_caregivers_training_expiring(data: Data) -> list[Item]:
    soon = data.ref + dt.timedelta(days=setting("TRAINING_EXPIRY_WARNING_DAYS", TRAINING_EXPIRY_WARNING_DAYS))
    found = []
    for caregiver in data.caregivers:
        valid = _valid_on(caregiver.trainings, data.ref)
        if valid:
            found.append(Item(None, caregiver.programme_id, all(e is not None and e <= soon for e in valid)))
    return found


CHILD_CUTS: tuple[Disaggregation, ...] = ("sex", "age_band", "disability", "programme_type")

INDICATORS: dict[str, Indicator] = {
    ind.code: ind
    for ind in (
        Indicator(
            "I6",
            _("Barn i omsorg med utviklingsplan"),
            _("Barn i alternativ omsorg på telledagen som har en utviklingsplan (minst ett mål eller en gjennomgang)"),
            _("Barn i alternativ omsorg på telledagen"),
            "percent",
            "up",
            i6_with_plan,
            source="KOSTRA/ASSS",
        ),
        Indicator(
            "I7",
            _("Barn i varig omsorg med fullstendig omsorgsplan"),
            _("Barn i varig (ikke akutt) alternativ omsorg på telledagen med mål i alle seks utviklingsområder"),
            _("Barn i varig (ikke akutt) alternativ omsorg på telledagen"),
            "percent",
            "up",
            i7_care_plan,
            source="bvl kap. 8",
        ),
        Indicator(
            "I8",
            _("Utviklingsplaner evaluert i tide"),
            _("Barn i omsorg med utviklingsplan der planen er laget eller gjennomgått de siste 183 dagene"),
            _("Barn i omsorg med utviklingsplan på telledagen"),
            "percent",
            "up",
            i8_plan_evaluated,
            source="bvl",
        ),
        Indicator(
            "I11",
            _("Søsken plassert sammen"),
            _("Barn i omsorg med minst ett søsken som også er plassert, og som bor med minst ett av dem"),
            _("Barn i omsorg med minst ett søsken som også er plassert"),
            "percent",
            "up",
            i11_siblings_together,
            source="UNGACC 17; Q4C 4",
        ),
        Indicator(
            "I12",
            _("Søskensplitt med dokumentert begrunnelse"),
            _(
                "Splittede søskenpar med vedtak om splitt med begrunnelse ut fra barnets beste, barnets syn, "
                "kontaktplan og dato for ny vurdering"
            ),
            _("Søskenpar med etablert bånd som bor i ulike hjem på telledagen"),
            "percent",
            "up",
            i12_split_documented,
            source="UNGACC 17; Bufdir",
        ),
        Indicator(
            "I13",
            _("Søskenkontakt gjennomført"),
            _(
                "Barn og søsken de er splittet fra, under en kontaktplan med fastsatt hyppighet, med minst så mange "
                "registrerte kontakter som planen sier for dagene den gjaldt i perioden (hyppighet × dager ÷ dager i "
                "uken 7, måneden 365/12, kvartalet 365/4 eller året 365, avrundet til nærmeste hele, halv opp; samme "
                "dag og form registrert hos begge søsken teller én gang)"
            ),
            _(
                "Barn i omsorg med et søsken med etablert bånd i et annet hjem, talt per søsken, med en kontaktplan "
                "med fastsatt hyppighet som gjaldt i perioden fra vedtaket om splitt til barnets neste slike vedtak "
                "(planer uten forfalt kontakt er ikke med)"
            ),
            "percent",
            "up",
            i13_sibling_contact,
            source="Bufdir anbefaling 2; bvl § 7-1",
        ),
        Indicator(
            "I14",
            _("Stabile plasseringer"),
            _("Barn i omsorg med høyst én flytting de siste 12 månedene før telledagen"),
            _("Barn i omsorg på telledagen"),
            "percent",
            "up",
            i14_stability,
            source="UNGACC 12, 60",
        ),
        Indicator(
            "I15",
            _("Gjennomgang siste 3 måneder"),
            _("Barn i omsorg med gjennomgang av planen de siste 92 dagene (eller plassert for under 92 dager siden)"),
            _("Barn i omsorg på telledagen"),
            "percent",
            "up",
            i15_reviewed,
            source="UNGACC 67",
        ),
        Indicator(
            "I16",
            _("Familiebasert omsorg"),
            _("Barn i SOS-familie, fosterhjem, slekt og nettverk eller familiehjem på telledagen"),
            _("Barn i alternativ omsorg på telledagen"),
            "percent",
            "up",
            i16_family_based,
            source="UNGACC 21–23",
        ),
        Indicator(
            "I18",
            _("Barn under 3 år utenfor familiebasert omsorg"),
            _("Antall barn under 3 år i ikke-familiebasert omsorg på telledagen"),
            _("(antall)"),
            "count",
            "down",
            i18_under_three_non_family,
            disaggregations=("sex", "programme_type"),
            source="UNGACC 22",
        ),
        Indicator(
            "I19",
            _("Tilbakeføring"),
            _("Barn i omsorg ved periodens start som ble tilbakeført til familien i perioden"),
            _("Barn i omsorg ved periodens start"),
            "percent",
            "none",
            i19_reunified,
            source="UNGACC 14",
        ),
        Indicator(
            "I20",
            _("Ettervern-dekning"),
            _("Unge 19–24 år som var i omsorg da de var 17 og har ettervern på telledagen"),
            _("Unge 19–24 år som var i omsorg da de var 17"),
            "percent",
            "up",
            i20_aftercare_coverage,
            disaggregations=("sex", "disability", "programme_type"),
            source="bvl § 3-6",
        ),
        Indicator(
            "I21",
            _("Ettervern vurdert i tide"),
            _("Unge som fylte 18 i perioden mens de var i omsorg, med ettervern vurdert minst 6 måneder før"),
            _("Unge som fylte 18 i perioden mens de var i omsorg"),
            "percent",
            "up",
            i21_aftercare_assessed,
            disaggregations=("sex", "disability", "programme_type"),
            source="bvl § 3-6",
        ),
        Indicator(
            "I23",
            _("Kontaktet igjen etter nei til ettervern"),
            _("Unge som takket nei til ettervern og ble kontaktet igjen innen 12 måneder"),
            _("Unge som takket nei, der 12-månedersfristen falt i perioden"),
            "percent",
            "up",
            i23_recontacted,
            disaggregations=("sex", "programme_type"),
            source="regjeringen.no",
        ),
        Indicator(
            "I24",
            _("Barnets medvirkning dokumentert"),
            _("Vedtak og plangjennomganger i perioden for barn fra 7 år der barnets syn er skrevet ned"),
            _("Vedtak og plangjennomganger i perioden for barn fra 7 år"),
            "percent",
            "up",
            i24_voice,
            source="bvl § 1-4",
        ),
        Indicator(
            "I30",
            _("Enslige mindreårige bosatt innen 3 måneder"),
            _("Enslige mindreårige bosatt i perioden høyst 92 dager etter vedtak om opphold"),
            _("Enslige mindreårige bosatt i perioden"),
            "percent",
            "up",
            i30_settled_in_time,
            disaggregations=("sex", "age_band"),
            source="IMDi",
        ),
        Indicator(
            "I30M",
            _("Ventetid på bosetting (median)"),
            _("Median antall dager fra vedtak om opphold til bosetting for enslige mindreårige bosatt i perioden"),
            _("Enslige mindreårige bosatt i perioden"),
            "days",
            "down",
            i30_waiting_days,
            disaggregations=("sex", "age_band"),
            source="IMDi",
        ),
        Indicator(
            "I32A",
            _("Barn og unge i SOS-familier og ungdomstiltak"),
            _(
                "Antall barn og unge som på telledagen har en åpen plassering i SOS-familie (i barneby eller "
                "nærmiljøet), ungdomsbolig eller bo med oppfølging"
            ),
            _("(antall)"),
            "count",
            "none",
            i32_in_sos_families,
            source="SOS årsrapport",
        ),
        Indicator(
            "I32B",
            _("Barn og unge i fosterhjem og midlertidig omsorg"),
            _(
                "Antall barn og unge som på telledagen har en åpen plassering i fosterhjem, slekt og nettverk, "
                "familiehjem, akutt eller midlertidig plassering eller institusjon (alle andre enn I32a; sammen er de "
                "alle barn i omsorg)"
            ),
            _("(antall)"),
            "count",
            "none",
            i32_in_foster_care,
            source="SOS årsrapport",
        ),
        Indicator(
            "I32C",
            _("Personer i familiestyrking"),
            _("Antall barn og voksne i husstander med familiestyrking en eller flere dager i perioden"),
            _("(antall)"),
            "count",
            "none",
            i32_strengthening,
            disaggregations=(),
            source="SOS årsrapport",
        ),
        Indicator(
            "I34",
            _("Forberedt utflytting"),
            _(
                "Unge som flyttet ut av omsorg i perioden med skriftlig ettervernsplan minst 6 måneder før "
                "og en fast støtteperson"
            ),
            _("Unge som flyttet ut av omsorg i perioden"),
            "percent",
            "up",
            i34_leaving_prepared,
            disaggregations=("sex", "disability", "programme_type"),
            source="UNGACC 131–136; Q4C",
        ),
        # Caregiver follow-up: the "% staff trained" of I33, for the people children live with. The register
        # keeps no start or end date for a caregiver, so the base is the caregivers registered as active.
        Indicator(
            "I33T",
            _("Omsorgspersoner med gyldig opplæring"),
            _(
                "Aktive SOS-foreldre og fosterforeldre i programmenes hjem med minst én opplæring eller "
                "kvalifikasjon som var fullført og ikke utløpt på telledagen"
            ),
            _("Aktive SOS-foreldre og fosterforeldre i programmenes hjem"),
            "percent",
            "up",
            i33_caregivers_trained,
            disaggregations=(),
            source="NORMS I33 (andel ansatte med opplæring)",
        ),
        Indicator(
            "I33N",
            _("Omsorgspersoner med opplæring i perioden"),
            _(
                "Aktive SOS-foreldre og fosterforeldre i programmenes hjem som fullførte en opplæring eller "
                "kvalifikasjon i perioden"
            ),
            _("Aktive SOS-foreldre og fosterforeldre i programmenes hjem"),
            "percent",
            "up",
            i33_caregivers_trained_in_period,
            disaggregations=(),
            source="NORMS I33 (andel ansatte med opplæring)",
        ),
        Indicator(
            "I33U",
            _("Omsorgspersoner med opplæring som snart utløper"),
            _(
                "Omsorgspersoner med gyldig opplæring på telledagen der all gyldig opplæring utløper innen "
                "90 dager etter telledagen"
            ),
            _("Aktive SOS-foreldre og fosterforeldre i programmenes hjem med gyldig opplæring på telledagen"),
            "percent",
            "down",
            i33_caregivers_training_expiring,
            disaggregations=(),
            source="NORMS I33 (andel ansatte med opplæring)",
        ),
    )
}


# --- loading ------------------------------------------------------------------------------------


def _child_rows(children: Iterable[tuple[Any, ...]]) -> dict[int, ChildRow]:
    return {row[0]: ChildRow(*row) for row in children}


CHILD_FIELDS = (
    "id",
    "programme_id",
    "programme__type",
    "sex",
    "birth_date",
    "status",
    "is_unaccompanied",
    "residence_decision_date",
    "settlement_date",
)


def load(
    programmes: Q,
    period: Period,
    *,
    today: dt.date | None = None,
    disability: bool = False,
    strengthening: bool = True,
    caregivers: bool = True,
) -> Data:
    """The records of every child whose programme matches ``programmes`` (a filter on Programme)."""
    today = today or timezone.localdate()
    programme_ids = list(Programme.objects.filter(programmes).values_list("pk", flat=True))
    children = _child_rows(
        Child.objects.filter(programme_id__in=programme_ids)
        .filter(Q(referred_on__lte=period.end) | Q(referred_on__isnull=True))
        .values_list(*CHILD_FIELDS)
        .order_by("pk")
    )
    ids = list(children)
    facts: dict[int, rules.ChildFacts] = {}
    goals: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    contacts: dict[tuple[int, int], set[tuple[dt.date, str]]] = defaultdict(set)
    for start in range(0, len(programme_ids), PROGRAMME_BATCH):
        batch = programme_ids[start : start + PROGRAMME_BATCH]
        in_batch = set(batch)
        wanted = {
            row.id: (row.birth_date, row.status, row.is_unaccompanied, row.residence_decision_date, row.settlement_date)
            for row in children.values()
            if row.programme_id in in_batch
        }
        facts.update(facts_for_programmes(batch, wanted))
        for child, created, domain in PlanGoal.objects.filter(child__programme_id__in=batch).values_list(
            "child_id", "created_at", "domain"
        ):
            if child in children:
                goals[child].append((timezone.localdate(created), domain))
        # Contacts logged in either sibling's case file: the sibling may be in another programme.
        for child, sibling, day, form in (
            SiblingContact.objects.filter(Q(child__programme_id__in=batch) | Q(sibling__programme_id__in=batch))
            .filter(contact_on__gte=period.start, contact_on__lte=period.end)
            .values_list("child_id", "sibling_id", "contact_on", "form")
        ):
            contacts[(min(child, sibling), max(child, sibling))].add((day, form))
    if disability:
        for start in range(0, len(ids), CHILD_BATCH):
            chunk = ids[start : start + CHILD_BATCH]
            for pk, text in Child.objects.filter(pk__in=chunk).values_list("pk", "disability"):
                children[pk] = _with_disability(children[pk], bool((text or "").strip()))
    people: dict[int, int] = {}
    if strengthening and programme_ids:
        people = strengthening_people(Q(household__programme_id__in=programme_ids), period)
    return Data(
        period,
        today,
        children,
        facts,
        dict(goals),
        people,
        thresholds(),
        caregiver_rows(programme_ids) if caregivers and programme_ids else [],
        dict(contacts),
    )


def caregiver_rows(programme_ids: list[int]) -> list[CaregiverRow]:
    """The active SOS parents and foster parents of the programmes' active homes, with their trainings."""
    trainings: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    staff: list[tuple[int, int]] = []
    for start in range(0, len(programme_ids), PROGRAMME_BATCH):
        batch = programme_ids[start : start + PROGRAMME_BATCH]
        mine: dict[str, Any] = {
            "home__programme_id__in": batch,
            "home__is_active": True,
            "role__in": list(CAREGIVER_ROLES),
            "is_active": True,
        }
        staff += list(StaffMember.objects.filter(**mine).order_by("pk").values_list("pk", "home__programme_id"))
        for staff_id, done, expires in Training.objects.filter(
            **{f"staff__{key}": value for key, value in mine.items()}
        ).values_list("staff_id", "completed_on", "expires_on"):
            trainings[staff_id].append((done, expires))
    return [CaregiverRow(pk, programme, tuple(sorted(trainings.get(pk, ())))) for pk, programme in staff]


def _with_disability(row: ChildRow, flag: bool) -> ChildRow:
    from dataclasses import replace

    return replace(row, has_disability=flag)


def strengthening_people(where: Q, period: Period) -> dict[int, int]:
    """Programme → members of family-strengthening households whose support overlapped ``period``."""
    rows = (
        HouseholdMember.objects.filter(where, household__in_family_strengthening=True)
        .filter(Q(household__entered_on__isnull=True) | Q(household__entered_on__lte=period.end))
        .filter(Q(household__exited_on__isnull=True) | Q(household__exited_on__gte=period.start))
        .values("household__programme_id")
        .annotate(people=Count("pk"))
        .values_list("household__programme_id", "people")
    )
    return dict(rows)


# --- aggregation --------------------------------------------------------------------------------


def _round(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    """An indicator's value over a set of items: ``numerator`` of ``denominator`` (or a count or a median)."""

    value: Decimal | None
    numerator: int
    denominator: int | None


def aggregate(indicator: Indicator, items: Sequence[Item]) -> Figure:
    if indicator.unit == "days":
        values = [i.value for i in items if i.value is not None]
        return Figure(_round(statistics.median(values)) if values else None, len(values), len(values))
    hits = sum(i.weight for i in items if i.hit)
    if indicator.unit == "count":
        return Figure(Decimal(hits), hits, None)
    total = sum(i.weight for i in items)
    return Figure(_round(100 * hits / total) if total else None, hits, total)


def cut_key(cut: Disaggregation, row: ChildRow | None, ref: dt.date) -> str:
    if row is None:
        return "–"
    match cut:
        case "sex":
            return row.sex
        case "age_band":
            return age_band(rules.age_on(row.birth_date, ref))
        case "disability":
            return "unknown" if row.has_disability is None else ("yes" if row.has_disability else "no")
        case _:
            return row.programme_type


@dataclass
class IndicatorResult:
    """An indicator's figure for one unit and period, with its definition and target."""

    code: str
    name: str
    value: Decimal | None
    target: Decimal | None
    unit: str
    direction: str
    numerator: int = 0
    denominator: int | None = None
    definition: str = ""
    period: str = ""
    org_unit: str = ""
    breakdown: dict[str, dict[str, Figure]] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """Whether the target is reached (``None`` without a target, a value or a direction)."""
        if self.target is None or self.value is None or self.direction == "none":
            return None
        return self.value >= self.target if self.direction == "up" else self.value <= self.target


def result_from(
    indicator: Indicator,
    items: Sequence[Item],
    data: Data,
    *,
    unit: OrgUnit,
    target: Decimal | None = None,
    disaggregate_by: Sequence[Disaggregation] | None = None,
) -> IndicatorResult:
    figure = aggregate(indicator, items)
    breakdown: dict[str, dict[str, Figure]] = {}
    for cut in disaggregate_by or ():
        if cut not in indicator.disaggregations:
            continue
        groups: dict[str, list[Item]] = defaultdict(list)
        for item in items:
            row = data.children.get(item.child) if item.child is not None else None
            groups[cut_key(cut, row, data.ref)].append(item)
        breakdown[cut] = {key: aggregate(indicator, group) for key, group in sorted(groups.items())}
    return IndicatorResult(
        code=indicator.code,
        name=str(indicator.name),
        value=figure.value,
        target=target,
        unit=indicator.unit,
        direction=indicator.direction,
        numerator=figure.numerator,
        denominator=figure.denominator,
        definition=indicator.definition,
        period=data.period.key,
        org_unit=unit.token,
        breakdown=breakdown,
    )


# --- the public entry points --------------------------------------------------------------------


def compute(
    code: str,
    *,
    unit: OrgUnit,
    period: Period,
    disaggregate_by: Sequence[Disaggregation] | None = None,
    today: dt.date | None = None,
    data: Data | None = None,
) -> IndicatorResult:
    """One indicator for one unit and period (``data`` may be passed to compute several from one load)."""
    indicator = INDICATORS[code]
    if data is None:
        data = load(
            unit.programme_q(),
            period,
            today=today,
            disability="disability" in (disaggregate_by or ()),
            strengthening=code == "I32C",
            caregivers=code.startswith("I33"),
        )
    from barneby.results.targets import target_for

    return result_from(
        indicator,
        indicator.compute(data),
        data,
        unit=unit,
        target=target_for(code, unit, period),
        disaggregate_by=disaggregate_by,
    )


def compute_all(
    unit: OrgUnit,
    period: Period,
    *,
    codes: Iterable[str] | None = None,
    disaggregate_by: Sequence[Disaggregation] | None = None,
    today: dt.date | None = None,
) -> list[IndicatorResult]:
    """Every indicator (or those in ``codes``) for one unit and period, from one load of the records."""
    from barneby.results.targets import targets_for

    data = load(unit.programme_q(), period, today=today, disability="disability" in (disaggregate_by or ()))
    targets = targets_for(unit, period)
    return [
        result_from(
            INDICATORS[code],
            INDICATORS[code].compute(data),
            data,
            unit=unit,
            target=targets.get(code),
            disaggregate_by=disaggregate_by,
        )
        for code in (codes or INDICATORS)
    ]


def programme_results(programme: Programme, year: int) -> list[IndicatorResult]:
    """Every indicator for one programme and calendar year, with the programme's targets (programme review)."""
    return compute_all(OrgUnit("programme", str(programme.pk)), Period.year(year))


def by_programme(
    period: Period, *, programmes: Q | None = None, batch: int = 200, today: dt.date | None = None
) -> dict[int, dict[str, Figure]]:
    """Programme id → code → figure, for every programme with children (loaded ``batch`` programmes at a time)."""
    from barneby.organisation.models import CARE_TYPES, ProgrammeType

    wanted = Programme.objects.filter(programmes or Q())
    ids = list(
        wanted.filter(Q(type__in=list(CARE_TYPES)) | Q(type=ProgrammeType.FAMILY_STRENGTHENING))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    out: dict[int, dict[str, Figure]] = {}
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        data = load(Q(pk__in=chunk), period, today=today)
        for code, indicator in INDICATORS.items():
            grouped: dict[int, list[Item]] = defaultdict(list)
            for item in indicator.compute(data):
                grouped[item.programme].append(item)
            for programme in chunk:
                out.setdefault(programme, {})[code] = aggregate(indicator, grouped.get(programme, []))
    return out
