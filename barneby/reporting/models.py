"""What only the IATI export needs: the reporting organisation, and per programme its identifier,
English title, DAC sectors and yearly budgets (the register itself holds none of it)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from barneby.accounts.scoping import ScopePaths
from barneby.core.models import BaseModel
from barneby.organisation.models import MemberAssociation, Programme

CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("Tre store bokstaver (ISO 4217)."))
# An organisation identifier: registration agency (country code and register) and the number in it.
ORG_IDENTIFIER = RegexValidator(
    r"^[A-Z]{2}-[A-Z0-9]{2,10}-[A-Za-z0-9._-]+$",
    _("Skriv identifikatoren som registeret og nummeret, for eksempel NO-BRC-971277882."),
)
ACTIVITY_IDENTIFIER = RegexValidator(
    r"^[A-Za-z0-9._-]+$", _("Bare bokstaver uten aksent, sifre, punktum, bindestrek og understrek.")
)


class OrganisationType(models.TextChoices):
    """IATI OrganisationType codelist (the kinds an SOS association can be)."""

    INTERNATIONAL_NGO = "21", _("Internasjonal frivillig organisasjon")
    NATIONAL_NGO = "22", _("Nasjonal frivillig organisasjon")
    REGIONAL_NGO = "23", _("Regional frivillig organisasjon")
    FOUNDATION = "60", _("Stiftelse")


class IatiOrganisation(BaseModel):
    """A member association as IATI reporting organisation."""

    SCOPE_PATHS = ScopePaths(association="association_id", programme="association__programmes__id", distinct=True)

    association = models.OneToOneField(
        MemberAssociation, on_delete=models.CASCADE, related_name="iati", verbose_name=_("medlemsorganisasjon")
    )
    identifier = models.CharField(
        _("IATI-identifikator for organisasjonen"), max_length=100, unique=True, validators=[ORG_IDENTIFIER]
    )
    type = models.CharField(
        _("organisasjonstype"), max_length=2, choices=OrganisationType.choices, default=OrganisationType.NATIONAL_NGO
    )
    name_en = models.CharField(_("navn på engelsk"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("IATI-rapportør")
        verbose_name_plural = _("IATI-rapportører")

    def __str__(self) -> str:
        return self.identifier


class IatiActivity(BaseModel):
    """A programme as IATI activity: what the register does not hold."""

    SCOPE_PATHS = ScopePaths(association="programme__association_id", programme="programme_id")

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="iati", verbose_name=_("program")
    )
    identifier = models.CharField(
        _("IATI-identifikator for aktiviteten"),
        max_length=150,
        unique=True,
        validators=[ACTIVITY_IDENTIFIER],
        help_text=_(
            "Rapportørens identifikator, bindestrek og programmets egen del, for eksempel NO-BRC-971277882-BGO."
        ),
        error_messages={"unique": _("En annen aktivitet har allerede denne identifikatoren.")},
    )
    title_en = models.CharField(_("tittel på engelsk"), max_length=200)
    description_nb = models.TextField(_("beskrivelse"), blank=True)
    description_en = models.TextField(_("beskrivelse på engelsk"), blank=True)

    class Meta:
        verbose_name = _("IATI-aktivitet")
        verbose_name_plural = _("IATI-aktiviteter")

    def __str__(self) -> str:
        return self.identifier


class SectorVocabulary(models.TextChoices):
    DAC_5 = "1", _("OECD DAC CRS, fem siffer")
    DAC_3 = "2", _("OECD DAC CRS, tre siffer")


class IatiSector(models.Model):
    """A DAC sector of an activity with its share; within a vocabulary the shares add up to 100."""

    activity = models.ForeignKey(
        IatiActivity, on_delete=models.CASCADE, related_name="sectors", verbose_name=_("aktivitet")
    )
    vocabulary = models.CharField(
        _("kodeliste"), max_length=2, choices=SectorVocabulary.choices, default=SectorVocabulary.DAC_5
    )
    code = models.CharField(_("sektorkode"), max_length=5, validators=[RegexValidator(r"^\d{3}(\d{2})?$")])
    percentage = models.DecimalField(
        _("andel (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("sektor")
        verbose_name_plural = _("sektorer")
        ordering = ["vocabulary", "-percentage", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "vocabulary", "code"],
                name="reporting_sector_once",
                violation_error_message=_("Sektoren er allerede oppgitt."),
            ),
            models.CheckConstraint(
                condition=Q(percentage__gte=0, percentage__lte=100), name="reporting_sector_percentage_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.percentage} %)"


class BudgetType(models.TextChoices):
    ORIGINAL = "1", _("Opprinnelig")
    REVISED = "2", _("Revidert")


class BudgetStatus(models.TextChoices):
    INDICATIVE = "1", _("Veiledende")
    COMMITTED = "2", _("Forpliktet")


class IatiBudget(models.Model):
    """A budget of an activity for one period (at most a year: checked where the export is built)."""

    activity = models.ForeignKey(
        IatiActivity, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("aktivitet")
    )
    type = models.CharField(_("type"), max_length=1, choices=BudgetType.choices, default=BudgetType.ORIGINAL)
    status = models.CharField(_("status"), max_length=1, choices=BudgetStatus.choices, default=BudgetStatus.INDICATIVE)
    period_start = models.DateField(_("periode fra"))
    period_end = models.DateField(_("periode til"))
    value = models.DecimalField(_("beløp"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("valuta"), max_length=3, default="NOK", validators=[CURRENCY])
    value_date = models.DateField(_("valutadato"), help_text=_("Datoen beløpet er regnet om etter."))

    class Meta:
        verbose_name = _("budsjett")
        verbose_name_plural = _("budsjetter")
        ordering = ["period_start", "type"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="reporting_budget_end_after_start",
                violation_error_message=_("Perioden kan ikke slutte før den begynner."),
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="reporting_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}: {self.value} {self.currency}"
