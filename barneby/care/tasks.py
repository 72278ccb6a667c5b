"""The nightly run of the care rules, as a background task."""

from __future__ import annotations

import logging

from django_tasks import task

from barneby.care import alerts, services

log = logging.getLogger(__name__)


@task()
def evaluate_care_rules() -> dict[str, int]:
    """Close aftercare at 25, then re-evaluate every rule for every child; returns what changed."""
    services.close_aftercare_at_end_age()
    result = alerts.refresh_all(
        progress=lambda done, total: (
            log.info("care rules: %d of %d children", done, total) if done % 10_000 == 0 else None
        )
    )
    log.info("care rules: %d children, %d raised, %d cleared", result.children, result.raised, result.cleared)
    return {"children": result.children, "raised": result.raised, "cleared": result.cleared}
