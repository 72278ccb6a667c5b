"""Reads of proposal runs, scoped to caseworkers and programme directors of the programme."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from barneby.accounts.scoping import scope_for, visible_to
from barneby.care.models import Child
from barneby.organisation.models import Programme
from barneby.placements.models import MatchingRun, Proposal
from barneby.placements.permissions import MATCHERS


def run_list_for(*, user: Any) -> QuerySet[MatchingRun]:
    runs = MatchingRun.objects.select_related("programme", "child", "requested_by")
    return visible_to(runs, user=user, paths=MatchingRun.SCOPE_PATHS, roles=MATCHERS)


def run_get_for(*, user: Any, pk: int) -> MatchingRun:
    run = run_list_for(user=user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def programmes_for(*, user: Any) -> QuerySet[Programme]:
    return visible_to(Programme.objects.order_by("name"), user=user, paths=Programme.SCOPE_PATHS, roles=MATCHERS)


def open_proposals_for(*, user: Any, child_id: int) -> QuerySet[Proposal]:
    """The child's proposals with a home that no placement has followed yet, in runs the user may read."""
    proposals = Proposal.objects.select_related("home", "run").filter(
        child_id=child_id, home__isnull=False, accepted_at__isnull=True
    )
    return visible_to(proposals, user=user, paths=Proposal.SCOPE_PATHS, roles=MATCHERS)


def placement_prefill(proposal: Proposal) -> dict[str, Any]:
    """What the placement form is prefilled with when it opens from ``proposal``."""
    from barneby.placements.loader import PLACEMENT_TYPE_FOR_HOME

    assert proposal.home is not None
    return {"proposal": proposal.pk, "home": proposal.home_id, "type": PLACEMENT_TYPE_FOR_HOME.get(proposal.home.kind)}


def may_propose(*, user: Any, child: Child) -> bool:
    """Whether to offer proposals for ``child``: the user may ask for them and the child waits for a placement."""
    from barneby.placements.loader import waiting

    return scope_for(user).has_any_role(MATCHERS) and waiting(Child.objects.filter(pk=child.pk)).exists()
