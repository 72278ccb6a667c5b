"""Changes to the partner pipeline: create a lead, move its stage, assign an owner, add notes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.mail import send_mail_later
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
    consent_text_version: str = "",
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
        consent_text_version=consent_text_version.strip()[:40],
    )
    lead.full_clean()
    lead.save()
    LeadEvent.objects.create(lead=lead, kind=LeadEventKind.CREATED, to_stage=Stage.NEW, owner=owner, actor=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=lead)
    return lead


def web_lead_owner(association: MemberAssociation) -> User | None:
    """Who gets a lead from the website: the eligible owner with the fewest open leads (then by name)."""
    open_stages = [s for s in Stage.values if TRANSITIONS[s] and s != Stage.DECLINED]
    return (
        eligible_owners(association)
        .annotate(
            open_leads=Count(
                "partner_leads",
                filter=Q(partner_leads__stage__in=open_stages, partner_leads__association=association),
                distinct=True,
            )
        )
        .order_by("open_leads", "full_name", "pk")
        .first()
    )


def _notify_owner(lead: Lead) -> None:
    """E-mail the owner that a lead came in from the website: the company and a link, nothing more."""
    owner = lead.owner
    if owner is None or not owner.email:
        return
    link = str(settings.SITE_URL).rstrip("/") + reverse("partners:lead-detail", kwargs={"pk": lead.pk})
    with translation.override(owner.language or "nb"):
        subject = _("Ny partnerhenvendelse fra nettstedet: {company}").format(company=lead.company_name)
        body = _(
            "Hei {name},\n\n{company} har sendt en henvendelse gjennom skjemaet «Bli en partner» på nettstedet, "
            "og du er satt som ansvarlig.\n\nSe henvendelsen og ta kontakt: {link}\n"
        ).format(name=owner.full_name or owner.email, company=lead.company_name, link=link)
    send_mail_later(subject=subject, body=body, to=[owner.email])


@transaction.atomic
def lead_from_website(
    *,
    association: MemberAssociation,
    company_name: str,
    organisation_number: str = "",
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    message: str = "",
    text_version: str,
) -> Lead:
    """A lead from the public partner form: source web, the consent text's version kept, an owner given
    (``web_lead_owner``) and told by e-mail once the lead is saved. Bad input: ``ValidationError``, nothing saved."""
    if not text_version.strip():
        raise ValidationError({"consent": _("Oppgi hvilken versjon av samtykketeksten som ble godtatt.")})
    lead = lead_create(
        actor=None,
        association=association,
        company_name=company_name,
        organisation_number=organisation_number,
        contact_name=contact_name,
        email=email,
        phone=phone,
        message=message,
        source=LeadSource.WEB,
        owner=web_lead_owner(association),
        consent_text_version=text_version,
    )
    _notify_owner(lead)
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
