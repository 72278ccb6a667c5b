"""Check the safeguarding time limits (R26): ``manage.py evaluate_safeguarding_deadlines`` (hourly, from cron
or a timer). ``--enqueue`` hands the run to the task worker instead."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from barneby.safeguarding import deadlines
from barneby.safeguarding.tasks import evaluate_safeguarding_deadlines


class Command(BaseCommand):
    help = "Raise R26 alerts for safeguarding steps past their time limit, and clear those done."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the run for the task worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            queued = evaluate_safeguarding_deadlines.enqueue()
            self.stdout.write(f"queued: {queued.id}")
            return
        result = deadlines.refresh()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{result.concerns} cases: {result.raised} raised, {result.cleared} cleared")
