from __future__ import annotations

import functools
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from tqdm import tqdm

from barneby.core.demo import DemoContext, generators, validate_foreign_keys

T = TypeVar("T")


class Command(BaseCommand):
    help = (
        "Load synthetic demo data (Faker no_NO, Norwegian bokmål). Idempotent; deterministic for a given --seed. "
        "Each step commits as it finishes; an interrupted run resumes where it stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["national", "global"], default="national")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--only", action="append", default=[], help="Run only this generator (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] == 0

        def progress(items: Iterable[T], *, desc: str, total: int | None = None) -> Iterator[T]:
            return iter(tqdm(items, desc=desc, total=total, disable=quiet, file=sys.stderr, leave=False, unit=" rader"))

        if connection.vendor == "sqlite":
            # A bulk load's index pages stay in memory (the default cache is 2 MB): fewer reads and writes.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        context = DemoContext(scale=options["scale"], seed=options["seed"], progress=progress)
        selected = [g for g in generators() if not options["only"] or g.name in options["only"]]
        started = time.perf_counter()
        for generator in selected:
            if not quiet:
                self.stdout.write(f"→ {generator.name}", ending="")
                self.stdout.flush()
            began = time.perf_counter()
            if generator.stepped:
                generator.run(context)
            else:
                # One step: its own transaction, committed when it finishes; idempotent, so it runs again.
                context.step(generator.name, functools.partial(generator.run, context), record=False)
            if not quiet:
                self.stdout.write(f" ({time.perf_counter() - began:.1f} s)")
        # Foreign keys the bulk steps added back NOT VALID (PostgreSQL): one validating scan each.
        context.step("validate-foreign-keys", validate_foreign_keys, record=False)
        if context.counts and not quiet:
            for name, count in context.counts.items():
                self.stdout.write(f"  {name}: {count}")
        if not quiet:
            self.stdout.write(f"Ferdig på {time.perf_counter() - started:.0f} s.")
        if context.logins:
            self.stdout.write(self.style.SUCCESS("\nInnlogginger (én per rolle):"))
            width = max(len(role) for role, _, _ in context.logins)
            for role, email, password in context.logins:
                self.stdout.write(f"  {role.ljust(width)}  {email}  /  {password}")
