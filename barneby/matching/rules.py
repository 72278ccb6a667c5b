"""Hard constraints and the objective, in plain Python.

This module is the single source of truth for what a valid placement is and
what it costs: the greedy heuristic, the exact model and the tests all go
through :func:`eligible`, :func:`pair_cost`, :func:`evaluate` and
:func:`violations`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from barneby.matching.problem import Assignment, Child, ChildId, Coord, Costs, GroupId, Home, HomeId, Problem

EARTH_RADIUS_KM = 6371.0088


def haversine_km(a: Coord, b: Coord) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distances_km(child: Child, home: Home) -> tuple[float | None, float | None]:
    """(from origin, from school); ``None`` where a coordinate is unknown."""
    if home.location is None:
        return None, None
    origin = haversine_km(child.origin, home.location) if child.origin is not None else None
    school = haversine_km(child.school, home.location) if child.school is not None else None
    return origin, school


def distance_hm(child: Child, home: Home) -> int:
    """The distance term of a placement in whole hectometres (origin + school).

    Unknown coordinates add nothing: the distance cannot be measured, and
    guessing would bias the placement.
    """
    origin, school = distances_km(child, home)
    return round(10 * ((origin or 0.0) + (school or 0.0)))


def unmet_needs(child: Child, home: Home) -> frozenset[str]:
    return child.needs - home.competences


def pair_cost(child: Child, home: Home) -> tuple[int, int]:
    """(unmet needs, distance in hm) of placing ``child`` in ``home``."""
    return len(unmet_needs(child, home)), distance_hm(child, home)


def ineligibility(problem: Problem, child: Child, home: Home) -> str | None:
    """Why ``child`` may not live in ``home`` on its own merits, or ``None``.

    Capacity, sibling limits and keep-apart pairs depend on the other
    children and are checked in :func:`violations`.
    """
    if home.places < 1:
        return "no free places"
    if not home.min_age <= child.age <= home.max_age:
        return f"age {child.age} outside {home.min_age}-{home.max_age}"
    if home.sexes is not None and child.sex not in home.sexes:
        return f"sex {child.sex} not accepted"
    if home.id in child.excluded_homes:
        return "home excluded for this child"
    if not problem.cross_region and child.region is not None and child.region != home.region:
        return f"region {home.region} is not the child's region {child.region}"
    if problem.max_distance_km is not None:
        for km in distances_km(child, home):
            if km is not None and km > problem.max_distance_km:
                return f"{km:.0f} km is beyond the limit of {problem.max_distance_km:.0f} km"
    return None


def eligible(problem: Problem, child: Child, home: Home) -> bool:
    return ineligibility(problem, child, home) is None


def groups_of(children: Iterable[Child]) -> dict[GroupId, list[Child]]:
    """Multi-child sibling groups, members in input order."""
    groups: dict[GroupId, list[Child]] = defaultdict(list)
    for child in children:
        if child.group is not None:
            groups[child.group].append(child)
    return {g: members for g, members in groups.items() if len(members) > 1}


def keep_apart_pairs(children: Iterable[Child]) -> set[tuple[ChildId, ChildId]]:
    """Every keep-apart pair once, as (smaller id, larger id), whoever declared it."""
    known = {c.id for c in children}
    pairs: set[tuple[ChildId, ChildId]] = set()
    for child in children:
        for other in child.keep_apart:
            if other.child in known and other.child != child.id:
                pairs.add((min(child.id, other.child), max(child.id, other.child)))
    return pairs


def split_counts(problem: Problem, assignment: Assignment) -> dict[GroupId, int]:
    """For each multi-child group: homes it is spread over minus one (0 if at most one)."""
    result: dict[GroupId, int] = {}
    for group, members in groups_of(problem.children).items():
        homes = {assignment.get(c.id) for c in members} - {None}
        result[group] = max(0, len(homes) - 1)
    return result


def evaluate(problem: Problem, assignment: Assignment) -> Costs:
    """The four objective levels of ``assignment`` (children missing from it are unplaced)."""
    homes = {h.id: h for h in problem.homes}
    unplaced = unmet = distance = 0
    for child in problem.children:
        home_id = assignment.get(child.id)
        if home_id is None:
            unplaced += 1
            continue
        u, d = pair_cost(child, homes[home_id])
        unmet += u
        distance += d
    return Costs(
        unplaced=unplaced,
        splits=sum(split_counts(problem, assignment).values()),
        unmet_needs=unmet,
        distance_hm=distance,
    )


def violations(problem: Problem, assignment: Assignment) -> list[str]:
    """Every hard constraint ``assignment`` breaks, in plain English; empty when valid."""
    children = {c.id: c for c in problem.children}
    homes = {h.id: h for h in problem.homes}
    problems: list[str] = []
    for child_id, home_id in sorted(assignment.items(), key=lambda item: item[0]):
        if child_id not in children:
            problems.append(f"unknown child {child_id}")
        elif home_id is not None and home_id not in homes:
            problems.append(f"child {child_id}: unknown home {home_id}")
        elif home_id is not None:
            why = ineligibility(problem, children[child_id], homes[home_id])
            if why is not None:
                problems.append(f"child {child_id} in home {home_id}: {why}")
    residents: dict[HomeId, list[Child]] = defaultdict(list)
    for child in problem.children:
        home_id = assignment.get(child.id)
        if home_id is not None and home_id in homes:
            residents[home_id].append(child)
    for home_id, kids in sorted(residents.items()):
        home = homes[home_id]
        if len(kids) > home.places:
            problems.append(f"home {home_id}: {len(kids)} children for {home.places} free places")
        per_group = Counter(c.group for c in kids if c.group is not None)
        for group, count in sorted(per_group.items()):
            if count > home.sibling_limit:
                problems.append(f"home {home_id}: {count} siblings of group {group}, limit {home.sibling_limit}")
    for a, b in sorted(keep_apart_pairs(problem.children)):
        home_a, home_b = assignment.get(a), assignment.get(b)
        if home_a is not None and home_a == home_b:
            problems.append(f"children {a} and {b} must not live together but share home {home_a}")
    return problems


def min_homes_for(problem: Problem, members: list[Child], homes: Iterable[Home] | None = None) -> int | None:
    """Fewest homes that can take all of ``members`` on their own (ignoring other children).

    ``None`` when even one member has no eligible home. Homes are reduced to
    profiles (which members may go there, how many at most), so this is cheap
    for the handful of members a sibling group has. It is a lower bound, and
    exact unless the few homes of some profile run out; in particular it is
    1 exactly when some single home can take the whole group.
    """
    pool = list(problem.homes if homes is None else homes)
    size = len(members)
    apart = keep_apart_pairs(members)
    index = {c.id: k for k, c in enumerate(members)}
    apart_bits = [(1 << index[a]) | (1 << index[b]) for a, b in apart]
    profiles: set[tuple[int, int]] = set()
    for home in pool:
        mask = 0
        for k, child in enumerate(members):
            if eligible(problem, child, home):
                mask |= 1 << k
        cap = min(home.sibling_limit, bin(mask).count("1"))
        if mask and cap:
            profiles.add((mask, cap))
    return fewest_homes(size, profiles, apart_bits)


def fewest_homes(size: int, profiles: Iterable[tuple[int, int]], apart_bits: Iterable[int] = ()) -> int | None:
    """Fewest homes covering ``size`` members, given home profiles (member bitmask, most members).

    ``apart_bits`` are two-member masks that may not share a home.
    """
    shapes = sorted(set(profiles))
    apart_masks = list(apart_bits)
    covered = 0
    for mask, _cap in shapes:
        covered |= mask
    if covered != (1 << size) - 1:
        return None

    def fits(subset: int, cap: int, mask: int) -> bool:
        return subset & ~mask == 0 and bin(subset).count("1") <= cap and not any(subset & p == p for p in apart_masks)

    # Dynamic programme over subsets of members (at most 2**6): the fewest
    # homes for a subset is one home for the part holding its lowest member
    # plus the fewest for the rest. It ignores how many homes share a profile,
    # so it is a lower bound, exact whenever profiles are not scarce.
    full = (1 << size) - 1
    fewest = [size + 1] * (full + 1)
    fewest[0] = 0
    for subset in range(1, full + 1):
        low = subset & -subset
        rest = subset & ~low
        for mask, cap in shapes:
            if not mask & low:
                continue
            part = rest & mask
            sub = part
            while True:
                chosen = sub | low
                if fits(chosen, cap, mask) and fewest[subset & ~chosen] + 1 < fewest[subset]:
                    fewest[subset] = fewest[subset & ~chosen] + 1
                if sub == 0:
                    break
                sub = (sub - 1) & part
    return fewest[full] if fewest[full] <= size else None


def lexicographic_gap(value: Costs, bound: Costs) -> tuple[str | None, float | None]:
    """First level where ``value`` is above ``bound`` and its relative gap there."""
    for name, v, b in zip(
        ("unplaced", "splits", "unmet_needs", "distance"), value.as_tuple(), bound.as_tuple(), strict=True
    ):
        if v > b:
            return name, (v - b) / v
    return None, None


def assignment_key(problem: Problem, assignment: Mapping[ChildId, HomeId | None]) -> tuple[int, int, int, int]:
    return evaluate(problem, assignment).as_tuple()
