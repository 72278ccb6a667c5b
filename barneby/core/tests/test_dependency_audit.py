"""The lock files and the vulnerability check of the locked set (requirements/, `make audit`)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[3]


def _audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("requirements_audit", ROOT / "requirements" / "audit.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def _report(*dependencies: dict[str, object]) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_known_vulnerability_fails_the_audit() -> None:
    verdict = _audit().judge(
        1,
        _report(
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
            {"name": "faker", "version": "30.0", "vulns": []},
        ),
        "",
    )
    assert verdict.exit_code == 1
    assert "VULNERABLE: django 5.2.0: PYSEC-2025-1; fixed in 5.2.1" in verdict.lines


def test_an_unreachable_advisory_database_is_said_plainly_and_does_not_fail() -> None:
    audit = _audit()
    # pip-audit's PyPI service marks every package it could not look up as skipped and exits 0.
    skipped = audit.judge(
        0,
        _report(
            {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2)"},
            {"name": "faker", "skip_reason": "Dependency not found on PyPI and could not be audited: faker (30)"},
        ),
        "",
    )
    assert skipped.exit_code == 0
    assert "could not be reached" in skipped.lines[0]
    assert "NOT checked" in skipped.lines[0]
    # Without a network pip-audit may also crash before writing any report.
    crashed = audit.judge(1, "", "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'")
    assert crashed.exit_code == 0
    assert "could not be reached" in crashed.lines[0]
    assert "api.osv.dev" in crashed.lines[1]


def test_a_clean_report_passes() -> None:
    verdict = _audit().judge(0, _report({"name": "django", "version": "5.2.19", "vulns": []}), "")
    assert verdict.exit_code == 0
    assert verdict.lines == ["No known vulnerabilities in 1 locked packages."]


def _pinned(lock: Path) -> dict[str, str]:
    text = lock.read_text(encoding="utf-8")
    found = {}
    for block in re.split(r"\n(?=\S)", text):
        head = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if head:
            assert "--hash=sha256:" in block, f"{head.group(1)} has no hash in {lock.name}"
            found[re.sub(r"[-_.]+", "-", head.group(1)).lower()] = head.group(2)
    return found


def _names(requirements: list[str]) -> set[str]:
    return {re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", r).group(0)).lower() for r in requirements}  # type: ignore[union-attr]


def test_the_lock_files_pin_every_dependency_of_pyproject_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = _pinned(ROOT / "requirements" / "base.lock")
    test = _pinned(ROOT / "requirements" / "test.lock")
    hint = "pyproject.toml lists packages the lock files lack: run `make lock` and commit requirements/"
    assert not _names(project["dependencies"]) - set(base), hint
    assert not _names(project["dependencies"] + project["optional-dependencies"]["test"]) - set(test), hint
    # One version of each package whichever lock installs it.
    assert {name: version for name, version in base.items() if test.get(name) != version} == {}
