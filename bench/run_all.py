"""Run every benchmark in bench/ and print a table of their closing JSON lines.

Exits non-zero if a script crashed or printed no result line; unmet targets
are reported, not treated as failures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_") and p.name != "run_all.py")
    crashed = 0
    rows = []
    for script in scripts:
        print(f"→ {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False)
        last = next((line for line in reversed(result.stdout.splitlines()) if line.startswith("{")), "")
        if result.returncode != 0 or not last:
            crashed += 1
            print(result.stdout[-2000:], result.stderr[-2000:], sep="\n")
            rows.append((script.stem, "CRASHED", ""))
            continue
        data = json.loads(last)
        figures = ", ".join(f"{k}={v}" for k, v in data["figures"].items())
        rows.append((data["bench"], "met" if data["met"] else "NOT MET", figures))
    print()
    print(f"{'bench':<16} {'targets':<8} figures")
    for name, status, figures in rows:
        print(f"{name:<16} {status:<8} {figures}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
