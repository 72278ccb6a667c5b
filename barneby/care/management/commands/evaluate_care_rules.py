"""Run the care rules for every child: ``manage.py evaluate_care_rules`` (nightly, from cron or a timer).

``--enqueue`` hands the run to the task worker instead of running it here.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from barneby.care import alerts, services
from barneby.care.tasks import evaluate_care_rules


class Command(BaseCommand):
    help = "Re-evaluate the care rules (R3–R27) for every child and bring the alert list up to date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the run for the task worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            queued = evaluate_care_rules.enqueue()
            self.stdout.write(f"queued: {queued.id}")
            return
        started = time.perf_counter()
        closed = services.close_aftercare_at_end_age()
        if closed:
            self.stdout.write(f"aftercare closed at the end age: {closed}")
        with tqdm(total=0, unit="barn", disable=options["verbosity"] < 1) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            result = alerts.refresh_all(progress=progress)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{result.children} children in {seconds:.1f} s "
            f"({result.children / seconds if seconds else 0:.0f}/s): {result.raised} raised, {result.cleared} cleared"
        )
