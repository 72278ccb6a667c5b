"""The public solver: an ordered list of steps sharing one placement, one bound and one clock.

Each step gets the run (:class:`Run`: the index, the placement so far, the
lexicographic bound proven so far, the deadline) and may replace the
placement, but only by one that is lexicographically better and breaks no
rule (:meth:`Run.offer`), and may raise the bound. The steps, in order:

1. ``heuristic`` — the best-fit heuristic; the answer is never worse than it.
2. ``first_two_levels`` — unplaced and splits with the pattern model of
   :mod:`barneby.matching.models.patterns` (cutting stock over home types, by
   column generation): a proven bound and usually a placement reaching it;
   up to 2,000 children also a bound on unmet needs and a placement for it
   (its needs round has most of this step's time: at 500 children that is
   what proves the needs level within 10 s).
3. ``needs`` — unmet needs, the first two levels held: the per-home model of
   :mod:`barneby.matching.models.perhome` on small batches, otherwise parts
   polished (:mod:`barneby.matching.heuristics.polish`) and then the contents
   model of :mod:`barneby.matching.models.contents` with unmet needs as its
   objective (a bound, and a placement from its master as a MIP).
4. ``distance`` — the contents model of :mod:`barneby.matching.models.contents`
   (one column per home and what it holds, by column generation): a proven
   bound on distance and a placement from its master as a MIP over the
   contents found and each home's next cheapest. On small
   batches then parts polished and the per-home model's own distance stage,
   which proves them at once; where it does not prove, its bound hardly
   moves with more time but its placement does with a better start:
   neighbourhoods re-placed exactly, the rest held (the children of all
   homes of one size, then some 50 neighbours at a time), the
   contents model again from that placement, and the per-home model again
   with the time left. On big batches parts polished, then the contents
   model again from where polishing stopped and polishing again, while that
   improves and more than a second is left; with pruned candidates (the
   biggest batches) only polishing.
5. ``never_worse_than_greedy`` — the heuristic's answer if the clock left
   the search behind it.

With ``cross_region=False`` each region is solved on its own where the
per-home model runs (exact, as no child may cross).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from barneby.matching.heuristics.greedy import greedy_positions
from barneby.matching.heuristics.polish import polish_blocks
from barneby.matching.index import Index, default_index
from barneby.matching.models.contents import ContentsResult, contents_stage
from barneby.matching.models.patterns import pattern_bound
from barneby.matching.models.perhome import SubProblem, solve_levels
from barneby.matching.problem import Costs, Problem, Solution
from barneby.matching.result import make_solution, positions_key, trivial_bound
from barneby.matching.rules import violations

Key = tuple[int, int, int, int]


@dataclass(frozen=True)
class Budget:
    """How the time limit is shared between the steps, and the sizes that choose a model.

    Shares are of the time left when the step starts unless said otherwise.
    """

    patterns: float = 0.7  # of the whole limit, for the first two levels and the pattern model's needs round
    needs: float = 0.5  # for the needs level (contents model, then the per-home model on small batches)
    polish_before_needs: float = 0.35  # of the needs step's time, for polishing parts before the contents model
    contents: float = 0.75  # for the contents model's distance stage (the rest: polishing, the per-home model)
    contents_lp: float = 0.6  # of a contents stage's time, for column generation (the bound); the rest for the MIP
    near: int = 20  # contents per home at least, next cheapest after column generation, added for the distance MIP
    near_columns: int = 6_000  # such contents in all, shared by the homes, where that gives each more
    polish_after: float = 0.5  # for polishing parts after the contents model, before the per-home model
    exact_first: float = 0.35  # of the distance step's time left, for a first run of the per-home model (it may prove)
    neighbourhoods: float = 0.5  # of the time then left, for re-placing neighbourhoods exactly (small batches)
    neighbourhood: int = 50  # children re-placed at once by the per-home model in a neighbourhood
    exact_pairs: int = 40_000  # candidate pairs up to which the per-home model takes the whole batch
    margin_s: float = 0.2  # kept back at the end for the answer itself


@dataclass
class Run:
    """What the steps share: the index, the placement so far, the bound proven so far, the clock."""

    index: Index
    budget: Budget
    deadline: float
    seed: int
    positions: list[int | None]
    bound: Key
    heuristic: list[int | None] = field(default_factory=list)
    solver: str = "highs"

    def left(self) -> float:
        return max(0.0, self.deadline - self.budget.margin_s - time.perf_counter())

    def until(self, share: float) -> float:
        """The time at which ``share`` of the time left is used up."""
        return time.perf_counter() + share * self.left()

    def key(self) -> Key:
        return positions_key(self.index, self.positions)

    def offer(self, candidate: list[int | None] | None) -> bool:
        """Keep ``candidate`` if it is lexicographically better and breaks no rule."""
        if candidate is None or positions_key(self.index, candidate) >= self.key():
            return False
        if not valid(self.index, candidate):
            return False
        self.positions = list(candidate)
        return True

    def offer_changes(self, changes: dict[int, int | None]) -> bool:
        """Keep the placement with ``changes`` (child position -> home position) if it is better (:meth:`offer`)."""
        trial = list(self.positions)
        for i, k in changes.items():
            trial[i] = k
        return self.offer(trial)

    def raise_bound(self, bound: tuple[int, ...]) -> None:
        b = (bound[0], bound[1], bound[2], bound[3])
        self.bound = max(self.bound, b)

    def proven(self, levels: int) -> bool:
        """Whether the first ``levels`` levels of the placement equal their proven bound."""
        return self.key()[:levels] == self.bound[:levels]

    def polish(self, until: float) -> None:
        """Move whole parts between homes until ``until``: needs, then distance, the first two levels held."""
        self.offer(polish_blocks(self.index, self.positions, deadline=until, seed=self.seed))


def valid(index: Index, positions: list[int | None]) -> bool:
    """Whether a placement (home positions) breaks no hard rule."""
    assignment = {
        c.id: None if k is None else index.homes[k].id for c, k in zip(index.children, positions, strict=True)
    }
    return not violations(index.problem, assignment)


def components(index: Index) -> list[list[int]]:
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


def _sub_for(index: Index, free: list[int], positions: list[int | None]) -> SubProblem:
    """The children ``free`` to re-place, with the places and homes everyone else leaves them."""
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


# -- the steps ---------------------------------------------------------------


def first_two_levels(run: Run) -> None:
    """The pattern model: a bound on unplaced and splits (and needs), and a placement."""
    index = run.index
    if len(components(index)) != 1 or not index.children:
        return
    started = time.perf_counter()
    limit = run.budget.patterns * (run.deadline - started)
    counted = pattern_bound(index, time_limit_s=limit, seed=run.seed, warm=run.positions)
    run.raise_bound((counted.unplaced, counted.splits, 0, 0))
    run.offer(counted.positions)
    if run.proven(2) and counted.unmet is not None:
        # Home types that tell competences apart bound the needs too.
        run.raise_bound((counted.unplaced, counted.splits, counted.unmet, 0))


def needs(run: Run) -> None:
    """Unmet needs with the first two levels held: the contents model, then the per-home model on small batches."""
    index = run.index
    if run.proven(3):
        return  # proven by the pattern model's bound
    if not index.complete:
        run.polish(run.until(run.budget.needs))
        return
    until = run.until(run.budget.needs)
    # Parts moved first: the contents model converges fast from a placement with few unmet needs.
    run.polish(time.perf_counter() + run.budget.polish_before_needs * (until - time.perf_counter()))
    key = run.key()
    levels_proven = run.proven(2)
    result = contents_stage(
        index, run.positions, (key[0], key[1], None), until=until, lp_share=run.budget.contents_lp, seed=run.seed
    )
    run.offer(result.positions)
    if levels_proven:
        run.raise_bound((key[0], key[1], result.bound, 0))
    if not run.proven(3) and _pairs(index, list(range(len(index.children)))) <= run.budget.exact_pairs:
        _per_home(run, levels=3, share=max(0.0, until - time.perf_counter()) / max(run.left(), 1e-9))


def distance(run: Run) -> None:
    """Distance with the first three levels held: the contents model, polishing, then the per-home model."""
    index = run.index
    if not index.complete:
        # Pruned candidates: no bound to prove, and moving parts gains more than the master's few rounds.
        run.polish(run.until(1.0))
        return
    if index.children:
        held, result = _contents_again(run, share=run.budget.contents)
        key = run.key()
        # The bound holds for every placement with each level at most what was held; so it
        # holds at the proven optimum of the first three levels, if the placement is there.
        if run.proven(3) and all(key[j] <= held[j] for j in range(3)):
            run.raise_bound((key[0], key[1], key[2], result.bound))
    if run.proven(4):
        return
    if _pairs(index, list(range(len(index.children)))) <= run.budget.exact_pairs:
        run.polish(run.until(run.budget.polish_after))
        # The per-home model proves small batches at once; where it does not, its bound
        # hardly moves with more time but its placement does with a better start: the
        # neighbourhoods give one, then the contents model from it, then the model again.
        _per_home(run, levels=4, share=run.budget.exact_first)
        if run.proven(4):
            return
        before = run.key()
        re_place_neighbourhoods(run, until=run.until(run.budget.neighbourhoods))
        if run.key() < before:
            _contents_again(run, share=0.2)
        _per_home(run, levels=4, share=1.0)
    else:
        run.polish(run.until(1.0))
        # Polishing stops at a local optimum: the contents model from there finds contents it did not
        # have, while the time lasts and the placement improves.
        while run.left() > 1.0:
            before = run.key()
            _contents_again(run, share=0.5)
            # A fifth of what is left stays unused: at 500 children the answer is due in 10 s
            # with the index built, and a loaded machine stretches the last HiGHS call.
            run.polish(run.until(0.8))
            if run.key() >= before:
                break


def _near(run: Run) -> int:
    """How many next cheapest contents per home the distance MIP gets: more where homes are few."""
    return max(run.budget.near, run.budget.near_columns // max(1, len(run.index.homes)))


def _contents_again(run: Run, *, share: float) -> tuple[Key, ContentsResult]:
    """The contents model's distance stage from the current placement, its first three levels held.

    Returns the placement's key when it started (the levels held) and the stage's result.
    """
    held = run.key()
    result = contents_stage(
        run.index,
        run.positions,
        (held[0], held[1], held[2]),
        until=run.until(share),
        lp_share=run.budget.contents_lp,
        seed=run.seed,
        near=_near(run),
    )
    run.offer(result.positions)
    return held, result


def neighbourhoods(index: Index, positions: list[int | None], size: int) -> list[list[int]]:
    """Sets of children to re-place together, each closed under sibling groups.

    First, for each number of places, the children living in homes of that
    size: parts of one size trade homes of one size, and a split group's
    members change partners there (at 150 children of the bench all twenty
    children the optimum places differently live in two-place homes). A
    class of more than twice ``size`` children is cut by where its homes
    are. Then windows of ``size`` neighbours by region and origin, half
    overlapping.
    """
    n = len(index.children)

    def closed(kids: list[int]) -> list[int]:
        return sorted({j for i in kids for j in index.unit_of(i)})

    def where(k: int) -> tuple[str, tuple[float, float]]:
        home = index.homes[k]
        return (home.region, home.location or (0.0, 0.0))

    found: list[list[int]] = []
    by_places: dict[int, list[tuple[int, int]]] = defaultdict(list)  # places -> (child, home)
    for i, k in enumerate(positions):
        if k is not None:
            by_places[index.homes[k].places].append((i, k))
    for _places, living in sorted(by_places.items()):
        if len(living) > 2 * size:
            living.sort(key=lambda pair: where(pair[1]))
        kids = [i for i, _k in living]
        step_by = size if len(kids) > 2 * size else len(kids)
        found.extend(closed(kids[first : first + step_by]) for first in range(0, len(kids), step_by))
    order = sorted(range(n), key=lambda i: (index.children[i].region or "", index.children[i].origin or (0.0, 0.0)))
    step = max(1, size // 2)
    for first in range(0, n, step):
        found.append(closed(order[first : first + size]))
        if first + size >= n:
            break
    return [kids for kids in found if 1 < len(kids) < n]


def re_place_neighbourhoods(run: Run, *, until: float) -> None:
    """Re-place each of :func:`neighbourhoods` exactly, the rest held, until ``until``.

    Each is solved by the per-home model lexicographically from the current
    placement, so no level gets worse; only the placement improves, no bound.
    """
    index = run.index
    if len(index.children) <= run.budget.neighbourhood:
        return
    for kids in neighbourhoods(index, run.positions, run.budget.neighbourhood):
        left = until - time.perf_counter()
        if left <= 0.2:
            return
        sub = _sub_for(index, kids, run.positions)
        result = solve_levels(
            index,
            sub,
            {i: run.positions[i] for i in kids},
            time_limit_s=min(left, max(1.0, left / 2)),
            seed=run.seed,
            levels=4,
        )
        run.offer_changes(result.positions)


def _per_home(run: Run, *, levels: int, share: float) -> None:
    """The per-home model on each component, the levels already proven held at their value."""
    index = run.index
    parts = components(index)
    # Whole-batch bounds say nothing about one region of several.
    known = next((run.bound[:j] for j in (3, 2, 1) if j < levels and run.proven(j)), ()) if len(parts) == 1 else ()
    total = max(1, len(index.children))
    piece_bound = [0, 0, 0, 0]
    until = run.until(share)
    for n, kids in enumerate(parts):
        left = until - time.perf_counter()
        later = sum(len(c) for c in parts[n + 1 :]) / total
        mine = len(kids) / total
        budget = left * mine / max(mine + later, 1e-9)
        if budget <= 0.05:
            return
        sub = _sub_for(index, kids, [None] * len(index.children))
        result = solve_levels(
            index,
            sub,
            {i: run.positions[i] for i in kids},
            time_limit_s=budget,
            seed=run.seed,
            known=known,
            levels=levels,
        )
        run.offer_changes(result.positions)
        # A staged result is a lexicographic bound, exact up to its first level not proven.
        for level in range(levels):
            piece_bound[level] += result.values[level] if result.proven[level] else result.bound[level]
            if not result.proven[level]:
                break
    if index.complete:
        # The model held every eligible pair: its bounds are bounds of the problem.
        run.raise_bound(tuple(piece_bound))


def never_worse_than_greedy(run: Run) -> None:
    """The heuristic's answer if the search ended behind it (only the clock can do that)."""
    if positions_key(run.index, run.heuristic) < run.key():
        run.positions = list(run.heuristic)


