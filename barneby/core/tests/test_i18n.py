"""The nb and en catalogues are current, complete, and compiled."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)


def parse_po(path: Path) -> dict[tuple[str, str], list[str]]:
    """(context, msgid) → msgstr list (one per plural form), from a .po file."""
    entries: dict[tuple[str, str], list[str]] = {}
    current: dict[str, str] = {}
    key = ""

    def flush() -> None:
        if current.get("msgid"):
            strings = [v for k, v in sorted(current.items()) if k.startswith("msgstr")]
            entries[(current.get("msgctxt", ""), current["msgid"])] = strings
        current.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if not line:
            flush()
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            current[key] += ast.literal_eval(line)
            continue
        key, _, rest = line.partition(" ")
        if key.startswith("msgid") and "msgstr" in "".join(current):
            flush()
        current[key] = ast.literal_eval(rest)
    flush()
    return entries


@pytest.mark.parametrize("language", ["nb", "en"])
def test_catalogue_is_compiled(language: str) -> None:
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists()


def test_every_english_string_is_translated_and_compiled() -> None:
    entries = parse_po(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po")
    untranslated = [msgid for (_ctx, msgid), strings in entries.items() if not all(strings)]
    assert not untranslated, untranslated
    with translation.override("en"):
        stale = [
            msgid
            for (ctx, msgid), strings in entries.items()
            if "msgid_plural" not in msgid
            and len(strings) == 1
            and (translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)) != strings[0]
        ]
    assert not stale, f"locale/en .mo is older than the .po (run make messages): {stale[:5]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are not installed")
def test_catalogues_hold_every_string_in_the_code(tmp_path: Path) -> None:
    # Extract into a copy of the tree, so the committed catalogues stay untouched.
    for name in ("barneby", "config", "templates", "manage.py"):
        source = ROOT / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "tests"))
        else:
            shutil.copy(source, target)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", "BARNEBY_VAR_DIR": str(tmp_path / "var")}
    import os

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nb", "-l", "en", "--no-location"],
        cwd=tmp_path,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        timeout=120,
    )
    for language in ("nb", "en"):
        committed = set(parse_po(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
        fresh = set(parse_po(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"))
        assert fresh <= committed, (
            f"{language}: strings missing from the catalogue (run make messages): {sorted(fresh - committed)[:10]}"
        )
