"""The first two levels for big batches: sibling groups aggregated into classes.

:mod:`barneby.matching.aggregate` groups interchangeable *homes* into types but
keeps one set of columns per sibling group, so at several thousand children
its LP alone outlasts a minute. Here sibling groups that are alike in every
rule that matters (size, which home types each member may use, the fewest
homes the group needs on its own) are counted together as a *class*, and
exclusions of single homes are left out of the types. Summing the per-group
rows of a class and dropping constraints only relaxes the model, so its
optimum is still a valid lower bound on unplaced children and splits. A
placement is rebuilt from the counts (parts to groups, members to parts,
patterns to homes, respecting exclusions and keep-apart pairs), and what
cannot be rebuilt is placed by the best-fit rules; the caller checks the
result and keeps it only if it is better.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import replace

import highspy
import numpy as np

from barneby.matching.aggregate import AggregateBound, _partitions
from barneby.matching.exact import INF
from barneby.matching.greedy import WIDE, Load, _single_home, _split
from barneby.matching.index import Index
from barneby.matching.mip import MipBuilder
from barneby.matching.problem import Child, GroupId, Home
from barneby.matching.rules import ineligibility, pair_cost

Signature = tuple[int, ...]  # the home types a child may use
SEARCH_BUDGET = 500  # steps when looking for parts that cover one group
RELAX_SHARE = 0.3  # of the time limit, at most, for the LP relaxation


def _level_key(index: Index, positions: list[int | None]) -> tuple[int, int]:
    """Unplaced children and splits of a placement."""
    unplaced = sum(1 for k in positions if k is None)
    splits = sum(max(0, len({positions[i] for i in members} - {None}) - 1) for members in index.groups.values())
    return (unplaced, splits)


class _Model(MipBuilder):
    def solve(self, *, time_limit_s: float, seed: int, start: dict[int, float], relax: bool = False) -> highspy.Highs:
        h = self.highs(seed=seed, relax=relax)
        h.setOptionValue("time_limit", max(0.01, time_limit_s))
        h.setOptionValue("mip_abs_gap", 0.5)
        h.setOptionValue("presolve", "off")
        if start:
            cols = np.array(sorted(start), dtype=np.int64)
            h.setSolution(len(cols), cols, np.array([start[c] for c in sorted(start)]))
        h.run()
        return h


def class_aggregate(
    index: Index, *, time_limit_s: float, seed: int = 0, warm: list[int | None] | None = None
) -> AggregateBound:
    """Lower bounds on (unplaced, splits) for the whole batch, and a placement rebuilt from the model."""
    started = time.perf_counter()
    problem = index.problem
    # Home types, exclusions left out (a relaxation; they come back when homes are chosen).
    keyed: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for k, home in enumerate(index.homes):
        if home.places > 0:
            keyed[
                (
                    home.places,
                    home.sibling_limit,
                    home.min_age,
                    home.max_age,
                    home.sexes,
                    None if problem.cross_region else home.region,
                    home.location if problem.max_distance_km is not None else None,
                )
            ].append(k)
    type_list = [homes for _, homes in sorted(keyed.items(), key=lambda item: item[1][0])]
    type_of = {k: t for t, homes in enumerate(type_list) for k in homes}
    representative: list[Home] = [index.homes[homes[0]] for homes in type_list]

    cache: dict[tuple[object, ...], Signature] = {}

    def signature(child: Child) -> Signature:
        key = (
            child.age,
            child.sex,
            None if problem.cross_region else child.region,
            (child.origin, child.school) if problem.max_distance_km is not None else None,
        )
        if key not in cache:
            free = replace(child, excluded_homes=frozenset())
            cache[key] = tuple(t for t, home in enumerate(representative) if ineligibility(problem, free, home) is None)
        return cache[key]

    sig = [signature(c) for c in index.children]
    m = _Model()
    max_splits = sum(len(members) - 1 for members in index.groups.values())
    weight = float(max_splits + 1)
    demand: dict[tuple[int, int], list[int]] = defaultdict(list)

    # Single children, counted by signature.
    singles: dict[Signature, list[int]] = defaultdict(list)
    for i in range(len(index.children)):
        if index.group_of[i] is None:
            singles[sig[i]].append(i)
    single_cols: dict[Signature, dict[int, int]] = {}
    for s, who in sorted(singles.items()):
        cols = {t: m.col(len(who)) for t in s}
        single_cols[s] = cols
        u = m.col(len(who), weight, integer=False)
        m.row([*cols.values(), u], [1.0] * (len(cols) + 1), len(who), len(who))
        for t, c in cols.items():
            demand[(t, 1)].append(c)

    # Sibling groups, counted by class.
    classes: dict[tuple[int, tuple[Signature, ...], int], list[GroupId]] = defaultdict(list)
    for g, members in sorted(index.groups.items()):
        classes[(len(members), tuple(sorted(sig[i] for i in members)), index.min_homes.get(g) or 1)].append(g)
    part_cols: dict[tuple[int, ...], dict[tuple[int, int], int]] = {}  # class number -> (type, size) -> column
    class_groups: list[list[GroupId]] = []
    for number, ((size, sigs, fewest), groups) in enumerate(sorted(classes.items(), key=lambda kv: kv[1][0])):
        class_groups.append(groups)
        n_groups = len(groups)
        per_sig: dict[Signature, int] = defaultdict(int)
        for s in sigs:
            per_sig[s] += 1
        unplaced_cols: list[int] = []
        member_in: dict[int, list[int]] = defaultdict(list)
        eligible: dict[int, int] = defaultdict(int)
        for s, count in sorted(per_sig.items()):
            by_type = {t: m.col(n_groups * count) for t in s}
            u = m.col(n_groups * count, weight, integer=False)
            unplaced_cols.append(u)
            m.row([*by_type.values(), u], [1.0] * (len(by_type) + 1), n_groups * count, n_groups * count)
            for t, x in by_type.items():
                member_in[t].append(x)
                eligible[t] += count
        parts: dict[tuple[int, int], int] = {}
        for t, xs in sorted(member_in.items()):
            largest = min(eligible[t], representative[t].sibling_limit, size)
            qs = []
            for j in range(1, largest + 1):
                q = m.col(n_groups * len(type_list[t]))
                parts[(t, j)] = q
                qs.append((q, j))
                demand[(t, j)].append(q)
            m.row(xs + [q for q, _ in qs], [1.0] * len(xs) + [-float(j) for _, j in qs], 0, 0)
        part_cols[(number,)] = parts
        e = m.col(n_groups * (size - 1), 1.0, integer=False)
        m.row([*parts.values(), e], [1.0] * len(parts) + [-1.0], -INF, n_groups)
        if fewest >= 2:
            m.row([e, *unplaced_cols], [1.0] * (len(unplaced_cols) + 1), n_groups * (fewest - 1), INF)
        wholes = [q for (_t, j), q in parts.items() if j == size]
        m.row([*wholes, e, *unplaced_cols], [1.0] * (len(wholes) + len(unplaced_cols) + 1), n_groups, INF)

    pattern_cols: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
    for t, homes in enumerate(type_list):
        home = representative[t]
        patterns = _partitions(home.places, home.sibling_limit)
        zs = [m.col(len(homes)) for _ in patterns]
        pattern_cols[t] = list(zip(zs, patterns, strict=True))
        m.row(zs, [1.0] * len(zs), -INF, len(homes))
        for j in range(1, home.sibling_limit + 1):
            users = demand.get((t, j), [])
            if users:
                supply = [(z, float(p.count(j))) for z, p in zip(zs, patterns, strict=True) if j in p]
                m.row(users + [z for z, _ in supply], [1.0] * len(users) + [-c for _, c in supply], -INF, 0)

    def start_from(positions: list[int | None]) -> dict[int, float]:
        """The counts of a placement (HiGHS completes the patterns and the rest)."""
        start: dict[int, float] = {}
        for s, who in singles.items():
            for t, c in single_cols[s].items():
                start[c] = float(sum(1 for i in who if (k := positions[i]) is not None and type_of.get(k) == t))
        for number, groups in enumerate(class_groups):
            counts: dict[tuple[int, int], int] = defaultdict(int)
            for g in groups:
                per_home: dict[int, int] = defaultdict(int)
                for i in index.groups[g]:
                    if (k := positions[i]) is not None:
                        per_home[k] += 1
                for k, j in per_home.items():
                    counts[(type_of.get(k, -1), j)] += 1
            for key, q in part_cols[(number,)].items():
                start[q] = float(counts.get(key, 0))
        return start

    def rebuild(values: np.ndarray) -> list[int | None]:
        return _rebuild(index, values, sig, singles, single_cols, class_groups, part_cols, pattern_cols, type_list)

    # The LP first: rounded down and rebuilt, it is a far better start than
    # the heuristic, which HiGHS's own heuristics rarely improve at this size.
    candidates: list[list[int | None]] = [] if warm is None else [warm]
    lp = m.solve(time_limit_s=RELAX_SHARE * time_limit_s, seed=seed, start={}, relax=True)
    lp_bound = -math.inf
    if lp.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        lp_bound = lp.getInfo().objective_function_value
        left = time_limit_s - (time.perf_counter() - started)
        if left > 0.5:
            rounded = np.floor(np.array(lp.getSolution().col_value) + 1e-6).astype(np.int64)
            candidates.append(rebuild(rounded))
    best_start = min(candidates, key=lambda positions: _level_key(index, positions)) if candidates else None
    left = time_limit_s - (time.perf_counter() - started)
    proven = False
    dual = lp_bound
    found = None
    if left > 0.5:
        # Leave time to rebuild what the MIP finds.
        h = m.solve(time_limit_s=0.6 * left, seed=seed, start={} if best_start is None else start_from(best_start))
        proven = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        info = h.getInfo()
        mip_dual = info.objective_function_value if proven else info.mip_dual_bound
        if math.isfinite(mip_dual):
            dual = max(dual, mip_dual)
        start_value = (
            None if best_start is None else weight * _level_key(index, best_start)[0] + _level_key(index, best_start)[1]
        )
        if start_value is None or info.objective_function_value < start_value - 0.5:
            found = h.getSolution()  # better than the start in the model: worth rebuilding
    if not math.isfinite(dual):
        return AggregateBound(0, 0, False, time.perf_counter() - started, best_start)
    unplaced, splits = divmod(math.ceil(dual - 1e-6), int(weight))
    positions = best_start
    if found is not None and found.value_valid:
        rebuilt = rebuild(np.round(np.array(found.col_value)).astype(np.int64))
        if positions is None or _level_key(index, rebuilt) < _level_key(index, positions):
            positions = rebuilt
    return AggregateBound(unplaced, splits, proven, time.perf_counter() - started, positions)


def _rebuild(
    index: Index,
    values: np.ndarray,
    sig: list[Signature],
    singles: dict[Signature, list[int]],
    single_cols: dict[Signature, dict[int, int]],
    class_groups: list[list[GroupId]],
    part_cols: dict[tuple[int, ...], dict[tuple[int, int], int]],
    pattern_cols: dict[int, list[tuple[int, tuple[int, ...]]]],
    type_list: list[list[int]],
) -> list[int | None]:
    """Homes for the model's counts; what does not fit is placed by the best-fit rules."""
    # 1. Parts per type: (members, group or None).
    parts: dict[int, list[tuple[list[int], GroupId | None]]] = defaultdict(list)
    for s, who in singles.items():
        pool = list(who)
        for t, c in single_cols[s].items():
            for _ in range(int(values[c])):
                if pool:
                    parts[t].append(([pool.pop()], None))
    loose: list[list[int]] = []  # units (or what is left of them) to place afterwards
    for number, groups in enumerate(class_groups):
        available: dict[tuple[int, int], int] = {key: int(values[c]) for key, c in part_cols[(number,)].items()}
        for g in groups:
            members = index.groups[g]
            chosen = _partition(index, members, sig, available)
            if chosen is None:
                loose.append(list(members))
                continue
            for t, who in chosen:
                parts[t].append((who, g))
    # 2. Patterns to homes, parts to slots: exclusions, keep-apart and one part per group per home.
    load = Load(index)
    for t, type_parts in parts.items():
        free: dict[int, list[int]] = defaultdict(list)  # home -> sizes of its free slots
        homes = iter(type_list[t])
        for z, pattern in pattern_cols[t]:
            for _ in range(int(values[z])):
                k = next(homes, None)
                if k is not None:
                    free[k].extend(pattern)
        type_parts.sort(key=lambda part: -len(part[0]))
        for who, _g in type_parts:
            k = _slot_for(index, load, who, free)
            if k is None:
                loose.append(who)
                continue
            size = len(who)
            sizes = free[k]
            j = min(x for x in sizes if x >= size)
            sizes.remove(j)
            if j > size:
                sizes.append(j - size)
            if not sizes:
                del free[k]
            for i in who:
                load.place(i, k)
    # 3. The rest by the best-fit rules, next to their siblings where possible.
    for unit in sorted(loose, key=lambda u: -len(u)):
        if index.group_of[unit[0]] is None:
            k = _single_home(index, load, unit[0], wide=not index.complete)
            if k is not None:
                load.place(unit[0], k)
        else:
            _split(index, load, unit, wide=not index.complete)
    return load.home_of


