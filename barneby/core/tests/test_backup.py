"""Backup and restore (issue 17): an encrypted archive that restores into a fresh database, verified.

The round trip runs on the engine of the suite (SQLite, and PostgreSQL in CI's second run): the
source is the test database, the target a new empty database (an ``ops_*`` database on
PostgreSQL), restored and then opened by a separate process, as an operator would.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from pytest_django import Settings

from barneby.care.tests import factories as f
from barneby.core import backup

BASE_DIR = Path(django_settings.BASE_DIR)


# --- the encrypted stream ------------------------------------------------------------------


def _seal(payload: bytes, key: bytes) -> bytes:
    sink = io.BytesIO()
    writer = backup.EncryptingWriter(sink, key)
    for start in range(0, len(payload), 300_000):
        writer.write(payload[start : start + 300_000])
    writer.close()
    return sink.getvalue()


def _open(sealed: bytes, key: bytes) -> bytes:
    return backup.DecryptingReader(io.BytesIO(sealed), key).read()


def test_the_stream_round_trips_in_chunks_and_hides_the_plaintext() -> None:
    key = os.urandom(32)
    payload = os.urandom(backup.CHUNK_BYTES * 2 + 12_345) + b"Ola Nordmann 01010112345"
    sealed = _seal(payload, key)
    assert _open(sealed, key) == payload
    assert b"Ola Nordmann" not in sealed
    assert _open(_seal(b"", key), key) == b""
    # The same plaintext twice gives different archives (fresh salt and nonces).
    assert _seal(b"x", key) != _seal(b"x", key)


def test_a_wrong_key_a_changed_byte_or_a_cut_off_archive_is_refused() -> None:
    key = os.urandom(32)
    sealed = _seal(os.urandom(backup.CHUNK_BYTES + 10), key)
    with pytest.raises(backup.BackupError, match="wrong BACKUP_ENCRYPTION_KEY"):
        _open(sealed, os.urandom(32))
    tampered = bytearray(sealed)
    tampered[len(backup.MAGIC) + 40] ^= 1
    with pytest.raises(backup.BackupError):
        _open(bytes(tampered), key)
    # Dropping the last chunk leaves a stream whose final chunk is not marked last.
    first_len = int.from_bytes(sealed[len(backup.MAGIC) + 23 : len(backup.MAGIC) + 27], "big")
    cut = sealed[: len(backup.MAGIC) + 23 + 4 + first_len]
    with pytest.raises(backup.BackupError):
        _open(cut, key)
    with pytest.raises(backup.BackupError, match="not a Barneby backup"):
        _open(b"PK\x03\x04 a zip file", key)


def test_the_backup_key_is_required_and_never_a_field_key(settings: Settings) -> None:
    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(backup.BackupError, match="--generate-key"):
        backup.backup_key()
    settings.BACKUP_ENCRYPTION_KEY = settings.FIELD_ENCRYPTION_KEYS[0]
    with pytest.raises(backup.BackupError, match="one of the FIELD_ENCRYPTION_KEYS"):
        backup.backup_key()
    settings.BACKUP_ENCRYPTION_KEY = "c2hvcnQ="
    with pytest.raises(backup.BackupError, match="32 bytes"):
        backup.backup_key()
    settings.BACKUP_ENCRYPTION_KEY = backup.generate_key()
    assert len(backup.backup_key()) == 32


# --- backup and restore --------------------------------------------------------------------


@pytest.fixture
def source(settings: Settings, tmp_path: Path) -> dict[str, Any]:
    """A backup key, a photo on disk, and a child with encrypted fields in the (committed) test database."""
    settings.BACKUP_ENCRYPTION_KEY = backup.generate_key()
    photos = tmp_path / "source-photos"
    (photos / "2026").mkdir(parents=True)
    (photos / "2026" / "barn.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(5000))
    settings.SPONSORSHIP_PHOTO_DIR = photos
    settings.FUNDRAISING_FILES_DIR = tmp_path / "no-such-dir"
    media = tmp_path / "source-media"
    (media / "original_images").mkdir(parents=True)
    (media / "original_images" / "bilde.png").write_bytes(b"\x89PNG" + os.urandom(300))
    settings.MEDIA_ROOT = media
    w = f.world()
    kid = f.child(w.programme, w.caseworker, first_name="Sigrid", national_id="")
    from barneby.care import services

    services.child_update_restricted(actor=w.caseworker, child=kid, health="Astma; bruker inhalator.")
    return {"key": settings.BACKUP_ENCRYPTION_KEY, "child": kid.pk, "photos": photos}


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[str]:
    """The DATABASE_URL of a new, empty database of the suite's engine."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    params = connection.settings_dict
    name = f"ops_restore_{uuid.uuid4().hex[:10]}"
    conninfo = psycopg.conninfo.make_conninfo(
        host=params["HOST"] or "", port=str(params["PORT"] or ""), user=params["USER"] or "", dbname="postgres"
    )
    with psycopg.connect(conninfo, autocommit=True, password=params["PASSWORD"] or None) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    user = params["USER"] or "postgres"
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    yield f"postgres://{user}{password}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    with psycopg.connect(conninfo, autocommit=True, password=params["PASSWORD"] or None) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )


