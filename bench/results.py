"""Results at global scale: key figures (cold and cached), every indicator for every programme, the Bergen report.

Seeds ``--scale global`` (the organisation register, care with 82,300
children and 352,500 people in family strengthening, and the results demo:
service returns and annual accounts) into a fresh SQLite file and, when the
local PostgreSQL server answers, a fresh PostgreSQL database, then in
separate processes, each on both databases:

* the seed itself;
* all key figures for this year, computed cold (cache cleared) and then read
  from the cache (median of 20 reads), and whether each equals seed 002;
* every indicator for every care and family-strengthening programme for last year;
* the municipality status report PDF for Bergen (4601), last year;

with the peak resident memory of each process (each measurement runs in its own).

Targets (issue 14): key figures ≤ 200 ms cached and ≤ 10 s cold, the Bergen PDF ≤ 3 s
(both databases), every indicator for every programme ≤ 60 s on PostgreSQL. A figure
not measured (PostgreSQL not reachable, ``--only``, or ``--scale national``) is not met.

Run: nice -n 10 .venv/bin/python bench/results.py [--only sqlite|postgresql] [--scale national]
(``--scale national`` is a quick trial of the bench itself; the targets count only at global scale).
"""

from __future__ import annotations

import argparse
import json
import operator
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fresh_postgres_database, manage, production_env, report, temp_dir

DATABASES = ("sqlite", "postgresql")
# figure (without the database prefix) → (comparison, limit), and on which databases it counts
TARGETS: dict[str, tuple[str, float, tuple[str, ...]]] = {
    "key_figures_cached_ms": ("<=", 200, DATABASES),
    "key_figures_cold_s": ("<=", 10, DATABASES),
    "all_indicators_s": ("<=", 60, ("postgresql",)),
    "bergen_pdf_s": ("<=", 3, DATABASES),
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}

SEED_002 = {
    "countries": 134,
    "villages": 573,
    "programmes": 2317,
    "children_in_care": 82_300,
    "people_in_strengthening": 352_500,
    "kindergarten_children": 23_100,
    "pupils": 107_700,
    "vocational_trainees": 16_600,
    "medical_centres": 75,
    "purpose_share": 82,
}

SEED = """
import json, resource, sys, time
from django.core.management import call_command
started = time.perf_counter()
call_command("seed_demo", "--scale", SCALE, "--seed", "1", "--only", "organisation", "--only", "care",
             "--only", "results", verbosity=0, stdout=sys.stderr)
print(json.dumps({"seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

KEY_FIGURES = """
import json, resource, statistics, time
from django.core.cache import cache
from django.utils import timezone
from barneby.results import keyfigures
year = timezone.localdate().year
cache.clear()
started = time.perf_counter()
cold = keyfigures.key_figures(year, refresh=True)
cold_s = time.perf_counter() - started
reads = []
for _ in range(20):
    started = time.perf_counter()
    keyfigures.key_figures(year)
    reads.append(time.perf_counter() - started)
