"""I33: concerns by category and channel, substantiated by category and perpetrator, median days to a
response, with small cells suppressed; scoped to the reader."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from barneby.core.tests.personas import verified_client
from barneby.safeguarding import figures, services
from barneby.safeguarding.models import Category, Concern, Outcome, Perpetrator, Severity
from barneby.safeguarding.tests.conftest import SgWorld, public_case, staff_case

pytestmark = pytest.mark.django_db


def _close(world: SgWorld, concern: Concern, outcome: str, perpetrator: str = "") -> None:
    focal = world.focal_a
    concern = services.concern_acknowledge(actor=focal, concern=concern)
    concern = services.concern_assess(actor=focal, concern=concern, risk_level=Severity.LOW, child_at_risk=False)
    concern = services.concern_investigate(actor=focal, concern=concern, investigator=focal, plan="p")
    services.concern_conclude(actor=focal, concern=concern, outcome=outcome, perpetrator=perpetrator)


def test_counts_substantiated_and_median_with_small_cells_hidden(sg: SgWorld) -> None:
    year = timezone.now().year
    for _ in range(6):
        staff_case(sg, category=Category.PHYSICAL)
    for _ in range(2):
        public_case(sg, category=Category.CORRUPTION)
    physical = list(Concern.objects.filter(category=Category.PHYSICAL))
    for concern in physical[:5]:
        _close(sg, concern, Outcome.SUBSTANTIATED, Perpetrator.STAFF)
    _close(sg, physical[5], Outcome.NOT_SUBSTANTIATED)
    result = figures.compute(Concern.objects.all(), year=year, small=3)
    rows = {label: cells for label, cells, _total in result.by_channel.rows}
    assert rows[str(Category.PHYSICAL.label)] == [6, 0]
    # Two corruption reports: below the threshold, hidden (and so is what would reveal them).
    assert rows[str(Category.CORRUPTION.label)][1] is None
    substantiated = {label: cells for label, cells, _total in result.substantiated.rows}
    assert substantiated[str(Category.PHYSICAL.label)] == [5, 0, 0]
    assert result.responses == 6
    assert result.median_days is not None
    # Too few responses: no median.
    assert figures.compute(Concern.objects.filter(category=Category.CORRUPTION), year=year, small=3).median_days is None


def test_figures_page_is_scoped_to_the_readers_association(sg: SgWorld) -> None:
    staff_case(sg, association=sg.b, reported_at=timezone.now() - dt.timedelta(hours=1))
    page = verified_client(sg.director_a).get(reverse("safeguarding:statistics"))
    assert page.status_code == 200
    assert page.context["figures"].by_channel.published.total == 0
    assert verified_client(sg.caseworker_a).get(reverse("safeguarding:statistics")).status_code == 403
