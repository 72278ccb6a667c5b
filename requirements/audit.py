"""Check the locked dependencies for known vulnerabilities: ``make audit`` (part of ``make test``).

Runs pip-audit on ``requirements/test.lock`` (which holds every runtime package too) without
resolving anything, and reads its JSON report:

* a known vulnerability fails (exit 1) and is listed with its fix versions;
* an advisory database that cannot be reached does not fail, but says so plainly: pip-audit
  itself reports a package it could not look up as "skipped" and then prints "No known
  vulnerabilities found", which would read as a pass when nothing was checked.

``PIP_AUDIT_SERVICE`` picks the database (``pypi``, the default, or ``osv``); vulnerabilities
that were assessed and accepted go in ``requirements/audit-ignore.txt``, one id per line with
the reason after a ``#``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LOCK = HERE / "test.lock"
IGNORE = HERE / "audit-ignore.txt"


@dataclass
class Verdict:
    exit_code: int
    lines: list[str] = field(default_factory=list)


def ignored_ids(path: Path = IGNORE) -> list[str]:
    if not path.exists():
        return []
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            ids.append(entry)
    return ids


def judge(returncode: int, stdout: str, stderr: str) -> Verdict:
    """What the pip-audit run means: 1 for a known vulnerability, 0 otherwise (with a clear warning if unchecked)."""
    try:
        report: dict[str, Any] = json.loads(stdout) if stdout.strip() else {}
    except json.JSONDecodeError:
        report = {}
    dependencies = report.get("dependencies")
    if not isinstance(dependencies, list):
        reason = (stderr.strip().splitlines() or ["no report"])[-1]
        return Verdict(
            0,
            [
                "WARNING: the vulnerability advisory database could not be reached; the locked dependencies "
                "were NOT checked for known vulnerabilities.",
                f"  pip-audit: {reason}",
            ],
        )
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines: list[str] = []
    if skipped and len(skipped) == len(dependencies):
        lines.append(
            f"WARNING: the vulnerability advisory database could not be reached: none of the {len(dependencies)} "
            "locked packages could be looked up, so they were NOT checked for known vulnerabilities."
        )
        lines.append(f"  pip-audit: {skipped[0]['skip_reason']}")
    elif skipped:
        names = ", ".join(sorted(str(d.get("name")) for d in skipped))
        lines.append(f"WARNING: {len(skipped)} of {len(dependencies)} locked packages could not be checked: {names}")
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "none yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            lines.append(
                f"VULNERABLE: {dep['name']} {dep.get('version', '?')}: {vuln.get('id')}"
                f"{f' ({aliases})' if aliases else ''}; fixed in {fixes}"
            )
    if vulnerable:
        lines.append(
            "Update the lock with `make lock UPGRADE=1` (or raise the package's lower bound in pyproject.toml)."
        )
        return Verdict(1, lines)
    checked = len(dependencies) - len(skipped)
    if checked:
        lines.append(f"No known vulnerabilities in {checked} locked packages.")
    if returncode not in (0, 1):
        lines.append(f"WARNING: pip-audit exited with {returncode}: {stderr.strip()[-300:]}")
    return Verdict(0, lines)


def main() -> int:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(LOCK),
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        os.environ.get("PIP_AUDIT_TIMEOUT", "15"),
        "--vulnerability-service",
        os.environ.get("PIP_AUDIT_SERVICE", "pypi"),
    ]
    for vuln_id in ignored_ids():
        command += ["--ignore-vuln", vuln_id]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    verdict = judge(result.returncode, result.stdout, result.stderr)
    for line in verdict.lines:
        print(line)
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main())
