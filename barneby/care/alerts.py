"""Running the care rules: load facts in bulk, evaluate, and keep the alert table in step.

An alert exists exactly while its rule finds its cause: :func:`refresh` adds
new findings, updates changed ones (keeping when they were first raised) and
deletes alerts whose cause is gone. Services call it for the children a change
touches; the nightly task calls it for everyone, in batches.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.care import rules
from barneby.care.models import (
    Aftercare,
    Alert,
    Child,
    Decision,
    DecisionKind,
    FollowUp,
    FollowUpKind,
    Gatekeeping,
    Placement,
    PlanReview,
    SiblingRelation,
)

BATCH = 1000

MESSAGES: dict[str, Any] = {
    "R3": _("Bor ikke sammen med {sibling}, og splitten mangler begrunnelse ut fra barnets beste."),
    "R4:contact": _("Splitten fra {sibling} mangler kontaktplan."),
    "R4:reassess": _("Splitten fra {sibling} mangler dato for ny vurdering."),
    "R4:overdue": _("Ny vurdering av splitten fra {sibling} skulle vært gjort {due}."),
    "R5": _("Ingen gjennomgang av utviklingsplanen siden {since}."),
    "R7": _("Akutt eller midlertidig plassering siden {since} uten vedtak om varig løsning."),
    "R12": _("Fyller 18 år {turns_18}, og ettervern er ikke vurdert."),
    "R14": _("Takket nei til ettervern og er ikke kontaktet igjen (frist {due})."),
    "R16:decision": _("Et vedtak mangler barnets syn eller hvorfor barnet ikke ble hørt."),
    "R16:review": _("En gjennomgang mangler barnets syn eller hvorfor barnet ikke ble hørt."),
    "R18": _("Under 3 år og bor ikke i familiebasert omsorg (siden {since})."),
    "R19:moves": _("{moves} flyttinger de siste 12 månedene."),
    "R19:unprepared": _("Flyttingen {moved_on} er ikke forberedt med barnet."),
    "R20": _("Inntaket bygger bare på fattigdom eller materielle forhold."),
    "R21": _("Plassert {admitted_on} uten inntaksvurdering av nødvendighet og egnethet."),
    "R22": _("Enslig mindreårig ikke bosatt, vedtak om opphold {decided_on}."),
    "R27:plan": _("Flyttet ut {left_on} uten ettervernsplan og fast støtteperson."),
    "R27:follow-up": _("Mangler oppfølging {months} måneder etter utflytting (frist {due})."),
}

RULE_TITLES: dict[str, Any] = {
    "R3": _("Søsken splittet uten begrunnelse"),
    "R4": _("Søskensplitt uten kontaktplan eller ny vurdering"),
    "R5": _("Ingen gjennomgang på 3 måneder"),
    "R7": _("Akuttplassering uten varig løsning"),
    "R12": _("Ettervern ikke vurdert før 18 år"),
    "R14": _("Ikke kontaktet igjen etter nei til ettervern"),
    "R16": _("Barnets syn mangler"),
    "R18": _("Barn under 3 år utenfor familiebasert omsorg"),
    "R19": _("Mange eller uforberedte flyttinger"),
    "R20": _("Inntak bare på grunn av fattigdom"),
    "R21": _("Plassert uten inntaksvurdering"),
    "R22": _("Enslig mindreårig ikke bosatt"),
    "R27": _("Utflyttet uten ettervernsplan eller oppfølging"),
}


def thresholds() -> rules.Thresholds:
    return rules.Thresholds.from_settings(settings.CARE_RULES)


def message(alert: Alert, *, readable: Container[int] | None = None) -> str:
    """The alert in words; a sibling not in ``readable`` (ids the reader may see) is not named."""
    variant = alert.key.split(":")[1] if alert.rule in {"R4", "R16", "R19", "R27"} else ""
    if alert.rule == "R4":
        variant = str(alert.params.get("missing", "contact"))
    text = MESSAGES.get(f"{alert.rule}:{variant}") or MESSAGES[alert.rule]
    params = dict(alert.params)
    for name, value in params.items():
        if isinstance(value, str) and len(value) == 10 and value[4] == "-":
            params[name] = dt.date.fromisoformat(value).strftime("%d.%m.%Y")
    if readable is not None and "sibling" in params and params.get("sibling_id") not in readable:
        params["sibling"] = str(SIBLING_ELSEWHERE)
    return str(text).format(**params)


SIBLING_ELSEWHERE = _("et søsken i et annet program")


def fix_url(alert: Alert) -> str:
    """Where the cause of an alert is fixed."""
    child = alert.child_id
    match alert.rule:
        case "R3" | "R4":
            return reverse("care:decision-create", args=[child]) + "?kind=sibling_separation"
        case "R5":
            return reverse("care:review-create", args=[child])
        case "R7":
            return reverse("care:decision-create", args=[child]) + "?kind=placement"
        case "R12" | "R14" | "R27":
            if alert.key.startswith("R27:follow-up"):
                return reverse("care:follow-up-create", args=[child])
            return reverse("care:aftercare-edit", args=[child])
        case "R16":
            if "decision_id" in alert.params:
                return reverse("care:decision-edit", args=[alert.params["decision_id"]])
            return reverse("care:review-edit", args=[alert.params["review_id"]])
        case "R20" | "R21":
            return reverse("care:gatekeeping-create", args=[child])
        case "R22":
            return reverse("care:child-edit", args=[child])
        case _:
            return reverse("care:child-detail", args=[child]) + "#placements"


# --- loading facts ------------------------------------------------------------------------


PLACEMENT_COLUMNS = (
    "id",
    "home_id",
    "type",
    "start_date",
    "end_date",
    "end_reason",
    "is_emergency",
    "child_prepared",
    "decision_id",
)
DECISION_COLUMNS = (
    "id",
    "kind",
    "decided_on",
    "child_views",
    "not_heard_reason",
    "separation_reason",
    "relationship_assessment",
    "contact_plan",
    "reassess_on",
    "contact_times",
    "contact_per",
)
# What ``facts_where`` needs of each child: id → (birth date, status, unaccompanied, residence decision, settlement).
ChildRow = tuple[dt.date, str, bool, dt.date | None, dt.date | None]


def _grouped(rows: Iterable[tuple[Any, ...]], make: Callable[..., Any]) -> dict[int, list[Any]]:
    """Rows whose first column is a child's id, as that child's list of ``make(*rest)``."""
    found: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(make(*row[1:]))
    return found


def _placements(child_ids: Iterable[int]) -> dict[int, list[rules.PlacementFact]]:
    query = Placement.objects.filter(child_id__in=list(child_ids))
    return _grouped(query.values_list("child_id", *PLACEMENT_COLUMNS), rules.PlacementFact)


def _decisions(child_ids: Iterable[int], *, separation_only: bool = False) -> dict[int, list[rules.DecisionFact]]:
    query = Decision.objects.filter(child_id__in=list(child_ids))
    if separation_only:
        query = query.filter(kind=DecisionKind.SIBLING_SEPARATION)
    return _grouped(query.values_list("child_id", *DECISION_COLUMNS), rules.DecisionFact)


def load_facts(child_ids: Iterable[int]) -> dict[int, rules.ChildFacts]:
    """The facts the rules need about these children, in a fixed number of queries."""
    ids = sorted(set(child_ids))
    if not ids:
        return {}
    children = {
        pk: (birth, status, unaccompanied, residence, settled)
        for pk, birth, status, unaccompanied, residence, settled in Child.objects.filter(pk__in=ids).values_list(
            "id", "birth_date", "status", "is_unaccompanied", "residence_decision_date", "settlement_date"
        )
    }
    return facts_where(children, Q(child_id__in=ids), Q(child_a_id__in=ids) | Q(child_b_id__in=ids), sibling_names=True)


def facts_where(
    children: dict[int, ChildRow], mine: Q, relations: Q, *, sibling_names: bool
) -> dict[int, rules.ChildFacts]:
    """The facts of ``children``, each care table read once through ``mine`` (a filter on its ``child`` that
    takes in at least these children: their ids, or their programmes) and the sibling relations through
    ``relations``. Siblings whose rows ``mine`` did not take in are read by id (they are few). With
    ``sibling_names`` a sibling's first name comes along (for messages); the indicators need none.
    """
    if not children:
        return {}
    placements = _grouped(
        Placement.objects.filter(mine).values_list("child_id", *PLACEMENT_COLUMNS), rules.PlacementFact
    )
    decisions = _grouped(Decision.objects.filter(mine).values_list("child_id", *DECISION_COLUMNS), rules.DecisionFact)
    reviews = _grouped(
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
    aftercare: dict[int, rules.AftercareFact] = {
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
    for a, b, bond in SiblingRelation.objects.filter(relations).values_list(
        "child_a_id", "child_b_id", "existing_bond"
    ):
        pairs[a].append((b, bond))
        pairs[b].append((a, bond))
    sibling_ids = {other for child in children for other, _bond in pairs.get(child, ())}
    # Whoever ``mine`` took in has all their placements and decisions loaded already.
    outside = sibling_ids - set(children) - set(placements) - set(decisions)
    sibling_placements = {**placements, **_placements(outside)} if outside else placements
    separation = {pk: [d for d in found if d.kind == rules.SEPARATION] for pk, found in decisions.items()}
    if outside:
        separation.update(_decisions(outside, separation_only=True))
    names = (
        dict(Child.objects.filter(pk__in=sibling_ids).values_list("id", "first_name"))
        if sibling_names and sibling_ids
        else {}
    )
    facts = {}
    for pk, (birth_date, status, unaccompanied, residence, settled) in children.items():
        siblings = tuple(
            rules.SiblingFact(
                other,
                names.get(other, ""),
                bond,
                tuple(sibling_placements.get(other, ())),
                tuple(separation.get(other, ())),
            )
            for other, bond in sorted(pairs.get(pk, ()))
        )
        facts[pk] = rules.ChildFacts(
            id=pk,
            birth_date=birth_date,
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


# --- keeping the alert table in step -------------------------------------------------------


@dataclass
class RefreshResult:
    children: int = 0
    raised: int = 0
    cleared: int = 0

    def add(self, other: RefreshResult) -> None:
        self.children += other.children
        self.raised += other.raised
        self.cleared += other.cleared


def refresh(child_ids: Iterable[int], *, today: dt.date | None = None) -> RefreshResult:
    """Re-evaluate every rule for these children and make the alert table match."""
    ids = sorted(set(child_ids))
    result = RefreshResult()
    if not ids:
        return result
    today = today or timezone.localdate()
    limits = thresholds()
    facts = load_facts(ids)
    wanted: dict[tuple[int, str], rules.Finding] = {}
    for pk, child_facts in facts.items():
        for finding in rules.evaluate(child_facts, today, limits):
            wanted[(pk, finding.key)] = finding
    with transaction.atomic():
        existing = {(a.child_id, a.key): a for a in Alert.objects.filter(child_id__in=ids)}
        gone = [a.pk for k, a in existing.items() if k not in wanted]
        if gone:
            Alert.objects.filter(pk__in=gone).delete()
        new = [
            Alert(child_id=pk, rule=f.rule, key=f.key, severity=f.severity, params=f.params)
            for (pk, key), f in wanted.items()
            if (pk, key) not in existing
        ]
        Alert.objects.bulk_create(new, batch_size=500)
        changed = []
        for k, alert in existing.items():
            update = wanted.get(k)
            if update and (alert.params != update.params or alert.severity != update.severity):
                alert.params, alert.severity = update.params, update.severity
                changed.append(alert)
        if changed:
            Alert.objects.bulk_update(changed, ["params", "severity"], batch_size=500)
    result.children, result.raised, result.cleared = len(facts), len(new), len(gone)
    return result


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def refresh_all(
    *, today: dt.date | None = None, progress: Callable[[int, int], None] | None = None, batch: int = BATCH
) -> RefreshResult:
    """Re-evaluate every child (the nightly run)."""
    ids = list(Child.objects.order_by("pk").values_list("pk", flat=True))
    total = RefreshResult()
    for chunk in _batches(ids, batch):
        total.add(refresh(chunk, today=today))
        if progress:
            progress(total.children, len(ids))
    # Alerts of children that no longer exist go with them (cascade); nothing else to sweep.
    return total


def affected_by(child: Child) -> list[int]:
    """The child and its siblings: the alerts a change to the child can move."""
    others = SiblingRelation.objects.filter(Q(child_a=child) | Q(child_b=child)).values_list("child_a_id", "child_b_id")
    return sorted({child.pk, *(pk for pair in others for pk in pair)})
