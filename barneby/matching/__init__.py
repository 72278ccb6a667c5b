"""Placement matching (C4): which child goes to which home.

Pure Python with no Django imports. Lexicographic objective: (1) fewest
children unplaced, (2) fewest sibling-group splits, (3) fewest unmet needs,
(4) least total distance from origin and school. Entry points:

* :func:`solve` — the best placement and the lexicographic bound proven for it
  (:mod:`barneby.matching.solver`: an ordered list of steps);
* :func:`greedy` — the best-fit heuristic (warm start and yardstick);
* :func:`evaluate` and :func:`violations` — the objective and the hard-constraint checker;
* :func:`propose_for_group` — the best placements for one sibling group.

The package in three parts:

* the problem and its rules — :mod:`~barneby.matching.problem` (plain data),
  :mod:`~barneby.matching.rules` (eligibility, costs, the checker),
  :mod:`~barneby.matching.index` (eligible pairs and costs, precomputed),
  :mod:`~barneby.matching.explain` and :mod:`~barneby.matching.texts` (why, in words),
  :mod:`~barneby.matching.result` (a placement turned into a :class:`Solution`);
* heuristics — :mod:`~barneby.matching.heuristics.greedy` (best fit),
  :mod:`~barneby.matching.heuristics.polish` (moving whole parts between homes),
  :mod:`~barneby.matching.heuristics.siblings` (proposals for one group);
* the MIP models, all on :mod:`~barneby.matching.models.builder` —
  :mod:`~barneby.matching.models.patterns` (unplaced and splits),
  :mod:`~barneby.matching.models.perhome` (every level, per child and home),
  :mod:`~barneby.matching.models.contents` (distance, one column per home's contents).
"""

from barneby.matching.heuristics.greedy import greedy
from barneby.matching.heuristics.siblings import Proposal, propose_for_group
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
