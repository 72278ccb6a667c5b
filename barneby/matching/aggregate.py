"""A lower bound on unplaced children and splits from an aggregated model.

For the first two levels only eligibility matters, not where a home is, so
homes that are alike in every rule (free places, sibling limit, ages, sexes,
region, exclusions, and location only when a distance limit applies) are
interchangeable. The model groups them into *types* and packs each type
with *patterns* (the ways its free places can be shared between parts of
different sibling groups), as in cutting stock, which removes the symmetry
that makes the per-home model slow to prove. Keep-apart pairs between
different groups are left out, so this is a relaxation: its optimum is a
valid lower bound, and usually the exact value of the first two levels.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import cache

import highspy
import numpy as np
import numpy.typing as npt

from barneby.matching.highs import INF, new_highs
from barneby.matching.index import Index
from barneby.matching.problem import Child, GroupId, Home
from barneby.matching.rules import ineligibility


@dataclass(frozen=True)
class AggregateBound:
    unplaced: int
    splits: int
    proven: bool  # the bound is the aggregated model's optimum, not just its dual bound
    wall_s: float
    positions: list[int | None] | None = None  # a placement built from the model's solution, if valid
    unmet: int | None = None  # a lower bound on unmet needs with the first two levels at their bound, if known


@cache
def integer_partitions(total: int, largest: int) -> tuple[tuple[int, ...], ...]:
    """Partitions of ``total`` into parts of at most ``largest``, largest part first."""
    if total == 0:
        return ((),)
    result: list[tuple[int, ...]] = []
    for first in range(min(total, largest), 0, -1):
        for rest in integer_partitions(total - first, first):
            result.append((first, *rest))
    return tuple(result)


def _home_key(index: Index, home: Home, excluders: dict[int, frozenset[int]]) -> tuple[object, ...]:
    problem = index.problem
    return (
        home.places,
        home.sibling_limit,
        home.min_age,
        home.max_age,
        home.sexes,
        None if problem.cross_region else home.region,
        excluders.get(home.id, frozenset()),
        home.location if problem.max_distance_km is not None else None,
    )


def _child_key(index: Index, child: Child) -> tuple[object, ...]:
    problem = index.problem
    return (
        child.age,
        child.sex,
        child.excluded_homes,
        None if problem.cross_region else child.region,
        (child.origin, child.school) if problem.max_distance_km is not None else None,
    )


def aggregate_bound(
    index: Index,
    *,
    time_limit_s: float,
    seed: int = 0,
    warm: list[int | None] | None = None,
    kids: Collection[int] | None = None,
    capacity: list[int] | None = None,
    homes_allowed: Collection[int] | None = None,
) -> AggregateBound:
    """Lower bounds on (unplaced, splits), and a placement, for the problem behind ``index``.

    By default the whole problem; with ``kids`` (closed under sibling groups),
    ``capacity`` (free places left by everyone else) and ``homes_allowed``, a
    part of it, as fix-and-optimize uses it. The placement is not checked:
    the caller checks the whole assignment with :func:`violations`.
    """
    started = time.perf_counter()
    kid_set = set(range(len(index.children)) if kids is None else kids)
    groups = {g: members for g, members in index.groups.items() if members[0] in kid_set}
    excluders: dict[int, set[int]] = defaultdict(set)
    for i in sorted(kid_set):
        for home_id in index.children[i].excluded_homes:
            excluders[home_id].add(i)
    frozen = {h: frozenset(s) for h, s in excluders.items()}
    types: dict[tuple[object, ...], list[int]] = defaultdict(list)
    shaped: dict[int, Home] = {}
    for k in sorted(range(len(index.homes)) if homes_allowed is None else homes_allowed):
        places = index.homes[k].places if capacity is None else capacity[k]
        if places > 0:
            shaped[k] = replace(index.homes[k], places=places)
            types[_home_key(index, shaped[k], frozen)].append(k)
    type_list = [homes for _, homes in sorted(types.items(), key=lambda item: item[1][0])]
    type_of = {k: t for t, homes in enumerate(type_list) for k in homes}
    representative: list[Home] = [shaped[homes[0]] for homes in type_list]

    eligible_cache: dict[tuple[object, ...], list[int]] = {}

    def eligible_types(child: Child) -> list[int]:
        key = _child_key(index, child)
        if key not in eligible_cache:
            eligible_cache[key] = [
                t for t, home in enumerate(representative) if ineligibility(index.problem, child, home) is None
            ]
        return eligible_cache[key]

    h = new_highs(seed=seed)
    lower: list[float] = []
    upper: list[float] = []
    cost: list[float] = []
    integer: list[int] = []
    rows: list[tuple[list[int], list[float], float, float]] = []

    def col(lo: float, hi: float, c: float, is_int: bool) -> int:
        lower.append(lo)
        upper.append(hi)
        cost.append(c)
        if is_int:
            integer.append(len(lower) - 1)
        return len(lower) - 1

    max_splits = sum(len(m) - 1 for m in groups.values())
    unplaced_weight = float(max_splits + 1)  # one child placed outweighs every split
    demand: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)  # (type, part size) -> columns

    # Singles, aggregated by which types they may use.
    single_classes: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for i in sorted(kid_set):
        child = index.children[i]
        if index.group_of[i] is None:
            single_classes[tuple(eligible_types(child))].append(i)
    single_cols: list[tuple[list[int], list[tuple[int, int]]]] = []
    member_cols: list[tuple[list[int], list[tuple[int, int]]]] = []
    part_cols_of: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (group, type) -> [(column, size)]
    pattern_cols: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
    for single_types, who in sorted(single_classes.items()):
        allowed = list(single_types)
        count = len(who)
        cols = [col(0, count, 0.0, True) for _ in allowed]
        single_cols.append((who, list(zip(allowed, cols, strict=True))))
        unplaced = col(0, count, unplaced_weight, False)
        rows.append(([*cols, unplaced], [1.0] * (len(cols) + 1), count, count))
        for t, c in zip(allowed, cols, strict=True):
            demand[(t, 1)].append((c, 1.0))

    for g, members in sorted(groups.items()):
        size = len(members)
        e = col(0, size - 1, 1.0, False)
        unplaced_cols = []
        part_cols: list[int] = []
        whole_cols: list[int] = []
        by_type: dict[int, list[int]] = defaultdict(list)
        eligible_count: dict[int, int] = defaultdict(int)
        # Siblings who may use the same types are interchangeable: count them, not each one.
        member_classes: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for i in members:
            member_classes[tuple(eligible_types(index.children[i]))].append(i)
        for class_types, who in sorted(member_classes.items()):
            allowed = list(class_types)
            xs = [col(0, len(who), 0.0, True) for _ in allowed]
            member_cols.append((who, list(zip(allowed, xs, strict=True))))
            u = col(0, len(who), unplaced_weight, False)
            unplaced_cols.append(u)
            rows.append(([*xs, u], [1.0] * (len(xs) + 1), len(who), len(who)))
            for t, x in zip(allowed, xs, strict=True):
                by_type[t].append(x)
                eligible_count[t] += len(who)
        for t, xs in sorted(by_type.items()):
            home = representative[t]
            largest = min(eligible_count[t], home.sibling_limit)
            qs = []
            for j in range(1, largest + 1):
                q = col(0, len(type_list[t]), 0.0, True)
                qs.append((q, j))
                demand[(t, j)].append((q, 1.0))
                part_cols.append(q)
                if j == size:
                    whole_cols.append(q)
            part_cols_of[(g, t)] = qs
            # Members in this type are exactly the sizes of its parts.
            rows.append((xs + [q for q, _ in qs], [1.0] * len(xs) + [-float(j) for _, j in qs], 0, 0))
        # Extra homes: parts minus one.
        rows.append(([*part_cols, e], [1.0] * len(part_cols) + [-1.0], -INF, 1))
        fewest = index.min_homes.get(g) or 1
        if fewest >= 2:
            rows.append(([e, *unplaced_cols], [1.0] * (len(unplaced_cols) + 1), fewest - 1, INF))
        rows.append(([*whole_cols, e, *unplaced_cols], [1.0] * (len(whole_cols) + len(unplaced_cols) + 1), 1, INF))

    for t, homes in enumerate(type_list):
        home = representative[t]
        patterns = integer_partitions(home.places, home.sibling_limit)
        zs = [col(0, len(homes), 0.0, True) for _ in patterns]
        pattern_cols[t] = list(zip(zs, patterns, strict=True))
        rows.append((zs, [1.0] * len(zs), -INF, len(homes)))
        for j in range(1, home.sibling_limit + 1):
            users = demand.get((t, j), [])
            if not users:
                continue
            supply = [(z, float(p.count(j))) for z, p in zip(zs, patterns, strict=True) if j in p]
            rows.append(
                (
                    [c for c, _ in users] + [z for z, _ in supply],
                    [1.0] * len(users) + [-m for _, m in supply],
                    -INF,
                    0,
                )
            )

    n = len(lower)
    h.addCols(
        n,
        np.array(cost),
        np.array(lower),
        np.array(upper),
        0,
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int64),
        np.zeros(0),
    )
    starts: list[int] = []
    indices: list[int] = []
    values: list[float] = []
    row_lo: list[float] = []
    row_hi: list[float] = []
    for cols, coefs, lo, hi in rows:
        starts.append(len(indices))
        indices.extend(cols)
        values.extend(coefs)
        row_lo.append(lo)
        row_hi.append(hi)
    h.addRows(
        len(rows),
        np.array(row_lo, dtype=np.float64),
        np.array(row_hi, dtype=np.float64),
        len(indices),
        np.array(starts, dtype=np.int64),
        np.array(indices, dtype=np.int64),
        np.array(values),
    )
    ints = np.array(integer, dtype=np.int64)
    h.changeColsIntegrality(len(ints), ints, np.full(len(ints), int(highspy.HighsVarType.kInteger), dtype=np.uint8))
    h.setOptionValue("time_limit", max(0.01, time_limit_s))
    h.setOptionValue("mip_abs_gap", 0.5)  # the objective is integral
    # Presolve costs more than it saves on this model (measured: 12 s against 6 s at 500 children).
    h.setOptionValue("presolve", "off")
    if warm is not None:
        # A partial start (who goes to which type, which parts): HiGHS completes the rest.
        given = _warm_vector(index, groups, warm, type_of, single_cols, member_cols, part_cols_of)
        cols_given = np.array(sorted(given), dtype=np.int64)
        h.setSolution(len(cols_given), cols_given, np.array([given[c] for c in sorted(given)]))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    found = h.getSolution()
    # The bound is the MIP's dual bound, never the objective HiGHS reports: with a start
    # it can report "optimal" and give the start back (see highs.run_checked).
    dual = info.mip_dual_bound
    if not math.isfinite(dual):
        return AggregateBound(0, 0, False, time.perf_counter() - started)
    best = math.ceil(dual - 1e-6)
    proven = (
        status == highspy.HighsModelStatus.kOptimal
        and found.value_valid
        and float(np.dot(np.array(h.getLp().col_cost_), np.array(found.col_value))) <= best + 1e-6
    )
    positions = None
    if found.value_valid:
        positions = _disaggregate(
            index, np.array(found.col_value), single_cols, member_cols, part_cols_of, pattern_cols, type_list
        )
    # weight * unplaced + splits >= best with splits < weight: the quotient
    # bounds unplaced, and the remainder bounds splits whenever unplaced is
    # at that bound (which is all a lexicographic bound promises).
    unplaced, splits = divmod(best, int(unplaced_weight))
    return AggregateBound(unplaced, splits, proven, time.perf_counter() - started, positions)


Columns = list[tuple[int, int]]


def _warm_vector(
    index: Index,
    groups: dict[GroupId, list[int]],
    positions: list[int | None],
    type_of: dict[int, int],
    single_cols: list[tuple[list[int], Columns]],
    member_cols: list[tuple[list[int], Columns]],
    part_cols_of: dict[tuple[int, int], Columns],
) -> dict[int, float]:
    """The aggregated columns of a per-home placement (HiGHS completes what is left out)."""
    v: dict[int, float] = {}
    for who, cols in single_cols + member_cols:
        per_type: dict[int, int] = defaultdict(int)
        for i in who:
            k = positions[i]
            if k is not None and k in type_of:
                per_type[type_of[k]] += 1
        for t, c in cols:
            v[c] = float(per_type.get(t, 0))
    parts: dict[tuple[int, int, int], int] = defaultdict(int)
    for g, members in groups.items():
        per_home: dict[int, int] = defaultdict(int)
        for i in members:
            k = positions[i]
            if k is not None:
                per_home[k] += 1
        for k, size in per_home.items():
            if k in type_of:
                parts[(g, type_of[k], size)] += 1
    for (g, t), cols in part_cols_of.items():
        for c, j in cols:
            v[c] = float(parts.get((g, t, j), 0))
    return v


def _disaggregate(
    index: Index,
    values: npt.NDArray[np.float64],
    single_cols: list[tuple[list[int], Columns]],
    member_cols: list[tuple[list[int], Columns]],
    part_cols_of: dict[tuple[int, int], Columns],
    pattern_cols: dict[int, list[tuple[int, tuple[int, ...]]]],
    type_list: list[list[int]],
) -> list[int | None] | None:
    """Turn the aggregated solution into homes: patterns to homes, parts to slots, nearest first.

    Returns ``None`` when the slots do not work out; keep-apart pairs across
    groups, which the aggregate leaves out, are the caller's to check.
    """

    positions: list[int | None] = [None] * len(index.children)
    groups_in: dict[int, set[int]] = defaultdict(set)
    # Parts per type: (size, members) lists.
    parts: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
    for who, cols in single_cols:
        pool = list(who)
        for t, c in cols:
            for _ in range(round(values[c])):
                if pool:
                    parts[t].append((1, [pool.pop(0)]))
    members_at: dict[tuple[int, int], list[int]] = defaultdict(list)
    for who, cols in member_cols:
        pool = list(who)
        for t, c in cols:
            count = round(values[c])
            members_at[(index.group_of[who[0]] or 0, t)].extend(pool[:count])
            pool = pool[count:]
    for (g, t), cols in part_cols_of.items():
        pool = members_at.get((g, t), [])
        for c, j in sorted(cols, key=lambda item: -item[1]):
            for _ in range(round(values[c])):
                take, pool = pool[:j], pool[j:]
                if take:
                    parts[t].append((len(take), take))
    for t, type_parts in parts.items():
        homes = type_list[t]
        slots: list[tuple[int, int]] = []  # (home, slot size)
        home_iter = iter(homes)
        for c, pattern in pattern_cols[t]:
            for _ in range(round(values[c])):
                k = next(home_iter, None)
                if k is None:
                    return None
                slots.extend((k, j) for j in pattern)
        free = defaultdict(list)
        for k, j in slots:
            free[j].append(k)
        for size, who in sorted(type_parts, key=lambda part: -part[0]):
            options = free.get(size, [])
            group = index.group_of[who[0]]
            usable = [k for k in options if group is None or group not in groups_in[k]]
            if not usable:
                return None
            # Best home for this part among the free slots of its size: needs, then distance.
            k = min(usable, key=lambda k: (*_part_cost(index, who, k), k))
            options.remove(k)
            if group is not None:
                groups_in[k].add(group)
            for i in who:
                positions[i] = k
    return positions


def _part_cost(index: Index, who: list[int], k: int) -> tuple[int, int]:
    from barneby.matching.rules import pair_cost

    unmet = dist = 0
    for i in who:
        u, d = pair_cost(index.children[i], index.homes[k])
        unmet += u
        dist += d
    return unmet, dist
