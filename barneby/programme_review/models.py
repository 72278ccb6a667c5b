"""The programme review (seed 004, DESIGN.md C6): review rounds, assessments, decisions and transition plans.

A round runs across the federation: when it is opened every programme that is
not closed gets an assessment row, so the round's dashboard can count what is
reviewed and decided. An assessment scores relevance, results against
targets, cost per participant, local capacity and sustainability (1 to 5, with
comments); its decision (continue, adapt, phase out, hand over) changes the
programme's status through the organisation register's service.

When a programme is phased out or handed over, its transition plan names, for
every participant, who provides schooling and health care afterwards and from
which date (:class:`AlternativeProvision`). R28 (:mod:`.rules`) is computed
from these rows and the care register, never stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from barneby.accounts.scoping import ScopePaths
from barneby.core.models import BaseModel
from barneby.organisation.models import Programme, ProgrammeStatus

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class ReviewRound(BaseModel):
    """A review of the federation's programmes: its name, year, deadline and who runs it."""

    name = models.CharField(_("navn"), max_length=200)
    year = models.PositiveSmallIntegerField(_("år"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    deadline = models.DateField(_("frist"))
    run_by = models.CharField(_("ansvarlig for gjennomgangen"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opprettet av")
    )

    class Meta:
        verbose_name = _("gjennomgangsrunde")
        verbose_name_plural = _("gjennomgangsrunder")
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.name


class Decision(models.TextChoices):
    CONTINUE = "continue", _("Videreføre")
    ADAPT = "adapt", _("Tilpasse")
    PHASE_OUT = "phase_out", _("Fase ut")
    HAND_OVER_AUTHORITIES = "hand_over_authorities", _("Overlevere til myndighetene")
    HAND_OVER_OTHER = "hand_over_other", _("Overlevere til en annen aktør")


HAND_OVER = frozenset({Decision.HAND_OVER_AUTHORITIES, Decision.HAND_OVER_OTHER})
# Decisions that end the programme for its participants: only a national director takes them.
ENDING = frozenset({Decision.PHASE_OUT, *HAND_OVER})
# The programme status each decision leads to.
STATUS_AFTER: dict[str, str] = {
    Decision.CONTINUE: ProgrammeStatus.ACTIVE,
    Decision.ADAPT: ProgrammeStatus.ACTIVE,
    Decision.PHASE_OUT: ProgrammeStatus.PHASING_OUT,
    Decision.HAND_OVER_AUTHORITIES: ProgrammeStatus.HANDED_OVER,
    Decision.HAND_OVER_OTHER: ProgrammeStatus.HANDED_OVER,
}


class CostSource(models.TextChoices):
    COMPUTED = "computed", _("Beregnet")
    ENTERED = "entered", _("Oppgitt")


class Assessment(BaseModel):
    """One programme in one round: scores with comments, and the decision."""

    SCOPE_PATHS = ScopePaths(association="programme__association_id", programme="programme_id")

    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("runde")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("program")
    )
    relevance_score = models.PositiveSmallIntegerField(_("relevans"), null=True, blank=True, validators=SCORE)
    relevance_comment = models.TextField(_("kommentar til relevans"), blank=True)
    results_score = models.PositiveSmallIntegerField(_("resultater mot mål"), null=True, blank=True, validators=SCORE)
    results_comment = models.TextField(_("kommentar til resultater"), blank=True)
    cost_score = models.PositiveSmallIntegerField(_("kostnad per deltaker"), null=True, blank=True, validators=SCORE)
    cost_comment = models.TextField(_("kommentar til kostnad"), blank=True)
    cost_per_participant = models.DecimalField(
        _("kostnad per deltaker (kr)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cost_source = models.CharField(_("kilde for kostnad"), max_length=20, choices=CostSource.choices, blank=True)
    cost_basis = models.CharField(_("grunnlag for kostnaden"), max_length=300, blank=True)
    capacity_score = models.PositiveSmallIntegerField(_("lokal kapasitet"), null=True, blank=True, validators=SCORE)
    capacity_comment = models.TextField(_("kommentar til lokal kapasitet"), blank=True)
    sustainability_score = models.PositiveSmallIntegerField(_("bærekraft"), null=True, blank=True, validators=SCORE)
    sustainability_comment = models.TextField(_("kommentar til bærekraft"), blank=True)
    assessed_at = models.DateTimeField(_("vurdert"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vurdert av"),
    )
    decision = models.CharField(_("beslutning"), max_length=30, choices=Decision.choices, blank=True)
    receiving_party = models.CharField(_("mottaker"), max_length=200, blank=True)
    decision_reason = models.TextField(_("begrunnelse"), blank=True)
    effective_on = models.DateField(_("gjelder fra"), null=True, blank=True)
    decided_at = models.DateTimeField(_("besluttet"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besluttet av"),
    )

    class Meta:
        verbose_name = _("programvurdering")
        verbose_name_plural = _("programvurderinger")
        ordering = ["round", "programme__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "programme"], name="programme_review_assessment_once"),
            models.CheckConstraint(
                condition=~Q(decision__in=[Decision.HAND_OVER_AUTHORITIES, Decision.HAND_OVER_OTHER])
                | ~Q(receiving_party=""),
                name="%(app_label)s_%(class)s_handover_names_receiver",
                violation_error_message=_("En overlevering må ha en mottaker."),
            ),
        ]
        indexes = [models.Index(fields=["round", "decision"], name="programme_review_round_dec")]

    def __str__(self) -> str:
        return f"{self.round} – {self.programme}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.decision in HAND_OVER and not self.receiving_party.strip():
            errors["receiving_party"] = _("Oppgi hvem programmet overleveres til.")
        if self.decision and not self.decision_reason.strip():
            errors["decision_reason"] = _("Skriv en kort begrunnelse for beslutningen.")
        if self.decision in ENDING and not self.effective_on:
            errors["effective_on"] = _("Oppgi fra hvilken dato beslutningen gjelder.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_assessed(self) -> bool:
        return self.assessed_at is not None

    @property
    def scores(self) -> list[tuple[str, int | None, str]]:
        """(label, score, comment) for the five criteria, in the review's order."""
        return [
            (str(_("Relevans")), self.relevance_score, self.relevance_comment),
            (str(_("Resultater mot mål")), self.results_score, self.results_comment),
            (str(_("Kostnad per deltaker")), self.cost_score, self.cost_comment),
            (str(_("Lokal kapasitet")), self.capacity_score, self.capacity_comment),
            (str(_("Bærekraft")), self.sustainability_score, self.sustainability_comment),
        ]


class AlternativeProvision(BaseModel):
    """Where one participant of a programme that is phased out or handed over gets schooling and health care."""

    SCOPE_PATHS = ScopePaths(
        association="programme__association_id",
        programme="programme_id",
        municipality="programme__partner_municipality__number",
    )

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="alternative_provisions", verbose_name=_("program")
    )
    child = models.ForeignKey(
        "care.Child", on_delete=models.CASCADE, related_name="alternative_provisions", verbose_name=_("deltaker")
    )
    schooling_provider = models.CharField(_("skole eller barnehage etterpå"), max_length=200)
    health_provider = models.CharField(_("helsetilbud etterpå"), max_length=200)
    starts_on = models.DateField(_("fra dato"))
    note = models.TextField(_("merknad"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrert av")
    )

    class Meta:
        verbose_name = _("alternativt tilbud")
        verbose_name_plural = _("alternative tilbud")
        ordering = ["programme", "child__last_name", "child__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "child"], name="programme_review_provision_once"),
            models.CheckConstraint(
                condition=~Q(schooling_provider="") & ~Q(health_provider=""),
                name="%(app_label)s_%(class)s_both_providers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} – {self.programme}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not self.schooling_provider.strip():
            errors["schooling_provider"] = _("Oppgi hvem som gir skole- eller barnehagetilbud.")
        if not self.health_provider.strip():
            errors["health_provider"] = _("Oppgi hvem som gir helsetilbud.")
        if errors:
            raise ValidationError(errors)
