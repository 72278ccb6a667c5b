"""Reporting: the IATI export of the global demo's 2,317 programmes, and small-cell suppression of a large table.

Builds its own data: a fresh SQLite database in a temporary directory, migrated, with the
organisation register at global scale (134 associations, 2,317 programmes) and the reporting app's
demo IATI data for every programme. Then, in that child process, the export of every programme as
one IATI 2.03 document (our rules and the XSD with lxml), three times; wall time and the export's
own peak memory (tracemalloc) and the process's peak RSS. With a global target for every indicator
the export also computes results (barneby.results.by_programme, this year and last); the register
alone has no children, so that run measures the results path's overhead, not the indicators at scale
(bench/results.py does those).

Suppression: random tables (rows by columns, a third of the cells under the threshold) through
``suppress``, checked afterwards (no hidden entry is a bridge). Run: .venv/bin/python bench/reporting.py
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import PYTHON, ROOT, manage, production_env, report, temp_dir

TARGETS = {
    "iati_export_s": "<= 15 (all 2,317 programmes, rules and XSD validation)",
    "iati_valid": "== 1 (the global demo's export passes the rules and the schema)",
    "suppress_large_s": "<= 10 (1,000 x 40 table, 3 % of the cells under the threshold)",
}
PROGRAMMES = 2317
T = TypeVar("T")


def inner() -> None:
    """In the child process: seed the register and the IATI data, then time the export."""
    import resource
    import tracemalloc

    import django

    django.setup()
    from django.db.models import Q
    from django.utils import timezone

    from barneby.core.demo import DemoContext
    from barneby.organisation.demo import seed_organisation
    from barneby.organisation.models import Programme
    from barneby.reporting import iati, selectors
    from barneby.reporting.demo import seed_iati
    from barneby.results import indicators
    from barneby.results.models import Target

    def quiet(items: Iterable[T], *, desc: str, total: int | None = None) -> Iterator[T]:
        yield from items

    figures: dict[str, float] = {}
    started = time.perf_counter()
    seed_organisation(DemoContext(scale="global", seed=1, progress=quiet))
    figures["seed_register_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    seed_iati(DemoContext(scale="global", seed=1, progress=quiet))
    figures["seed_iati_s"] = round(time.perf_counter() - started, 1)
    programmes = Programme.objects.all()
    figures["programmes"] = programmes.count()
    today = timezone.localdate()
    now = timezone.now()
    iati.schema()  # read once per process, as a server would
    times = []
    result = None
    for _ in range(3):
        started = time.perf_counter()
        result = selectors.export_for(programmes, today=today, now=now, year=today.year)
        times.append(time.perf_counter() - started)
    assert result is not None
    figures["iati_export_s"] = round(min(times), 2)
    figures["iati_export_max_s"] = round(max(times), 2)
    figures["iati_activities"] = result.activities
    figures["iati_problems"] = len(result.problems)
    figures["iati_schema_errors"] = len(result.schema_errors)
    figures["iati_valid"] = int(result.ok and result.activities == figures["programmes"])
    figures["iati_xml_mb"] = round(len(result.xml) / 1e6, 1)
    tracemalloc.start()
    selectors.export_for(programmes, today=today, now=now, year=today.year)
    figures["iati_export_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
    tracemalloc.stop()
    # The results path: a global target for every indicator, so every care programme is computed.
    for code in indicators.INDICATORS:
        Target.objects.create(code=code, unit="global", period=str(today.year), value=50)
    started = time.perf_counter()
    with_results = selectors.export_for(programmes, today=today, now=now, year=today.year)
    figures["iati_export_with_results_path_s"] = round(time.perf_counter() - started, 2)
    figures["iati_with_results_valid"] = int(with_results.ok)
    figures["iati_with_results_programmes_computed"] = Programme.objects.filter(
        Q(type__in=["family_village", "family_community", "sibling_foster", "unaccompanied", "youth"])
        | Q(type="family_strengthening")
    ).count()
    figures["child_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


def suppression(figures: dict[str, float]) -> None:
    from barneby.reporting.suppression import bridges, suppress

    # (name, rows, columns, share of cells under the threshold): many small cells protect each other;
    # few small cells each need secondary cells, the hard case.
    for name, rows, columns, share in (
        ("suppress_medium", 100, 10, 0.33),
        ("suppress_large_dense", 1000, 40, 0.33),
        ("suppress_large", 1000, 40, 0.03),
    ):
        rng = random.Random(14)
        table = [
            [
                rng.randint(1, 4) if rng.random() < share else rng.choice([0, 0, 5, 9, 14, 25, 60, 120])
                for _ in range(columns)
            ]
            for _ in range(rows)
        ]
        started = time.perf_counter()
        published = suppress(table, small=5)
        seconds = time.perf_counter() - started
        assert not bridges(published.hidden, rows + 1), "a hidden entry can be worked out"
        hidden_value = sum(table[i][j] for (i, j) in published.hidden if i < rows and j < columns)
        figures[f"{name}_s"] = round(seconds, 2)
        figures[f"{name}_cells"] = rows * columns
        figures[f"{name}_primary"] = published.primary
        figures[f"{name}_secondary"] = published.secondary
        figures[f"{name}_hidden_value_share"] = round(hidden_value / max(1, sum(map(sum, table))), 3)


def main() -> None:
    figures: dict[str, float] = {}
    with temp_dir() as var:
        env = production_env(var, f"sqlite:///{var / 'bench.sqlite3'}")
        manage(env, "migrate", "--no-input")
        child = subprocess.run(
            [PYTHON, __file__, "--inner"], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=1800
        )
        figures.update(json.loads(child.stdout.strip().splitlines()[-1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    suppression(figures)
    met = (
        figures["iati_export_s"] <= 15
        and figures["iati_valid"] == 1
        and figures["programmes"] == PROGRAMMES
        and figures["suppress_large_s"] <= 10
    )
    report("reporting", figures, TARGETS, met)


if __name__ == "__main__":
    if "--inner" in sys.argv:
        inner()
    else:
        main()
