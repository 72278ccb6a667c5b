"""A seeded family of synthetic instances for tests and the benchmark.

Sibling units (a single child or a group): about 45 % single children, 30 %
pairs, 15 % groups of three and 10 % groups of four to six. Homes have one to
four free places, big ones scarce (as in Norway), for a total of about 1.05 places per
child, spread over three regions around Oslo, Bergen and Trondheim. Ages,
sexes, needs, competences, exclusions and keep-apart pairs are drawn so every
hard constraint is exercised.
"""

from __future__ import annotations

import random

from barneby.matching.problem import Child, Coord, Home, KeepApart, Problem

REGIONS: dict[str, Coord] = {"east": (59.91, 10.75), "west": (60.39, 5.32), "mid": (63.43, 10.39)}
NEEDS = ("trauma", "substance", "disability", "mental_health", "medical")


def _near(rng: random.Random, centre: Coord, spread: float) -> Coord:
    return (round(centre[0] + rng.gauss(0, spread), 5), round(centre[1] + rng.gauss(0, spread * 2), 5))


def _unit_size(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.45:
        return 1
    if roll < 0.75:
        return 2
    if roll < 0.90:
        return 3
    return rng.choice((4, 4, 4, 5, 5, 6))


def instance(n_children: int, *, seed: int = 0, capacity_ratio: float = 1.05, cross_region: bool = True) -> Problem:
    """A reproducible problem with about ``n_children`` children (exactly, groups are trimmed)."""
    rng = random.Random(seed)  # noqa: S311  (seeded test data, not cryptography)
    regions = sorted(REGIONS)
    children: list[Child] = []
    group_id = 0
    while len(children) < n_children:
        size = min(_unit_size(rng), n_children - len(children))
        region = rng.choice(regions)
        origin = _near(rng, REGIONS[region], 0.4)
        group_id += 1
        base_age = rng.randint(0, 17)
        for _ in range(size):
            age = max(0, min(17, base_age + rng.randint(-4, 4)))
            needs: set[str] = set()
            if rng.random() < 0.3:
                needs.add(rng.choice(NEEDS))
                if rng.random() < 0.15:
                    needs.add(rng.choice(NEEDS))
            school = _near(rng, origin, 0.03) if age >= 6 else None
            children.append(
                Child(
                    id=len(children) + 1,
                    age=age,
                    sex=rng.choice("FM"),
                    group=group_id if size > 1 else None,
                    needs=frozenset(needs),
                    origin=origin,
                    school=school,
                    region=region,
                )
            )
    homes: list[Home] = []
    capacity = 0
    while capacity < capacity_ratio * n_children:
        places = rng.choices((1, 2, 3, 4), weights=(45, 35, 12, 8))[0]
        places = min(places, max(1, round(capacity_ratio * n_children) - capacity))
        region = rng.choice(regions)
        age_roll = rng.random()
        min_age, max_age = (0, 17) if age_roll < 0.7 else (0, 12) if age_roll < 0.85 else (10, 17)
        sex_roll = rng.random()
        sexes = None if sex_roll < 0.9 else frozenset("F") if sex_roll < 0.95 else frozenset("M")
        homes.append(
            Home(
                id=len(homes) + 1,
                places=places,
                min_age=min_age,
                max_age=max_age,
                sexes=sexes,
                competences=frozenset(code for code in NEEDS if rng.random() < 0.3),
                location=_near(rng, REGIONS[region], 0.4),
                max_siblings=places - 1 if places > 2 and rng.random() < 0.1 else None,
                kind=rng.choice(("family", "family", "youth")),
                region=region,
            )
        )
        capacity += places
    # A few exclusions and keep-apart pairs, within a region so they bite.
    by_region: dict[str, list[Home]] = {r: [h for h in homes if h.region == r] for r in regions}
    final: list[Child] = []
    for child in children:
        excluded: frozenset[int] = frozenset()
        apart: tuple[KeepApart, ...] = ()
        if rng.random() < 0.02 and child.region and by_region[child.region]:
            excluded = frozenset({rng.choice(by_region[child.region]).id})
        if rng.random() < 0.01:
            other = rng.choice(children)
            if other.id != child.id:
                apart = (KeepApart(other.id, "violence"),)
        final.append(
            Child(
                id=child.id,
                age=child.age,
                sex=child.sex,
                group=child.group,
                needs=child.needs,
                origin=child.origin,
                school=child.school,
                excluded_homes=excluded,
                keep_apart=apart,
                region=child.region,
            )
        )
    return Problem(children=tuple(final), homes=tuple(homes), cross_region=cross_region)
