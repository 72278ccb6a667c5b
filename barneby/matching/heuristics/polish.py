"""Polish needs and distance without touching the first two levels.

Once unplaced children and splits are settled, what is left is *where* each
part of a placement lives: a single child, a whole sibling group, or one
piece of a split group. Moving whole parts between homes, never two parts
of one group into the same home, keeps every child placed and every group
spread over exactly as many homes as before, so the first two levels cannot
get worse. The parts-to-homes problem is a small assignment model (one
binary per part and candidate home, capacities as knapsacks), which HiGHS
solves to optimality or near it in seconds where the per-home model of
:mod:`barneby.matching.models.perhome` does not finish its LP.

This improves the answer; it proves nothing about needs or distance.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import highspy
import numpy as np

from barneby.matching.index import Index
from barneby.matching.models.builder import INF, Builder, add_row

PART_CANDIDATES = 40  # homes per part beyond its current one, cheapest first


@dataclass(frozen=True)
class Part:
    members: tuple[int, ...]
    group: int | None
    home: int


def parts_of(index: Index, positions: list[int | None], kids: list[int] | None = None) -> list[Part]:
    """The placed parts among ``kids`` (all children by default): who lives together, by group."""
    chosen = range(len(index.children)) if kids is None else kids
    together: dict[tuple[int | None, int, int], list[int]] = defaultdict(list)
    for i in chosen:
        k = positions[i]
        if k is None:
            continue
        g = index.group_of[i]
        # Single children are parts of their own; siblings in one home form one part.
        together[(g, k, -1 if g is not None else i)].append(i)
    return [Part(tuple(sorted(m)), g, k) for (g, k, _), m in sorted(together.items(), key=lambda kv: kv[1][0])]


def _part_homes(index: Index, part: Part, capacity: list[int], allowed: set[int] | None) -> list[int]:
    """Homes that can take ``part`` whole: every member eligible, room for all and the sibling limit."""
    size = len(part.members)
    for i in part.members:
        index.add(i, part.home)  # where it lives now is eligible, if not yet among the candidates
    pool: dict[int, None] = {part.home: None}
    for i in part.members:
        for k in index.candidates[i][:PART_CANDIDATES]:
            pool[k] = None
    result = []
    for k in pool:
        if k != part.home:
            if allowed is not None and k not in allowed:
                continue
            if capacity[k] < size:
                continue
            if part.group is not None and index.homes[k].sibling_limit < size:
                continue
            if not all(index.add(i, k) for i in part.members):
                continue
        result.append(k)
    return result


def polish(
    index: Index,
    positions: list[int | None],
    *,
    time_limit_s: float,
    seed: int = 0,
    kids: list[int] | None = None,
    homes: set[int] | None = None,
) -> list[int | None]:
    """``positions`` with parts moved to cut unmet needs, then distance; never worse, same first two levels.

    With ``kids`` (closed under groups), only their parts move, within the
    places everyone else leaves free; with ``homes``, only the parts living
    in those homes, and only among them.
    """
    started = time.perf_counter()
    parts = parts_of(index, positions, kids)
    if homes is not None:
        parts = [p for p in parts if p.home in homes]
    if not parts or time_limit_s <= 0.05:
        return positions
    moving = {i for p in parts for i in p.members}
    capacity = [h.places for h in index.homes]
    for i, k in enumerate(positions):
        if k is not None and i not in moving:
            capacity[k] -= 1
    model = Builder()
    cols_of: list[list[tuple[int, int]]] = []  # per part: (home, column)
    unmet_cost: list[float] = []
    dist_cost: list[float] = []
    at_home: dict[int, list[tuple[int, int]]] = defaultdict(list)  # home -> (column, size)
    for p in parts:
        cols = []
        for k in _part_homes(index, p, capacity, homes):
            unmet = dist = 0
            for i in p.members:
                u, d = index.cost[i][k]
                unmet += u
                dist += d
            column = model.col(1.0)
            unmet_cost.append(float(unmet))
            dist_cost.append(float(dist))
            cols.append((k, column))
            at_home[k].append((column, len(p.members)))
        cols_of.append(cols)
    n = len(unmet_cost)
    for cols in cols_of:
        model.row([c for _, c in cols], [1.0] * len(cols), 1.0, 1.0)
    for k, entries in sorted(at_home.items()):
        if sum(size for _, size in entries) > capacity[k]:
            model.row([c for c, _ in entries], [float(s) for _, s in entries], -INF, float(capacity[k]))
    # Two parts of one group never share a home (that would change its split count).
    by_group: dict[int, list[int]] = defaultdict(list)
    for n_part, p in enumerate(parts):
        if p.group is not None:
            by_group[p.group].append(n_part)
    for members in by_group.values():
        if len(members) < 2:
            continue
        per_home: dict[int, list[int]] = defaultdict(list)
        for n_part in members:
            for k, c in cols_of[n_part]:
                per_home[k].append(c)
        for shared in per_home.values():
            if len(shared) > 1:
                model.row(shared, [1.0] * len(shared), -INF, 1.0)
    # Children kept apart: not in the same home, whether the other one moves or not.
    part_of = {i: n_part for n_part, p in enumerate(parts) for i in p.members}
    for n_part, p in enumerate(parts):
        for i in p.members:
            for j in index.apart.get(i, ()):
                other = part_of.get(j)
                if other is None:
                    k_j = positions[j]
                    for k, c in cols_of[n_part]:
                        if k == k_j:
                            model.row([c], [1.0], -INF, 0.0)
                elif other > n_part:
                    theirs = dict(cols_of[other])
                    for k, c in cols_of[n_part]:
                        if k in theirs:
                            model.row([c, theirs[k]], [1.0, 1.0], -INF, 1.0)
    h = model.highs(seed=seed)
    current = np.zeros(n)
    for p, cols in zip(parts, cols_of, strict=True):
        for k, c in cols:
            if k == p.home:
                current[c] = 1.0
    best = current
    all_cols = np.arange(n, dtype=np.int64)
    for costs, share in ((np.array(unmet_cost), 0.4), (np.array(dist_cost), 1.0)):
        left = time_limit_s - (time.perf_counter() - started)
        if left <= 0.05:
            break
        h.changeColsCost(n, all_cols, costs)
        h.setOptionValue("time_limit", left * share)
        solution = highspy.HighsSolution()
        solution.col_value = best
        h.setSolution(solution)
        h.run()
        found = h.getSolution()
        if found.value_valid:
            candidate = np.round(np.array(found.col_value))
            if float(costs @ candidate) <= float(costs @ best):
                best = candidate
        # Hold this level at what was reached before the next one.
        add_row(h, costs, float(costs @ best) + 1e-6)
    result = list(positions)
    for p, cols in zip(parts, cols_of, strict=True):
        for k, c in cols:
            if best[c] > 0.5:
                for i in p.members:
                    result[i] = k
    return result


BLOCK_HOMES = 600  # homes per block when the batch is too big for one model


def polish_blocks(index: Index, positions: list[int | None], *, deadline: float, seed: int = 0) -> list[int | None]:
    """:func:`polish` on blocks of neighbouring homes, then on blocks shifted by half, until the deadline.

    A block frees the children living in its homes and those whose cheapest
    home is in it, wherever they live now: a part placed far from home can
    come back when its own neighbourhood's block is polished.
    """
    order = sorted(
        range(len(index.homes)), key=lambda k: (index.homes[k].region, index.homes[k].location or (0.0, 0.0), k)
    )
    if len(order) <= BLOCK_HOMES:
        return polish(index, positions, time_limit_s=deadline - time.perf_counter(), seed=seed)
    half = BLOCK_HOMES // 2
    blocks = [order[n : n + BLOCK_HOMES] for n in range(0, len(order), BLOCK_HOMES)]
    blocks += [order[n : n + BLOCK_HOMES] for n in range(half, len(order), BLOCK_HOMES)]
    wanted: dict[int, list[int]] = defaultdict(list)  # home -> children whose cheapest home it is
    for i, homes in enumerate(index.candidates):
        if homes:
            wanted[homes[0]].append(i)
    for number, block in enumerate(blocks):
        left = deadline - time.perf_counter()
        if left <= 0.2:
            break
        block_set = set(block)
        chosen: set[int] = {i for i, k in enumerate(positions) if k in block_set}
        for k in block:
            chosen.update(i for i in wanted.get(k, ()) if positions[i] is not None)
        kids: set[int] = set()
        for i in chosen:
            kids.update(j for j in index.unit_of(i) if positions[j] is not None)
        budget = left / (len(blocks) - number)
        positions = polish(index, positions, time_limit_s=budget, seed=seed, kids=sorted(kids))
    return positions
