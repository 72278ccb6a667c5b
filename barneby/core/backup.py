"""Encrypted backups of the whole system, and their restore into an empty database (C10).

One archive holds everything needed to bring Barneby back:

* the database: PostgreSQL through ``pg_dump --format=custom``, SQLite through its online
  backup API (a consistent copy of a live file);
* the uploaded and generated files (``MEDIA_ROOT``, sponsorship photos, fundraising files);
* ``manifest.json``: the engine, the applied migrations (the schema version), and for every
  table its row count and a SHA-256 of its rows in primary-key order, all taken from the same
  snapshot as the dump, so a restore can prove it got back exactly what was saved.

The archive is a tar stream, encrypted as it is written with AES-256-GCM in 1 MiB chunks
(the STREAM construction: a counter and a last-chunk flag in each nonce, so chunks cannot be
reordered, dropped or cut off unnoticed) under a key derived with HKDF from
``BACKUP_ENCRYPTION_KEY`` and a random salt per archive. That key is the operator's and is kept
apart from ``FIELD_ENCRYPTION_KEYS``; it may never be one of them. The field-encrypted columns
stay encrypted inside the dump: a restore needs the same field keys to read them, which the
manifest checks by their fingerprints.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

MAGIC = b"BARNEBY-BACKUP1\n"
SALT_BYTES = 16
PREFIX_BYTES = 7
CHUNK_BYTES = 1024 * 1024
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
FILES_PREFIX = "files"
# Settings naming directories whose files belong in the backup (a missing or empty setting is skipped).
FILE_SETTINGS = ("MEDIA_ROOT", "SPONSORSHIP_PHOTO_DIR", "FUNDRAISING_FILES_DIR")
SUFFIX = ".barneby-backup"

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message tells the operator why and what to do."""


# --- keys ------------------------------------------------------------------------------------


