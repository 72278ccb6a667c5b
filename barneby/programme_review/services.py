"""Writes for the programme review: validated, atomic, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.care.models import Child
from barneby.organisation import services as organisation_services
from barneby.organisation.models import Programme, ProgrammeStatus
from barneby.programme_review import alerts, selectors
from barneby.programme_review.models import (
    ENDING,
    STATUS_AFTER,
    AlternativeProvision,
    Assessment,
    CostSource,
    ReviewRound,
)

ASSESSMENT_FIELDS = (
    "relevance_score",
    "relevance_comment",
    "results_score",
    "results_comment",
    "cost_score",
    "cost_comment",
    "cost_per_participant",
    "capacity_score",
    "capacity_comment",
    "sustainability_score",
    "sustainability_comment",
)
SCORES = ("relevance_score", "results_score", "cost_score", "capacity_score", "sustainability_score")


@transaction.atomic
def round_open(*, actor: Any, name: str, year: int, deadline: dt.date, run_by: str) -> ReviewRound:
    """Open a round across the federation: every programme not closed gets its (empty) assessment."""
    review_round = ReviewRound(name=name, year=year, deadline=deadline, run_by=run_by, created_by=actor)
    review_round.full_clean()
    review_round.save()
    programmes = Programme.objects.exclude(status=ProgrammeStatus.CLOSED).values_list("pk", flat=True)
    Assessment.objects.bulk_create(
        (Assessment(round=review_round, programme_id=pk) for pk in programmes.iterator(chunk_size=2000)),
        batch_size=1000,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=review_round, detail=f"{len(programmes)} programmes")
    return review_round


@transaction.atomic
def assessment_save(*, actor: Any, assessment: Assessment, **fields: Any) -> Assessment:
    """Record the scores and comments; the cost per participant is computed when not entered and known."""
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Feltet kan ikke endres her.") for name in sorted(unknown)})
    missing = {name: _("Gi en karakter fra 1 til 5.") for name in SCORES if fields.get(name) is None}
    if missing:
        raise ValidationError(missing)
    for name, value in fields.items():
        setattr(assessment, name, value)
    entered = fields.get("cost_per_participant")
    if entered is not None:
        assessment.cost_source = CostSource.ENTERED
        assessment.cost_basis = ""
    else:
        basis = selectors.cost_basis(assessment.programme, assessment.round.year)
        assessment.cost_per_participant = basis.per_participant if basis else None
        assessment.cost_source = CostSource.COMPUTED if basis else ""
        assessment.cost_basis = basis.description if basis else ""
    assessment.assessed_at = timezone.now()
    assessment.assessed_by = actor
    assessment.full_clean()
    assessment.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=assessment, detail="assessed")
    return assessment


@transaction.atomic
def assessment_decide(
    *,
    actor: Any,
    assessment: Assessment,
    decision: str,
    decision_reason: str,
    receiving_party: str = "",
    effective_on: dt.date | None = None,
) -> Assessment:
    """Decide on an assessed programme and set its status to match (audited by the register's service).

    Phasing out or handing over ends the programme for its participants: only a
    national director of its association decides that. From then on R28 watches
    that every participant has an alternative provider of schooling and health care.
    """
    if not assessment.is_assessed:
        raise ValidationError(_("Programmet må vurderes før det kan besluttes."))
    programme = assessment.programme
    if decision in ENDING and not selectors.may_end(user=actor, programme=programme):
        raise PermissionDenied(_("Bare nasjonal leder kan beslutte å fase ut eller overlevere et program."))
    return decision_apply(
        actor=actor,
        assessment=assessment,
        decision=decision,
        decision_reason=decision_reason,
        receiving_party=receiving_party,
        effective_on=effective_on,
    )


@transaction.atomic
def decision_apply(
    *,
    actor: Any,
    assessment: Assessment,
    decision: str,
    decision_reason: str,
    receiving_party: str = "",
    effective_on: dt.date | None = None,
) -> Assessment:
    """Record a decision already authorised (:func:`assessment_decide`, or the demo) and set the status."""
    programme = assessment.programme
    assessment.decision = decision
    assessment.decision_reason = decision_reason
    assessment.receiving_party = receiving_party if decision in ENDING else ""
    assessment.effective_on = effective_on
    assessment.decided_at = timezone.now()
    assessment.decided_by = actor
    assessment.full_clean()
    assessment.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=assessment, detail=f"decision: {decision}")
    reason = _("Programgjennomgang «{round}»: {decision}").format(
        round=assessment.round.name, decision=assessment.get_decision_display()
    )
    if receiving_party and decision in ENDING:
        reason += f" ({receiving_party})"
    organisation_services.programme_change_status(
        actor=actor, programme=programme, status=STATUS_AFTER[decision], reason=reason
    )
    return assessment


@transaction.atomic
def provision_save(
    *,
    actor: Any,
    programme: Programme,
    child: Child,
    schooling_provider: str,
    health_provider: str,
    starts_on: dt.date,
    note: str = "",
) -> AlternativeProvision:
    """Record (or correct) who gives a participant schooling and health care once the programme ends."""
    if child.pk not in alerts.participants([programme.pk]).get(programme.pk, set()):
        raise ValidationError(_("Barnet er ikke deltaker i dette programmet."))
    provision = AlternativeProvision.objects.filter(programme=programme, child=child).first()
    action = AuditAction.UPDATE if provision else AuditAction.CREATE
    provision = provision or AlternativeProvision(programme=programme, child=child)
    provision.schooling_provider = schooling_provider.strip()
    provision.health_provider = health_provider.strip()
    provision.starts_on = starts_on
    provision.note = note
    provision.recorded_by = actor
    provision.full_clean()
    provision.save()
    audit_record(actor=actor, action=action, obj=provision, detail=f"child {child.pk}")
    return provision