Step = Callable[[Run], None]
STEPS: tuple[Step, ...] = (first_two_levels, needs, distance, never_worse_than_greedy)


def solve(
    problem: Problem,
    *,
    time_limit_s: float = 60.0,
    seed: int = 0,
    budget: Budget | None = None,
    index: Index | None = None,
) -> Solution:
    """The best placement found within ``time_limit_s``, and the lexicographic bound proven for it.

    Runs the best-fit heuristic, then :data:`STEPS` in order. Deterministic
    for a given input and seed when it finishes within the time limit (a run
    cut short by the clock may differ with machine load).
    """
    started = time.perf_counter()
    index = index or default_index(problem)
    start = greedy_positions(index)
    trivial = trivial_bound(index).as_tuple()
    run = Run(
        index=index,
        budget=budget or Budget(),
        deadline=started + time_limit_s,
        seed=seed,
        positions=list(start),
        bound=trivial,
        heuristic=list(start),
    )
    for step in STEPS:
        step(run)
    # The trivial needs bound holds whenever unplaced is at its trivial value,
    # whatever the splits, and its distance bound whenever needs are at theirs.
    values = list(run.bound)
    if values[0] == trivial[0]:
        if values[2] < trivial[2]:
            values[2], values[3] = trivial[2], trivial[3]
        elif values[2] == trivial[2]:
            values[3] = max(values[3], trivial[3])
    assignment = {
        c.id: None if k is None else index.homes[k].id for c, k in zip(index.children, run.positions, strict=True)
    }
    return make_solution(index, assignment, solver=run.solver, bound=Costs(*values), started=started, seed=seed)
