"""The public solver: the heuristic, then HiGHS where it can prove, fix-and-optimize where it cannot.

1. The best-fit heuristic; every later step only keeps what is
   lexicographically better, so the answer is never worse than it.
2. The first two levels (unplaced, splits) with the pattern model of
   :mod:`barneby.matching.patterns` (home types and classes of sibling
   groups, one column per way a class is shared out, by column generation):
   a proven lower bound, and usually a placement reaching it; up to 2,000
   children also a bound on unmet needs, which proves the needs level when
   the placement reaches it (the per-home model is then left only
   distance). Where it does not reach its bound, the aggregated model of
   :mod:`barneby.matching.aggregate` runs block by block of neighbouring
   homes, and on the whole batch up to ``AGG_WHOLE_LIMIT`` children.
3. Needs and distance by moving whole parts between homes
   (:mod:`barneby.matching.polish`), which cannot touch the first two levels.
   When the first two levels sit at their trivial bound on a batch too big
   for the per-home model, the unit model of :mod:`barneby.matching.units`
   (one column per group and home) proves needs and bounds distance instead.
4. Needs and distance with the per-home model of :mod:`barneby.matching.exact`,
   the first two levels held: on every eligible pair up to ``exact_limit``
   candidate pairs, otherwise fix-and-optimize (free a few hundred children
   around a split group or a random child, fix the rest, re-solve, keep if
   better).

With ``cross_region=False`` each region is solved on its own (exact, as no
child may cross). Otherwise regions are never split apart: repairing across
regions afterwards does worse than the heuristic.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict

from barneby.matching.aggregate import aggregate_bound
from barneby.matching.exact import SubProblem, solve_levels
from barneby.matching.greedy import default_index, greedy_positions
from barneby.matching.index import Index
from barneby.matching.patterns import pattern_bound
from barneby.matching.polish import polish_blocks
from barneby.matching.problem import Costs, Problem, Solution
from barneby.matching.result import make_solution, positions_key, trivial_bound
from barneby.matching.rules import pair_cost, violations
from barneby.matching.units import UnitModel

EXACT_LIMIT = 40_000  # candidate pairs above which the full model's LP alone outlasts the time limit
CHUNK = 300  # children freed per fix-and-optimize step
CHUNK_TIME_S = 6.0
AGGREGATE_SHARE = 0.6  # of the time limit, at most, for the first two levels (the ones that matter most)
AGG_BLOCKS_ONLY_SHARE = 0.6  # of the time limit, for the blocks on batches too big for the whole aggregate
PATTERN_SHARE = 0.25  # of the time limit, at most, for the pattern model of the first two levels
UNIT_FIRST_POLISH_SHARE = 0.35  # of the time left, for polishing before the unit model
UNIT_NEEDS_SHARE = 0.75  # of the time left, for the needs level of the unit model
UNIT_MARGIN_S = 0.3  # seconds kept back after the unit model's distance level
POLISH_SHARE_PRUNED = 0.95  # the same where candidates are pruned (20,000 children: 748,000 to 723,000 km)
POLISH_SHARE = 0.5  # of the time left after the first two levels, for moving parts to cut needs and distance
AGG_WHOLE_LIMIT = 1_000  # children; up to here the aggregated model also runs on the whole batch (bound)
AGG_BLOCKS_FROM = 300  # children; from here the aggregated model first runs block by block
# Children above which the pattern model runs first. Its needs bound proves the needs level at 100 and
# 150 children within the batch default of 30 s, where the per-home model alone needed about 80 s.
PATTERN_FROM = 0
AGG_BLOCKS_SHARE = 0.3  # of the time limit, for the blocks when the whole batch follows
AGG_BLOCK_HOMES = 80
AGG_BLOCK_TIME_S = 4.0


def _components(index: Index) -> list[list[int]]:
    """Independent sets of children: per region when crossing is forbidden, else one."""
    n = len(index.children)
    if index.problem.cross_region or any(c.region is None for c in index.children):
        return [list(range(n))]
    by_region: dict[str, list[int]] = defaultdict(list)
    for i, child in enumerate(index.children):
        by_region[child.region or ""].append(i)
    # A sibling group spread over regions ties them together.
    parent = {r: r for r in by_region}

    def find(r: str) -> str:
        while parent[r] != r:
            r = parent[r]
        return r

    for members in index.groups.values():
        regions = {index.children[i].region or "" for i in members}
        first, *rest = sorted(regions)
        for r in rest:
            parent[find(r)] = find(first)
    merged: dict[str, list[int]] = defaultdict(list)
    for r, kids in by_region.items():
        merged[find(r)].extend(kids)
    return [sorted(kids) for _, kids in sorted(merged.items())]


def _pairs(index: Index, kids: list[int]) -> int:
    return sum(len(index.candidates[i]) for i in kids)


def _residents(index: Index, positions: list[int | None]) -> list[set[int]]:
    residents: list[set[int]] = [set() for _ in index.homes]
    for i, k in enumerate(positions):
        if k is not None:
            residents[k].add(i)
    return residents


def _sub_for(index: Index, free: list[int], positions: list[int | None]) -> SubProblem:
    free_set = set(free)
    capacity = [h.places for h in index.homes]
    for i, k in enumerate(positions):
        if k is not None and i not in free_set:
            capacity[k] -= 1
    forbidden: set[tuple[int, int]] = set()
    for i in free:
        for j in index.apart.get(i, ()):
            k = positions[j]
            if j not in free_set and k is not None:
                forbidden.add((i, k))
    return SubProblem(kids=sorted(free), capacity=capacity, forbidden=forbidden)


def _neighbourhood(index: Index, seed_child: int, positions: list[int | None], residents: list[set[int]]) -> list[int]:
    """About CHUNK children around ``seed_child``: the units living in the homes it could use."""
    chosen: set[int] = set()
    frontier = [seed_child]
    while frontier and len(chosen) < CHUNK:
        i = frontier.pop(0)
        if i in chosen:
            continue
        unit = index.unit_of(i)
        chosen.update(unit)
        for j in unit:
            for k in index.candidates[j][:8]:
                for r in sorted(residents[k]):
                    if r not in chosen:
                        frontier.append(r)
    return sorted(chosen)


def _fix_and_optimize(
    index: Index, positions: list[int | None], kids: list[int], *, deadline: float, seed: int
) -> list[int | None]:
    rng = random.Random(seed)  # noqa: S311  (reproducible search order, not cryptography)
    positions = list(positions)
    tried: set[int] = set()
    while time.perf_counter() < deadline - 0.5:
        residents = _residents(index, positions)
        split = [
            members[0]
            for g, members in sorted(index.groups.items())
            if members[0] not in tried
            and len({positions[i] for i in members if positions[i] is not None}) > max(1, index.min_homes.get(g) or 1)
        ]
        unplaced = [i for i in kids if positions[i] is None and index.placeable[i] and i not in tried]
        pool = unplaced or split
        start = pool[0] if pool else kids[rng.randrange(len(kids))]
        tried.add(start)
        free = [i for i in _neighbourhood(index, start, positions, residents) if i in set(kids)]
        sub = _sub_for(index, free, positions)
        warm = {i: positions[i] for i in free}
        limit = min(CHUNK_TIME_S, deadline - time.perf_counter())
        if limit <= 0.2:
            break
        result = solve_levels(index, sub, warm, time_limit_s=limit, seed=seed)
        for i, k in result.positions.items():
            positions[i] = k
    return positions


def _local_key(index: Index, positions: list[int | None], kids: list[int]) -> tuple[int, int, int, int]:
    """The objective restricted to ``kids`` (closed under groups), positions-based."""
    unplaced = unmet = dist = 0
    for i in kids:
        k = positions[i]
        if k is None:
            unplaced += 1
        else:
            u, d = pair_cost(index.children[i], index.homes[k])
            unmet += u
            dist += d
    splits = 0
    for g in {index.group_of[i] for i in kids} - {None}:
        assert g is not None
        homes = {positions[i] for i in index.groups[g]} - {None}
        splits += max(0, len(homes) - 1)
    return (unplaced, splits, unmet, dist)


def _valid(index: Index, positions: list[int | None]) -> bool:
    assignment = {
        c.id: None if k is None else index.homes[k].id for c, k in zip(index.children, positions, strict=True)
    }
    return not violations(index.problem, assignment)


def _aggregate_chunks(
    index: Index, positions: list[int | None], kids: list[int], *, deadline: float, seed: int
) -> list[int | None]:
    """Fix-and-optimize on the first two levels with the aggregated model, block of homes by block."""
    positions = list(positions)
    kid_set = set(kids)
    homes = sorted(
        range(len(index.homes)), key=lambda k: (index.homes[k].region, index.homes[k].location or (0.0, 0.0), k)
    )
    # Blocks of neighbouring homes, then the same shifted by half a block so
    # the second pass mixes what the first kept apart.
    half = AGG_BLOCK_HOMES // 2
    first_pass = [homes[n : n + AGG_BLOCK_HOMES] for n in range(0, len(homes), AGG_BLOCK_HOMES)]
    second_pass = [homes[n : n + AGG_BLOCK_HOMES] for n in range(half, len(homes), AGG_BLOCK_HOMES)]

    def excess(block: list[int]) -> int:
        """Splits beyond what the groups living in ``block`` need on their own."""
        block_set = set(block)
        groups = {index.group_of[i] for i in kids if positions[i] in block_set} - {None}
        total = 0
        for g in groups:
            assert g is not None
            used = len({positions[i] for i in index.groups[g]} - {None})
            total += max(0, used - (index.min_homes.get(g) or 1))
        return total

    ordered = sorted(first_pass, key=lambda b: -excess(b)) + sorted(second_pass, key=lambda b: -excess(b))
    for block in ordered:
        if not excess(block):
            continue
        left = deadline - time.perf_counter()
        if left < 1.0:
            break
        block_set = set(block)
        free: set[int] = set()
        for i in kids:
            if positions[i] in block_set:
                free.update(index.unit_of(i))
        free &= kid_set
        if not free:
            continue
        free_list = sorted(free)
        allowed = block_set | {k for i in free_list if (k := positions[i]) is not None}
        sub = _sub_for(index, free_list, positions)
        result = aggregate_bound(
            index,
            time_limit_s=min(AGG_BLOCK_TIME_S, left),
            seed=seed,
            warm=positions,
            kids=free_list,
            capacity=sub.capacity,
            homes_allowed=allowed,
        )
        if result.positions is None:
            continue
        trial = list(positions)
        for i in free_list:
            trial[i] = result.positions[i]
        if _local_key(index, trial, free_list)[:2] < _local_key(index, positions, free_list)[:2] and _valid(
            index, trial
        ):
            positions = trial
    return positions


def _lexmax(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return max(a, b)


def _truncated(values: tuple[int, ...], bound: tuple[int, ...], proven: tuple[bool, ...]) -> tuple[int, ...]:
    """A staged result as a lexicographic bound: exact up to the first level not proven."""
    result = []
    for v, b, p in zip(values, bound, proven, strict=True):
        result.append(v if p else b)
        if not p:
            break
    return tuple(result + [0] * (4 - len(result)))


def _better(index: Index, candidate: list[int | None] | None, current: list[int | None]) -> list[int | None]:
    """``candidate`` if it is lexicographically better than ``current`` and breaks no rule, else ``current``."""
    if (
        candidate is not None
        and positions_key(index, candidate) < positions_key(index, current)
        and _valid(index, candidate)
    ):
        return candidate
    return current


def _per_home_levels(
    index: Index,
    positions: list[int | None],
    components: list[list[int]],
    *,
    bound: tuple[int, ...],
    known: tuple[int, ...],
    deadline: float,
    seed: int,
    exact_limit: int,
) -> tuple[list[int | None], tuple[int, ...], str]:
    """Needs and distance by polishing parts, then the per-home model (exact or fix-and-optimize)."""
    # On pruned candidates fix-and-optimize gains little: polishing takes nearly all the time.
    share = POLISH_SHARE if index.complete else POLISH_SHARE_PRUNED
    # Parts to homes: needs, then distance, the first two levels untouched.
    positions = _polished(index, positions, share=share, deadline=deadline, seed=seed)
    exact_bound = [0, 0, 0, 0]
    all_exact = True
    solver = "highs"
    total = max(1, len(index.children))
    for n, kids in enumerate(components):
        if not kids:
            continue
        share = len(kids) / total
        left = deadline - time.perf_counter()
        later = sum(len(c) for c in components[n + 1 :]) / total
        budget = left * share / max(share + later, 1e-9)
        if _pairs(index, kids) <= exact_limit:
            sub = _sub_for(index, kids, [None] * len(index.children))
            result = solve_levels(
                index, sub, {i: positions[i] for i in kids}, time_limit_s=budget, seed=seed, known=known
            )
            for i, k in result.positions.items():
                positions[i] = k
            piece = _truncated(result.values, result.bound, result.proven)
            for level in range(4):
                exact_bound[level] += piece[level]
        else:
            all_exact = False
            solver = "highs fix-and-optimize"
            positions = _fix_and_optimize(index, positions, kids, deadline=time.perf_counter() + budget, seed=seed)
    if all_exact and index.complete:
        # The model held every eligible pair: its bounds are bounds of the problem.
        bound = _lexmax(bound, tuple(exact_bound))
    return positions, bound, solver


def _polished(
    index: Index, positions: list[int | None], *, share: float, deadline: float, seed: int
) -> list[int | None]:
    """Parts moved between homes for ``share`` of the time left: needs, then distance, the first two levels held."""
    better = polish_blocks(
        index, positions, deadline=time.perf_counter() + share * (deadline - time.perf_counter()), seed=seed
    )
    return _better(index, better, positions)


def _unit_levels(
    index: Index,
    positions: list[int | None],
    trivial: tuple[int, ...],
    *,
    deadline: float,
    seed: int,
    needs_known: int | None = None,
) -> tuple[list[int | None], tuple[int, ...]]:
    """Needs, then distance, with the unit model; polishing the parts in between.

    ``needs_known`` is a needs bound proven elsewhere (the pattern model's):
    when the placement already reaches it, the needs level is proven and the
    unit model's time all goes to distance.
    """
    model = UnitModel(index)
    # Polished first: the unit model finds its needs optimum fast from a good start.
    positions = _polished(index, positions, share=UNIT_FIRST_POLISH_SHARE, deadline=deadline, seed=seed)
    before = positions_key(index, positions)
    if needs_known is not None and before[2] <= needs_known:
        needs_bound, needs_proven = before[2], True
    else:
        found, _value, needs_bound, needs_proven = model.solve(
            model.unmet, positions, time_limit_s=UNIT_NEEDS_SHARE * (deadline - time.perf_counter()), seed=seed
        )
        positions = _better(index, found, positions)
    needs = positions_key(index, positions)[2]
    model.hold(model.unmet, needs)
    if needs < before[2]:
        # Fewer unmet needs, found with no regard to distance: polish again.
        positions = _polished(index, positions, share=POLISH_SHARE, deadline=deadline, seed=seed)
    if not needs_proven or needs > needs_bound:
        return positions, (trivial[0], trivial[1], needs_bound, 0)
    found, _value, distance_bound, _proven = model.solve(
        model.dist, positions, time_limit_s=deadline - time.perf_counter() - UNIT_MARGIN_S, seed=seed
    )
    return _better(index, found, positions), (trivial[0], trivial[1], needs_bound, distance_bound)


def solve(
    problem: Problem,
    *,
    time_limit_s: float = 60.0,
    seed: int = 0,
    exact_limit: int = EXACT_LIMIT,
    index: Index | None = None,
) -> Solution:
    """The best placement found within ``time_limit_s``, and whether it is proven optimal.

    Steps: the best-fit heuristic; the aggregated model for the first two
    levels (a proven bound on unplaced children and splits, and usually a
    placement reaching it); then the per-home model, exact for national-batch
    sizes and fix-and-optimize beyond, polishing needs and distance with the
    first two levels held. Deterministic for a given input and seed when it
    finishes within the time limit (a run cut short by the clock may differ
    with machine load).
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    index = index or default_index(problem)
    positions = greedy_positions(index)
    heuristic = list(positions)
    trivial = trivial_bound(index).as_tuple()
    bound: tuple[int, ...] = trivial
    known: tuple[int, ...] = ()
    components = _components(index)
    n_children = len(index.children)
    settled = False  # the first two levels proven and reached
    if len(components) == 1 and n_children > PATTERN_FROM:
        # One column per way a class of groups is shared out: on the synthetic
        # family it proves the first two levels in seconds up to 20,000 children.
        counted = pattern_bound(index, time_limit_s=PATTERN_SHARE * time_limit_s, seed=seed, warm=positions)
        pattern_key = (counted.unplaced, counted.splits, 0, 0)
        bound = _lexmax(bound, pattern_key)
        positions = _better(index, counted.positions, positions)
        settled = tuple(positions_key(index, positions)[:2]) == tuple(bound[:2])
        if settled:
            known = tuple(bound[:2])
            if counted.unmet is not None:
                # Home types that tell competences apart bound the needs too; a
                # placement reaching that bound proves the needs level as well.
                bound = _lexmax(bound, (counted.unplaced, counted.splits, counted.unmet, 0))
                known = tuple(bound[:3])
    if not settled and len(components) == 1 and n_children > AGG_BLOCKS_FROM:
        # Blocks of neighbouring homes find fewer splits on batches of any size.
        share = AGG_BLOCKS_ONLY_SHARE if n_children > AGG_WHOLE_LIMIT else AGG_BLOCKS_SHARE
        positions = _aggregate_chunks(
            index,
            positions,
            components[0],
            deadline=time.perf_counter() + share * (deadline - time.perf_counter()),
            seed=seed,
        )
    if not settled and len(components) == 1 and n_children <= AGG_WHOLE_LIMIT:
        # Per-region models are exact by themselves when regions are closed;
        # otherwise the aggregate handles the whole batch at once.
        aggregate = aggregate_bound(
            index, time_limit_s=AGGREGATE_SHARE * (deadline - time.perf_counter()), seed=seed, warm=positions
        )
        agg_bound = (aggregate.unplaced, aggregate.splits, 0, 0)
        bound = _lexmax(bound, agg_bound)
        known = tuple(bound[:2])
        positions = _better(index, aggregate.positions, positions)
    everyone = list(range(n_children))
    if (
        index.complete
        and _pairs(index, everyone) > exact_limit
        and tuple(positions_key(index, positions)[:2]) == tuple(trivial[:2])
    ):
        # Every group in as few homes as it can be: one column per unit and home.
        positions, unit_bound = _unit_levels(
            index, positions, trivial, deadline=deadline, seed=seed, needs_known=known[2] if len(known) > 2 else None
        )
        bound = _lexmax(bound, unit_bound)
        solver = "highs units"
    else:
        positions, bound, solver = _per_home_levels(
            index,
            positions,
            components,
            bound=bound,
            known=known,
            deadline=deadline,
            seed=seed,
            exact_limit=exact_limit,
        )
    if positions_key(index, heuristic) < positions_key(index, positions):
        positions = heuristic  # never worse than the yardstick, whatever the clock did
    # The trivial needs bound holds whenever unplaced is at its trivial value,
    # whatever the splits, and its distance bound whenever needs are at theirs.
    values = list(bound)
    if values[0] == trivial[0]:
        if values[2] < trivial[2]:
            values[2], values[3] = trivial[2], trivial[3]
        elif values[2] == trivial[2]:
            values[3] = max(values[3], trivial[3])
    assignment = {
        c.id: None if k is None else index.homes[k].id for c, k in zip(index.children, positions, strict=True)
    }
    return make_solution(index, assignment, solver=solver, bound=Costs(*values), started=started, seed=seed)
