"""The care rules of NORMS.md §5.2 as pure functions over plain data.

Nothing here touches the database or Django: :mod:`barneby.care.alerts`
loads :class:`ChildFacts` in bulk, calls :func:`evaluate` and stores what it
finds. Thresholds come in a :class:`Thresholds` built from ``settings.CARE_RULES``.

Also here: the computed notions the rules and the indicators share —
the current placement, moves, and whether siblings live together.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Kept in step with models.PlacementType / DecisionKind; plain strings so this module stays pure.
FAMILY_BASED = frozenset({"sos_family_village", "sos_family_community", "foster", "kinship", "family_home"})
EMERGENCY = "emergency"
# I32a: children in SOS families (in a village or in the community) and in youth programmes (a youth house, or
# living on their own with follow-up); every other placement (foster, kinship, family home, emergency or
# temporary, institution) is I32b. Kept in step with models.SOS_FAMILY_AND_YOUTH_TYPES.
SOS_FAMILY_AND_YOUTH = frozenset({"sos_family_village", "sos_family_community", "youth_house", "supported_living"})
SEPARATION = "sibling_separation"
# Put by migration care 0004 on decisions saved before R16 was enforced with neither views nor reason:
# it satisfies the database's check but is still no record of the child's voice, so R16 still finds it.
LEGACY_NOT_HEARD = "Ikke dokumentert: vedtaket ble registrert før barnets syn ble påkrevd."
# The same for plan reviews (migration care 0005).
LEGACY_REVIEW_NOT_HEARD = "Ikke dokumentert: gjennomgangen ble registrert før barnets syn ble påkrevd."
LEGACY_MARKERS = frozenset({LEGACY_NOT_HEARD, LEGACY_REVIEW_NOT_HEARD})
PERMANENCY_KINDS = frozenset({"placement", "move", "reunification", "leaving_care"})
LEAVING_REASONS = frozenset({"aged_out", "planned_move", "other"})
CARE_STATUSES_AFTER = frozenset({"aftercare", "left"})

HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass(frozen=True)
class Thresholds:
    r4_reassess_grace_days: int = 0
    r5_review_interval_days: int = 92
    r7_emergency_max_days: int = 92
    r12_aftercare_lead_days: int = 183
    r14_recontact_days: int = 365
    r16_voice_min_age: int = 7
    r18_min_age: int = 3
    r18_grace_days: int = 14
    r19_max_moves: int = 2
    r19_window_days: int = 365
    r22_settlement_days: int = 92
    r27_follow_up_months: tuple[int, ...] = (6, 12)
    r27_follow_up_grace_days: int = 31
    aftercare_end_age: int = 25
    move_max_gap_days: int = 31
    separation_lead_days: int = 30

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> Thresholds:
        known = {f.lower() for f in cls.__dataclass_fields__}
        kwargs = {key.lower(): value for key, value in values.items() if key.lower() in known}
        if "r27_follow_up_months" in kwargs:
            kwargs["r27_follow_up_months"] = tuple(kwargs["r27_follow_up_months"])
        return cls(**kwargs)


@dataclass(frozen=True)
class PlacementFact:
    id: int
    home_id: int
    type: str
    start: dt.date
    end: dt.date | None = None
    end_reason: str = ""
    is_emergency: bool = False
    child_prepared: bool = True
    decision_id: int | None = None

    def open_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)


@dataclass(frozen=True)
class DecisionFact:
    id: int
    kind: str
    decided_on: dt.date
    child_views: str = ""
    not_heard_reason: str = ""
    separation_reason: str = ""
    relationship_assessment: str = ""
    contact_plan: str = ""
    reassess_on: dt.date | None = None
    contact_times: int | None = None
    contact_per: str = ""

    @property
    def voice_recorded(self) -> bool:
        reason = self.not_heard_reason.strip()
        return bool(self.child_views.strip() or (reason and reason not in LEGACY_MARKERS))

    @property
    def justifies_separation(self) -> bool:
        return (
            self.kind == SEPARATION
            and bool(self.separation_reason)
            and bool(self.relationship_assessment.strip())
            and self.voice_recorded
        )


@dataclass(frozen=True)
class ReviewFact:
    id: int
    reviewed_on: dt.date
    child_views: str = ""
    not_heard_reason: str = ""

    @property
    def voice_recorded(self) -> bool:
        reason = self.not_heard_reason.strip()
        return bool(self.child_views.strip() or (reason and reason not in LEGACY_MARKERS))


@dataclass(frozen=True)
class GatekeepingFact:
    id: int
    assessed_on: dt.date
    reasons: tuple[str, ...]
    necessity: str
    suitability: str
    outcome: str

    @property
    def poverty_only(self) -> bool:
        return tuple(self.reasons) == ("poverty",)

    @property
    def admits(self) -> bool:
        return self.outcome == "alternative_care" and bool(self.necessity.strip()) and bool(self.suitability.strip())


@dataclass(frozen=True)
class AftercareFact:
    assessed_on: dt.date | None = None
    plan: str = ""
    support_person: str = ""
    response: str = ""
    responded_on: dt.date | None = None
    recontacted_on: dt.date | None = None
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class SiblingFact:
    child_id: int
    first_name: str
    existing_bond: bool
    placements: tuple[PlacementFact, ...] = ()
    decisions: tuple[DecisionFact, ...] = ()


@dataclass(frozen=True)
class ChildFacts:
    id: int
    birth_date: dt.date
    status: str
    placements: tuple[PlacementFact, ...] = ()
    decisions: tuple[DecisionFact, ...] = ()
    reviews: tuple[ReviewFact, ...] = ()
    gatekeepings: tuple[GatekeepingFact, ...] = ()
    aftercare: AftercareFact | None = None
    follow_ups: tuple[dt.date, ...] = ()
    siblings: tuple[SiblingFact, ...] = ()
    is_unaccompanied: bool = False
    residence_decision_date: dt.date | None = None
    settlement_date: dt.date | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


# --- shared computations ----------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birthday(birth_date: dt.date, age: int) -> dt.date:
    """The date a person born on ``birth_date`` turns ``age`` (29 February → 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return dt.date(birth_date.year + age, 3, 1)


def current_placement(placements: Iterable[PlacementFact], day: dt.date) -> PlacementFact | None:
    """The placement open on ``day``; on a same-day move, the one that starts that day."""
    open_now = [p for p in placements if p.open_on(day)]
    return max(open_now, key=lambda p: (p.start, p.id)) if open_now else None


def moves(placements: Sequence[PlacementFact], *, max_gap_days: int = 31) -> list[dt.date]:
    """The dates the child moved: a placement in another home following the previous one within the gap.

    A same-day move (one ends the day the next starts) is a move; a new placement
    in the same home (a change of type) is not; a return to care long after a
    reunification starts a new episode rather than counting as a move.
    """
    ordered = sorted(placements, key=lambda p: (p.start, p.id))
    found = []
    for before, after in itertools.pairwise(ordered):
        if before.end is None or after.home_id == before.home_id:
            continue
        if (after.start - before.end).days <= max_gap_days and before.end_reason != "reunification":
            found.append(after.start)
    return found


def episode_start(placements: Sequence[PlacementFact], day: dt.date, *, max_gap_days: int = 31) -> dt.date | None:
    """When the child's current continuous stay in care began (``None`` if not in care on ``day``)."""
    ordered = sorted((p for p in placements if p.start <= day), key=lambda p: (p.start, p.id))
    if not ordered or current_placement(ordered, day) is None:
        return None
    start = ordered[-1].start
    for before, after in zip(reversed(ordered[:-1]), reversed(ordered[1:]), strict=False):
        if before.end is None or (after.start - before.end).days > max_gap_days or before.end_reason == "reunification":
            break
        start = before.start
    return start


@dataclass(frozen=True)
class GroupSituation:
    """Where the placed members of one sibling group live on a day."""

    homes: Mapping[int, int | None]  # child id → home id of the open placement (None when not placed)

    @property
    def placed(self) -> dict[int, int]:
        return {child: home for child, home in self.homes.items() if home is not None}

    @property
    def intact(self) -> bool | None:
        """All placed members in one home; ``None`` when fewer than two are placed (not applicable)."""
        placed = self.placed
        if len(placed) < 2:
            return None
        return len(set(placed.values())) == 1

    def with_sibling(self, child_id: int) -> bool | None:
        """The child lives with at least one placed sibling; ``None`` when it does not apply."""
        placed = self.placed
        if child_id not in placed or len(placed) < 2:
            return None
        home = placed[child_id]
        return any(h == home for c, h in placed.items() if c != child_id)

    @property
    def homes_used(self) -> int:
        return len(set(self.placed.values()))


def group_situation(members: Mapping[int, Sequence[PlacementFact]], day: dt.date) -> GroupSituation:
    """Each member's home on ``day`` (members in aftercare or who left have no open placement)."""
    homes: dict[int, int | None] = {}
    for child_id, placements in members.items():
        now = current_placement(placements, day)
        homes[child_id] = now.home_id if now else None
    return GroupSituation(homes=homes)


# --- the rules ----------------------------------------------------------------------------

Rule = Callable[[ChildFacts, dt.date, Thresholds], list[Finding]]


def _split_siblings(facts: ChildFacts, today: dt.date) -> list[tuple[SiblingFact, dt.date]]:
    """Bonded siblings placed in another home today, each with the day the split began."""
    mine = current_placement(facts.placements, today)
    if mine is None:
        return []
    found = []
    for sibling in facts.siblings:
        if not sibling.existing_bond:
            continue
        theirs = current_placement(sibling.placements, today)
        if theirs is not None and theirs.home_id != mine.home_id:
            found.append((sibling, max(mine.start, theirs.start)))
    return found


def _justification(facts: ChildFacts, sibling: SiblingFact, since: dt.date, t: Thresholds) -> DecisionFact | None:
    earliest = since - dt.timedelta(days=t.separation_lead_days)
    candidates = [
        d for d in (*facts.decisions, *sibling.decisions) if d.justifies_separation and d.decided_on >= earliest
    ]
    return max(candidates, key=lambda d: (d.decided_on, d.id)) if candidates else None


def r3_split_without_justification(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    return [
        Finding("R3", HIGH, f"R3:{sibling.child_id}", {"sibling": sibling.first_name, "sibling_id": sibling.child_id})
        for sibling, since in _split_siblings(facts, today)
        if _justification(facts, sibling, since, t) is None
    ]


def r4_split_without_contact_plan(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    found = []
    for sibling, since in _split_siblings(facts, today):
        decision = _justification(facts, sibling, since, t)
        if decision is None:
            continue  # R3 covers a split with no justification at all
        params = {"sibling": sibling.first_name, "sibling_id": sibling.child_id}
        if not decision.contact_plan.strip():
            found.append(Finding("R4", MEDIUM, f"R4:{sibling.child_id}:contact", {**params, "missing": "contact"}))
        if decision.reassess_on is None:
            found.append(Finding("R4", MEDIUM, f"R4:{sibling.child_id}:reassess", {**params, "missing": "reassess"}))
        elif decision.reassess_on + dt.timedelta(days=t.r4_reassess_grace_days) < today:
            found.append(
                Finding(
                    "R4",
                    MEDIUM,
                    f"R4:{sibling.child_id}:overdue",
                    {**params, "missing": "overdue", "due": decision.reassess_on.isoformat()},
                )
            )
    return found


def r5_no_review(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    started = episode_start(facts.placements, today, max_gap_days=t.move_max_gap_days)
    if started is None:
        return []
    last = max((r.reviewed_on for r in facts.reviews if r.reviewed_on <= today), default=None)
    since = max(started, last) if last else started
    if (today - since).days <= t.r5_review_interval_days:
        return []
    return [Finding("R5", MEDIUM, "R5", {"since": since.isoformat(), "days": t.r5_review_interval_days})]


def r7_emergency_too_long(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    now = current_placement(facts.placements, today)
    if now is None or not (now.is_emergency or now.type == EMERGENCY):
        return []
    if (today - now.start).days <= t.r7_emergency_max_days:
        return []
    permanency = any(
        d.kind in PERMANENCY_KINDS and d.decided_on > now.start and d.id != now.decision_id for d in facts.decisions
    )
    if permanency:
        return []
    return [Finding("R7", MEDIUM, f"R7:{now.id}", {"since": now.start.isoformat(), "days": t.r7_emergency_max_days})]


def _in_care(facts: ChildFacts, today: dt.date) -> bool:
    return current_placement(facts.placements, today) is not None


def r12_aftercare_not_assessed(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    eighteen = birthday(facts.birth_date, 18)
    if not (today < eighteen <= today + dt.timedelta(days=t.r12_aftercare_lead_days)):
        return []
    if not _in_care(facts, today):
        return []
    if facts.aftercare is not None and facts.aftercare.assessed_on is not None:
        return []
    return [Finding("R12", HIGH, "R12", {"turns_18": eighteen.isoformat()})]


def r14_decline_not_recontacted(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    care = facts.aftercare
    if care is None or care.response != "declined" or care.responded_on is None or care.closed_on is not None:
        return []
    due = care.responded_on + dt.timedelta(days=t.r14_recontact_days)
    if today <= due or (care.recontacted_on is not None and care.recontacted_on >= care.responded_on):
        return []
    return [Finding("R14", LOW, "R14", {"due": due.isoformat()})]


def r16_child_not_heard(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    found = []
    for decision in facts.decisions:
        if age_on(facts.birth_date, decision.decided_on) >= t.r16_voice_min_age and not decision.voice_recorded:
            found.append(Finding("R16", HIGH, f"R16:decision:{decision.id}", {"decision_id": decision.id}))
    for review in facts.reviews:
        if age_on(facts.birth_date, review.reviewed_on) >= t.r16_voice_min_age and not review.voice_recorded:
            found.append(Finding("R16", HIGH, f"R16:review:{review.id}", {"review_id": review.id}))
    return found


def r18_young_child_in_residential_care(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    now = current_placement(facts.placements, today)
    if now is None or now.type in FAMILY_BASED or age_on(facts.birth_date, today) >= t.r18_min_age:
        return []
    allowed = t.r7_emergency_max_days if now.type == EMERGENCY else t.r18_grace_days
    if (today - now.start).days <= allowed:
        return []
    return [Finding("R18", HIGH, f"R18:{now.id}", {"since": now.start.isoformat()})]


def r19_unstable(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    window_start = today - dt.timedelta(days=t.r19_window_days)
    recent = [day for day in moves(facts.placements, max_gap_days=t.move_max_gap_days) if window_start < day <= today]
    found = []
    if len(recent) >= t.r19_max_moves:
        found.append(Finding("R19", MEDIUM, "R19:moves", {"moves": len(recent)}))
    unprepared = [
        p
        for p in facts.placements
        if p.start in recent and not p.child_prepared and not (p.is_emergency or p.type == EMERGENCY)
    ]
    for placement in unprepared:
        found.append(
            Finding("R19", MEDIUM, f"R19:unprepared:{placement.id}", {"moved_on": placement.start.isoformat()})
        )
    return found


def r20_poverty_only(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    """In care, and every assessment that admitted the child gave poverty alone as the reason."""
    if not facts.placements:
        return []
    admitting = [g for g in facts.gatekeepings if g.outcome == "alternative_care"]
    if not admitting or not all(g.poverty_only for g in admitting):
        return []
    latest = max(admitting, key=lambda g: (g.assessed_on, g.id))
    return [Finding("R20", HIGH, "R20", {"assessed_on": latest.assessed_on.isoformat()})]


def r21_no_gatekeeping(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    """In care with no assessment of necessity and suitability (an emergency admission gets a grace period)."""
    if not facts.placements or any(g.admits for g in facts.gatekeepings):
        return []
    first = min(facts.placements, key=lambda p: (p.start, p.id))
    emergency = first.is_emergency or first.type == EMERGENCY
    if emergency and (today - first.start).days <= t.r7_emergency_max_days:
        return []
    return [Finding("R21", HIGH, "R21", {"admitted_on": first.start.isoformat()})]


def r22_not_settled(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    if not facts.is_unaccompanied or facts.residence_decision_date is None or facts.settlement_date is not None:
        return []
    if (today - facts.residence_decision_date).days <= t.r22_settlement_days:
        return []
    return [Finding("R22", MEDIUM, "R22", {"decided_on": facts.residence_decision_date.isoformat()})]


def left_care_on(facts: ChildFacts, today: dt.date) -> dt.date | None:
    """The day a young person left care (their last placement ended) — not after reunification or adoption."""
    if not facts.placements or _in_care(facts, today) or facts.status not in CARE_STATUSES_AFTER:
        return None
    last = max(facts.placements, key=lambda p: (p.end or dt.date.max, p.id))
    if last.end is None or last.end > today or last.end_reason not in LEAVING_REASONS:
        return None
    return last.end


def r27_left_without_aftercare(facts: ChildFacts, today: dt.date, t: Thresholds) -> list[Finding]:
    left = left_care_on(facts, today)
    if left is None or age_on(facts.birth_date, today) >= t.aftercare_end_age:
        return []
    care = facts.aftercare
    if care is not None and care.closed_on is not None:
        return []
    found = []
    if care is None or not care.plan.strip() or not care.support_person.strip():
        found.append(Finding("R27", HIGH, "R27:plan", {"left_on": left.isoformat()}))
    if care is not None and care.response == "declined":
        return found  # a young person who said no is followed up by R14, not visited
    previous = left
    for months in t.r27_follow_up_months:
        checkpoint = add_months(left, months)
        if today > checkpoint + dt.timedelta(days=t.r27_follow_up_grace_days) and not any(
            previous < day <= checkpoint + dt.timedelta(days=t.r27_follow_up_grace_days) for day in facts.follow_ups
        ):
            found.append(
                Finding("R27", MEDIUM, f"R27:follow-up:{months}", {"months": months, "due": checkpoint.isoformat()})
            )
        previous = checkpoint
    return found


RULES: dict[str, Rule] = {
    "R3": r3_split_without_justification,
    "R4": r4_split_without_contact_plan,
    "R5": r5_no_review,
    "R7": r7_emergency_too_long,
    "R12": r12_aftercare_not_assessed,
    "R14": r14_decline_not_recontacted,
    "R16": r16_child_not_heard,
    "R18": r18_young_child_in_residential_care,
    "R19": r19_unstable,
    "R20": r20_poverty_only,
    "R21": r21_no_gatekeeping,
    "R22": r22_not_settled,
    "R27": r27_left_without_aftercare,
}


def evaluate(
    facts: ChildFacts, today: dt.date, thresholds: Thresholds, rules: Iterable[str] | None = None
) -> list[Finding]:
    """Every finding of the chosen rules (all by default) about one child."""
    found: list[Finding] = []
    for code in rules or RULES:
        found.extend(RULES[code](facts, today, thresholds))
    return found
