"""Ask for proposals, run the solver, record acceptance. Nothing here places a child."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby import matching
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.care import selectors as care_selectors
from barneby.care.models import Child
from barneby.organisation.models import Home, Programme
from barneby.placements import loader
from barneby.placements.alternatives import best_placements
from barneby.placements.models import MatchingRun, Proposal, RunKind, RunStatus

PROPOSALS_PER_GROUP = 3
GROUP_TIME_LIMIT_S = 10  # for all the group's alternatives together; the caseworker waits for the page
SEED = 0


def _costs(costs: matching.Costs) -> dict[str, Any]:
    return {**dataclasses.asdict(costs), "distance_km": costs.distance_km}


def group_members(child: Child) -> list[Child]:
    """The child and its siblings who are waiting for a placement too."""
    base = Child.objects.select_related("origin_location")
    family = (
        base.filter(sibling_group_id=child.sibling_group_id) if child.sibling_group_id else base.filter(pk=child.pk)
    )
    return list(loader.waiting(family).order_by("birth_date", "pk"))


def propose_for_child(*, actor: Any, child: Child, k: int = PROPOSALS_PER_GROUP) -> MatchingRun:
    """The best ``k`` placements of the child's waiting sibling group, stored with their costs and explanations."""
    members = group_members(child)
    if child.pk not in {m.pk for m in members}:
        raise ValidationError(
            _(
                "Barnet venter ikke på plassering (det har en plassering, er i familiestyrking, er tilbakeført, er i "
                "ettervern eller er avsluttet, eller inntaksvurderingen konkluderte med et annet tiltak)."
            )
        )
    homes = care_selectors.homes_for_placement(user=actor, child=child)
    problem = loader.build_problem(members, homes)
    started = time.perf_counter()
    group = members[0].sibling_group_id or -members[0].pk
    free_homes = [h for h in problem.homes if h.places > 0]
    alternatives = (
        best_placements(problem, group, k=k, time_limit_s=GROUP_TIME_LIMIT_S, seed=SEED) if free_homes else []
    )
    best = alternatives[0] if alternatives else None
    run = MatchingRun(
        programme=child.programme,
        kind=RunKind.GROUP,
        child=child,
        requested_by=actor,
        status=RunStatus.DONE,
        children_count=len(members),
        homes_count=len(free_homes),
        solver=best.status.solver if best else "",
        optimal=best.status.optimal if best else None,
        gap=best.status.gap if best else None,
        gap_level=(best.status.gap_level or "") if best else "",
        seed=SEED,
        time_limit_s=GROUP_TIME_LIMIT_S,
        wall_s=time.perf_counter() - started,
        costs=_costs(best.costs) if best else {},
        finished_at=timezone.now(),
        progress_done=1,
        progress_total=1,
    )
    with transaction.atomic():
        run.save()
        rows = []
        for rank, alternative in enumerate(alternatives, start=1):
            for member in members:
                explanation = alternative.explanations.get(member.pk)
                rows.append(
                    Proposal(
                        run=run,
                        rank=rank,
                        child=member,
                        home_id=alternative.assignment.get(member.pk),
                        together=alternative.together,
                        costs=_costs(alternative.costs),
                        explanation_nb=explanation.render("nb") if explanation else "",
                        explanation_en=explanation.render("en") if explanation else "",
                    )
                )
        Proposal.objects.bulk_create(rows)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=run, detail=f"group proposals for child {child.pk}")
    return run


def start_batch(*, actor: Any, programme: Programme, time_limit_s: int = 30) -> MatchingRun:
    """Queue a run for everyone waiting in the programme; the task worker solves it."""
    from barneby.placements.tasks import run_matching

    run = MatchingRun.objects.create(
        programme=programme, kind=RunKind.BATCH, requested_by=actor, seed=SEED, time_limit_s=time_limit_s
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=run, detail="batch proposals")
    transaction.on_commit(lambda: run_matching.enqueue(run.pk))
    return run


def _progress(run: MatchingRun, done: int, total: int) -> None:
    MatchingRun.objects.filter(pk=run.pk).update(progress_done=done, progress_total=total)


def run_batch(run_id: int) -> MatchingRun:
    """The task body: solve for everyone waiting in the run's programme and store the proposals."""
    run = MatchingRun.objects.select_related("programme").get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run
    MatchingRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress_done=0, progress_total=4)
    try:
        children = list(
            loader.waiting(Child.objects.filter(programme=run.programme).select_related("origin_location")).order_by(
                "pk"
            )
        )
        homes = Home.objects.filter(programme__association_id=run.programme.association_id, programme=run.programme)
        problem = loader.build_problem(children, homes)
        _progress(run, 1, 4)
        baseline = matching.greedy(problem)
        _progress(run, 2, 4)
        solution = matching.solve(problem, time_limit_s=run.time_limit_s, seed=run.seed) if children else baseline
        _progress(run, 3, 4)
        with transaction.atomic():
            Proposal.objects.filter(run=run).delete()
            Proposal.objects.bulk_create(
                Proposal(
                    run=run,
                    rank=1,
                    child_id=child_id,
                    home_id=home_id,
                    together=False,
                    explanation_nb=solution.explanations[child_id].render("nb")
                    if child_id in solution.explanations
                    else "",
                    explanation_en=solution.explanations[child_id].render("en")
                    if child_id in solution.explanations
                    else "",
                )
                for child_id, home_id in solution.assignment.items()
            )
            MatchingRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE,
                progress_done=4,
                children_count=len(problem.children),
                homes_count=sum(1 for h in problem.homes if h.places > 0),
                solver=solution.status.solver,
                optimal=solution.status.optimal,
                gap=solution.status.gap,
                gap_level=solution.status.gap_level or "",
                costs=_costs(solution.costs),
                greedy_costs=_costs(baseline.costs),
                wall_s=solution.status.wall_s,
                finished_at=timezone.now(),
            )
    except Exception as exc:
        MatchingRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


def accept(*, actor: Any, run: MatchingRun, rank: int) -> str:
    """A person chose proposal ``rank``: the placement form of the first child it places, prefilled from it.

    Nothing is accepted here: a proposal row is accepted (``accepted_at``, and the placement's ``proposal``)
    only when a placement is saved from it in the care module's placement form.
    """
    chosen = list(run.proposals.filter(rank=rank).select_related("home", "child"))
    # The placement form opens for a child the person may place (a sibling elsewhere is placed by their own staff).
    writable = care_selectors.writable_child_ids(user=actor, ids=[p.child_id for p in chosen])
    placeable = [p for p in chosen if p.home_id and p.child_id in writable]
    if not placeable:
        raise ValidationError(_("Forslaget har ingen hjem å plassere i."))
    waiting = [p for p in placeable if p.accepted_at is None]
    if not waiting:
        raise ValidationError(_("Barna i forslaget er allerede plassert etter det."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=run, detail=f"proposal {rank} chosen")
    return placement_url(waiting[0])


def placement_url(proposal: Proposal) -> str:
    """The care module's placement form for the proposal's child, opened from the proposal."""
    return reverse("care:placement-create", args=[proposal.child_id]) + f"?proposal={proposal.pk}"
