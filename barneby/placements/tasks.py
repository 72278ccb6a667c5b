"""Batch matching as a background task (immediate in the embedded default, a worker in production)."""

from __future__ import annotations

from django_tasks import task

from barneby.placements import services


@task()
def run_matching(run_id: int) -> dict[str, object]:
    run = services.run_batch(run_id)
    return {"run": run.pk, "status": run.status, "optimal": run.optimal}