def generate_key() -> str:
    """A new backup key: 32 random bytes, URL-safe base64 (the same shape as a Fernet key)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def _fingerprint(key: str) -> str:
    return hashlib.sha256(b"barneby-key-fingerprint:" + key.strip().encode("ascii", "replace")).hexdigest()[:16]


def field_key_fingerprints() -> list[str]:
    return [_fingerprint(k) for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", [])]


def backup_key(raw: str | None = None) -> bytes:
    """The operator's backup key (``BACKUP_ENCRYPTION_KEY``), checked: 32 bytes, never a field key."""
    value = (raw if raw is not None else getattr(settings, "BACKUP_ENCRYPTION_KEY", "")).strip()
    if not value:
        raise BackupError(
            "BACKUP_ENCRYPTION_KEY (or BACKUP_ENCRYPTION_KEY_FILE) is not set. Make one with "
            "`manage.py backup --generate-key` and keep it outside the backups and apart from FIELD_ENCRYPTION_KEYS."
        )
    if value in {k.strip() for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", [])}:
        raise BackupError(
            "BACKUP_ENCRYPTION_KEY is one of the FIELD_ENCRYPTION_KEYS; use a key of its own so that "
            "a stolen backup and a stolen field key are not one and the same."
        )
    try:
        key = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise BackupError("BACKUP_ENCRYPTION_KEY is not URL-safe base64") from exc
    if len(key) != 32:
        raise BackupError(f"BACKUP_ENCRYPTION_KEY must decode to 32 bytes, not {len(key)}")
    return key


def _derive(master: bytes, salt: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"barneby backup v1").derive(master)
    return AESGCM(key)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what it is given, chunk by chunk, into ``sink``."""

    def __init__(self, sink: IO[bytes], master: bytes) -> None:
        super().__init__()
        self._sink = sink
        salt = os.urandom(SALT_BYTES)
        self._prefix = os.urandom(PREFIX_BYTES)
        self._header = MAGIC + salt + self._prefix
        self._aead = _derive(master, salt)
        self._buffer = bytearray()
        self._counter = 0
        sink.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = bytes(data)
        self._buffer += view
        while len(self._buffer) > CHUNK_BYTES:
            self._emit(bytes(self._buffer[:CHUNK_BYTES]), last=False)
            del self._buffer[:CHUNK_BYTES]
        return len(view)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        if self._counter >= 2**32 - 1:
            raise BackupError("backup too large for one archive (4 PiB)")
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), chunk, self._header)
        self._sink.write(len(sealed).to_bytes(4, "big") + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the plaintext of an archive written by :class:`EncryptingWriter`."""

    def __init__(self, source: IO[bytes], master: bytes) -> None:
        super().__init__()
        self._source = source
        header = source.read(len(MAGIC) + SALT_BYTES + PREFIX_BYTES)
        if len(header) < len(MAGIC) or header[: len(MAGIC)] != MAGIC:
            raise BackupError("this file is not a Barneby backup (unknown header)")
        self._header = header
        self._prefix = header[len(MAGIC) + SALT_BYTES :]
        self._aead = _derive(master, header[len(MAGIC) : len(MAGIC) + SALT_BYTES])
        self._counter = 0
        self._plain = b""
        self._done = False
        self._pending = self._read_sealed()

    def readable(self) -> bool:
        return True

    def _read_sealed(self) -> bytes | None:
        size = self._source.read(4)
        if not size:
            return None
        if len(size) < 4:
            raise BackupError("the backup is cut off (a chunk length is incomplete)")
        sealed = self._source.read(int.from_bytes(size, "big"))
        if len(sealed) < int.from_bytes(size, "big"):
            raise BackupError("the backup is cut off (a chunk is incomplete)")
        return sealed

    def _next(self) -> None:
        sealed = self._pending
        if sealed is None:
            raise BackupError("the backup is cut off (its last chunk is missing)")
        following = self._read_sealed()
        last = following is None
        try:
            self._plain = self._aead.decrypt(_nonce(self._prefix, self._counter, last), sealed, self._header)
        except InvalidTag as exc:
            raise BackupError(
                "the backup cannot be decrypted: wrong BACKUP_ENCRYPTION_KEY, or the file is damaged or cut off"
            ) from exc
        self._counter += 1
        self._pending = following
        self._done = last

    def readinto(self, buffer: Any) -> int:
        while not self._plain and not self._done:
            self._next()
        size = min(len(buffer), len(self._plain))
        buffer[:size] = self._plain[:size]
        self._plain = self._plain[size:]
        return size


# --- table checksums -------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "b:" + bytes(value).hex()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | dt.timedelta):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def _digest_rows(rows: Iterator[tuple[Any, ...]]) -> dict[str, Any]:
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update(json.dumps([_canonical(v) for v in row], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
        count += 1
    return {"rows": count, "sha256": digest.hexdigest()}


def _fetch(cursor: Any, size: int = 2000) -> Iterator[tuple[Any, ...]]:
    while True:
        batch = cursor.fetchmany(size)
        if not batch:
            return
        yield from batch


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(conn: sqlite3.Connection) -> list[tuple[str, list[str]]]:
    tables = []
    names = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    ).fetchall()
    for (name,) in names:
        info = conn.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
        keys = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
        tables.append((name, keys))
    return tables


def sqlite_checksums(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 per table of a raw SQLite connection, rows in primary-key order."""
    result = {}
    for name, keys in _sqlite_tables(conn):
        order = ", ".join(_quote(k) for k in keys) or "rowid"
        cursor = conn.execute(f"SELECT * FROM {_quote(name)} ORDER BY {order}")  # noqa: S608 - quoted names
        result[name] = _digest_rows(_fetch(cursor))
    return result


def _postgres_tables(connection: BaseDatabaseWrapper) -> list[tuple[str, list[str]]]:
    with connection.cursor() as cursor:
        infos = connection.introspection.get_table_list(cursor)
        names = sorted(t.name for t in infos if t.type in {"t", "p"})
        return [(name, connection.introspection.get_primary_key_columns(cursor, name) or []) for name in names]


def postgres_checksums(connection: BaseDatabaseWrapper) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 per table, rows in primary-key order (call inside the snapshot's transaction)."""
    result = {}
    for name, keys in _postgres_tables(connection):
        order = ", ".join(_quote(k) for k in keys) or "1"
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT * FROM {_quote(name)} ORDER BY {order}")  # noqa: S608 - quoted names
            result[name] = _digest_rows(_fetch(cursor))
    return result


def table_checksums(using: str = "default") -> dict[str, dict[str, Any]]:
    """The checksums of the live database ``using`` (for a restore's verification)."""
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw: Any = connection.connection
        return sqlite_checksums(raw)
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            return postgres_checksums(connection)
    raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")


def _applied(rows: list[tuple[str, str]]) -> list[list[str]]:
    return [[app, name] for app, name in sorted(rows)]


# --- files -----------------------------------------------------------------------------------


def file_roots() -> dict[str, Path]:
    roots = {}
    for name in FILE_SETTINGS:
        value = getattr(settings, name, "")
        if value:
            roots[name] = Path(value)
    return roots


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_of(roots: dict[str, Path]) -> list[tuple[str, Path]]:
    found = []
    for setting, root in roots.items():
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found.append((f"{FILES_PREFIX}/{setting}/{path.relative_to(root).as_posix()}", path))
    return found


# --- backup ----------------------------------------------------------------------------------


def _pg_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    params = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if params.get(key):
            env[var] = str(params[key])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    for option, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("passfile", "PGPASSFILE")):
        if params.get("OPTIONS", {}).get(option):
            env[var] = str(params["OPTIONS"][option])
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; it is needed to {what} (Debian: postgresql-client)")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({what}): {result.stderr.strip()[-2000:]}")


@dataclass
class Snapshot:
    engine: str
    database_file: Path
    tables: dict[str, dict[str, Any]]
    migrations: list[list[str]]


def _snapshot_postgres(connection: BaseDatabaseWrapper, folder: Path, using: str) -> Snapshot:
    target = folder / DB_MEMBER["postgresql"]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # One snapshot for the dump and the checksums: pg_dump joins this transaction's view of the data.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot_id,) = cursor.fetchone()
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot_id}", "--no-password", f"--file={target}"],
            _pg_env(connection),
            "dump the database",
        )
        tables = postgres_checksums(connection)
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = _applied(cursor.fetchall())
    return Snapshot("postgresql", target, tables, migrations)


