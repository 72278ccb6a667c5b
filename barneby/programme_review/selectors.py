"""Scoped reads for the programme review: rounds, assessments, progress, transition plans and R28."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Model, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.accounts.roles import Role
from barneby.accounts.scoping import ScopePaths, scope_for, visible_to
from barneby.care.models import Child
from barneby.core.formatting import format_amount
from barneby.organisation.models import MemberAssociation, Programme, ProgrammeStatus
from barneby.programme_review import alerts, rules
from barneby.programme_review.models import AlternativeProvision, Assessment, Decision, ReviewRound
from barneby.programme_review.permissions import ASSESSORS, ENDING_DECIDERS, PLAN_ROLES, REVIEW_READERS

M = TypeVar("M", bound=Model)

NOT_STARTED, ASSESSED, DECIDED = "not_started", "assessed", "decided"
# A programme reached through the association or the programme itself (not its homes: no caregiver here).
PROGRAMME_PATHS = ScopePaths(association="association_id", programme="id")


def _visible(queryset: QuerySet[M], user: Any, roles: Iterable[Role] = REVIEW_READERS) -> QuerySet[M]:
    paths = queryset.model.SCOPE_PATHS  # type: ignore[attr-defined]
    return visible_to(queryset, user=user, paths=paths, roles=roles)


# --- rounds -----------------------------------------------------------------------------------


def round_list_for(*, user: Any) -> QuerySet[ReviewRound]:
    """Rounds run across the federation: every reader sees them, and counts only their own part."""
    if not scope_for(user).has_any_role(REVIEW_READERS):
        return ReviewRound.objects.none()
    return ReviewRound.objects.all()


def round_get_for(*, user: Any, pk: int) -> ReviewRound:
    found = round_list_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- assessments ------------------------------------------------------------------------------


def assessment_list_for(
    *,
    user: Any,
    round: ReviewRound | None = None,
    association_id: int | None = None,
    state: str = "",
    decision: str = "",
    search: str = "",
) -> QuerySet[Assessment]:
    found = _visible(
        Assessment.objects.select_related("round", "programme", "programme__association", "programme__location"),
        user,
    )
    if round is not None:
        found = found.filter(round=round)
    if association_id:
        found = found.filter(programme__association_id=association_id)
    if state == NOT_STARTED:
        found = found.filter(assessed_at__isnull=True, decision="")
    elif state == ASSESSED:
        found = found.filter(assessed_at__isnull=False, decision="")
    elif state == DECIDED:
        found = found.exclude(decision="")
    if decision in Decision.values:
        found = found.filter(decision=decision)
    if search:
        found = found.filter(Q(programme__name__icontains=search) | Q(programme__code__icontains=search))
    return found


def assessment_get_for(*, user: Any, pk: int, for_write: bool = False) -> Assessment:
    """404 to whoever may not see the programme; 403 to a reader who may not assess it."""
    found = assessment_list_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    if for_write and not _visible(Assessment.objects.filter(pk=pk), user, ASSESSORS).exists():
        raise PermissionDenied
    return found


def may_assess(*, user: Any, assessment: Assessment) -> bool:
    return _visible(Assessment.objects.filter(pk=assessment.pk), user, ASSESSORS).exists()


def may_end(*, user: Any, programme: Programme) -> bool:
    """May ``user`` decide to phase out or hand over ``programme`` (a national director of its association)?"""
    return visible_to(
        Programme.objects.filter(pk=programme.pk),
        user=user,
        paths=ScopePaths(association="association_id"),
        roles=ENDING_DECIDERS,
    ).exists()


@dataclass
class ProgressRow:
    association_id: int
    name: str
    total: int
    assessed: int
    decided: int
    by_decision: dict[str, int]

    @property
    def counts(self) -> list[int]:
        """The number of each decision, in the order of ``Decision``."""
        return [self.by_decision.get(d, 0) for d in Decision.values]

    @property
    def share_decided(self) -> int:
        return round(100 * self.decided / self.total) if self.total else 0


def round_progress(*, user: Any, round: ReviewRound) -> list[ProgressRow]:
    """Per association the user sees: programmes in the round, assessed, decided, and how many of each decision.

    One grouped query, whatever the size of the federation.
    """
    counts = {d: Count("pk", filter=Q(decision=d)) for d in Decision.values}
    rows = (
        assessment_list_for(user=user, round=round)
        .order_by()
        .values("programme__association_id", "programme__association__name")
        .annotate(
            total=Count("pk"),
            assessed=Count("pk", filter=Q(assessed_at__isnull=False) | ~Q(decision="")),
            decided=Count("pk", filter=~Q(decision="")),
            **counts,
        )
        .order_by("programme__association__name", "programme__association_id")
    )
    return [
        ProgressRow(
            row["programme__association_id"],
            row["programme__association__name"],
            row["total"],
            row["assessed"],
            row["decided"],
            {d: row[d] for d in Decision.values},
        )
        for row in rows
    ]


def progress_totals(rows: list[ProgressRow]) -> ProgressRow:
    return ProgressRow(
        0,
        "",
        sum(r.total for r in rows),
        sum(r.assessed for r in rows),
        sum(r.decided for r in rows),
        {d: sum(r.by_decision[d] for r in rows) for d in Decision.values},
    )


def association_choices(*, user: Any, round: ReviewRound) -> QuerySet[MemberAssociation]:
    ids = assessment_list_for(user=user, round=round).order_by().values("programme__association_id")
    return MemberAssociation.objects.filter(pk__in=ids).order_by("name")


# --- results and cost -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    code: str
    name: str
    value: Decimal | None
    target: Decimal | None
    unit: str
    direction: str
    definition: str
    met: bool | None


def results_against_targets(programme: Programme, year: int) -> list[ResultRow]:
    """The programme's indicators for the round's year with their targets (the results module's computation)."""
    from barneby.results.indicators import programme_results

    return [
        ResultRow(
            r.code, r.name, r.value, r.target, unit_label(str(r.unit)), str(r.direction), str(r.definition), r.met
        )
        for r in programme_results(programme, year)
    ]


def unit_label(unit: str) -> str:
    """How an indicator's unit follows its figure ("90,0 %", "12", "45 dager")."""
    return {"percent": "%", "count": "", "days": str(_("dager"))}.get(unit, unit)


@dataclass(frozen=True)
class CostBasis:
    """Cost per participant and where its two parts come from."""

    cost: Decimal
    cost_source: str
    participants: int
    participants_source: str

    @property
    def description(self) -> str:
        return str(_("{cost} fra {cost_source}, {participants} deltakere fra {participants_source}")).format(
            cost=format_amount(self.cost),
            cost_source=self.cost_source,
            participants=self.participants,
            participants_source=self.participants_source,
        )

    @property
    def per_participant(self) -> Decimal:
        return (self.cost / self.participants).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _yearly_cost(programme: Programme, year: int) -> tuple[Decimal, str] | None:
    """The association's programme costs of the year's accounts, shared by the programmes' budgets; else the
    programme's own yearly budget."""
    from barneby.results.models import AnnualAccounts

    if not programme.budget_nok:
        return None
    accounts = AnnualAccounts.objects.filter(association_id=programme.association_id, year=year).first()
    if accounts is not None and accounts.programme_costs:
        budgets = (
            Programme.objects.filter(association_id=programme.association_id, budget_nok__isnull=False)
            .exclude(status=ProgrammeStatus.CLOSED)
            .aggregate(total=Sum("budget_nok"))["total"]
        )
        if budgets:
            share = accounts.programme_costs * programme.budget_nok / budgets
            return share, str(_("årsregnskapet {year}, fordelt etter budsjett")).format(year=year)
    return programme.budget_nok, str(_("årsbudsjettet"))


def _participants(programme: Programme, year: int, today: dt.date | None) -> tuple[int, str] | None:
    """The average month's participants in the year's service returns; else those in the care register."""
    from barneby.results.models import ServiceReturn

    months = ServiceReturn.objects.filter(programme=programme, month__year=year).aggregate(
        average=Avg("participants"), n=Count("pk")
    )
    if months["n"] and months["average"]:
        return round(months["average"]), str(_("tjenesterapportene {year} (snitt per måned)")).format(year=year)
    count = len(alerts.participants([programme.pk], today=today).get(programme.pk, ()))
    if count:
        return count, str(_("registeret"))
    return None


def cost_basis(programme: Programme, year: int, *, today: dt.date | None = None) -> CostBasis | None:
    """Cost per participant from the accounts (or budget) and the service returns (or register), when both are
    known; else None, and the assessor enters it."""
    cost = _yearly_cost(programme, year)
    people = _participants(programme, year, today) if cost else None
    if cost is None or people is None:
        return None
    return CostBasis(cost[0], cost[1], people[0], people[1])


# --- transition plans -------------------------------------------------------------------------


def plan_programme_get_for(*, user: Any, pk: int) -> Programme:
    """A programme whose transition plan the user may read and write (it names the participants)."""
    found = visible_to(
        Programme.objects.select_related("association", "location"),
        user=user,
        paths=PROGRAMME_PATHS,
        roles=PLAN_ROLES,
    )
    programme = found.filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def plan_programmes_for(*, user: Any, child: Child) -> QuerySet[Programme]:
    """The programmes ``child`` takes part in whose plan the user may write."""
    taking_part = [pk for pk, children in alerts.participants(_programmes_of(child)).items() if child.pk in children]
    return visible_to(
        Programme.objects.filter(pk__in=taking_part),
        user=user,
        paths=PROGRAMME_PATHS,
        roles=PLAN_ROLES,
    )


def _programmes_of(child: Child) -> set[int]:
    today = timezone.localdate()
    homes = child.placements.filter(start_date__lte=today).filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
    return {child.programme_id, *homes.values_list("home__programme_id", flat=True)}


def plan_child_get_for(*, user: Any, pk: int) -> Child:
    """A child taking part in a programme whose plan the user may write; 404 otherwise."""
    child = Child.objects.select_related("programme").filter(pk=pk).first()
    if child is None or not plan_programmes_for(user=user, child=child).exists():
        raise Http404
    return child


@dataclass
class PlanRow:
    child: Child
    provision: AlternativeProvision | None

    @property
    def complete(self) -> bool:
        return self.provision is not None


def plan_rows(programme: Programme, *, today: dt.date | None = None) -> list[PlanRow]:
    """Every participant of the programme with the alternative provider recorded for them (or None)."""
    ids = alerts.participants([programme.pk], today=today).get(programme.pk, set())
    children = Child.objects.filter(pk__in=ids).select_related("programme").order_by("last_name", "first_name", "pk")
    provisions = {p.child_id: p for p in AlternativeProvision.objects.filter(programme=programme, child_id__in=ids)}
    return [PlanRow(child, provisions.get(child.pk)) for child in children]


@dataclass(frozen=True)
class PlanSummary:
    participants: int
    provided: int

    @property
    def missing(self) -> int:
        return self.participants - self.provided


def plan_summary(programme: Programme, *, today: dt.date | None = None) -> PlanSummary:
    """How many participants there are and how many have an alternative provider (no names: for M&E too)."""
    ids = alerts.participants([programme.pk], today=today).get(programme.pk, set())
    done = alerts.provided([programme.pk]).get(programme.pk, set())
    return PlanSummary(len(ids), len(ids & done))


def r28_for(*, user: Any, roles: Iterable[Role] = REVIEW_READERS) -> list[tuple[Programme, rules.Finding]]:
    """The R28 findings of the programmes the user sees, worst first."""
    programmes = visible_to(
        Programme.objects.filter(status__in=sorted(rules.R28_STATUSES)).select_related("association"),
        user=user,
        paths=PROGRAMME_PATHS,
        roles=roles,
    )
    by_pk = {p.pk: p for p in programmes}
    findings = alerts.r28_findings((p.pk, p.status) for p in by_pk.values())
    return sorted(
        ((by_pk[pk], f) for pk, f in findings.items()), key=lambda pair: (-len(pair[1].missing), pair[0].name)
    )


def r28_finding(programme: Programme) -> rules.Finding | None:
    return alerts.r28_findings([(programme.pk, programme.status)]).get(programme.pk)


def latest_decision(programme: Programme) -> Assessment | None:
    return (
        Assessment.objects.filter(programme=programme)
        .exclude(decision="")
        .select_related("round")
        .order_by("-decided_at", "-pk")
        .first()
    )
