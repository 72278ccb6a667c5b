"""R26: each time limit raises an alert when it passes and clears it when the step is done."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from barneby.core.tests.personas import verified_client
from barneby.safeguarding import deadlines, services
from barneby.safeguarding.models import Category, ConcernsChild, DeadlineAlert, Severity
from barneby.safeguarding.tasks import evaluate_safeguarding_deadlines
from barneby.safeguarding.tests.conftest import SgWorld, staff_case


def test_defaults_follow_the_policy() -> None:
    assert (
        deadlines.limit_for(
            "acknowledged", category="other", child_at_risk=False, limits=deadlines.DEFAULT_DEADLINE_HOURS
        )
        == 24
    )
    assert (
        deadlines.limit_for("assessed", category="other", child_at_risk=True, limits=deadlines.DEFAULT_DEADLINE_HOURS)
        == 72
    )
    assert (
        deadlines.limit_for("assessed", category="other", child_at_risk=False, limits=deadlines.DEFAULT_DEADLINE_HOURS)
        == 168
    )
    assert (
        deadlines.limit_for("concluded", category="other", child_at_risk=True, limits=deadlines.DEFAULT_DEADLINE_HOURS)
        is None
    )


def test_settings_override_per_step_and_category() -> None:
    limits = {**deadlines.DEFAULT_DEADLINE_HOURS, "assessed:sexual": 12, "concluded": 720}
    assert deadlines.limit_for("assessed", category="sexual", child_at_risk=True, limits=limits) == 12
    assert deadlines.limit_for("assessed", category="neglect", child_at_risk=True, limits=limits) == 72
    assert deadlines.limit_for("concluded", category="neglect", child_at_risk=False, limits=limits) == 720


def _alerts() -> set[str]:
    return set(DeadlineAlert.objects.values_list("step", flat=True))


@pytest.mark.django_db
def test_acknowledgement_deadline_raises_and_clears(sg: SgWorld) -> None:
    concern = staff_case(sg, reported_at=timezone.now() - dt.timedelta(hours=25))
    assert _alerts() == {"acknowledged"}
    services.concern_acknowledge(actor=sg.focal_a, concern=concern)
    assert _alerts() == set()


@pytest.mark.django_db
def test_assessment_within_72_hours_when_a_child_may_be_at_risk(sg: SgWorld) -> None:
    now = timezone.now()
    concern = staff_case(sg, reported_at=now - dt.timedelta(hours=10), concerns_child=ConcernsChild.YES)
    concern = services.concern_acknowledge(actor=sg.focal_a, concern=concern)
    deadlines.refresh(now=now + dt.timedelta(hours=63))
    assert _alerts() == {"assessed"}
    services.concern_assess(actor=sg.focal_a, concern=concern, risk_level=Severity.HIGH, child_at_risk=True)
    assert _alerts() == set()


@pytest.mark.django_db
def test_assessment_within_seven_days_otherwise(sg: SgWorld) -> None:
    now = timezone.now()
    concern = staff_case(
        sg, reported_at=now - dt.timedelta(hours=1), concerns_child=ConcernsChild.NO, category=Category.CORRUPTION
    )
    services.concern_acknowledge(actor=sg.focal_a, concern=concern)
    deadlines.refresh(now=now + dt.timedelta(hours=100))
    assert _alerts() == set()
    deadlines.refresh(now=now + dt.timedelta(hours=170))
    assert _alerts() == {"assessed"}


@pytest.mark.django_db
def test_a_configured_deadline_of_a_later_step_raises_too(sg: SgWorld, settings: Any) -> None:
    settings.SAFEGUARDING_DEADLINE_HOURS = {"concluded": 48}
    staff_case(sg, reported_at=timezone.now() - dt.timedelta(hours=49), concerns_child=ConcernsChild.YES)
    assert _alerts() == {"acknowledged", "concluded"}


@pytest.mark.django_db
def test_the_periodic_run_raises_what_passed_since_and_the_focal_point_sees_it(sg: SgWorld) -> None:
    concern = staff_case(sg, reported_at=timezone.now() - dt.timedelta(hours=23))
    assert _alerts() == set()
    # An hour and a half later, nobody has touched the case: only the periodic run notices.
    result = deadlines.refresh(now=timezone.now() + dt.timedelta(minutes=90))
    assert (result.raised, _alerts()) == (1, {"acknowledged"})
    page = verified_client(sg.focal_a).get(reverse("safeguarding:case-list")).content.decode()
    assert "R26" in page
    assert concern.code in page
    assert "R26" not in verified_client(sg.focal_b).get(reverse("safeguarding:case-list")).content.decode()
    # The nightly command and the task run the same evaluation (in real time: not overdue yet, so cleared).
    call_command("evaluate_safeguarding_deadlines", verbosity=0)
    assert _alerts() == set()
    overdue = staff_case(sg, reported_at=timezone.now() - dt.timedelta(hours=25))
    DeadlineAlert.objects.all().delete()  # as if the limit passed after the last run
    assert evaluate_safeguarding_deadlines.enqueue().return_value == {"concerns": 2, "raised": 1, "cleared": 0}
    assert list(DeadlineAlert.objects.values_list("concern_id", flat=True)) == [overdue.pk]
