"""Reads of care records, always scoped to the user (deny by default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.scoping import ScopePaths, scope_for, scope_q, visible_to
from barneby.care import rules
from barneby.care.models import (
    Aftercare,
    Alert,
    Child,
    ChildStatus,
    DailyNote,
    Decision,
    FollowUp,
    Gatekeeping,
    GatekeepingOutcome,
    Household,
    Placement,
    PlacementType,
    PlanGoal,
    PlanReview,
    Sex,
    SiblingContact,
    SiblingRelation,
    age_on,
)
from barneby.care.permissions import CARE_READERS, CARE_WRITERS, CAREGIVERS, ME_ROLES, RESTRICTED_PERMISSION
from barneby.organisation.models import Home, Programme, ProgrammeType

M = TypeVar("M", bound=Model)

# A municipality contact reads only the children of Norwegian foster and family-home programmes
# partnered with their municipality (../shared/DESIGN.md §1), never every programme type.
MUNICIPAL_PROGRAMME_TYPES = frozenset({ProgrammeType.SIBLING_FOSTER, ProgrammeType.UNACCOMPANIED})
MUNICIPAL = frozenset({Role.MUNICIPALITY_CONTACT})


def _municipal_programmes(paths: ScopePaths) -> Q:
    """Rows whose child's programme is a Norwegian foster or family-home programme."""
    prefix = (paths.programme or "programme_id").removesuffix("programme_id")
    return Q(
        **{
            f"{prefix}programme__type__in": sorted(MUNICIPAL_PROGRAMME_TYPES),
            f"{prefix}programme__location__country": "NO",
        }
    )


def _visible(queryset: QuerySet[M], user: Any, roles: Iterable[Role] = CARE_READERS) -> QuerySet[M]:
    """``queryset`` narrowed to the user's scope; a municipality grant reaches only municipal programmes."""
    wanted = frozenset(roles)
    paths: ScopePaths = queryset.model.SCOPE_PATHS  # type: ignore[attr-defined]
    scope = scope_for(user)
    if not scope.has_any_role(wanted):
        return queryset.none()
    condition = Q(pk__in=[])
    staff_roles = wanted - MUNICIPAL
    if scope.has_any_role(staff_roles):
        staff_q = scope_q(scope, paths, roles=staff_roles)
        if staff_q is None:
            return queryset
        condition |= staff_q
    if wanted & MUNICIPAL and scope.has_any_role(MUNICIPAL):
        municipal_q = scope_q(scope, paths, roles=MUNICIPAL)
        condition |= _municipal_programmes(paths) & (municipal_q if municipal_q is not None else Q())
    narrowed = queryset.filter(condition)
    return narrowed.distinct() if paths.distinct else narrowed


def visible_children(queryset: QuerySet[Child], *, user: Any) -> QuerySet[Child]:
    """``queryset`` narrowed to the children the user may read (for other modules and the views)."""
    return _visible(queryset, user)


def child_list_for(
    *, user: Any, search: str = "", status: str = "", mine: bool = False, programme_id: int | None = None
) -> QuerySet[Child]:
    """Children the user may read; ``search`` matches the start of the first or last name."""
    children = _visible(Child.objects.select_related("programme", "caseworker"), user)
    if search:
        words = search.split()
        for word in words[:3]:
            children = children.filter(Q(first_name__istartswith=word) | Q(last_name__istartswith=word))
    if status:
        children = children.filter(status=status)
    if mine:
        children = children.filter(caseworker=user)
    if programme_id:
        children = children.filter(programme_id=programme_id)
    return children


def _get_for(queryset: QuerySet[M], user: Any, pk: int, *, for_write: bool) -> M:
    # No ordering: `.first()` would otherwise sort by the default ordering and mislead the planner.
    obj = _visible(queryset, user).filter(pk=pk).order_by().first()
    if obj is None:
        raise Http404
    if for_write and not _visible(queryset.filter(pk=pk), user, CARE_WRITERS).exists():
        raise PermissionDenied
    return obj


