"""Small problems for the matching tests, and a brute-force optimum to check the solver against."""

from __future__ import annotations

import itertools
import random

from barneby.matching import Child, Costs, Home, KeepApart, Problem, evaluate, violations
from barneby.matching.problem import ChildId, HomeId

OSLO = (59.91, 10.75)


def near(km_north: float, km_east: float = 0.0, origin: tuple[float, float] = OSLO) -> tuple[float, float]:
    """A point about ``km_north`` km north and ``km_east`` km east of ``origin``."""
    return (origin[0] + km_north / 111.2, origin[1] + km_east / (111.2 * 0.5))


def tiny_problem(seed: int, *, children: int = 6, homes: int = 4) -> Problem:
    """A random problem small enough to enumerate every assignment."""
    rng = random.Random(seed)
    kids: list[Child] = []
    group = 0
    while len(kids) < children:
        size = min(rng.choice((1, 1, 2, 2, 3, 4)), children - len(kids))
        group += 1
        origin = near(rng.uniform(-50, 50), rng.uniform(-50, 50))
        for _ in range(size):
            kids.append(
                Child(
                    id=len(kids) + 1,
                    age=rng.randint(0, 17),
                    sex=rng.choice("FM"),
                    group=group if size > 1 else None,
                    needs=frozenset(rng.sample(("trauma", "substance"), rng.randint(0, 1))),
                    origin=origin,
                    school=near(rng.uniform(-50, 50), rng.uniform(-50, 50)) if rng.random() < 0.5 else None,
                )
            )
    if children >= 4 and rng.random() < 0.5:
        a, b = rng.sample(kids, 2)
        kids[kids.index(a)] = Child(**{**a.__dict__, "keep_apart": (KeepApart(b.id, "violence"),)})
    places = [rng.randint(1, 3) for _ in range(homes)]
    home_list = tuple(
        Home(
            id=100 + k,
            places=places[k],
            min_age=rng.choice((0, 0, 6)),
            max_age=rng.choice((17, 17, 12)),
            sexes=rng.choice((None, None, None, frozenset("F"))),
            competences=frozenset(rng.sample(("trauma", "substance"), rng.randint(0, 2))),
            location=near(rng.uniform(-50, 50), rng.uniform(-50, 50)),
            max_siblings=rng.choice((None, None, 1, 2)),
        )
        for k in range(homes)
    )
    return Problem(children=tuple(kids), homes=home_list)


def brute_force(problem: Problem) -> tuple[Costs, dict[ChildId, HomeId | None]]:
    """The lexicographic optimum by trying every assignment."""
    options: list[HomeId | None] = [None, *(h.id for h in problem.homes)]
    best: tuple[Costs, dict[ChildId, HomeId | None]] | None = None
    ids = [c.id for c in problem.children]
    for combo in itertools.product(options, repeat=len(ids)):
        assignment = dict(zip(ids, combo, strict=True))
        if violations(problem, assignment):
            continue
        costs = evaluate(problem, assignment)
        if best is None or costs < best[0]:
            best = (costs, assignment)
    assert best is not None  # everyone unplaced is always valid
    return best
