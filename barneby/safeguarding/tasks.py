"""The periodic run of the R26 deadlines, as a background task."""

from __future__ import annotations

import logging

from django_tasks import task

from barneby.safeguarding import deadlines

log = logging.getLogger(__name__)


@task()
def evaluate_safeguarding_deadlines() -> dict[str, int]:
    """Raise the alerts of every overdue step and clear those whose step is done."""
    result = deadlines.refresh()
    log.info("safeguarding deadlines: %d cases, %d raised, %d cleared", result.concerns, result.raised, result.cleared)
    return {"concerns": result.concerns, "raised": result.raised, "cleared": result.cleared}
