"""The care facts of every child of a set of programmes, loaded by programme rather than by child.

The same :class:`barneby.care.rules.ChildFacts` as :func:`barneby.care.alerts.load_facts`, from the same
loader, but each table is read once with a filter on the children's programmes: at the scale of every
programme of the federation, lists of thousands of child ids cost more to bind than the rows cost to read.
"""

from __future__ import annotations

from django.db.models import Q

from barneby.care import rules
from barneby.care.alerts import ChildRow, facts_where


def facts_for_programmes(programme_ids: list[int], children: dict[int, ChildRow]) -> dict[int, rules.ChildFacts]:
    """``children``: id → (birth date, status, unaccompanied, residence decision, settlement) of the wanted children,
    all of them in ``programme_ids``."""
    return facts_where(
        children,
        Q(child__programme_id__in=programme_ids),
        Q(child_a__programme_id__in=programme_ids) | Q(child_b__programme_id__in=programme_ids),
        sibling_names=False,
    )