def _snapshot_sqlite(connection: BaseDatabaseWrapper, folder: Path) -> Snapshot:
    target = folder / DB_MEMBER["sqlite"]
    raw: Any = connection.connection
    copy = sqlite3.connect(str(target), detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    try:
        raw.backup(copy)
        # The checksums come from the copy, which no one else writes to: they describe exactly what was saved.
        tables = sqlite_checksums(copy)
        migrations = _applied(copy.execute("SELECT app, name FROM django_migrations").fetchall())
    finally:
        copy.close()
    return Snapshot("sqlite", target, tables, migrations)


def create_backup(destination: Path, *, using: str = "default", progress: Progress | None = None) -> dict[str, Any]:
    """Write one encrypted archive of database ``using`` and the file directories to ``destination``.

    The archive is first written next to ``destination`` and renamed into place when complete,
    so a failed backup never leaves a half archive under the final name. Returns the manifest.
    """
    say = progress or (lambda _message: None)
    master = backup_key()
    connection = connections[using]
    connection.ensure_connection()
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="barneby-backup-") as tmp:
        folder = Path(tmp)
        say(f"database ({connection.vendor})")
        if connection.vendor == "postgresql":
            snap = _snapshot_postgres(connection, folder, using)
        elif connection.vendor == "sqlite":
            snap = _snapshot_sqlite(connection, folder)
        else:
            raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")
        say(f"files ({', '.join(file_roots()) or 'none configured'})")
        files = [(member, path, path.stat().st_size, _sha256_file(path)) for member, path in _files_of(file_roots())]
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engine": snap.engine,
            "django": django.get_version(),
            "schema": {"migrations": snap.migrations},
            "tables": snap.tables,
            "database": {
                "member": snap.database_file.name,
                "size": snap.database_file.stat().st_size,
                "sha256": _sha256_file(snap.database_file),
            },
            "files": [{"member": m, "size": size, "sha256": digest} for m, _path, size, digest in files],
            "field_key_fingerprints": field_key_fingerprints(),
        }
        partial = destination.with_name(destination.name + ".partial")
        say(f"writing {destination}")
        try:
            with partial.open("wb") as sink:
                os.chmod(partial, 0o600)
                writer = EncryptingWriter(sink, master)
                with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    data = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
                    info = tarfile.TarInfo(MANIFEST)
                    info.size = len(data)
                    info.mode = 0o600
                    tar.addfile(info, io.BytesIO(data))
                    tar.add(str(snap.database_file), arcname=snap.database_file.name, recursive=False)
                    for member, path, _size, _digest in files:
                        tar.add(str(path), arcname=member, recursive=False)
                writer.close()
                sink.flush()
                os.fsync(sink.fileno())
            partial.replace(destination)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


