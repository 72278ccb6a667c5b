"""HiGHS plumbing shared by every model: a configured instance, and a run whose "optimal" is checked."""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator

import highspy
import numpy as np
import numpy.typing as npt

INF = highspy.kHighsInf

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


def run_checked(
    h: highspy.Highs, costs: npt.NDArray[np.float64], start: npt.NDArray[np.float64] | None
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


def _run(
    h: highspy.Highs, start: npt.NDArray[np.float64] | None
) -> tuple[highspy.HighsModelStatus, highspy.HighsSolution, float]:
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start
        h.setSolution(solution)
    h.run()
    dual = h.getInfo().mip_dual_bound
    return h.getModelStatus(), h.getSolution(), dual if math.isfinite(dual) else 0.0


def _agrees(found: highspy.HighsSolution, costs: npt.NDArray[np.float64], dual: float) -> bool:
    """Whether a solution's own objective is at most the (integral) dual bound rounded up: a real proof."""
    if not found.value_valid:
        return False
    value = float(np.dot(costs, np.array(found.col_value)))
    return value <= math.ceil(dual - 1e-6) + 1e-6
