"""Changes to the partner pipeline: create a lead, move its stage, assign an owner, add notes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.organisation.models import MemberAssociation
from barneby.partners.models import TRANSITIONS, Lead, LeadEvent, LeadEventKind, LeadNote, LeadSource, Stage


def eligible_owners(association: MemberAssociation) -> QuerySet[User]:
    """Active users who work in donor service for ``association`` today: the only possible owners."""
    today = timezone.localdate()
    return (
        User.objects.filter(
            is_active=True,
            assignments__role=Role.DONOR_SERVICE,
            assignments__scope_kind=ScopeKind.ASSOCIATION,
            assignments__scope_key=str(association.pk),
        )
        .filter(Q(assignments__valid_until__isnull=True) | Q(assignments__valid_until__gte=today))
        .distinct()
        .order_by("full_name", "pk")
    )


def _check_owner(association: MemberAssociation, owner: User | None) -> None:
    if owner is not None and not eligible_owners(association).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("Ansvarlig må jobbe i giverservice i samme medlemsorganisasjon.")})


@transaction.atomic
def lead_create(
    *,
    actor: Any,
    association: MemberAssociation,
    company_name: str,
    organisation_number: str = "",
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    message: str = "",
    source: str = LeadSource.OTHER,
    owner: User | None = None,
    expected_yearly_amount: Decimal | None = None,
) -> Lead:
    _check_owner(association, owner)
    lead = Lead(
        association=association,
        company_name=company_name.strip(),
        organisation_number=organisation_number.replace(" ", ""),
        contact_name=contact_name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        message=message.strip(),
        source=source,
        owner=owner,
        expected_yearly_amount=expected_yearly_amount,
        stage=Stage.NEW,
        stage_changed_at=timezone.now(),
    )
    lead.full_clean()
    lead.save()
    LeadEvent.objects.create(lead=lead, kind=LeadEventKind.CREATED, to_stage=Stage.NEW, owner=owner, actor=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=lead)
    return lead


@transaction.atomic
def lead_change_stage(*, actor: Any, lead: Lead, stage: str) -> Lead:
    """Move ``lead`` to ``stage`` if the pipeline allows it; otherwise nothing changes."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Ukjent fase.")})
    if stage not in TRANSITIONS[lead.stage]:
        raise ValidationError(
            {
                "stage": _("Et emne i fasen «{current}» kan ikke flyttes til «{target}».").format(
                    current=Stage(lead.stage).label, target=Stage(stage).label
                )
            }
        )
    previous = lead.stage
    lead.stage = stage
    lead.stage_changed_at = timezone.now()
    lead.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    LeadEvent.objects.create(lead=lead, kind=LeadEventKind.STAGE, from_stage=previous, to_stage=stage, actor=actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=lead, detail=f"stage {previous} -> {stage}")
    return lead


@transaction.atomic
def lead_assign_owner(*, actor: Any, lead: Lead, owner: User | None) -> Lead:
    """Make ``owner`` (a donor-service user of the lead's association) responsible, or nobody."""
    lead = Lead.objects.select_for_update().select_related("association").get(pk=lead.pk)
    _check_owner(lead.association, owner)
    if lead.owner_id == (owner.pk if owner else None):
        return lead
    lead.owner = owner
    lead.save(update_fields=["owner", "updated_at"])
    LeadEvent.objects.create(lead=lead, kind=LeadEventKind.OWNER, owner=owner, actor=actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=lead, detail=f"owner -> {owner.pk if owner else '-'}")
    return lead


@transaction.atomic
def lead_add_note(*, actor: Any, lead: Lead, text: str) -> LeadNote:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Skriv notatet.")})
    if len(text) > 5000:
        raise ValidationError({"text": _("Notatet kan ha høyst 5000 tegn.")})
    note = LeadNote.objects.create(lead=lead, text=text, author=actor)
    Lead.objects.filter(pk=lead.pk).update(updated_at=timezone.now())
    return note
