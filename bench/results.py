"""Results at global scale: key figures (cold and cached), every indicator for every programme, the Bergen report.

Seeds ``--scale global`` (the organisation register, care with 82,300
children and 352,500 people in family strengthening, and the results demo:
service returns and annual accounts) into a fresh SQLite file (and, with
``--postgres``, a fresh PostgreSQL database), then in separate processes:

* all key figures for this year, computed cold (cache cleared) and then read
  from the cache (median of 20 reads), and whether each equals seed 002;
* every indicator for every care and family-strengthening programme for last year;
* the municipality status report PDF for Bergen (4601), last year;

with the peak resident memory of each process.

Run: nice -n 10 .venv/bin/python bench/results.py [--postgres]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import check_targets, fresh_postgres_database, manage, production_env, report, temp_dir

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


def shell_json(env: dict[str, str], code: str) -> dict[str, Any]:
    out = manage(env, "shell", "--verbosity", "0", "--command", code, timeout=1800).stdout
    line = next(line for line in reversed(out.splitlines()) if line.startswith("{"))
    value: dict[str, Any] = json.loads(line)
    return value


def run(label: str, database_url: str, figures: dict[str, Any]) -> None:
    with temp_dir() as var:
        env = production_env(var, database_url)
        manage(env, "migrate", "--no-input")
        started = time.perf_counter()
        manage(
            env,
            "seed_demo",
            "--scale",
            "global",
            "--seed",
            "1",
            *("--only", "organisation", "--only", "care", "--only", "results"),
            "--verbosity",
            "0",
            timeout=3600,
        )
        figures[f"seed_{label}_s"] = round(time.perf_counter() - started, 1)
        print(f"{label}: seeded in {figures[f'seed_{label}_s']} s", flush=True)

        keys = shell_json(env, KEY_FIGURES)
        figures[f"{label}_key_figures_cold_s"] = round(keys["cold_s"], 2)
        figures[f"{label}_key_figures_cached_ms"] = round(keys["cached_ms"], 2)
        figures[f"{label}_key_figures_peak_mb"] = round(keys["peak_mb"], 1)
        matches = {code: keys["values"].get(code) == value for code, value in SEED_002.items()}
        figures[f"{label}_key_figures_matching_seed"] = sum(matches.values())
        figures[f"{label}_key_figures_values"] = keys["values"]
        print(f"{label}: key figures {keys['values']}; match seed 002: {matches}", flush=True)

        every = shell_json(env, ALL_INDICATORS)
        figures[f"{label}_all_indicators_s"] = round(every["seconds"], 1)
        figures[f"{label}_all_indicators_programmes"] = every["programmes"]
        figures[f"{label}_all_indicators_peak_mb"] = round(every["peak_mb"], 1)
        print(f"{label}: {every['figures']} figures for {every['programmes']} programmes in {every['seconds']:.1f} s")

        pdf = shell_json(env, PDF)
        figures[f"{label}_bergen_pdf_s"] = round(pdf["seconds"], 2)
        figures[f"{label}_bergen_pdf_kb"] = round(pdf["bytes"] / 1024, 1)
        figures[f"{label}_bergen_pdf_peak_mb"] = round(pdf["peak_mb"], 1)
        print(f"{label}: Bergen status report PDF in {pdf['seconds']:.2f} s ({pdf['bytes']} bytes)", flush=True)


def main() -> None:
    figures: dict[str, Any] = {}
    run("sqlite", "", figures)
    limits: dict[str, tuple[str, float]] = {
        "sqlite_key_figures_cached_ms": ("<=", 200),
        "sqlite_key_figures_cold_s": ("<=", 10),
        "sqlite_bergen_pdf_s": ("<=", 3),
    }
    if "--postgres" in sys.argv:
        run("postgresql", fresh_postgres_database("bench_results"), figures)
        limits.update(
            {
                "postgresql_key_figures_cached_ms": ("<=", 200),
                "postgresql_key_figures_cold_s": ("<=", 10),
                "postgresql_all_indicators_s": ("<=", 60),
                "postgresql_bergen_pdf_s": ("<=", 3),
            }
        )
    targets, met = check_targets(figures, limits)
    report("results", figures, targets, met)


if __name__ == "__main__":
    main()
