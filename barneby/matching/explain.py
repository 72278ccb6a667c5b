"""Plain-language explanations of a placement, as data plus a renderer.

An explanation is a list of :class:`Reason` codes with parameters, built from
the solution, and rendered in Norwegian (bokmål) or English by :func:`render`
(the sentences live in :mod:`barneby.matching.texts`). Keep-apart reasons are
protected information and are never shown.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from barneby.matching.index import Index
from barneby.matching.problem import Assignment, Child, ChildId, Explanation, HomeId, Problem, Reason, SolveStatus
from barneby.matching.rules import distances_km, ineligibility, unmet_needs
from barneby.matching.texts import render, render_reason

__all__ = ["explain", "render", "render_reason"]


def _reason(code: str, **params: Any) -> Reason:
    return Reason(code, tuple(sorted(params.items())))


def _fits_a_full_home(problem: Problem, child: Child) -> bool:
    """Whether a home with no free place would take ``child`` (age, sex, region, distance, exclusions) if it had one."""
    return any(
        home.places < 1 and ineligibility(problem, child, dataclasses.replace(home, places=1)) is None
        for home in problem.homes
    )


def explain(index: Index, assignment: Assignment, status: SolveStatus) -> dict[ChildId, Explanation]:
    """One explanation per child, from the assignment and how well it is proven."""
    problem = index.problem
    homes = {h.id: h for h in problem.homes}
    per_group_homes: dict[int, dict[HomeId, int]] = defaultdict(lambda: defaultdict(int))
    for group, members in index.groups.items():
        for i in members:
            placed = assignment.get(index.children[i].id)
            if placed is not None:
                per_group_homes[group][placed] += 1
    splits_proven = status.optimal or status.gap_level not in ("unplaced", "splits")
    result: dict[ChildId, Explanation] = {}
    for i, child in enumerate(index.children):
        reasons: list[Reason] = []
        home_id = assignment.get(child.id)
        g = index.group_of[i]
        if home_id is None:
            if not index.placeable[i]:
                # Homes that would take the child but are full: the homes are full, not the requirements unmet.
                full = _fits_a_full_home(problem, child)
                reasons.append(_reason("no_free_place", proven=True) if full else _reason("no_eligible_home"))
            else:
                reasons.append(_reason("no_free_place", proven=status.optimal or status.gap_level != "unplaced"))
            result[child.id] = Explanation(child.id, tuple(reasons))
            continue
        home = homes[home_id]
        if g is not None:
            size = len(index.groups[g])
            used = per_group_homes[g]
            unplaced = size - sum(used.values())
            if unplaced:
                # Not "the siblings live together" nor "spread over two homes" when some of them have no place.
                reasons.append(_reason("siblings_some_unplaced", count=size, placed=size - unplaced, homes=len(used)))
            elif len(used) == 1:
                reasons.append(_reason("siblings_together", count=size))
            else:
                reasons.append(_reason("siblings_split", count=size, homes=len(used), here=used[home_id]))
            if len(used) > 1:
                fewest = index.min_homes.get(g) or 1
                if fewest > 1:
                    reasons.append(_reason("split_unavoidable", count=size, km=problem.max_distance_km))
                elif splits_proven:
                    reasons.append(_reason("split_for_capacity", count=size))
                else:
                    reasons.append(_reason("split_not_proven"))
        met = sorted(child.needs & home.competences)
        unmet = sorted(unmet_needs(child, home))
        if met:
            reasons.append(_reason("needs_met", needs=tuple(met)))
        if unmet:
            reasons.append(_reason("needs_unmet", needs=tuple(unmet)))
        origin, school = distances_km(child, home)
        if origin is not None:
            reasons.append(_reason("distance_origin", km=round(origin)))
        if school is not None:
            reasons.append(_reason("distance_school", km=round(school)))
        if origin is None and school is None:
            reasons.append(_reason("distance_unknown"))
        result[child.id] = Explanation(child.id, tuple(reasons))
    return result