OPEN_RESTORED = """
import json
from django.core.management import call_command
from django.test import Client
from barneby.care.models import Child
from barneby.core.backup import table_checksums
kid = Child.objects.get(pk={pk})
call_command("migrate", check=True, verbosity=0)
print(json.dumps({{
    "tables": table_checksums(),
    "first_name": kid.first_name,
    "health": kid.health,
    "login_page": Client().get("/konto/logg-inn/").status_code,
}}))
"""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_database_gives_the_same_data(
    source: dict[str, Any], empty_target: str, tmp_path: Path
) -> None:
    archive = tmp_path / f"nightly{backup.SUFFIX}"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "backup written" in out.getvalue()
    before = backup.table_checksums()
    manifest = backup.read_manifest(archive)
    assert manifest["tables"] == before
    assert manifest["tables"]["care_child"]["rows"] == 1
    assert manifest["engine"] == connection.vendor
    assert ["care", "0001_initial"] in manifest["schema"]["migrations"]
    assert [f["member"] for f in manifest["files"]] == [
        "files/MEDIA_ROOT/original_images/bilde.png",
        "files/SPONSORSHIP_PHOTO_DIR/2026/barn.jpg",
    ]
    raw = archive.read_bytes()
    assert b"Sigrid" not in raw
    assert b"manifest" not in raw

    target_var = tmp_path / "target-var"
    env = {
        **os.environ,
        "DATABASE_URL": empty_target,
        "BACKUP_ENCRYPTION_KEY": source["key"],
        "BARNEBY_VAR_DIR": str(target_var),
        "DJANGO_DEBUG": "0",
    }
    for name in ("BARNEBY_SPONSORSHIP_PHOTO_DIR", "BARNEBY_MEDIA_DIR", "BARNEBY_FUNDRAISING_FILES_DIR"):
        env.pop(name, None)
    restored = _manage(["restore", str(archive)], env)
    assert restored.returncode == 0, restored.stderr
    assert "row counts and checksums match the manifest" in restored.stdout

    # Another process opens the restored database with the same field keys: the same rows, the
    # encrypted health note readable, no migration missing, and the sign-in page served.
    opened = _manage(["shell", "-c", OPEN_RESTORED.format(pk=source["child"])], env)
    assert opened.returncode == 0, opened.stderr
    seen = json.loads(opened.stdout.strip().splitlines()[-1])
    assert seen["tables"] == before
    assert seen["first_name"] == "Sigrid"
    assert seen["health"] == "Astma; bruker inhalator."
    assert seen["login_page"] == 200
    photo = target_var / "sponsorships" / "2026" / "barn.jpg"
    assert photo.read_bytes() == (source["photos"] / "2026" / "barn.jpg").read_bytes()
    image = target_var / "media" / "original_images" / "bilde.png"
    assert image.read_bytes() == (django_settings.MEDIA_ROOT / "original_images" / "bilde.png").read_bytes()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_newer_schema_a_database_that_is_not_empty_and_a_wrong_key(
    source: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    archive = tmp_path / f"b{backup.SUFFIX}"
    backup.create_backup(archive)
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())
    settings.BACKUP_ENCRYPTION_KEY = backup.generate_key()
    with pytest.raises(CommandError, match="wrong BACKUP_ENCRYPTION_KEY"):
        call_command("restore", str(archive), stdout=io.StringIO())
    settings.BACKUP_ENCRYPTION_KEY = source["key"]
    known = backup.known_migrations()
    monkeypatch.setattr(backup, "known_migrations", lambda: known - {("care", "0001_initial")})
    with pytest.raises(CommandError, match=r"schema is newer than this version of Barneby: 1 migrations.*care\.0001"):
        call_command("restore", str(archive), stdout=io.StringIO())
    # The manifest alone can be read without touching the database.
    out = io.StringIO()
    call_command("restore", str(archive), "--manifest", stdout=out)
    assert f"{connection.vendor} backup of" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_backup_task_keeps_the_newest_archives(
    source: dict[str, Any], settings: Settings, tmp_path: Path
) -> None:
    import datetime as dt

    from barneby.core.tasks import backup_task

    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEEP = 2
    for day in (1, 2):
        backup.scheduled_backup(now=dt.datetime(2026, 12, day, 2, 0, tzinfo=dt.UTC))
    result = backup_task.enqueue()
    written = Path(str(result.return_value))
    archives = sorted(p.name for p in settings.BACKUP_DIR.iterdir())
    assert len(archives) == 2
    assert archives[0] == f"barneby-20261202T020000Z{backup.SUFFIX}"
    assert written.name == archives[1]
    assert backup.read_manifest(written)["tables"]["care_child"]["rows"] == 1
    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(CommandError, match="--generate-key"):
        call_command("backup", "--scheduled", stdout=io.StringIO())
