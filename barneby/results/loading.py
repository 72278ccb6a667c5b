"""The care facts of every child of a set of programmes, loaded by programme rather than by child.

The same :class:`barneby.care.rules.ChildFacts` as :func:`barneby.care.alerts.load_facts`
(kept field for field in step with it), but each table is read once with a
filter on the children's programmes: at the scale of every programme of the
federation, lists of thousands of child ids cost more to bind than the rows
cost to read. Siblings in other programmes are read by id (they are few).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from barneby.care import rules
from barneby.care.alerts import _decisions, _placements
from barneby.care.models import (
    Aftercare,
    Decision,
    FollowUp,
    FollowUpKind,
    Gatekeeping,
    Placement,
    PlanReview,
    SiblingRelation,
)


def _group(rows: Iterable[tuple[Any, ...]], make: Any) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(make(*row[1:]))
    return found


def facts_for_programmes(
    programme_ids: list[int], children: dict[int, tuple[dt.date, str, bool, dt.date | None, dt.date | None]]
) -> dict[int, rules.ChildFacts]:
    """``children``: id → (birth date, status, unaccompanied, residence decision, settlement) of the wanted children."""
    if not children:
        return {}
    mine = Q(child__programme_id__in=programme_ids)
    placements = _group(
        Placement.objects.filter(mine).values_list(
            "child_id",
            "id",
            "home_id",
            "type",
            "start_date",
            "end_date",
            "end_reason",
            "is_emergency",
            "child_prepared",
            "decision_id",
        ),
        rules.PlacementFact,
    )
    decisions = _group(
        Decision.objects.filter(mine).values_list(
            "child_id",
            "id",
            "kind",
            "decided_on",
            "child_views",
            "not_heard_reason",
            "separation_reason",
            "relationship_assessment",
            "contact_plan",
            "reassess_on",
        ),
        rules.DecisionFact,
    )
    reviews = _group(
        PlanReview.objects.filter(mine).values_list("child_id", "id", "reviewed_on", "child_views", "not_heard_reason"),
        rules.ReviewFact,
    )
    gatekeepings: dict[int, list[rules.GatekeepingFact]] = defaultdict(list)
    for child_id, pk, day, reasons, necessity, suitability, outcome in Gatekeeping.objects.filter(mine).values_list(
        "child_id", "id", "assessed_on", "reasons", "necessity", "suitability", "outcome"
    ):
        gatekeepings[child_id].append(
            rules.GatekeepingFact(pk, day, tuple(sorted(reasons or ())), necessity, suitability, outcome)
        )
    aftercare = {
        row[0]: rules.AftercareFact(*row[1:])
        for row in Aftercare.objects.filter(mine).values_list(
            "child_id",
            "assessed_on",
            "plan",
            "support_person",
            "response",
            "responded_on",
            "recontacted_on",
            "closed_on",
        )
    }
    follow_ups: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, day in FollowUp.objects.filter(mine, kind=FollowUpKind.AFTERCARE).values_list(
        "child_id", "visited_on"
    ):
        follow_ups[child_id].append(day)
    pairs: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    relations = SiblingRelation.objects.filter(
        Q(child_a__programme_id__in=programme_ids) | Q(child_b__programme_id__in=programme_ids)
    ).values_list("child_a_id", "child_b_id", "existing_bond")
    for a, b, bond in relations:
        pairs[a].append((b, bond))
        pairs[b].append((a, bond))
    loaded = set(placements) | set(children)
    outside = {other for child in children for other, _bond in pairs.get(child, ())} - loaded
    sibling_placements: dict[int, list[rules.PlacementFact]] = {**placements}
    separation: dict[int, list[rules.DecisionFact]] = {
        pk: [d for d in found if d.kind == rules.SEPARATION] for pk, found in decisions.items()
    }
    if outside:
        sibling_placements.update(_placements(outside))
        separation.update(_decisions(outside, separation_only=True))
    facts = {}
    for pk, (birth, status, unaccompanied, residence, settled) in children.items():
        siblings = tuple(
            rules.SiblingFact(
                other, "", bond, tuple(sibling_placements.get(other, ())), tuple(separation.get(other, ()))
            )
            for other, bond in sorted(pairs.get(pk, ()))
        )
        facts[pk] = rules.ChildFacts(
            id=pk,
            birth_date=birth,
            status=status,
            placements=tuple(placements.get(pk, ())),
            decisions=tuple(decisions.get(pk, ())),
            reviews=tuple(reviews.get(pk, ())),
            gatekeepings=tuple(gatekeepings.get(pk, ())),
            aftercare=aftercare.get(pk),
            follow_ups=tuple(follow_ups.get(pk, ())),
            siblings=siblings,
            is_unaccompanied=unaccompanied,
            residence_decision_date=residence,
            settlement_date=settled,
        )
    return facts
