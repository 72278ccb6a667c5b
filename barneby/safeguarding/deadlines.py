"""Time limits for the steps of a case (R26), and the periodic evaluation that keeps the alerts in step.

The limits are hours from the report, per step and, where it matters, per
category. Defaults follow the policy: acknowledged within 24 hours; assessed
within 72 hours when a child may be at risk, within 7 days otherwise. A
deployment overrides any of them with ``SAFEGUARDING_DEADLINE_HOURS`` in
settings, keyed ``"<step>"``, ``"<step>:child"`` (a child may be at risk) or
``"<step>:<category>"`` (most specific wins), e.g.
``{"assessed:sexual": 24, "concluded": 720}``. A step without a limit has no
deadline.

An alert exists exactly while a step is overdue: :func:`refresh` raises the
missing ones and removes those whose step is done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from barneby.safeguarding.models import Concern, DeadlineAlert, Status, status_rank

DEFAULT_DEADLINE_HOURS: dict[str, int] = {
    "acknowledged": 24,
    "assessed:child": 72,
    "assessed": 7 * 24,
}
STEPS: tuple[str, ...] = tuple(Status.values[1:])


def deadline_hours() -> dict[str, int]:
    """The limits in force: the defaults with the deployment's overrides (read at call time)."""
    merged = dict(DEFAULT_DEADLINE_HOURS)
    merged.update(getattr(settings, "SAFEGUARDING_DEADLINE_HOURS", {}) or {})
    return merged


def limit_for(step: str, *, category: str, child_at_risk: bool, limits: dict[str, int] | None = None) -> int | None:
    """Hours from the report within which ``step`` must be done, or None."""
    limits = deadline_hours() if limits is None else limits
    keys = [f"{step}:{category}"]
    if child_at_risk:
        keys.append(f"{step}:child")
    keys.append(step)
    for key in keys:
        if key in limits:
            return int(limits[key])
    return None


@dataclass(frozen=True)
class Due:
    step: str
    due_at: dt.datetime


def due_steps(concern: Concern, *, limits: dict[str, int] | None = None) -> list[Due]:
    """The steps of ``concern`` not yet done that have a limit, with when each is due."""
    found = []
    rank = status_rank(concern.status)
    for step in STEPS:
        if status_rank(step) <= rank:
            continue
        hours = limit_for(step, category=concern.category, child_at_risk=concern.child_may_be_at_risk, limits=limits)
        if hours is not None:
            found.append(Due(step, concern.reported_at + dt.timedelta(hours=hours)))
    return found


def overdue(concern: Concern, *, now: dt.datetime, limits: dict[str, int] | None = None) -> list[Due]:
    return [d for d in due_steps(concern, limits=limits) if d.due_at <= now]


@dataclass(frozen=True)
class Refreshed:
    concerns: int
    raised: int
    cleared: int


def refresh(concerns: Iterable[Concern] | None = None, *, now: dt.datetime | None = None) -> Refreshed:
    """Raise the R26 alerts of overdue steps and clear those whose step is done (all open cases by default)."""
    now = now or timezone.now()
    limits = deadline_hours()
    rows = list(concerns) if concerns is not None else list(Concern.objects.all())
    raised = cleared = 0
    with transaction.atomic():
        for concern in rows:
            wanted = {d.step: d.due_at for d in overdue(concern, now=now, limits=limits)}
            existing = {a.step: a for a in DeadlineAlert.objects.filter(concern=concern)}
            stale = [a.pk for step, a in existing.items() if step not in wanted]
            if stale:
                cleared += DeadlineAlert.objects.filter(pk__in=stale).delete()[0]
            for step, due_at in wanted.items():
                if step not in existing:
                    DeadlineAlert.objects.create(concern=concern, step=step, due_at=due_at, raised_at=now)
                    raised += 1
    return Refreshed(len(rows), raised, cleared)
