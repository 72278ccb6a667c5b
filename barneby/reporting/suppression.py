"""Small-cell suppression of a two-way table published with its row and column totals.

Pure Python, no Django: the threshold is passed in (``threshold()`` reads the setting for callers
inside Barneby).

**Primary** suppression hides every count ``0 < v < threshold`` — cells, and row, column and grand
totals alike (a small row total reveals a small group just as a small cell does). Zeros need no
protection and are never hidden.

**Secondary** suppression hides enough further counts that no hidden value can be worked out
exactly from what is published. The model (Gusfield 1988; Cox 1980): extend the table with its totals
as an extra row and column of *negated* totals and the grand total in the corner; then every row and
every column of the extended table sums to zero, and those are all the equations a reader has. Draw
each hidden entry ``(i, j)`` as an edge between row node ``i`` and column node ``j``. A hidden value is
fixed by the published figures exactly when its edge is a *bridge* (on no cycle): summing the
equations of one side of the bridge isolates it. An edge on a cycle is not fixed: adding ``+e, -e, ...``
around the cycle keeps every row and column sum, and keeps every hidden value non-negative for a small
``e`` because hidden values are all positive (zeros are never hidden). So the hidden set is safe when
its graph has no bridge.

Secondary cells are chosen greedily: while some hidden edge is a bridge, the cheapest path between
its two ends that avoids it (already hidden entries cost nothing; a cell costs its value, so small
cells are preferred and the information lost stays low; totals cost more than every cell together,
so a total is only hidden when no path of cells exists) is hidden, which closes a cycle through the
bridge. A final pass un-hides secondary entries, dearest first, where the rest stays bridgeless.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = ["Hidden", "Suppressed", "bridges", "suppress", "threshold"]


class Hidden(StrEnum):
    PRIMARY = "primary"  # below the threshold
    SECONDARY = "secondary"  # hidden so that a primary cannot be worked out


@dataclass(frozen=True)
class Suppressed:
    """A published table: ``None`` wherever a count is hidden.

    ``hidden`` maps positions in the extended table to the reason: ``(i, j)`` with ``i < rows`` and
    ``j < columns`` is a cell, ``(i, columns)`` row ``i``'s total, ``(rows, j)`` column ``j``'s total and
    ``(rows, columns)`` the grand total.
    """

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None
    threshold: int
    hidden: dict[tuple[int, int], Hidden] = field(default_factory=dict)

    @property
    def primary(self) -> int:
        return sum(1 for why in self.hidden.values() if why is Hidden.PRIMARY)

    @property
    def secondary(self) -> int:
        return sum(1 for why in self.hidden.values() if why is Hidden.SECONDARY)

    def as_dict(self) -> dict[str, object]:
        return {
            "cells": self.cells,
            "row_totals": self.row_totals,
            "column_totals": self.column_totals,
            "total": self.total,
            "threshold": self.threshold,
        }


def threshold() -> int:
    """The small-cell threshold of the settings (the one care's figures use)."""
    from django.conf import settings

    return int(settings.CARE_SMALL_CELL)


def suppress(table: Sequence[Sequence[int]], *, small: int | None = None) -> Suppressed:
    """Suppress ``table`` (rows of non-negative ints, all of one length) for publication with totals."""
    small = threshold() if small is None else small
    if small < 1:
        raise ValueError("the threshold must be at least 1")
    rows = len(table)
    columns = len(table[0]) if rows else 0
    if any(len(row) != columns for row in table):
        raise ValueError("every row must have the same number of columns")
    if any(v < 0 for row in table for v in row):
        raise ValueError("counts cannot be negative")
    grid = _extended(table, rows, columns)
    hidden = {pos: Hidden.PRIMARY for pos, v in grid.items() if 0 < v < small}
    _secondary(grid, rows, columns, hidden)
    cells: list[list[int | None]] = [
        [None if (i, j) in hidden else table[i][j] for j in range(columns)] for i in range(rows)
    ]
    return Suppressed(
        cells=cells,
        row_totals=[None if (i, columns) in hidden else grid[i, columns] for i in range(rows)],
        column_totals=[None if (rows, j) in hidden else grid[rows, j] for j in range(columns)],
        total=None if (rows, columns) in hidden else grid[rows, columns],
        threshold=small,
        hidden=hidden,
    )


def _extended(table: Sequence[Sequence[int]], rows: int, columns: int) -> dict[tuple[int, int], int]:
    """Every entry of the table with its totals (row ``rows`` and column ``columns``), zeros included."""
    grid: dict[tuple[int, int], int] = {}
    column_totals = [0] * columns
    for i, row in enumerate(table):
        for j, v in enumerate(row):
            grid[i, j] = int(v)
            column_totals[j] += int(v)
        grid[i, columns] = sum(int(v) for v in row)
    for j, v in enumerate(column_totals):
        grid[rows, j] = v
    grid[rows, columns] = sum(column_totals)
    return grid


def _secondary(
    grid: dict[tuple[int, int], int], rows: int, columns: int, hidden: dict[tuple[int, int], Hidden]
) -> None:
    """Add secondary suppressions to ``hidden`` until its graph has no bridge, then prune."""
    if not hidden:
        return
    everything = grid[rows, columns]
    # The cost of hiding each entry of the extended table: its value; totals cost more than every cell
    # together (a path of cells costs at most the grand total); zeros cannot be hidden (infinite).
    cost = np.full((rows + 1, columns + 1), np.inf)
    for (i, j), v in grid.items():
        if v > 0:
            marginals = (i == rows) + (j == columns)
            cost[i, j] = v + marginals * (everything + 1) * (1 + rows + columns)
    effective = cost.copy()  # what a path pays: nothing for an entry already hidden
    for i, j in hidden:
        effective[i, j] = 0.0
    offset = rows + 1
    while True:
        open_bridges = bridges(hidden.keys(), offset)
        if not open_bridges:
            break
        # One pass over the bridges found; an edge on a cycle closed in this pass is skipped. A bridge that
        # another new cycle closed unseen gets a path it did not need, which the pruning takes away again.
        covered: set[tuple[int, int]] = set()
        for bridge in sorted(open_bridges, key=lambda e: (hidden[e] is not Hidden.PRIMARY, -grid[e], e)):
            if bridge in covered:
                continue
            path = _cheapest_path(bridge, effective)
            if path is None:  # cannot happen: every positive entry lies on a 4-cycle of positive entries
                raise RuntimeError(f"no way to protect entry {bridge}")
            for pos in path:
                hidden.setdefault(pos, Hidden.SECONDARY)
                effective[pos] = 0.0
            covered.update(path)
            covered.add(bridge)
    _prune(hidden, offset, cost)


def _cheapest_path(bridge: tuple[int, int], effective: npt.NDArray[np.float64]) -> list[tuple[int, int]] | None:
    """The cheapest path from the bridge's row to its column that does not use the bridge (Dijkstra).

    Dense and vectorised: every node at the least open distance is settled at once and relaxes all its
    edges in one array operation, so a large hidden component (all at distance 0) costs a few steps.
    """
    r0, c0 = bridge
    n_rows, n_columns = effective.shape
    saved = effective[r0, c0]
    effective[r0, c0] = np.inf
    try:
        dist_r = np.full(n_rows, np.inf)
        dist_c = np.full(n_columns, np.inf)
        done_r = np.zeros(n_rows, dtype=bool)
        done_c = np.zeros(n_columns, dtype=bool)
        from_c = np.full(n_rows, -1)  # a row: the column it was reached from
        from_r = np.full(n_columns, -1)  # a column: the row it was reached from
        dist_r[r0] = 0.0
        all_r, all_c = np.arange(n_rows), np.arange(n_columns)
        while True:
            open_r = np.where(done_r, np.inf, dist_r)
            open_c = np.where(done_c, np.inf, dist_c)
            d = min(open_r.min(), open_c.min())
            if not np.isfinite(d):
                return None
            if dist_c[c0] <= d:
                break
            frontier_r = np.flatnonzero(open_r == d)
            frontier_c = np.flatnonzero(open_c == d)
            done_r[frontier_r] = True
            done_c[frontier_c] = True
            if frontier_r.size:
                sub = effective[frontier_r, :]
                pick = sub.argmin(axis=0)
                best = d + sub[pick, all_c]
                better = (best < dist_c) & ~done_c
                dist_c[better] = best[better]
                from_r[better] = frontier_r[pick[better]]
            if frontier_c.size:
                sub = effective[:, frontier_c]
                pick = sub.argmin(axis=1)
                best = d + sub[all_r, pick]
                better = (best < dist_r) & ~done_r
                dist_r[better] = best[better]
                from_c[better] = frontier_c[pick[better]]
        path: list[tuple[int, int]] = []
        column = c0
        while True:
            row = int(from_r[column])
            path.append((row, column))
            if row == r0:
                return path
            column = int(from_c[row])
            path.append((row, column))
    finally:
        effective[r0, c0] = saved


def _prune(hidden: dict[tuple[int, int], Hidden], offset: int, cost: npt.NDArray[np.float64]) -> None:
    """Un-hide secondary entries, dearest first, where the hidden graph stays without a bridge."""
    adjacency = _adjacency(hidden.keys(), offset)
    for pos in sorted((p for p, why in hidden.items() if why is Hidden.SECONDARY), key=lambda p: (-cost[p], p)):
        u, v = pos[0], offset + pos[1]
        adjacency[u].remove((v, pos))
        adjacency[v].remove((u, pos))
        if _bridges(adjacency, [u, v]):
            adjacency[u].append((v, pos))
            adjacency[v].append((u, pos))
        else:
            del hidden[pos]


def _adjacency(edges: Iterable[tuple[int, int]], offset: int) -> dict[int, list[tuple[int, tuple[int, int]]]]:
    adjacency: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for i, j in edges:
        adjacency.setdefault(i, []).append((offset + j, (i, j)))
        adjacency.setdefault(offset + j, []).append((i, (i, j)))
    return adjacency


def bridges(edges: Iterable[tuple[int, int]], offset: int) -> set[tuple[int, int]]:
    """The bridges of the bipartite graph whose edges are ``(row, column)`` pairs (row ``i`` is node ``i``,
    column ``j`` node ``offset + j``)."""
    adjacency = _adjacency(edges, offset)
    return _bridges(adjacency, list(adjacency))


def _bridges(adjacency: dict[int, list[tuple[int, tuple[int, int]]]], roots: Iterable[int]) -> set[tuple[int, int]]:
    """The bridges of the components of ``roots`` (iterative Tarjan)."""
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    found: set[tuple[int, int]] = set()
    counter = 0
    for root in roots:
        if root in order or root not in adjacency:
            continue
        order[root] = low[root] = counter
        counter += 1
        # (node, edge used to reach it, iterator over its neighbours)
        stack = [(root, (-1, -1), iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for other, pos in neighbours:
                if pos == via:
                    continue
                if other in order:
                    low[node] = min(low[node], order[other])
                else:
                    order[other] = low[other] = counter
                    counter += 1
                    stack.append((other, pos, iter(adjacency[other])))
                    advanced = True
                    break
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.add(via)
    return found
