"""Placement matching (C4): which child goes to which home.

Pure Python with no Django imports. Lexicographic objective: (1) fewest
children unplaced, (2) fewest sibling-group splits, (3) fewest unmet needs,
(4) least total distance from origin and school. Entry points:

* :func:`solve` — HiGHS: a pattern model with column generation for the first two
  levels (a proven bound and a placement), then the per-home model for needs and distance;
* :func:`greedy` — the best-fit heuristic (warm start and yardstick);
* :func:`evaluate` and :func:`violations` — the objective and the hard-constraint checker;
* :func:`propose_for_group` — the best placements for one sibling group.
"""

from barneby.matching.greedy import greedy
from barneby.matching.problem import (
    LEVELS,
    Assignment,
    Child,
    Costs,
    Explanation,
    Home,
    KeepApart,
    Problem,
    Reason,
    Solution,
    SolveStatus,
)
from barneby.matching.rules import evaluate, violations
from barneby.matching.siblings import Proposal, propose_for_group
from barneby.matching.solver import solve

__all__ = [
    "LEVELS",
    "Assignment",
    "Child",
    "Costs",
    "Explanation",
    "Home",
    "KeepApart",
    "Problem",
    "Proposal",
    "Reason",
    "Solution",
    "SolveStatus",
    "evaluate",
    "greedy",
    "propose_for_group",
    "solve",
    "violations",
]
