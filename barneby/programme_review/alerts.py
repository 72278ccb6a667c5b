"""Loading the facts R28 needs for many programmes at once, and evaluating it.

R28 is computed whenever it is shown, from the care register (who takes part)
and the recorded alternative providers, so it can never be stale: it is raised
as soon as a programme is set to phasing out or handed over (by a review
decision or in the register) and clears the moment the last participant's
provider is recorded. A fixed number of queries, whatever the number of programmes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.care.models import Child, ChildStatus, Placement
from barneby.programme_review import rules
from barneby.programme_review.models import AlternativeProvision

TITLE = _("Deltakere uten alternativt skole- og helsetilbud")


def participants(programme_ids: Iterable[int], *, today: dt.date | None = None) -> dict[int, set[int]]:
    """Programme → the children taking part: those it is responsible for (not left) and those living in its homes."""
    ids = sorted(set(programme_ids))
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return found
    day = today or timezone.localdate()
    for programme_id, child_id in (
        Child.objects.filter(programme_id__in=ids).exclude(status=ChildStatus.LEFT).values_list("programme_id", "pk")
    ):
        found[programme_id].add(child_id)
    placed = (
        Placement.objects.filter(home__programme_id__in=ids, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .exclude(child__status=ChildStatus.LEFT)
        .values_list("home__programme_id", "child_id")
    )
    for programme_id, child_id in placed:
        found[programme_id].add(child_id)
    return found


def provided(programme_ids: Iterable[int]) -> dict[int, set[int]]:
    """Programme → the children with an alternative provider of schooling and health care recorded."""
    found: dict[int, set[int]] = defaultdict(set)
    rows = AlternativeProvision.objects.filter(programme_id__in=sorted(set(programme_ids))).values_list(
        "programme_id", "child_id"
    )
    for programme_id, child_id in rows:
        found[programme_id].add(child_id)
    return found


def r28_findings(programmes: Iterable[tuple[int, str]], *, today: dt.date | None = None) -> dict[int, rules.Finding]:
    """``programmes``: (id, status) pairs; the R28 finding of each programme that has one."""
    statuses = {pk: status for pk, status in programmes if status in rules.R28_STATUSES}
    if not statuses:
        return {}
    taking_part = participants(statuses, today=today)
    recorded = provided(statuses)
    found = {}
    for pk, status in statuses.items():
        facts = rules.ProgrammeFacts(pk, status, frozenset(taking_part.get(pk, ())), frozenset(recorded.get(pk, ())))
        finding = rules.r28_missing_alternative_provider(facts)
        if finding is not None:
            found[pk] = finding
    return found


def message(finding: rules.Finding) -> str:
    return str(_("{missing} av {total} deltakere mangler alternativt skole- og helsetilbud.")).format(
        missing=len(finding.missing), total=finding.participants
    )
