"""Reads of proposal runs, scoped to caseworkers and programme directors of the programme."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from barneby.accounts.scoping import visible_to
from barneby.organisation.models import Programme
from barneby.placements.models import MatchingRun
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
