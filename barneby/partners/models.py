"""Corporate partner pipeline (C8): leads from companies, their stage, notes and history.

A lead moves new → contacted → meeting → agreement, or to declined from any open
stage; a declined lead can be reopened as new. The allowed moves live in
``TRANSITIONS`` and are enforced by :func:`barneby.partners.services.lead_change_stage`;
every change is kept in ``LeadEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from barneby.accounts.scoping import ScopePaths
from barneby.core.identity import organisation_number_error
from barneby.core.models import BaseModel


class Stage(models.TextChoices):
    NEW = "new", _("Ny")
    CONTACTED = "contacted", _("Kontaktet")
    MEETING = "meeting", _("Møte")
    AGREEMENT = "agreement", _("Avtale")
    DECLINED = "declined", _("Avslått")


TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.NEW: frozenset({Stage.CONTACTED, Stage.DECLINED}),
    Stage.CONTACTED: frozenset({Stage.MEETING, Stage.DECLINED}),
    Stage.MEETING: frozenset({Stage.AGREEMENT, Stage.DECLINED}),
    Stage.AGREEMENT: frozenset(),
    Stage.DECLINED: frozenset({Stage.NEW}),
}


class LeadSource(models.TextChoices):
    WEB = "web", _("Nettskjema")
    PHONE = "phone", _("Telefon")
    EMAIL = "email", _("E-post")
    EVENT = "event", _("Arrangement")
    NETWORK = "network", _("Nettverk")
    OTHER = "other", _("Annet")


class Lead(BaseModel):
    """A company that may become a partner: who to talk to, what they asked, and where it stands."""

    SCOPE_PATHS = ScopePaths(association="association_id")

    association = models.ForeignKey(
        "organisation.MemberAssociation",
        on_delete=models.PROTECT,
        related_name="partner_leads",
        verbose_name=_("medlemsorganisasjon"),
    )
    company_name = models.CharField(_("firmanavn"), max_length=200)
    organisation_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True)
    contact_name = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    message = models.TextField(_("henvendelse"), blank=True, max_length=5000)
    source = models.CharField(_("kilde"), max_length=10, choices=LeadSource.choices, default=LeadSource.OTHER)
    stage = models.CharField(_("fase"), max_length=10, choices=Stage.choices, default=Stage.NEW, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_leads",
        verbose_name=_("ansvarlig"),
    )
    expected_yearly_amount = models.DecimalField(
        _("forventet beløp per år (kr)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    stage_changed_at = models.DateTimeField(_("fase endret"), null=True, blank=True)
    # A lead from the website's partner form: the version of the consent text the contact agreed to.
    consent_text_version = models.CharField(_("versjon av samtykketeksten"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("partneremne")
        verbose_name_plural = _("partneremner")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_yearly_amount__isnull=True) | Q(expected_yearly_amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=[s.value for s in Stage]), name="%(app_label)s_%(class)s_stage_known"
            ),
        ]

    def __str__(self) -> str:
        return self.company_name

    @property
    def next_stages(self) -> list[Stage]:
        return [s for s in Stage if s in TRANSITIONS[self.stage]]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.company_name.strip():
            errors["company_name"] = str(_("Oppgi firmanavnet."))
        if self.organisation_number:
            message = organisation_number_error(self.organisation_number)
            if message:
                errors["organisation_number"] = str(message)
        if not self.email.strip() and not self.phone.strip():
            errors["email"] = str(_("Oppgi e-post eller telefon, så vi kan ta kontakt."))
        if self.expected_yearly_amount is not None and self.expected_yearly_amount < 0:
            errors["expected_yearly_amount"] = str(_("Beløpet kan ikke være negativt."))
        if errors:
            raise ValidationError(errors)


class LeadNote(BaseModel):
    """A note from a conversation or meeting with the company."""

    SCOPE_PATHS = ScopePaths(association="lead__association_id")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notes", verbose_name=_("emne"))
    text = models.TextField(_("notat"), max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("skrevet av")
    )

    class Meta:
        verbose_name = _("notat")
        verbose_name_plural = _("notater")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lead}: {self.text[:40]}"


class LeadEventKind(models.TextChoices):
    CREATED = "created", _("Registrert")
    STAGE = "stage", _("Fase endret")
    OWNER = "owner", _("Ansvarlig endret")


class LeadEvent(models.Model):
    """One entry in a lead's history: created, stage changed, owner changed. Never changed afterwards."""

    SCOPE_PATHS = ScopePaths(association="lead__association_id")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events", verbose_name=_("emne"))
    kind = models.CharField(_("hendelse"), max_length=10, choices=LeadEventKind.choices)
    from_stage = models.CharField(_("fra fase"), max_length=10, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("til fase"), max_length=10, choices=Stage.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ny ansvarlig"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utført av"),
    )
    occurred_at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("historikk")
        verbose_name_plural = _("historikk")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lead}: {self.get_kind_display()}"