def child_get_for(*, user: Any, pk: int, for_write: bool = False) -> Child:
    return _get_for(
        Child.objects.select_related(
            "programme",
            "programme__association",
            "caseworker",
            "household",
            "origin_municipality",
            "origin_location",
            "settlement_municipality",
        ),
        user,
        pk,
        for_write=for_write,
    )


def can_write(*, user: Any, child: Child) -> bool:
    return _visible(Child.objects.filter(pk=child.pk), user, CARE_WRITERS).exists()


def readable_child_ids(*, user: Any, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` the user may read."""
    return set(_visible(Child.objects.filter(pk__in=set(ids)), user).values_list("pk", flat=True))


def writable_child_ids(*, user: Any, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` the user may change (and so fix an alert about)."""
    return set(_visible(Child.objects.filter(pk__in=set(ids)), user, CARE_WRITERS).values_list("pk", flat=True))


def full_case_access(*, user: Any, child: Child) -> bool:
    """Whether the user reads the whole case file (not only the municipality's part of it)."""
    return _visible(Child.objects.filter(pk=child.pk), user, CARE_READERS - MUNICIPAL).exists()


def may_see_restricted(*, user: Any, child: Child | None = None) -> bool:
    """The permission for restricted fields; never through a municipality grant alone."""
    if not (bool(getattr(user, "has_perm", None)) and user.has_perm(RESTRICTED_PERMISSION)):
        return False
    return child is None or full_case_access(user=user, child=child)


def children_to_link(*, user: Any, child: Child) -> QuerySet[Child]:
    """Children the user may link to ``child`` (as a sibling, or as one who must live apart)."""
    return (
        _visible(Child.objects.all(), user, CARE_WRITERS)
        .exclude(pk=child.pk)
        .exclude(status=ChildStatus.LEFT)
        .order_by("last_name", "first_name")
    )


def siblings_of(child: Child) -> QuerySet[Child]:
    """The children registered as the child's siblings (directly related, either way round)."""
    pairs = SiblingRelation.objects.filter(Q(child_a=child) | Q(child_b=child)).values_list("child_a_id", "child_b_id")
    others = {pk for pair in pairs for pk in pair} - {child.pk}
    return Child.objects.filter(pk__in=others).order_by("birth_date", "pk")


def sibling_contacts_of(*, child: Child) -> QuerySet[SiblingContact]:
    """The contacts with siblings logged in the child's case file, newest first (the child page's log)."""
    return child.sibling_contacts.select_related("sibling", "decision", "recorded_by").order_by("-contact_on", "-pk")


def admission_assessed(child: Child, *, on: dt.date | None = None) -> bool:
    """Whether a gatekeeping assessment admits the child to alternative care (necessity and suitability written)."""
    admitted = child.gatekeepings.filter(outcome=GatekeepingOutcome.ALTERNATIVE_CARE)
    if on is not None:
        admitted = admitted.filter(assessed_on__lte=on)
    return any(g.necessity.strip() and g.suitability.strip() for g in admitted)


@dataclass(frozen=True)
class Missing:
    """Something a placement needs first, and where to record it."""

    text: str
    url: str
    label: str


def placement_missing(*, child: Child) -> list[Missing]:
    """What the placement form would refuse for lack of (told before, not after filling it in)."""
    missing = []
    if child.status == ChildStatus.LEFT:
        return [Missing(str(_("Saken er avsluttet; barnet kan ikke plasseres.")), "", "")]
    if not child.placements.exists() and not admission_assessed(child):
        missing.append(
            Missing(
                str(
                    _(
                        "{name} har ingen inntaksvurdering av nødvendighet og egnethet. Den må registreres før "
                        "barnet kan tas inn i alternativ omsorg (unntatt ved akuttplassering)."
                    ).format(name=child.first_name)
                ),
                reverse("care:gatekeeping-create", args=[child.pk]),
                str(_("Registrer inntaksvurdering")),
            )
        )
    return missing


def decision_get_for(*, user: Any, pk: int) -> Decision:
    return _get_for(Decision.objects.select_related("child"), user, pk, for_write=True)


def review_get_for(*, user: Any, pk: int) -> PlanReview:
    return _get_for(PlanReview.objects.select_related("child"), user, pk, for_write=True)


def goal_get_for(*, user: Any, pk: int) -> PlanGoal:
    return _get_for(PlanGoal.objects.select_related("child"), user, pk, for_write=True)


def placement_get_for(*, user: Any, pk: int) -> Placement:
    return _get_for(Placement.objects.select_related("child", "home"), user, pk, for_write=True)


def household_list_for(*, user: Any, search: str = "", strengthening: bool | None = None) -> QuerySet[Household]:
    households = _visible(Household.objects.select_related("programme"), user)
    if search:
        households = households.filter(name__icontains=search)
    if strengthening is not None:
        households = households.filter(in_family_strengthening=strengthening)
    return households


def household_get_for(*, user: Any, pk: int, for_write: bool = False) -> Household:
    return _get_for(Household.objects.select_related("programme", "municipality"), user, pk, for_write=for_write)


def household_can_write(*, user: Any, household: Household) -> bool:
    return _visible(Household.objects.filter(pk=household.pk), user, CARE_WRITERS).exists()


def child_writable_programme(*, user: Any, programme: Programme) -> None:
    """Refuse (403) unless the user may register children in ``programme``."""
    if not visible_to(
        Programme.objects.filter(pk=programme.pk), user=user, paths=Programme.SCOPE_PATHS, roles=CARE_WRITERS
    ).exists():
        raise PermissionDenied


def placement_home(*, user: Any, child: Child, pk: int) -> Home:
    home = homes_for_placement(user=user, child=child).filter(pk=pk).first()
    if home is None:
        raise Http404
    return home


def homes_for_placement(*, user: Any, child: Child) -> QuerySet[Home]:
    """Active homes the user may place a child in (within the user's writable programmes)."""
    return visible_to(
        Home.objects.filter(is_active=True).select_related("programme"),
        user=user,
        paths=Home.SCOPE_PATHS,
        roles=CARE_WRITERS,
    ).filter(programme__association_id=child.programme.association_id)


# --- the child page ------------------------------------------------------------------------


@dataclass
class SiblingView:
    """A sibling on the child page; one the user may not read carries nothing about them (``child`` is None)."""

    child: Child | None
    relation: SiblingRelation | None
    placement: Placement | None
    visible: bool
    lives_with: bool


@dataclass
class ChildPage:
    child: Child
    siblings: list[SiblingView]
    placements: list[Placement]
    current: Placement | None
    moves: int
    decisions: list[Decision]
    goals: list[PlanGoal]
    reviews: list[PlanReview]
    alerts: list[Alert]
    gatekeepings: list[Gatekeeping]
    aftercare: Aftercare | None
    follow_ups: list[FollowUp]
    group_intact: bool | None
    with_sibling: bool | None
    extra: dict[str, Any] = field(default_factory=dict)
    needs: list[Any] = field(default_factory=list)


def _open(placements: Iterable[Placement], day: dt.date) -> Placement | None:
    now = [p for p in placements if p.start_date <= day and (p.end_date is None or p.end_date > day)]
    return max(now, key=lambda p: (p.start_date, p.pk)) if now else None


def _facts(placements: Iterable[Placement]) -> list[rules.PlacementFact]:
    return [rules.PlacementFact(p.pk, p.home_id, p.type, p.start_date, p.end_date, p.end_reason) for p in placements]


def child_page(*, user: Any, child: Child, today: dt.date | None = None) -> ChildPage:
    """Everything on the child page in a fixed number of queries, however long the history."""
    today = today or timezone.localdate()
    placements = list(child.placements.select_related("home", "home__programme", "decision"))
    decisions = list(child.decisions.select_related("recorded_by"))
    goals = list(child.goals.all())
    reviews = list(child.reviews.all())
    alerts = sorted(child.alerts.all(), key=lambda a: (rules_severity(a.severity), a.raised_at))
    gatekeepings = list(child.gatekeepings.all())
    aftercare = Aftercare.objects.filter(child=child).first()
    follow_ups = list(child.follow_ups.all())
    siblings: list[SiblingView] = []
    group: dict[int, list[rules.PlacementFact]] = {child.pk: _facts(placements)}
    if child.sibling_group_id:
        relations = {
            (r.child_a_id, r.child_b_id): r
            for r in SiblingRelation.objects.filter(child_a__sibling_group_id=child.sibling_group_id)
        }
        others = list(
            Child.objects.filter(sibling_group_id=child.sibling_group_id)
            .exclude(pk=child.pk)
            .select_related("programme")
            .prefetch_related(
                Prefetch(
                    "placements",
                    queryset=Placement.objects.select_related("home", "home__programme"),
                    to_attr="all_placements",
                )
            )
            .order_by("birth_date", "pk")
        )
        visible = set(_visible(Child.objects.filter(pk__in=[o.pk for o in others]), user).values_list("pk", flat=True))
        mine = _open(placements, today)
        for other in others:
            theirs = _open(other.all_placements, today)
            key = (min(child.pk, other.pk), max(child.pk, other.pk))
            group[other.pk] = _facts(other.all_placements)
            if other.pk not in visible:
                # Out of the user's scope: only that there is a sibling elsewhere (no name, date, home).
                siblings.append(SiblingView(child=None, relation=None, placement=None, visible=False, lives_with=False))
                continue
            siblings.append(
                SiblingView(
                    child=other,
                    relation=relations.get(key),
                    placement=theirs,
                    visible=True,
                    lives_with=bool(mine and theirs and mine.home_id == theirs.home_id),
                )
            )
    situation = rules.group_situation(group, today)
    return ChildPage(
        child=child,
        siblings=siblings,
        placements=placements,
        current=_open(placements, today),
        moves=len(rules.moves(_facts(placements))),
        decisions=decisions,
        goals=goals,
        reviews=reviews,
        alerts=alerts,
        gatekeepings=gatekeepings,
        aftercare=aftercare,
        follow_ups=follow_ups,
        group_intact=situation.intact,
        with_sibling=situation.with_sibling(child.pk),
        needs=list(child.needs.all()),
    )


def rules_severity(severity: str) -> int:
    return {"high": 0, "medium": 1, "low": 2}.get(severity, 3)


# --- alerts --------------------------------------------------------------------------------


def alert_list_for(
    *, user: Any, mine: bool = False, programme_id: int | None = None, severity: str = "", rule: str = ""
) -> QuerySet[Alert]:
    alerts = _visible(Alert.objects.select_related("child", "child__programme", "child__caseworker"), user)
    if mine:
        alerts = alerts.filter(child__caseworker=user)
    if programme_id:
        alerts = alerts.filter(child__programme_id=programme_id)
    if severity:
        alerts = alerts.filter(severity=severity)
    if rule:
        alerts = alerts.filter(rule=rule)
    return alerts


# --- the caregiver view --------------------------------------------------------------------


def caregiver_home_ids(*, user: Any) -> list[int]:
    scope = scope_for(user)
    return sorted(int(k) for k in scope.keys(ScopeKind.HOME, CAREGIVERS) if k.isdigit())


def caregiver_children(*, user: Any, today: dt.date | None = None) -> QuerySet[Child]:
    """Children with an open placement in one of the caregiver's homes today."""
    today = today or timezone.localdate()
    homes = caregiver_home_ids(user=user)
    current = Placement.objects.filter(home_id__in=homes, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today)
    )
    return (
        Child.objects.filter(pk__in=current.values("child_id"))
        .only("pk", "first_name", "last_name", "birth_date")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=PlanGoal.objects.exclude(status="dropped").only(
                    "pk", "child_id", "domain", "description", "status", "target_date"
                ),
            ),
            Prefetch("daily_notes", queryset=DailyNote.objects.select_related("author").order_by("-written_on", "-pk")),
        )
        .order_by("first_name", "pk")
    )


