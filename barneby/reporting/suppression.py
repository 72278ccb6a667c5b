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

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

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
    # Row node i is i, column node j is rows + 1 + j. Only positive entries are edges.
    offset = rows + 1
    adjacency: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    cost: dict[tuple[int, int], int] = {}
    for (i, j), v in grid.items():
        if v <= 0:
            continue
        adjacency.setdefault(i, []).append((offset + j, (i, j)))
        adjacency.setdefault(offset + j, []).append((i, (i, j)))
        marginals = (i == rows) + (j == columns)
        # A path of cells costs at most the grand total, so any path through a total is dearer.
        cost[i, j] = v + marginals * (everything + 1) * (1 + rows + columns)
    while True:
        open_bridges = bridges(hidden.keys(), offset)
        if not open_bridges:
            break
        bridge = min(open_bridges, key=lambda e: (hidden[e] is not Hidden.PRIMARY, -grid[e], e))
        path = _cheapest_path(bridge, offset, adjacency, cost, hidden)
        if path is None:  # cannot happen: every positive entry lies on a 4-cycle of positive entries
            raise RuntimeError(f"no way to protect entry {bridge}")
        for pos in path:
            hidden.setdefault(pos, Hidden.SECONDARY)
    _prune(hidden, offset, cost)


def _cheapest_path(
    bridge: tuple[int, int],
    offset: int,
    adjacency: dict[int, list[tuple[int, tuple[int, int]]]],
    cost: dict[tuple[int, int], int],
    hidden: dict[tuple[int, int], Hidden],
) -> list[tuple[int, int]] | None:
    """Dijkstra from the bridge's row node to its column node, not over the bridge itself."""
    source, target = bridge[0], offset + bridge[1]
    best: dict[int, int] = {source: 0}
    back: dict[int, tuple[int, tuple[int, int]]] = {}
    queue = [(0, source)]
    while queue:
        d, node = heapq.heappop(queue)
        if node == target:
            break
        if d > best.get(node, d):
            continue
        for other, pos in adjacency.get(node, ()):
            if pos == bridge:
                continue
            nd = d + (0 if pos in hidden else cost[pos])
            if nd < best.get(other, nd + 1):
                best[other] = nd
                back[other] = (node, pos)
                heapq.heappush(queue, (nd, other))
    if target not in back:
        return None
    path: list[tuple[int, int]] = []
    node = target
    while node != source:
        node, pos = back[node]
        path.append(pos)
    return path


def _prune(hidden: dict[tuple[int, int], Hidden], offset: int, cost: dict[tuple[int, int], int]) -> None:
    """Un-hide secondary entries, dearest first, where the hidden graph stays without a bridge."""
    for pos in sorted((p for p, why in hidden.items() if why is Hidden.SECONDARY), key=lambda p: -cost[p]):
        del hidden[pos]
        if _component_has_bridge(hidden.keys(), offset, pos):
            hidden[pos] = Hidden.SECONDARY


def _component_has_bridge(edges: Iterable[tuple[int, int]], offset: int, near: tuple[int, int]) -> bool:
    """Whether the components that held edge ``near`` have a bridge (the rest is untouched)."""
    all_edges = list(edges)
    adjacency = _adjacency(all_edges, offset)
    start = {near[0], offset + near[1]}
    seen: set[int] = set()
    stack = [n for n in start if n in adjacency]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(other for other, _ in adjacency[node] if other not in seen)
    local = [e for e in all_edges if e[0] in seen]
    return bool(bridges(local, offset))


def _adjacency(edges: Iterable[tuple[int, int]], offset: int) -> dict[int, list[tuple[int, tuple[int, int]]]]:
    adjacency: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for i, j in edges:
        adjacency.setdefault(i, []).append((offset + j, (i, j)))
        adjacency.setdefault(offset + j, []).append((i, (i, j)))
    return adjacency


def bridges(edges: Iterable[tuple[int, int]], offset: int) -> set[tuple[int, int]]:
    """The bridges of the bipartite graph whose edges are ``(row, column)`` pairs (iterative Tarjan)."""
    adjacency = _adjacency(edges, offset)
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    found: set[tuple[int, int]] = set()
    counter = 0
    for root in adjacency:
        if root in order:
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