def _slot_for(index: Index, load: Load, who: list[int], free: dict[int, list[int]]) -> int | None:
    """The best home with a free slot for the part ``who``: least room left over, then needs, then distance.

    The members' candidate homes are tried first (cheap, and where the best
    ones are), then the first member's nearest eligible homes; a part none of
    those can take is placed afterwards by the best-fit rules.
    """
    size = len(who)

    def best_of(homes: list[int]) -> int | None:
        best: tuple[int, int, int, int] | None = None
        for k in homes:
            room = [x for x in free.get(k, ()) if x >= size]
            if not room or not all(load.can_take(i, k, already=a) for a, i in enumerate(who)):
                continue
            unmet = dist = 0
            for i in who:
                u, d = pair_cost(index.children[i], index.homes[k])
                unmet += u
                dist += d
            key = (min(room) - size, unmet, dist, k)
            if best is None or key < best:
                best = key
        return None if best is None else best[3]

    nearby = sorted({k for i in who for k in index.candidates[i] if k in free})
    found = best_of(nearby)
    if found is None:
        found = best_of([k for k in index.eligible_homes(who[0])[:WIDE] if k in free and k not in nearby])
    return found


def _partition(
    index: Index, members: list[int], sig: list[Signature], available: dict[tuple[int, int], int]
) -> list[tuple[int, list[int]]] | None:
    """Take parts (type, size) from ``available`` covering ``members``, each member eligible for its type."""
    size = len(members)
    keys = sorted((key for key, count in available.items() if count > 0), key=lambda key: (-key[1], key[0]))
    apart = {i: index.apart.get(i, set()) for i in members}
    budget = [SEARCH_BUDGET]

    def search(left: list[int], used: list[tuple[int, int]]) -> list[tuple[int, list[int]]] | None:
        if not left:
            return []
        budget[0] -= 1
        if budget[0] < 0:
            return None
        for t, j in keys:
            if j > len(left) or available[(t, j)] <= used.count((t, j)):
                continue
            fits = [i for i in left if t in sig[i]]
            if len(fits) < j:
                continue
            # Members with the fewest options first; never two children kept apart in one part.
            fits.sort(key=lambda i: (len(sig[i]), i))
            take: list[int] = []
            for i in fits:
                if len(take) == j:
                    break
                if not apart[i] & set(take):
                    take.append(i)
            if len(take) < j:
                continue
            rest = search([i for i in left if i not in take], [*used, (t, j)])
            if rest is not None:
                return [(t, take), *rest]
        return None

    if size > 6:  # a search over parts is cheap only for small groups
        return None
    chosen = search(list(members), [])
    if chosen is None:
        return None
    for t, who in chosen:
        available[(t, len(who))] -= 1
    return chosen
