"""The public website: the home page, a theme page, the key figures page and the map page against the bare view.

Seeds the organisation register, the results demo (service returns and
annual accounts, for the key figures) and the demo website (``--scale
national``, or ``global`` for the register of 134 countries) into a fresh
SQLite file, starts gunicorn with production settings (DEBUG off, whitenoise,
throwaway secrets) on a free loopback port, and measures each page as an
anonymous first-time visitor (no cookies), with ``/ping`` (Django's floor: the
whole middleware stack and a view that answers "ok", what a page served from
Django's cache costs at the least) measured in the same run:

* throughput (requests per second, four keep-alive clients) as a ratio to the bare view;
* p50 and p95 latency;
* the page's weight: its HTML plus every stylesheet and script it links, each gzip-compressed
  (level 6, as a web server would), without images.

The machine is shared, so its load drifts during a run: the bare view and the pages are measured in
``--rounds`` alternating rounds, and each figure is the median over the rounds of what was measured in
the same round (a page's throughput against the bare view's just before it).

Targets (issue 16): each page ≥ 0.5 of the bare view's throughput, each page under 100 kB
compressed, no errors. The caches start cold; the measurement's warm-up fills them, as the
first visitors would.

Run: nice -n 10 .venv/bin/python bench/public.py [--scale global] [--requests 900] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Measurement, check_targets, get, manage, measure, production_env, report, serve, table, temp_dir

BARE = "/ping"
PAGES = {
    "home": "/",
    "theme": "/sosken-sammen/",
    "key_figures": "/nokkeltall/",
    "map": "/hvor-vi-jobber/",
}
RATIO_TARGET = 0.5
KB_TARGET = 99.9  # "under 100 kB", to one decimal
ASSETS = re.compile(rb'<link rel="stylesheet" href="([^"]+)"|<script[^>]* src="([^"]+)"')


def weight_kb(port: int, path: str) -> float:
    """HTML + linked CSS and JS of ``path``, each gzip-compressed, in kB (images not counted)."""
    status, html = get(port, path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}, not 200")
    total = len(gzip.compress(html, compresslevel=6))
    for match in ASSETS.finditer(html):
        asset = (match.group(1) or match.group(2)).decode()
        if asset.startswith(("http://", "https://", "//")):
            raise RuntimeError(f"{path} links {asset}: the public pages load nothing from other sites")
        asset_status, body = get(port, asset)
        if asset_status != 200:
            raise RuntimeError(f"{asset} (linked from {path}) answered {asset_status}")
        total += len(gzip.compress(body, compresslevel=6))
    return total / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["national", "global"], default="national")
    parser.add_argument("--requests", type=int, default=900, help="requests per path, over all rounds")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    per_round = max(40, args.requests // args.rounds)
    rounds: list[tuple[Measurement, dict[str, Measurement]]] = []
    with temp_dir() as var:
        env = production_env(var)
        manage(env, "migrate", "--no-input")
        generators = ("organisation", "results", "website")
        manage(env, "seed_demo", "--scale", args.scale, "--seed", "1", *(f"--only={g}" for g in generators))
        with serve(env) as server:
            weights = {name: weight_kb(server.port, path) for name, path in PAGES.items()}
            for _ in range(args.rounds):
                bare = measure(server.port, BARE, requests=per_round, concurrency=4, max_seconds=40)
                pages = {
                    name: measure(server.port, path, requests=per_round, concurrency=4, max_seconds=40)
                    for name, path in PAGES.items()
                }
                rounds.append((bare, pages))
                table([bare, *pages.values()])

    def median(values: list[float]) -> float:
        return float(statistics.median(values))

    figures: dict[str, float] = {
        "bare_rps": round(median([b.rps for b, _p in rounds]), 1),
        "bare_p95_ms": round(median([b.p95_ms for b, _p in rounds]), 2),
    }
    targets: dict[str, tuple[str, float]] = {"errors": ("==", 0)}
    for name in PAGES:
        figures[f"{name}_rps"] = round(median([p[name].rps for _b, p in rounds]), 1)
        figures[f"{name}_rps_ratio"] = round(median([p[name].rps / b.rps if b.rps else 0.0 for b, p in rounds]), 3)
        figures[f"{name}_p50_ms"] = round(median([p[name].p50_ms for _b, p in rounds]), 2)
        figures[f"{name}_p95_ms"] = round(median([p[name].p95_ms for _b, p in rounds]), 2)
        figures[f"{name}_kb_gzip"] = round(weights[name], 1)
        targets[f"{name}_rps_ratio"] = (">=", RATIO_TARGET)
        targets[f"{name}_kb_gzip"] = ("<=", KB_TARGET)
    figures["errors"] = sum(b.errors + sum(m.errors for m in p.values()) for b, p in rounds)
    figures["rounds"] = len(rounds)
    text, met = check_targets(figures, targets)
    report("public", figures, text, met)


if __name__ == "__main__":
    main()
