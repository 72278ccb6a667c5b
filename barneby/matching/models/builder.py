"""The one way every model here reaches HiGHS: a builder for columns and rows, and a run whose "optimal" is checked.

A model adds its columns (bounds, cost, integrality, and optionally their
entries in rows already made) and its rows (sparse, with bounds) to a
:class:`Builder`, then asks it for a configured HiGHS instance holding them.
:func:`run_checked` runs one stage and believes "optimal" only when the
returned vector's own value meets the proven dual bound.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterable, Iterator

import highspy
import numpy as np
import numpy.typing as npt

INF = highspy.kHighsInf

Vector = npt.NDArray[np.float64]

_banner_done = False


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Swallow the banner HiGHS prints on stdout the first time it starts in a process."""
    try:
        fd = os.dup(1)
    except OSError:  # no real stdout (some embedded runners): nothing to hide
        yield
        return
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(fd, 1)
            os.close(fd)


def new_highs(*, seed: int) -> highspy.Highs:
    """An empty HiGHS instance, quiet, seeded, and set to prove integral objectives exactly."""
    global _banner_done
    if _banner_done:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        with _quiet_stdout():
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        _banner_done = True
    h.setOptionValue("output_flag", os.environ.get("MATCHING_HIGHS_LOG") == "1")
    h.setOptionValue("random_seed", seed)
    # Every level is integral: a gap below one unit is a proof, and a
    # relative tolerance would stop early on the distance level.
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1 - 1e-6)
    return h


class Builder:
    """Columns (bounds, cost, integrality) and rows (sparse, with bounds) of one model."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []
        self.integer: list[int] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self._rows: list[int] = []
        self._cols: list[int] = []
        self._values: list[float] = []

    @property
    def n_cols(self) -> int:
        return len(self.lower)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)

    def col(
        self,
        hi: float = 1.0,
        cost: float = 0.0,
        *,
        lo: float = 0.0,
        integer: bool = True,
        entries: Iterable[tuple[int, float]] = (),
    ) -> int:
        """A new column; ``entries`` are its (row, coefficient) pairs in rows made before."""
        c = len(self.lower)
        self.lower.append(lo)
        self.upper.append(hi)
        self.cost.append(cost)
        if integer:
            self.integer.append(c)
        for r, v in entries:
            self._rows.append(r)
            self._cols.append(c)
            self._values.append(v)
        return c

    def row(self, cols: Iterable[int], coefs: Iterable[float], lo: float, hi: float) -> int:
        """A new row ``lo <= sum(coefs * cols) <= hi`` (columns may be added to it later)."""
        r = len(self.row_lower)
        self.row_lower.append(lo)
        self.row_upper.append(hi)
        for c, v in zip(cols, coefs, strict=True):
            self._rows.append(r)
            self._cols.append(c)
            self._values.append(v)
        return r

    def highs(self, *, seed: int, relax: bool = False) -> highspy.Highs:
        """A HiGHS instance holding the model (integrality dropped with ``relax``)."""
        h = new_highs(seed=seed)
        empty = np.zeros(0, dtype=np.int64)
        h.addCols(
            self.n_cols, np.array(self.cost), np.array(self.lower), np.array(self.upper), 0, empty, empty, np.zeros(0)
        )
        rows = np.array(self._rows, dtype=np.int64)
        order = np.argsort(rows, kind="stable")
        starts = np.searchsorted(rows[order], np.arange(self.n_rows, dtype=np.int64)).astype(np.int64)
        h.addRows(
            self.n_rows,
            np.array(self.row_lower, dtype=np.float64),
            np.array(self.row_upper, dtype=np.float64),
            len(order),
            starts,
            np.array(self._cols, dtype=np.int64)[order],
            np.array(self._values, dtype=np.float64)[order],
        )
        if not relax and self.integer:
            ints = np.array(self.integer, dtype=np.int64)
            h.changeColsIntegrality(len(ints), ints, np.full(len(ints), int(highspy.HighsVarType.kInteger), np.uint8))
        return h


def add_row(h: highspy.Highs, costs: Vector, hi: float) -> None:
    """Add ``costs @ x <= hi`` to a model already in HiGHS (a level held at its value)."""
    nonzero = np.flatnonzero(costs)
    h.addRow(-INF, hi, len(nonzero), nonzero.astype(np.int64), costs[nonzero])


def run_checked(
    h: highspy.Highs, costs: Vector, start: Vector | None
) -> tuple[highspy.HighsModelStatus, highspy.HighsSolution, float]:
    """Run one stage from ``start``; the status, the solution and the proven dual bound (0 when none).

    HiGHS 1.x can report "optimal" and give back the start unchanged when
    presolve finds the start feasible in the reduced space, although a
    better solution exists. "Optimal" is believed only when the returned
    vector's own objective is within the proof's tolerance of the dual
    bound; otherwise the stage runs again without presolve and without the
    start, and if that still does not agree, the status is downgraded so
    the caller uses the dual bound alone.
    """
    status, found, dual = _run(h, start)
    if status == highspy.HighsModelStatus.kOptimal and not _agrees(found, costs, dual):
        h.setOptionValue("presolve", "off")
        try:
            h.clearSolver()
            status, found, dual = _run(h, None)
        finally:
            h.setOptionValue("presolve", "choose")
        if status == highspy.HighsModelStatus.kOptimal and not _agrees(found, costs, dual):
            status = highspy.HighsModelStatus.kNotset
    return status, found, dual


def _run(h: highspy.Highs, start: Vector | None) -> tuple[highspy.HighsModelStatus, highspy.HighsSolution, float]:
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start
        h.setSolution(solution)
    h.run()
    dual = h.getInfo().mip_dual_bound
    return h.getModelStatus(), h.getSolution(), dual if math.isfinite(dual) else 0.0


def _agrees(found: highspy.HighsSolution, costs: Vector, dual: float) -> bool:
    """Whether a solution's own objective is at most the (integral) dual bound rounded up: a real proof."""
    if not found.value_valid:
        return False
    value = float(np.dot(costs, np.array(found.col_value)))
    return value <= math.ceil(dual - 1e-6) + 1e-6
