"""Write one encrypted backup archive: ``manage.py backup PATH`` (or ``--scheduled`` into BARNEBY_BACKUP_DIR).

See barneby/core/backup.py for what the archive holds and how it is encrypted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from barneby.core import backup


class Command(BaseCommand):
    help = (
        "Back up the database, the uploaded files and a manifest of row counts, checksums and the schema "
        "version into one archive encrypted with BACKUP_ENCRYPTION_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help=f"Archive to write (e.g. barneby-2026-12-04{backup.SUFFIX}).")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        parser.add_argument(
            "--scheduled",
            action="store_true",
            help="Write a dated archive into BARNEBY_BACKUP_DIR and keep only the newest BARNEBY_BACKUP_KEEP.",
        )
        parser.add_argument("--enqueue", action="store_true", help="Queue a scheduled backup for the task worker.")
        parser.add_argument("--generate-key", action="store_true", help="Print a new BACKUP_ENCRYPTION_KEY and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate_key"]:
            self.stdout.write(backup.generate_key())
            return
        say = self.stdout.write if options["verbosity"] >= 1 else None
        try:
            if options["enqueue"]:
                from barneby.core.tasks import backup_task

                backup.backup_key()  # fail here, not in the worker, when the key is missing
                self.stdout.write(f"queued: {backup_task.enqueue().id}")
                return
            if options["scheduled"]:
                path = backup.scheduled_backup()
                self.stdout.write(f"backup written: {path}")
                return
            if not options["path"]:
                raise CommandError("give the archive's path, or --scheduled")
            manifest = backup.create_backup(Path(options["path"]), using=options["database"], progress=say)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"backup written: {options['path']} ({manifest['engine']}, {len(manifest['tables'])} tables, "
            f"{rows} rows, {len(manifest['files'])} files, {len(manifest['schema']['migrations'])} migrations)"
        )