print(json.dumps({"cold_s": cold_s, "cached_ms": 1000 * statistics.median(reads),
                  "values": {f.code: (float(f.value) if f.value is not None else None) for f in cold},
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

ALL_INDICATORS = """
import json, resource, time
from django.utils import timezone
from barneby.results.indicators import by_programme
from barneby.results.periods import Period
started = time.perf_counter()
found = by_programme(Period.year(timezone.localdate().year - 1))
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "programmes": len(found), "figures": sum(len(v) for v in found.values()),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PDF = """
import json, resource, time
from django.utils import timezone
from barneby.organisation.models import Municipality
from barneby.results import statusreport
bergen = Municipality.objects.get(number="4601")
year = timezone.localdate().year - 1
statusreport.pdf(statusreport.build(bergen, year - 1))  # warm up WeasyPrint's fonts once
started = time.perf_counter()
content = statusreport.pdf(statusreport.build(bergen, year))
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "bytes": len(content), "is_pdf": content.startswith(b"%PDF"),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def shell_json(env: dict[str, str], code: str, *, timeout: float = 1800) -> dict[str, Any]:
    out = manage(env, "shell", "--verbosity", "0", "--command", code, timeout=timeout).stdout
    line = next(line for line in reversed(out.splitlines()) if line.startswith("{"))
    value: dict[str, Any] = json.loads(line)
    return value


def postgres_reachable() -> bool:
    """Whether the local PostgreSQL server (the one ``fresh_postgres_database`` uses) answers."""
    try:
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=3):
            return True
    except Exception as error:  # no server, no driver, no access: all mean "not here"
        print(f"postgresql: not reachable ({type(error).__name__}: {error}); measured on SQLite only", flush=True)
        return False


def run(label: str, database_url: str, figures: dict[str, Any], *, scale: str = "global") -> None:
    with temp_dir() as var:
        env = production_env(var, database_url)
        manage(env, "migrate", "--no-input")
        seed = shell_json(env, f"SCALE = {scale!r}\n{SEED}", timeout=3600)
        figures[f"{label}_seed_s"] = round(seed["seconds"], 1)
        figures[f"{label}_seed_peak_mb"] = round(seed["peak_mb"], 1)
        print(f"{label}: seeded ({scale}) in {seed['seconds']:.1f} s, peak {seed['peak_mb']:.0f} MB", flush=True)

        keys = shell_json(env, KEY_FIGURES)
        figures[f"{label}_key_figures_cold_s"] = round(keys["cold_s"], 2)
        figures[f"{label}_key_figures_cached_ms"] = round(keys["cached_ms"], 2)
        figures[f"{label}_key_figures_peak_mb"] = round(keys["peak_mb"], 1)
        matches = {code: keys["values"].get(code) == value for code, value in SEED_002.items()}
        figures[f"{label}_key_figures_matching_seed"] = sum(matches.values())
        figures[f"{label}_key_figures_values"] = keys["values"]
        print(
            f"{label}: key figures cold {keys['cold_s']:.2f} s, cached {keys['cached_ms']:.2f} ms, "
            f"peak {keys['peak_mb']:.0f} MB; {keys['values']}; match seed 002: {matches}",
            flush=True,
        )

        every = shell_json(env, ALL_INDICATORS)
        figures[f"{label}_all_indicators_s"] = round(every["seconds"], 1)
        figures[f"{label}_all_indicators_programmes"] = every["programmes"]
        figures[f"{label}_all_indicators_peak_mb"] = round(every["peak_mb"], 1)
        print(
            f"{label}: {every['figures']} figures for {every['programmes']} programmes in {every['seconds']:.1f} s, "
            f"peak {every['peak_mb']:.0f} MB",
            flush=True,
        )

        pdf = shell_json(env, PDF)
        figures[f"{label}_bergen_pdf_s"] = round(pdf["seconds"], 2)
        figures[f"{label}_bergen_pdf_kb"] = round(pdf["bytes"] / 1024, 1)
        figures[f"{label}_bergen_pdf_peak_mb"] = round(pdf["peak_mb"], 1)
        print(
            f"{label}: Bergen status report PDF in {pdf['seconds']:.2f} s ({pdf['bytes']} bytes), "
            f"peak {pdf['peak_mb']:.0f} MB",
            flush=True,
        )


def check(figures: dict[str, Any], *, scale: str) -> tuple[dict[str, str], bool]:
    """The targets as text and whether every one is met; a figure not measured is not met."""
    targets: dict[str, str] = {}
    met = scale == "global"
    for name, (op, limit, databases) in TARGETS.items():
        for db in databases:
            targets[f"{db}_{name}"] = f"{op} {limit:g}"
            found = figures.get(f"{db}_{name}")
            met = met and found is not None and _COMPARE[op](found, limit)
    return targets, met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=DATABASES, help="measure one database (the targets then count as not met)")
    parser.add_argument(
        "--scale", choices=("global", "national"), default="global", help="national: a quick trial, targets not met"
    )
    parser.add_argument("--postgres", action="store_true", help="(kept for old scripts: PostgreSQL is always tried)")
    args = parser.parse_args()
    figures: dict[str, Any] = {"scale": args.scale}
    if args.only != "postgresql":
        run("sqlite", "", figures, scale=args.scale)
    if args.only != "sqlite" and postgres_reachable():
        run("postgresql", fresh_postgres_database("bench_results"), figures, scale=args.scale)
    targets, met = check(figures, scale=args.scale)
    report("results", figures, targets, met)


if __name__ == "__main__":
    main()
