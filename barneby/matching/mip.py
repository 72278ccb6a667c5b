"""A small builder for HiGHS models: columns and rows are collected, then passed in one call each."""

from __future__ import annotations

import highspy
import numpy as np

from barneby.matching.highs import new_highs


class MipBuilder:
    """Columns (bounds, cost, integrality) and rows (sparse, with bounds) of one model."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []
        self.integer: list[int] = []
        self.rows: list[tuple[list[int], list[float], float, float]] = []

    def col(self, hi: float, cost: float = 0.0, *, integer: bool = True) -> int:
        self.lower.append(0.0)
        self.upper.append(hi)
        self.cost.append(cost)
        if integer:
            self.integer.append(len(self.lower) - 1)
        return len(self.lower) - 1

    def row(self, cols: list[int], coefs: list[float], lo: float, hi: float) -> None:
        self.rows.append((cols, coefs, lo, hi))

    def highs(self, *, seed: int, relax: bool = False) -> highspy.Highs:
        """A HiGHS instance holding the model (integrality dropped with ``relax``)."""
        h = new_highs(seed=seed)
        n = len(self.lower)
        empty = np.zeros(0, dtype=np.int64)
        h.addCols(n, np.array(self.cost), np.array(self.lower), np.array(self.upper), 0, empty, empty, np.zeros(0))
        starts: list[int] = []
        indices: list[int] = []
        values: list[float] = []
        for cols, coefs, _lo, _hi in self.rows:
            starts.append(len(indices))
            indices.extend(cols)
            values.extend(coefs)
        h.addRows(
            len(self.rows),
            np.array([r[2] for r in self.rows], dtype=np.float64),
            np.array([r[3] for r in self.rows], dtype=np.float64),
            len(indices),
            np.array(starts, dtype=np.int64),
            np.array(indices, dtype=np.int64),
            np.array(values, dtype=np.float64),
        )
        if not relax and self.integer:
            ints = np.array(self.integer, dtype=np.int64)
            h.changeColsIntegrality(len(ints), ints, np.full(len(ints), int(highspy.HighsVarType.kInteger), np.uint8))
        return h
