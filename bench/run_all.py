"""Run every benchmark in bench/ and print a table of their closing JSON lines.

Each script (every bench/*.py except this one and the ``_`` helpers) runs
in its own process and must end with one JSON line
``{"bench": …, "figures": {…}, "targets": {…}, "met": …}``. Exits non-zero
if a script crashed, timed out or printed no such line; unmet targets are
reported, not treated as failures.

Run: .venv/bin/python bench/run_all.py [name …]   (names limit the run, e.g. baseline)
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Generous: the organisation benchmark seeds a global-scale register twice.
TIMEOUT_S = 3600


@dataclass(frozen=True)
class Row:
    bench: str
    status: str
    figures: str


def scripts(names: list[str]) -> list[Path]:
    found = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_") and p.name != Path(__file__).name)
    return [p for p in found if not names or p.stem in names]


def result_line(stdout: str) -> dict[str, Any] | None:
    """The last line that parses as a benchmark result, or ``None``."""
    for line in reversed(stdout.splitlines()):
        if not line.startswith("{"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            return None
        if isinstance(data, dict) and {"bench", "figures", "targets", "met"} <= data.keys():
            return data
        return None
    return None


def run(script: Path) -> Row:
    print(f"→ {script.name}", flush=True)
    try:
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return Row(script.stem, "TIMEOUT", f"> {TIMEOUT_S} s")
    data = result_line(done.stdout)
    if done.returncode != 0 or data is None:
        print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
        return Row(script.stem, "CRASHED", f"exit {done.returncode}")
    figures = ", ".join(f"{k}={v}" for k, v in data["figures"].items())
    return Row(str(data["bench"]), "met" if data["met"] is True else "NOT MET", figures)


def main(names: list[str]) -> int:
    chosen = scripts(names)
    if not chosen:
        print(f"no benchmark named {', '.join(names)}")
        return 2
    rows = [run(script) for script in chosen]
    print()
    width = max(len("bench"), *(len(r.bench) for r in rows))
    print(f"{'bench':<{width}}  {'targets':<8} figures")
    for row in rows:
        print(f"{row.bench:<{width}}  {row.status:<8} {row.figures}")
    return 1 if any(r.status in {"CRASHED", "TIMEOUT"} for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
