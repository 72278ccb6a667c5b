"""The programme review's part of the URL allow list and the persona matrix (see core/tests/app_matrix.py)."""

from __future__ import annotations

import datetime as dt

from barneby.core.access import AccessRule
from barneby.core.tests.app_matrix import WorldContext
from barneby.programme_review.models import Assessment, ReviewRound
from barneby.programme_review.permissions import ASSESSORS, PLAN_ROLES, REVIEW_READERS, ROUND_MANAGERS

EXPECTED: dict[str, AccessRule] = {
    "programme_review:round-list": AccessRule(roles=REVIEW_READERS),
    "programme_review:round-create": AccessRule(roles=ROUND_MANAGERS),
    "programme_review:round-detail": AccessRule(roles=REVIEW_READERS),
    "programme_review:round-programmes": AccessRule(roles=REVIEW_READERS),
    "programme_review:assessment-detail": AccessRule(roles=REVIEW_READERS),
    "programme_review:assessment-edit": AccessRule(roles=ASSESSORS),
    "programme_review:assessment-decide": AccessRule(roles=ASSESSORS),
    "programme_review:plan": AccessRule(roles=PLAN_ROLES),
    "programme_review:provision-edit": AccessRule(roles=PLAN_ROLES),
}

PK_KINDS: dict[str, str] = {
    "programme_review:round-detail": "review_round",
    "programme_review:round-programmes": "review_round",
    "programme_review:assessment-detail": "assessment",
    "programme_review:assessment-edit": "assessment",
    "programme_review:assessment-decide": "assessment",
    "programme_review:provision-edit": "child",
}


def build(context: WorldContext) -> None:
    """One federation-wide round: an assessment of each programme (a1, a2 and b); the round itself is global."""
    review_round = ReviewRound.objects.create(
        name="Matrisegjennomgang",
        year=dt.date.today().year,
        deadline=dt.date.today() + dt.timedelta(days=30),
        run_by="Matrise",
        created_by=context.builder,
    )
    context.put("review_round", "a1", review_round.pk)
    for variant, programme in context.programmes.items():
        assessment = Assessment.objects.create(round=review_round, programme=programme)
        context.put("assessment", variant, assessment.pk)
