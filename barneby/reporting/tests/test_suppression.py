"""Small-cell suppression: no hidden count can be worked out from what is published.

The attacker's view is a linear programme: the published cells and totals are constants, every
hidden count is a non-negative unknown, and each row and column must add up to its total (hidden
totals are unknowns too). A hidden count is safe when minimising and maximising it over that
programme gives different answers.
"""

from __future__ import annotations

import math
import random

import highspy
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barneby.reporting.suppression import Hidden, Suppressed, bridges, suppress

INF = highspy.kHighsInf


def _ranges(published: Suppressed, rows: int, columns: int) -> dict[tuple[int, int], tuple[float, float]]:
    """For every hidden entry of the extended table, its least and greatest value given the rest."""
    entries: dict[tuple[int, int], int | None] = {}
    for i in range(rows):
        for j in range(columns):
            entries[i, j] = published.cells[i][j]
        entries[i, columns] = published.row_totals[i]
    for j in range(columns):
        entries[rows, j] = published.column_totals[j]
    entries[rows, columns] = published.total
    unknowns = [pos for pos, v in entries.items() if v is None]
    index = {pos: k for k, pos in enumerate(unknowns)}
    # Row i of the extended table: cells - total = 0; likewise columns; the totals row: totals - grand = 0.
    equations: list[tuple[dict[int, float], float]] = []
    lines = [[(i, j) for j in range(columns + 1)] for i in range(rows + 1)]
    lines += [[(i, j) for i in range(rows + 1)] for j in range(columns + 1)]
    for line in lines:
        coefficients: dict[int, float] = {}
        constant = 0.0
        for pos in line:
            sign = -1.0 if pos == line[-1] else 1.0
            value = entries[pos]
            if value is None:
                coefficients[index[pos]] = coefficients.get(index[pos], 0.0) + sign
            else:
                constant -= sign * value
        if coefficients:
            equations.append((coefficients, constant))
        else:
            assert constant == 0
    result: dict[tuple[int, int], tuple[float, float]] = {}
    for pos in unknowns:
        bounds = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            h = highspy.Highs()  # type: ignore[no-untyped-call]
            h.setOptionValue("output_flag", False)
            n = len(unknowns)
            h.addVars(n, np.zeros(n), np.full(n, INF))
            for coefficients, constant in equations:
                keys = sorted(coefficients)
                h.addRow(
                    constant,
                    constant,
                    len(keys),
                    np.array(keys, dtype=np.int32),
                    np.array([coefficients[k] for k in keys]),
                )
            h.changeColCost(index[pos], 1.0)
            h.changeObjectiveSense(sense)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:
                bounds.append(math.inf)
            else:
                assert status == highspy.HighsModelStatus.kOptimal, status
                bounds.append(h.getInfo().objective_function_value)
        result[pos] = (bounds[0], bounds[1])
    return result


def _check(table: list[list[int]], small: int) -> Suppressed:
    published = suppress(table, small=small)
    rows, columns = len(table), len(table[0])
    # Every count under the threshold is hidden; no zero is hidden; shown counts are the true ones.
    for i, row in enumerate(table):
        for j, v in enumerate(row):
            shown = published.cells[i][j]
            assert shown is None or shown == v
            assert (0 < v < small) <= (shown is None)
            assert v > 0 or shown == 0
    for i, row in enumerate(table):
        total = sum(row)
        assert published.row_totals[i] in (None, total)
        assert (0 < total < small) <= (published.row_totals[i] is None)
    for j in range(columns):
        total = sum(row[j] for row in table)
        assert published.column_totals[j] in (None, total)
        assert (0 < total < small) <= (published.column_totals[j] is None)
    # Nothing hidden can be worked out.
    for pos, (low, high) in _ranges(published, rows, columns).items():
        assert low < high - 1e-6, f"{pos} is pinned to {low} in {table}"
    return published


@st.composite
def tables(draw: st.DrawFn) -> list[list[int]]:
    rows = draw(st.integers(1, 6))
    columns = draw(st.integers(1, 6))
    value = st.one_of(st.integers(0, 4), st.integers(0, 30), st.just(0))
    return [[draw(value) for _ in range(columns)] for _ in range(rows)]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(), small=st.integers(1, 8))
def test_no_suppressed_cell_can_be_derived(table: list[list[int]], small: int) -> None:
    _check(table, small)


def test_a_lone_small_cell_in_a_row_takes_a_partner_in_its_row_and_column() -> None:
    published = _check([[10, 3, 8], [7, 12, 9], [20, 6, 2]], 5)
    assert published.cells == [[10, None, None], [7, 12, 9], [20, None, None]]
    assert published.row_totals == [21, 28, 28]
    assert published.total == 77
    # The secondary cells are the two cheapest that close the cycle (8 and 6, not 12 and 9).
    assert {pos for pos, why in published.hidden.items() if why is Hidden.SECONDARY} == {(0, 2), (2, 1)}


def test_only_primary_cells_hidden_when_they_already_protect_each_other() -> None:
    published = _check([[2, 3, 10], [4, 1, 10], [10, 10, 10]], 5)
    assert published.secondary == 0
    assert published.cells[2] == [10, 10, 10]


def test_a_small_row_total_is_hidden_and_protected() -> None:
    published = _check([[1, 2, 0], [10, 20, 30], [15, 12, 9]], 5)
    assert published.row_totals[0] is None  # 3 children in the first municipality
    assert published.total == 99  # the grand total is dear and stays


def test_a_single_column_hides_the_two_smallest_rows() -> None:
    published = _check([[3], [10], [20], [7]], 5)
    assert published.cells == [[None], [10], [20], [None]]


def test_a_table_with_nothing_small_is_published_whole() -> None:
    published = _check([[0, 5], [6, 0]], 5)
    assert published.hidden == {}
    assert published.cells == [[0, 5], [6, 0]]


def test_a_tiny_table_hides_everything() -> None:
    published = _check([[3]], 5)
    assert published.cells == [[None]]
    assert published.total is None


def test_bridges_of_a_path_and_a_cycle() -> None:
    assert bridges([(0, 0), (1, 0)], 2) == {(0, 0), (1, 0)}
    assert bridges([(0, 0), (0, 1), (1, 0), (1, 1)], 2) == set()
    assert bridges([(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)], 2) == {(1, 2)}


def test_a_larger_sparse_table_stays_safe() -> None:
    rng = random.Random(14)
    table = [[rng.choice([0, 0, 1, 2, 3, 6, 9, 14, 40]) for _ in range(8)] for _ in range(25)]
    published = _check(table, 5)
    assert published.secondary > 0