# --- restore ---------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    """Decrypt just enough of ``source`` to read its manifest."""
    master = backup_key()
    with Path(source).open("rb") as handle, tarfile.open(fileobj=DecryptingReader(handle, master), mode="r|") as tar:
        return _manifest_from(tar)


def _manifest_from(tar: tarfile.TarFile) -> dict[str, Any]:
    first = tar.next()
    if first is None or first.name != MANIFEST:
        raise BackupError("the archive does not start with its manifest; it was not written by `manage.py backup`")
    stream = tar.extractfile(first)
    assert stream is not None
    manifest: dict[str, Any] = json.loads(stream.read().decode("utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}; this version reads {FORMAT_VERSION}")
    return manifest


def known_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    mismatches: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unapplied: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _check_target(connection: BaseDatabaseWrapper, manifest: dict[str, Any]) -> list[str]:
    """Refuse what cannot be restored here; returns warnings for what can but needs attention."""
    if manifest.get("engine") != connection.vendor:
        raise BackupError(
            f"this is a {manifest.get('engine')} backup and the target database is {connection.vendor}; "
            "restore it into the same kind of database"
        )
    archived = {(app, name) for app, name in manifest["schema"]["migrations"]}
    newer = sorted(archived - known_migrations())
    if newer:
        shown = ", ".join(f"{app}.{name}" for app, name in newer[:5])
        raise BackupError(
            f"the backup's schema is newer than this version of Barneby: {len(newer)} migrations it has are unknown "
            f"here ({shown}{', …' if len(newer) > 5 else ''}). Restore with the release that made the backup, or a later one."
        )
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing:
        raise BackupError(
            f"the target database {connection.settings_dict.get('NAME')!s} is not empty ({len(existing)} tables, "
            f"e.g. {', '.join(sorted(existing)[:3])}). Restore only into a new, empty database: a restore never "
            "overwrites or merges into existing data."
        )
    for setting, root in file_roots().items():
        if root.is_dir() and any(p.is_file() for p in root.rglob("*")):
            raise BackupError(f"the directory {root} ({setting}) already holds files; restore into an empty one")
    warnings = []
    current = set(field_key_fingerprints())
    missing = [f for f in manifest.get("field_key_fingerprints", []) if f not in current]
    if missing:
        warnings.append(
            f"{len(missing)} of the field-encryption keys in use when the backup was made are not in "
            "FIELD_ENCRYPTION_KEYS: encrypted fields written with them cannot be read until those keys are added."
        )
    return warnings


def _safe_member(name: str, manifest: dict[str, Any]) -> tuple[str, PurePosixPath] | None:
    """(setting, relative path) for a file member, None for the database; raises on anything else."""
    if name == manifest["database"]["member"]:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 3 or path.parts[0] != FILES_PREFIX:
        raise BackupError(f"unexpected entry in the archive: {name!r}")
    if path.parts[1] not in FILE_SETTINGS:
        raise BackupError(f"unexpected file directory in the archive: {path.parts[1]!r}")
    return path.parts[1], PurePosixPath(*path.parts[2:])


def _copy_verified(stream: IO[bytes], target: Path, expected: dict[str, Any]) -> None:
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for block in iter(lambda: stream.read(CHUNK_BYTES), b""):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != expected["sha256"]:
        raise BackupError(f"{target.name} does not match its checksum in the manifest; the archive is damaged")


def _load_postgres(connection: BaseDatabaseWrapper, dump: Path) -> None:
    connection.close()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        _pg_env(connection),
        "load the database",
    )