def caregiver_child_get(*, user: Any, pk: int) -> Child:
    child = caregiver_children(user=user).filter(pk=pk).first()
    if child is None:
        raise Http404
    return child


def caregiver_home_of(*, user: Any, child: Child, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    placement = (
        Placement.objects.filter(child=child, home_id__in=caregiver_home_ids(user=user), start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .first()
    )
    if placement is None:
        raise Http404
    return placement.home_id


# --- indicators (I11) ----------------------------------------------------------------------


@dataclass
class SiblingIndicators:
    """I11: placed children with a placed sibling who live with one, and whole groups intact."""

    with_sibling: dict[int, tuple[int, int]]  # programme id → (numerator, denominator)
    groups_intact: int
    groups_placed: int


def sibling_indicators(children: QuerySet[Child], *, today: dt.date | None = None) -> SiblingIndicators:
    """Computed from the children in ``children`` and their open placements on ``today`` (two queries)."""
    today = today or timezone.localdate()
    members = {
        pk: (programme, group)
        for pk, programme, group in children.filter(sibling_group__isnull=False).values_list(
            "pk", "programme_id", "sibling_group_id"
        )
    }
    homes = dict(
        Placement.objects.filter(
            child_id__in=children.filter(sibling_group__isnull=False).values("pk"), start_date__lte=today
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .values_list("child_id", "home_id")
    )
    groups: dict[int, dict[int, int | None]] = {}
    for pk, (_programme, group) in members.items():
        groups.setdefault(group, {})[pk] = homes.get(pk)
    with_sibling: dict[int, tuple[int, int]] = {}
    intact = placed = 0
    for group_homes in groups.values():
        situation = rules.GroupSituation(homes=group_homes)
        if situation.intact is not None:
            placed += 1
            intact += int(situation.intact)
        for pk in group_homes:
            flag = situation.with_sibling(pk)
            if flag is None:
                continue
            programme = members[pk][0]
            yes, total = with_sibling.get(programme, (0, 0))
            with_sibling[programme] = (yes + int(flag), total + 1)
    return SiblingIndicators(with_sibling=with_sibling, groups_intact=intact, groups_placed=placed)


# --- M&E: aggregated figures and the aggregated extract -----------------------------------


def me_children(*, user: Any) -> QuerySet[Child]:
    """The children an M&E advisor's figures are computed over (never shown by name)."""
    return visible_to(Child.objects.all(), user=user, paths=Child.SCOPE_PATHS, roles=ME_ROLES)


def me_figures(*, user: Any) -> dict[str, Any]:
    """Counts per programme and the I11 sibling indicator, with small cells suppressed (``None``)."""
    children = me_children(user=user)
    siblings = sibling_indicators(children)
    rows = list(
        children.values("programme_id", "programme__name", "programme__code")
        .annotate(
            total=Count("pk"),
            in_care=Count("pk", filter=Q(status=ChildStatus.ALTERNATIVE_CARE)),
            in_aftercare=Count("pk", filter=Q(status=ChildStatus.AFTERCARE)),
            strengthening=Count("pk", filter=Q(status=ChildStatus.FAMILY_STRENGTHENING)),
        )
        .order_by("programme__name")
    )
    small = settings.CARE_SMALL_CELL
    for row in rows:
        for key in ("total", "in_care", "in_aftercare", "strengthening"):
            if 0 < row[key] < small:
                row[key] = None
        yes, total = siblings.with_sibling.get(row["programme_id"], (0, 0))
        row["with_sibling"] = round(100 * yes / total) if total >= small else None
    intact = round(100 * siblings.groups_intact / siblings.groups_placed) if siblings.groups_placed >= small else None
    return {"rows": rows, "small": small, "intact": intact, "groups_placed": siblings.groups_placed}


def age_band(age: int) -> str:
    for low, high in ((0, 5), (6, 12), (13, 17), (18, 24)):
        if low <= age <= high:
            return f"{low}–{high}"
    return "25+"


# The columns of the M&E extract beside the programme, dropped from the right (most detailed first)
# until every published combination counts at least the small-cell threshold.
EXPORT_COLUMNS = ("age_band", "sex", "status", "placement", "with_sibling")
ALL = "alle"


@dataclass(frozen=True)
class ExportCell:
    programme: str
    values: tuple[str, ...]  # one per EXPORT_COLUMNS; ALL where generalised away
    count: int
    moves: float  # moves per child in the cell, on average


def _export_facts(*, user: Any, today: dt.date) -> dict[str, list[tuple[tuple[str, ...], int]]]:
    """Per programme code: each child's values of EXPORT_COLUMNS and number of moves (nothing else)."""
    children = me_children(user=user).select_related("programme").order_by("pk")
    placements: dict[int, list[rules.PlacementFact]] = {}
    for p in Placement.objects.filter(child__in=children).values_list(
        "child_id", "id", "home_id", "type", "start_date", "end_date", "end_reason"
    ):
        placements.setdefault(p[0], []).append(rules.PlacementFact(*p[1:]))
    groups: dict[int, dict[int, list[rules.PlacementFact]]] = {}
    for pk, group in children.values_list("pk", "sibling_group_id"):
        if group:
            groups.setdefault(group, {})[pk] = placements.get(pk, [])
    situations = {g: rules.group_situation(m, today) for g, m in groups.items()}
    statuses = dict(ChildStatus.choices)
    types = dict(PlacementType.choices)
    sexes = dict(Sex.choices)
    facts: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for child in children.iterator(chunk_size=2000):
        own = placements.get(child.pk, [])
        now = rules.current_placement(own, today)
        situation = situations.get(child.sibling_group_id or 0)
        with_sibling = situation.with_sibling(child.pk) if situation else None
        values = (
            age_band(age_on(child.birth_date, today)),
            str(sexes.get(child.sex, child.sex)),
            str(statuses[child.status]),
            str(types.get(now.type, "")) if now else "",
            "" if with_sibling is None else ("ja" if with_sibling else "nei"),
        )
        facts.setdefault(child.programme.code, []).append((values, len(rules.moves(own))))
    return facts


def aggregated_export(*, user: Any, today: dt.date | None = None, small: int | None = None) -> list[ExportCell]:
    """The M&E extract: counts of children per programme and combination, never a cell under ``small``.

    Not one row per child: a row per child is as good as a name where its
    programme, age, sex and placement are rare. For each programme the most
    detailed set of columns is published under which every combination counts
    at least ``small`` (the suppression threshold); columns are generalised to
    "alle" from the most detailed down. A programme with fewer than ``small``
    children is left out. Programmes do not overlap, so no row can be
    subtracted from another to single a child out.
    """
    today = today or timezone.localdate()
    small = settings.CARE_SMALL_CELL if small is None else small
    cells: list[ExportCell] = []
    for code, children in sorted(_export_facts(user=user, today=today).items()):
        if len(children) < small:
            continue
        for kept in range(len(EXPORT_COLUMNS), -1, -1):
            counts: dict[tuple[str, ...], list[int]] = {}
            for values, moves in children:
                key = values[:kept] + (ALL,) * (len(EXPORT_COLUMNS) - kept)
                counts.setdefault(key, []).append(moves)
            if all(len(moves) >= small for moves in counts.values()):
                break
        cells.extend(
            ExportCell(code, key, len(moves), round(sum(moves) / len(moves), 1))
            for key, moves in sorted(counts.items())
        )
    return cells
