"""The demo round: programmes assessed and decided, a phase-out with R28 open on half its participants; idempotent."""

from __future__ import annotations

import pytest

from barneby.care.tests import factories as care
from barneby.core.demo import DemoContext
from barneby.core.tests.personas import make_user
from barneby.organisation.models import ProgrammeStatus, ProgrammeType
from barneby.organisation.tests import factories as org
from barneby.programme_review import selectors
from barneby.programme_review.demo import seed_programme_review
from barneby.programme_review.models import Assessment, ReviewRound

pytestmark = pytest.mark.django_db


def test_demo_round_has_reviews_decisions_and_an_open_r28_and_is_idempotent() -> None:
    norway = org.association(code="NO-SOS", name="SOS-barnebyer Norge")
    malawi = org.association(code="MW-SOS", name="SOS Malawi", country="MW")
    village = org.programme(norway, code="NO-BGO-VILLAGE", type=ProgrammeType.FAMILY_VILLAGE)
    krs = org.programme(norway, code="NO-SIB-KRS")
    school = org.programme(malawi, code="MW-SCHOOL-1", type=ProgrammeType.SCHOOL)
    builder = make_user()
    for _ in range(4):
        care.child(krs, builder)
    context = DemoContext(scale="national", seed=1, progress=lambda items, **_kw: items)

    seed_programme_review(context)

    review_round = ReviewRound.objects.get()
    assert review_round.assessments.count() == 3
    assert Assessment.objects.exclude(assessed_at=None).count() == 3
    for programme in (village, krs, school):
        programme.refresh_from_db()
    assert village.status == ProgrammeStatus.ACTIVE
    assert krs.status == ProgrammeStatus.PHASING_OUT
    assert school.status == ProgrammeStatus.HANDED_OVER
    assert Assessment.objects.get(programme=school).receiving_party
    finding = selectors.r28_finding(krs)
    assert finding is not None
    assert (len(finding.missing), finding.participants) == (2, 4)

    seed_programme_review(context)
    assert ReviewRound.objects.count() == 1