def _load_sqlite(connection: BaseDatabaseWrapper, copy: Path) -> None:
    source = sqlite3.connect(str(copy))
    try:
        connection.ensure_connection()
        raw: Any = connection.connection
        source.backup(raw)
    finally:
        source.close()


def compare(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if want is None:
            problems.append(f"{name}: in the database but not in the backup")
        elif got is None:
            problems.append(f"{name}: in the backup but missing from the database")
        elif want["rows"] != got["rows"]:
            problems.append(f"{name}: {got['rows']} rows, the backup has {want['rows']}")
        elif want["sha256"] != got["sha256"]:
            problems.append(f"{name}: the rows differ from the backup's (checksum)")
    return problems


def restore_backup(source: Path, *, using: str = "default", progress: Progress | None = None) -> RestoreReport:
    """Load ``source`` into the EMPTY database ``using`` and the empty file directories, then verify it.

    Refuses (BackupError) a non-empty database, a database of the other engine, a schema newer
    than this code's migrations, and a damaged or wrongly keyed archive, before anything is written.
    """
    say = progress or (lambda _message: None)
    master = backup_key()
    connection = connections[using]
    connection.ensure_connection()
    roots = file_roots()
    with (
        tempfile.TemporaryDirectory(prefix="barneby-restore-") as tmp,
        Path(source).open("rb") as handle,
        tarfile.open(fileobj=DecryptingReader(handle, master), mode="r|") as tar,
    ):
        manifest = _manifest_from(tar)
        report = RestoreReport(manifest=manifest, warnings=_check_target(connection, manifest))
        expected_files = {f["member"]: f for f in manifest["files"]}
        staged: list[tuple[Path, Path]] = []
        database: Path | None = None
        say("reading the archive")
        for member in tar:
            if member.name == MANIFEST:
                continue  # read above; a stream tar's iterator starts again from its first member
            if not member.isfile():
                raise BackupError(f"unexpected entry in the archive: {member.name!r}")
            place = _safe_member(member.name, manifest)
            stream = tar.extractfile(member)
            assert stream is not None
            if place is None:
                database = Path(tmp) / "database"
                _copy_verified(stream, database, manifest["database"])
                continue
            setting, relative = place
            if member.name not in expected_files:
                raise BackupError(f"{member.name} is not listed in the manifest")
            if setting not in roots:
                report.warnings.append(f"{member.name}: {setting} is not set here; the file was not restored")
                continue
            staging = Path(tmp) / "files" / setting / relative
            _copy_verified(stream, staging, expected_files.pop(member.name))
            staged.append((staging, roots[setting] / relative))
        if database is None:
            raise BackupError("the archive holds no database")
        missing = [m for m in expected_files if PurePosixPath(m).parts[1] in roots]
        if missing:
            raise BackupError(f"the archive is missing {len(missing)} files its manifest lists, e.g. {missing[0]}")
        say(f"loading the database ({manifest['engine']})")
        if connection.vendor == "postgresql":
            _load_postgres(connection, database)
        else:
            _load_sqlite(connection, database)
        for staging, target in staged:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staging), str(target))
    say("verifying row counts and checksums")
    report.mismatches = compare(manifest["tables"], table_checksums(using))
    applied = {(app, name) for app, name in manifest["schema"]["migrations"]}
    report.unapplied = sorted(f"{app}.{name}" for app, name in known_migrations() - applied)
    return report


# --- scheduled backups -----------------------------------------------------------------------


def backup_dir() -> Path:
    return Path(getattr(settings, "BACKUP_DIR", "") or Path(settings.VAR_DIR) / "backups")


def scheduled_backup(*, keep: int | None = None, now: dt.datetime | None = None) -> Path:
    """Write a dated archive into ``BACKUP_DIR`` and remove all but the newest ``BACKUP_KEEP``."""
    folder = backup_dir()
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"barneby-{stamp}{SUFFIX}"
    create_backup(path)
    keep = keep if keep is not None else int(getattr(settings, "BACKUP_KEEP", 14))
    archives = sorted(folder.glob(f"barneby-*{SUFFIX}"))
    for old in archives[: max(len(archives) - keep, 0)]:
        old.unlink()
    return path
