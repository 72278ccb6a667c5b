"""Placement matching: exact solver against the best-fit heuristic on a seeded instance family.

For each size (children) it builds ``barneby.matching.synthetic.instance``
(45 % single children, 30 % pairs, 15 % trios, 10 % groups of four to six;
homes of one to four places, about 1.05 places per child, three regions),
runs the heuristic and the solver in the same child process (sharing the
eligibility index, whose build time is counted in both), and reports wall
time, whether the answer is proven optimal (or its gap and on which level),
children unplaced, sibling groups split and total distance for both. Each
size runs in its own process with a hard kill, because HiGHS's own time
limit is not a hard wall-clock limit.

Each level is reported with the proven lower bound the result carries
(lexicographic: a level's bound holds only with every earlier level at its
bound, so after the first level not proven the later bounds are 0).

Targets (issue 13, restated): at 500 children, unplaced, splits and unmet
needs proven within 10 s, and distance within 8 % of its proven bound in the
same 10 s; never lexicographically worse than greedy at any size (the
lead's reading of "never worse than greedy on any level": a placement that
keeps more siblings together may travel further); at 30-150 children and
the batch run's default limit (30 s), within 2 % of the optimum on every
level. The optimum is computed in the same run: the per-home model of
barneby.matching.models.perhome from the solver's answer, with the levels it
proved held, for up to 15 minutes (at seed 0 it proves 100 children in
about 2 minutes and 150 in about 5); where it does not prove, its bound
stands in, which only makes the target harder. The solver's own proven
bound at these sizes is reported too: the contents LP stops 6-10 % below the
optimum (the sibling-split and unmet-needs budgets are met fractionally), so
the solver proves only the smallest of them. Whether distance is also at
most greedy's is reported per size, not a target. The load average is
recorded: on a shared machine the time limits buy less.

Run: .venv/bin/python bench/matching.py [--sizes 100,500] [--seed 0]
No Django needed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from barneby.matching import greedy, solve, violations
from barneby.matching.index import Index, default_index
from barneby.matching.models.perhome import SubProblem, solve_levels
from barneby.matching.problem import Solution
from barneby.matching.synthetic import instance

SIZES = (30, 60, 100, 150, 500, 1_000, 5_000, 20_000)
MEDIUM = (30, 150)  # the sizes the 2 % quality target covers
BATCH_DEFAULT_S = 30.0  # placements.MatchingRun.time_limit_s's default
HARD_KILL_MARGIN_S = 120  # index building and the last chunk run past the solver's own budget
REFERENCE_LIMIT_S = 900.0  # the per-home model's search for the optimum the medium sizes are measured against


def time_limit_for(n: int) -> float:
    if MEDIUM[0] <= n <= MEDIUM[1]:
        return BATCH_DEFAULT_S
    return 10.0 if n <= 500 else 60.0


def _run(n: int, seed: int, conn: Connection) -> None:
    problem = instance(n, seed=seed)
    # Eligibility and costs are computed once and shared; both wall times include it.
    started = time.perf_counter()
    index = default_index(problem)
    index_s = time.perf_counter() - started
    started = time.perf_counter()
    heuristic = greedy(problem, index=index)
    greedy_s = index_s + time.perf_counter() - started
    limit = time_limit_for(n)
    started = time.perf_counter()
    # The limit is for the whole answer: the index built above counts against it.
    exact = solve(problem, time_limit_s=max(0.1, limit - index_s), seed=seed, index=index)
    wall_s = index_s + time.perf_counter() - started
    conn.send(
        {
            "children": n,
            "homes": len(problem.homes),
            "time_limit_s": limit,
            "wall_s": round(wall_s, 2),
            "index_s": round(index_s, 2),
            "solver": exact.status.solver,
            "optimal": exact.status.optimal,
            "gap": exact.status.gap or 0.0,
            "gap_level": exact.status.gap_level or "",
            "unplaced_bound": exact.status.lower_bound.unplaced,
            "splits_bound": exact.status.lower_bound.splits,
            "unmet_needs_bound": exact.status.lower_bound.unmet_needs,
            "distance_bound_km": round(exact.status.lower_bound.distance_km),
            "unplaced": exact.costs.unplaced,
            "splits": exact.costs.splits,
            "unmet_needs": exact.costs.unmet_needs,
            "distance_km": round(exact.costs.distance_km),
            "valid": not violations(problem, exact.assignment),
            "greedy_s": round(greedy_s, 2),
            "greedy_unplaced": heuristic.costs.unplaced,
            "greedy_splits": heuristic.costs.splits,
            "greedy_unmet_needs": heuristic.costs.unmet_needs,
            "greedy_distance_km": round(heuristic.costs.distance_km),
            "distance_gap": (
                0.0
                if exact.costs.distance_hm == 0
                else (exact.costs.distance_hm - exact.status.lower_bound.distance_hm) / exact.costs.distance_hm
            ),
            "lexicographically_not_worse": exact.costs.as_tuple() <= heuristic.costs.as_tuple(),
            "load": round(os.getloadavg()[0], 1),
            **(_reference(index, exact, seed) if MEDIUM[0] <= n <= MEDIUM[1] else {}),
        }
    )
    conn.close()


def _reference(index: Index, exact: Solution, seed: int) -> dict[str, Any]:
    """The optimum the medium sizes are measured against: the per-home model with no practical time limit.

    It starts from the solver's answer (so it is never worse) and holds the
    levels the solver proved; when it does not prove distance either, its
    bound is reported instead, which only makes the target harder.
    """
    started = time.perf_counter()
    kids = list(range(len(index.children)))
    warm = {
        i: None if (home := exact.assignment[c.id]) is None else index.home_pos[home]
        for i, c in enumerate(index.children)
    }
    proven = exact.costs.as_tuple()[:3] == exact.status.lower_bound.as_tuple()[:3]
    result = solve_levels(
        index,
        SubProblem(kids=kids, capacity=[h.places for h in index.homes]),
        warm,
        time_limit_s=REFERENCE_LIMIT_S,
        seed=seed,
        known=exact.costs.as_tuple()[:3] if proven else (),
        levels=4,
    )
    return {
        "reference_proven": all(result.proven),
        "reference_s": round(time.perf_counter() - started, 1),
        "reference_unplaced": result.values[0] if result.proven[0] else result.bound[0],
        "reference_splits": result.values[1] if all(result.proven[:2]) else result.bound[1],
        "reference_unmet_needs": result.values[2] if all(result.proven[:3]) else result.bound[2],
        "reference_distance_km": round((result.values[3] if all(result.proven) else result.bound[3]) / 10),
    }


def measure(n: int, seed: int) -> dict[str, Any]:
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_run, args=(n, seed, send))
    process.start()
    send.close()
    deadline = time.monotonic() + time_limit_for(n) + HARD_KILL_MARGIN_S
    if MEDIUM[0] <= n <= MEDIUM[1]:
        deadline += REFERENCE_LIMIT_S
    result: dict[str, Any] | None = None
    if receive.poll(max(0.0, deadline - time.monotonic())):
        try:
            result = receive.recv()
        except EOFError:
            result = None
    if process.is_alive():
        process.kill()
    process.join()
    return result or {"children": n, "killed": True}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="comma-separated child counts")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    rows = []
    print(
        f"{'children':>8} {'homes':>6} {'wall s':>7} {'proven':>6} {'gap':>7} {'level':>11} {'dist gap':>8} "
        f"{'unplaced':>8} {'bound':>5} {'splits':>6} {'bound':>5} {'needs':>5} {'bound':>5} {'distance km':>11} {'bound':>9} | "
        f"{'greedy s':>8} {'unpl.':>5} {'splits':>6} {'needs':>5} {'distance km':>11}"
    )
    for n in sizes:
        row = measure(n, args.seed)
        rows.append(row)
        if row.get("killed"):
            print(f"{n:>8}  killed after the hard limit")
            continue
        print(
            f"{row['children']:>8} {row['homes']:>6} {row['wall_s']:>7.1f} {'yes' if row['optimal'] else 'no':>6} "
            f"{row['gap']:>7.2%} {row['gap_level'] or '-':>11} {row['distance_gap']:>8.2%} {row['unplaced']:>8} {row['unplaced_bound']:>5} {row['splits']:>6} "
            f"{row['splits_bound']:>5} {row['unmet_needs']:>5} {row['unmet_needs_bound']:>5} "
            f"{row['distance_km']:>11} {row['distance_bound_km']:>9} | {row['greedy_s']:>8.1f} "
            f"{row['greedy_unplaced']:>5} {row['greedy_splits']:>6} {row['greedy_unmet_needs']:>5} "
            f"{row['greedy_distance_km']:>11}",
            flush=True,
        )
        if "reference_distance_km" in row:
            print(
                f"{'':>8} optimum ({'proven' if row['reference_proven'] else 'not proven, its bound'} by the per-home "
                f"model in {row['reference_s']} s): unplaced {row['reference_unplaced']}, splits "
                f"{row['reference_splits']}, needs {row['reference_unmet_needs']}, distance "
                f"{row['reference_distance_km']} km; the solver's distance "
                f"{row['distance_km'] / max(row['reference_distance_km'], 1) - 1:+.1%}",
                flush=True,
            )

    figures: dict[str, Any] = {}
    for row in rows:
        n = row["children"]
        if row.get("killed"):
            figures[f"n{n}_killed"] = True
            continue
        for key in (
            "wall_s",
            "index_s",
            "optimal",
            "gap",
            "gap_level",
            "unplaced",
            "splits",
            "unplaced_bound",
            "splits_bound",
            "unmet_needs",
            "unmet_needs_bound",
            "distance_km",
            "distance_bound_km",
            "valid",
            "greedy_unplaced",
            "greedy_splits",
            "greedy_unmet_needs",
            "greedy_distance_km",
            "distance_gap",
            "lexicographically_not_worse",
            "load",
        ):
            figures[f"n{n}_{key}"] = row[key]
        for key in ("reference_proven", "reference_s", "reference_unplaced", "reference_splits"):
            if key in row:
                figures[f"n{n}_{key}"] = row[key]
        for key in ("reference_unmet_needs", "reference_distance_km"):
            if key in row:
                figures[f"n{n}_{key}"] = row[key]
    by_size = {row["children"]: row for row in rows if not row.get("killed")}
    all_run = len(by_size) == len(rows)
    levels = ("unplaced", "splits", "unmet_needs")
    targets = {
        "n500_levels_1_to_3_proven_within_10s": "n500: unplaced, splits and unmet needs equal their bounds, wall_s <= 10",
        "n500_distance_within_8pct_of_bound": "n500: distance_km <= 1.08 * distance_bound_km (levels 1-3 proven)",
        "never_worse_than_greedy": "every size: (unplaced, splits, unmet needs, distance) lexicographically <= greedy's",
        "medium_within_2pct_of_optimum_every_level": (
            "30-150 children: every level <= 1.02 * the optimum (the per-home model's in the same run, "
            f"up to {REFERENCE_LIMIT_S:.0f} s; its bound where it does not prove)"
        ),
        "every_solution_valid": "n*_valid for every size run",
    }

    def proven_to_needs(r: dict[str, Any]) -> bool:
        return all(r[level] == r[f"{level}_bound"] for level in levels)

    def within_optimum(r: dict[str, Any], share: float) -> bool:
        integral = all(r[level] <= int(r[f"reference_{level}"] * (1 + share)) for level in levels)
        return integral and r["distance_km"] <= r["reference_distance_km"] * (1 + share)

    n500 = by_size.get(500)
    medium = [r for n, r in by_size.items() if MEDIUM[0] <= n <= MEDIUM[1]]
    checks: dict[str, bool | None] = {
        "n500_levels_1_to_3_proven_within_10s": (
            None if n500 is None else proven_to_needs(n500) and n500["wall_s"] <= 10
        ),
        "n500_distance_within_8pct_of_bound": (
            None if n500 is None else proven_to_needs(n500) and n500["distance_km"] <= 1.08 * n500["distance_bound_km"]
        ),
        "never_worse_than_greedy": all_run and all(r["lexicographically_not_worse"] for r in by_size.values()),
        "medium_within_2pct_of_optimum_every_level": None
        if not medium
        else all_run and all(within_optimum(r, 0.02) for r in medium),
        "every_solution_valid": all(r["valid"] for r in by_size.values()) and all_run,
    }
    for n, r in sorted(by_size.items()):
        if r["distance_km"] > r["greedy_distance_km"]:
            print(
                f"note: at {n} children distance {r['distance_km']} km is above greedy's {r['greedy_distance_km']} km "
                f"(splits {r['splits']} against greedy's {r['greedy_splits']}, needs {r['unmet_needs']} against "
                f"{r['greedy_unmet_needs']})"
            )
    figures["load_average_1min"] = round(os.getloadavg()[0], 1)
    for name, ok in checks.items():
        verdict = "not measured (size not run)" if ok is None else "met" if ok else "NOT MET"
        print(f"target {name}: {targets[name]} -> {verdict}")
    # Every target must have been measured and met.
    met = all(ok is True for ok in checks.values())
    print(json.dumps({"bench": "matching", "figures": figures, "targets": targets, "met": met}))


if __name__ == "__main__":
    main()
