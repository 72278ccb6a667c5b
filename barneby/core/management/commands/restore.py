"""Restore a backup archive into an EMPTY database: ``manage.py restore PATH``.

Refuses a database that holds any table, a backup of the other engine and a backup whose schema
is newer than this code; after loading it checks every table's row count and checksum against
the manifest and exits non-zero if one differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from barneby.core import backup


class Command(BaseCommand):
    help = "Load a `manage.py backup` archive into an empty database and empty file directories, then verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The archive written by `manage.py backup`.")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        parser.add_argument("--manifest", action="store_true", help="Only print the archive's manifest summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["path"])
        if not source.is_file():
            raise CommandError(f"no such file: {source}")
        say = self.stdout.write if options["verbosity"] >= 1 else None
        try:
            if options["manifest"]:
                manifest = backup.read_manifest(source)
                self.stdout.write(
                    f"{manifest['engine']} backup of {manifest['created_at']}: {len(manifest['tables'])} tables, "
                    f"{sum(t['rows'] for t in manifest['tables'].values())} rows, {len(manifest['files'])} files, "
                    f"{len(manifest['schema']['migrations'])} migrations"
                )
                return
            report = backup.restore_backup(source, using=options["database"], progress=say)
        except backup.BackupError as exc:
            raise CommandError(f"restore refused: {exc}") from exc
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if not report.ok:
            raise CommandError(
                "the restored database does NOT match the backup's manifest; do not use it:\n  "
                + "\n  ".join(report.mismatches)
            )
        tables = report.manifest["tables"]
        self.stdout.write(
            f"restored and verified: {len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows, "
            f"{len(report.manifest['files'])} files; row counts and checksums match the manifest"
        )
        if report.unapplied:
            self.stdout.write(
                f"{len(report.unapplied)} migrations of this release are newer than the backup; run `manage.py migrate`"
            )
