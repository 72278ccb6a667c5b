"""Targets, closed-period snapshots, service returns, annual accounts and the status report's texts.

Indicator values are never stored while a period is open: they are computed
from the records (:mod:`barneby.results.indicators`). Closing a period
freezes the reported figures as :class:`Snapshot` rows, which nothing
changes afterwards; a recomputation is shown beside them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from barneby.accounts.scoping import ScopePaths
from barneby.core.models import BaseModel
from barneby.organisation.models import MemberAssociation, Municipality, Programme

UNIT_KEY = RegexValidator(r"^(global|(association|programme|location):\d+|municipality:\d{4})$", _("Ugyldig enhet."))
PERIOD_KEY = RegexValidator(r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$", _("Ugyldig periode (2025, 2025-Q2 eller 2025-03)."))


class Target(BaseModel):
    """The value an indicator should reach for one unit and period."""

    code = models.CharField(_("indikator"), max_length=10)
    unit = models.CharField(_("enhet"), max_length=40, validators=[UNIT_KEY])
    period = models.CharField(_("periode"), max_length=7, validators=[PERIOD_KEY])
    value = models.DecimalField(_("mål"), max_digits=12, decimal_places=1)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("mål for indikator")
        verbose_name_plural = _("mål for indikatorer")
        ordering = ["code", "unit", "period"]
        constraints = [models.UniqueConstraint(fields=["code", "unit", "period"], name="results_target_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.unit} {self.period}: {self.value}"


class PeriodClose(BaseModel):
    """A reporting period closed for one unit: its figures are frozen from then on."""

    unit = models.CharField(_("enhet"), max_length=40, validators=[UNIT_KEY])
    period = models.CharField(_("periode"), max_length=7, validators=[PERIOD_KEY])
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("lukket"))
    reference_date = models.DateField(_("telledag"))

    class Meta:
        verbose_name = _("lukket periode")
        verbose_name_plural = _("lukkede perioder")
        ordering = ["-period", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="results_periodclose_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"


class Snapshot(models.Model):
    """One indicator's reported figure in a closed period, with the counts it was computed from."""

    closing = models.ForeignKey(PeriodClose, on_delete=models.PROTECT, related_name="snapshots")
    code = models.CharField(_("indikator"), max_length=10)
    name = models.CharField(_("navn"), max_length=200)
    definition = models.TextField(_("definisjon"))
    unit_of_measure = models.CharField(_("måleenhet"), max_length=10)
    value = models.DecimalField(_("verdi"), max_digits=14, decimal_places=1, null=True)
    numerator = models.IntegerField(_("teller"))
    denominator = models.IntegerField(_("nevner"), null=True)
    target = models.DecimalField(_("mål"), max_digits=12, decimal_places=1, null=True)
    inputs = models.JSONField(_("grunnlag"), default=dict)

    class Meta:
        verbose_name = _("øyeblikksbilde")
        verbose_name_plural = _("øyeblikksbilder")
        ordering = ["closing", "code"]
        constraints = [models.UniqueConstraint(fields=["closing", "code"], name="results_snapshot_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.value}"


SERVICE_TYPES = ("kindergarten", "school", "vocational", "medical")


class ServiceReturn(BaseModel):
    """The monthly figures of a programme whose participants are counted, not followed one by one."""

    SCOPE_PATHS = ScopePaths(
        association="programme__association_id",
        programme="programme_id",
        municipality="programme__partner_municipality__number",
    )

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="service_returns", verbose_name=_("program")
    )
    month = models.DateField(_("måned"), help_text=_("Den første dagen i måneden."))
    participants = models.PositiveIntegerField(_("deltakere ved månedens slutt"))
    female = models.PositiveIntegerField(_("av dem jenter/kvinner"), null=True, blank=True)
    with_disability = models.PositiveIntegerField(_("av dem med funksjonsnedsettelse"), null=True, blank=True)
    new_participants = models.PositiveIntegerField(_("nye i måneden"), null=True, blank=True)
    contacts = models.PositiveIntegerField(_("konsultasjoner/behandlinger"), null=True, blank=True)
    comment = models.TextField(_("kommentar"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("tjenesterapport")
        verbose_name_plural = _("tjenesterapporter")
        ordering = ["programme", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "month"], name="results_servicereturn_unique"),
            models.CheckConstraint(
                condition=Q(female__isnull=True) | Q(female__lte=models.F("participants")),
                name="results_servicereturn_female_within",
            ),
            models.CheckConstraint(
                condition=Q(with_disability__isnull=True) | Q(with_disability__lte=models.F("participants")),
                name="results_servicereturn_disability_within",
            ),
        ]
        indexes = [models.Index(fields=["month", "programme"], name="results_sr_month_prog")]

    def __str__(self) -> str:
        return f"{self.programme} {self.month:%m.%Y}"


class AnnualAccounts(BaseModel):
    """An association's accounts for a year: costs by purpose and income by source (NOK)."""

    SCOPE_PATHS = ScopePaths(association="association_id")

    association = models.ForeignKey(
        MemberAssociation,
        on_delete=models.PROTECT,
        related_name="annual_accounts",
        verbose_name=_("medlemsorganisasjon"),
    )
    year = models.PositiveSmallIntegerField(_("år"), validators=[MinValueValidator(1949), MaxValueValidator(2999)])
    programme_costs = models.DecimalField(
        _("kostnader til formålet (programmer)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    fundraising_costs = models.DecimalField(
        _("kostnader til innsamling"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    administration_costs = models.DecimalField(
        _("kostnader til administrasjon"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("årsregnskap")
        verbose_name_plural = _("årsregnskap")
        ordering = ["-year", "association"]
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="results_accounts_unique"),
            models.CheckConstraint(
                condition=Q(programme_costs__gte=0) & Q(fundraising_costs__gte=0) & Q(administration_costs__gte=0),
                name="results_accounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.year}"

    @property
    def total_costs(self) -> Decimal:
        return self.programme_costs + self.fundraising_costs + self.administration_costs

    @property
    def purpose_share(self) -> Decimal | None:
        """Per cent of the costs that went to the purpose (computed, never typed in)."""
        total = self.total_costs
        if not total:
            return None
        return (100 * self.programme_costs / total).quantize(Decimal("0.1"))


class IncomeSource(models.TextChoices):
    SPONSORSHIPS = "sponsorships", _("Fadderskap")
    DONATIONS = "donations", _("Gaver fra privatpersoner")
    CORPORATE = "corporate", _("Bedrifter og organisasjoner")
    INSTITUTIONAL = "institutional", _("Offentlige og institusjonelle givere")
    FEDERATION = "federation", _("Overføringer i føderasjonen")
    OTHER = "other", _("Andre inntekter")


class IncomeLine(models.Model):
    accounts = models.ForeignKey(AnnualAccounts, on_delete=models.CASCADE, related_name="income")
    source = models.CharField(_("kilde"), max_length=20, choices=IncomeSource.choices)
    amount = models.DecimalField(_("beløp"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("inntekt")
        verbose_name_plural = _("inntekter")
        ordering = ["accounts", "source"]
        constraints = [models.UniqueConstraint(fields=["accounts", "source"], name="results_income_unique")]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.amount}"


class StatusReportText(BaseModel):
    """The short text a municipality contact or the national director writes for a year's status report."""

    SCOPE_PATHS = ScopePaths(municipality="municipality__number")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("år"))
    text = models.TextField(_("kommentar"), max_length=4000, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("tekst i tilstandsrapport")
        verbose_name_plural = _("tekster i tilstandsrapport")
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="results_reporttext_unique")]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}"
