"""The typed environment readers fail loudly, and production refuses to start without secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import dev_secret, env_bool, env_int, env_list, env_secret


def test_env_bool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", True) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG must be a boolean"):
        env_bool("X_FLAG", False)


def test_env_int(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_NUM", "12")
    assert env_int("X_NUM", 1) == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_NUM", 1, minimum=1)
    monkeypatch.setenv("X_NUM", "")
    assert env_int("X_NUM", 7) == 7


def test_env_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.delenv("X_LIST")
    assert env_list("X_LIST", ["d"]) == ["d"]


def test_env_secret_from_value_or_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("X_SECRET", "direct")
    assert env_secret("X_SECRET") == "direct"
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret_file))
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env_secret("X_SECRET")
    monkeypatch.delenv("X_SECRET")
    assert env_secret("X_SECRET") == "from-file"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="not a file"):
        env_secret("X_SECRET")


def test_dev_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "key"
    first = dev_secret(path, fernet=True)
    assert dev_secret(path, fernet=True) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def _start_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIELD_", "BARNEBY_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _start_settings(
        {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "0", "BARNEBY_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_encryption_keys(tmp_path: Path) -> None:
    result = _start_settings(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 60,
            "BARNEBY_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_unknown_task_backend_is_refused(tmp_path: Path) -> None:
    result = _start_settings(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "1",
            "BARNEBY_VAR_DIR": str(tmp_path),
            "BARNEBY_TASKS_BACKEND": "celery",
        }
    )
    assert result.returncode != 0
    assert "BARNEBY_TASKS_BACKEND" in result.stderr


def test_development_makes_its_own_secrets_under_var(tmp_path: Path) -> None:
    result = _start_settings(
        {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", "BARNEBY_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dev-secret-key").exists()
    assert (tmp_path / "dev-field-key").exists()
