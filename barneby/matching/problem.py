"""The placement problem and its answer, as frozen plain data.

Everything here is Django-free so the solver can be tested, benchmarked and
run in a worker process without a database. The Django side
(``barneby.placements``) loads its models into these dataclasses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from barneby.matching.texts import render

ChildId = int
HomeId = int
GroupId = int
Coord = tuple[float, float]  # (latitude, longitude) in degrees


@dataclass(frozen=True)
class KeepApart:
    """Two children who must never live in the same home.

    ``reason`` is a protection code (e.g. ``"violence"``, ``"court_order"``); it
    is carried for the audit trail and is never put into an explanation.
    """

    child: ChildId
    reason: str


@dataclass(frozen=True)
class Child:
    """A child waiting for a placement.

    ``group`` is the sibling group; ``None`` means no sibling in this batch.
    ``region`` is only used when the problem forbids placements across regions.
    """

    id: ChildId
    age: int
    sex: str
    group: GroupId | None = None
    needs: frozenset[str] = frozenset()
    origin: Coord | None = None
    school: Coord | None = None
    excluded_homes: frozenset[HomeId] = frozenset()
    keep_apart: tuple[KeepApart, ...] = ()
    region: str | None = None


@dataclass(frozen=True)
class Home:
    """A home with free places. ``sexes`` is ``None`` when it accepts any sex.

    ``max_siblings`` is the largest number of children of one sibling group the
    home may take *together* (``largest_sibling_group``); ``None`` means no
    limit beyond its free places. The limit concerns siblings placed there
    together: one child of a group, alone in the home, is never over it, so
    0 and 1 both mean "no two siblings together". A child whose siblings are
    not in the batch is such a child.
    """

    id: HomeId
    places: int
    min_age: int = 0
    max_age: int = 99
    sexes: frozenset[str] | None = None
    competences: frozenset[str] = frozenset()
    location: Coord | None = None
    max_siblings: int | None = None
    kind: str = ""
    region: str = ""

    @property
    def sibling_limit(self) -> int:
        """How many children of one sibling group this home can take at most (one always fits a free place)."""
        return self.places if self.max_siblings is None else min(self.places, max(1, self.max_siblings))


@dataclass(frozen=True)
class Problem:
    """One matching batch.

    ``cross_region=False`` forbids a child from being placed outside its own
    region (children without a region may go anywhere); the solver then solves
    each region on its own, which is exact only under that rule.
    ``max_distance_km`` is a hard limit on the distance from a child's origin
    (and school) to the home; ``None`` means no limit.
    """

    children: tuple[Child, ...]
    homes: tuple[Home, ...]
    cross_region: bool = True
    max_distance_km: float | None = None

    def __post_init__(self) -> None:
        child_ids = [c.id for c in self.children]
        if len(set(child_ids)) != len(child_ids):
            raise ValueError("child ids must be unique")
        home_ids = [h.id for h in self.homes]
        if len(set(home_ids)) != len(home_ids):
            raise ValueError("home ids must be unique")
        for home in self.homes:
            if home.places < 0:
                raise ValueError(f"home {home.id} has negative free places")


Assignment = Mapping[ChildId, HomeId | None]

LEVELS = ("unplaced", "splits", "unmet_needs", "distance")


@dataclass(frozen=True, order=True)
class Costs:
    """The four objective levels, most important first.

    Distance is kept as whole hectometres (0.1 km) so that every level is an
    integer: the solver then proves optimality exactly, with no tolerance.
    Compare two ``Costs`` with ``<``: the order is lexicographic by field.
    """

    unplaced: int = 0
    splits: int = 0
    unmet_needs: int = 0
    distance_hm: int = 0

    @property
    def distance_km(self) -> float:
        return self.distance_hm / 10

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.unplaced, self.splits, self.unmet_needs, self.distance_hm)


@dataclass(frozen=True)
class SolveStatus:
    """How the answer was found and how good it is known to be.

    ``optimal`` means proven optimal on all four levels. Otherwise ``gap_level``
    names the first level not proven and ``gap`` is the relative gap there,
    ``(value - bound) / value``. ``lower_bound`` holds, per level, the best
    proven bound given the levels before it at the solution's values (0 where
    nothing was proven); ``lower_bound.splits`` is the number of splits no
    placement can avoid with today's homes.
    """

    solver: str
    optimal: bool
    wall_s: float
    gap: float | None = None
    gap_level: str | None = None
    lower_bound: Costs = field(default_factory=Costs)
    seed: int = 0


@dataclass(frozen=True)
class Reason:
    """One element of an explanation: a code and its parameters."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def param(self, key: str) -> Any:
        return dict(self.params)[key]


@dataclass(frozen=True)
class Explanation:
    """Why a child got this placement, as data; see :mod:`barneby.matching.explain`."""

    child: ChildId
    reasons: tuple[Reason, ...]

    def render(self, lang: str = "nb") -> str:
        return render(self, lang)


@dataclass(frozen=True)
class Solution:
    """A complete answer: where each child goes and why.

    ``assignment`` maps every child to a home id, or ``None`` when unplaced.
    ``splits`` maps every multi-child sibling group to the number of homes it
    is spread over minus one.
    """

    assignment: Mapping[ChildId, HomeId | None]
    splits: Mapping[GroupId, int]
    costs: Costs
    status: SolveStatus
    explanations: Mapping[ChildId, Explanation] = field(default_factory=dict)

    def key(self) -> tuple[int, int, int, int]:
        return self.costs.as_tuple()
