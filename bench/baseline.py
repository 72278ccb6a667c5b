"""Baseline: the bare view and the sign-in page on the production-like server.

(a) GET /ping is Django's floor: the middleware stack and a view returning
"ok". (b) GET /konto/logg-inn/ is a full page: templates, a form, CSRF,
i18n and security headers. Later benchmarks hold their pages against (a)
measured in the same run, so a slower or busier machine moves both.

Run: .venv/bin/python bench/baseline.py (about 15 s; loopback only).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import check_targets, measure_urls, production_server, report, table

BARE = "/ping"
SIGN_IN = "/konto/logg-inn/"

# The sign-in page must feel instant (p95 under 50 ms with four clients),
# and may cost up to five bare requests of server time (rps ratio ≥ 0.2)
# and eight at the tail (p95 ratio ≤ 8). Any error fails the run.
TARGETS: dict[str, tuple[str, float]] = {
    "sign_in_p95_ms": ("<=", 50),
    "rps_ratio_sign_in_over_bare": (">=", 0.2),
    "p95_ratio_sign_in_over_bare": ("<=", 8),
    "errors": ("==", 0),
}


def main() -> None:
    with production_server() as server:
        bare, sign_in = measure_urls(server.port, [BARE, SIGN_IN], requests=1200, concurrency=4, max_seconds=30)
    table([bare, sign_in])
    figures = {
        "bare_rps": round(bare.rps, 1),
        "bare_p50_ms": round(bare.p50_ms, 2),
        "bare_p95_ms": round(bare.p95_ms, 2),
        "sign_in_rps": round(sign_in.rps, 1),
        "sign_in_p50_ms": round(sign_in.p50_ms, 2),
        "sign_in_p95_ms": round(sign_in.p95_ms, 2),
        "rps_ratio_sign_in_over_bare": round(sign_in.rps / bare.rps, 3),
        "p95_ratio_sign_in_over_bare": round(sign_in.p95_ms / bare.p95_ms, 2),
        "requests": bare.requests + sign_in.requests,
        "errors": bare.errors + sign_in.errors,
    }
    targets, met = check_targets(figures, TARGETS)
    report("baseline", figures, targets, met)


if __name__ == "__main__":
    main()
