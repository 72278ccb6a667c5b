"""Heuristics: fast placements that prove nothing by themselves.

* :mod:`~barneby.matching.heuristics.greedy` — best fit, the warm start and yardstick;
* :mod:`~barneby.matching.heuristics.polish` — moving whole parts between homes (needs, then distance);
* :mod:`~barneby.matching.heuristics.siblings` — the best few placements of one sibling group.
"""
