"""The organisation register (C1): member associations, locations, programmes, homes, staff.

Countries are ISO 3166-1 codes (django-countries, names in nb and en);
the public site's continent groups come from ``continents.continent_of``.
Nothing with history is deleted: records are deactivated (``is_active``)
or, for programmes, closed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from barneby.accounts.scoping import ScopePaths
from barneby.core.models import BaseModel

LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]


def _coordinates_check(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            name=f"%(app_label)s_%(class)s_{prefix}latitude_range",
        ),
        models.CheckConstraint(
            condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            name=f"%(app_label)s_%(class)s_{prefix}longitude_range",
        ),
    ]


class Municipality(models.Model):
    """A Norwegian municipality (kommune) with its official four-digit number (SSB classification 131)."""

    number = models.CharField(
        _("kommunenummer"), max_length=4, unique=True, validators=[RegexValidator(r"^\d{4}$", _("Fire siffer."))]
    )
    name = models.CharField(_("kommunenavn"), max_length=100)
    county_number = models.CharField(_("fylkesnummer"), max_length=2)
    county_name = models.CharField(_("fylke"), max_length=100)
    valid_from = models.DateField(_("gyldig fra"))

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.short_name}"

    @property
    def short_name(self) -> str:
        """The first of the official parallel names ("Oslo - Oslove" → "Oslo")."""
        return self.name.split(" - ")[0]


class MemberAssociation(BaseModel):
    """A national SOS member association, e.g. the Norwegian one."""

    SCOPE_PATHS = ScopePaths(association="id", programme="programmes__id", home="programmes__homes__id", distinct=True)

    name = models.CharField(_("navn"), max_length=200)
    code = models.CharField(
        _("kode"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9-]{2,12}$", _("2–12 store bokstaver, sifre eller bindestrek."))],
        error_messages={"unique": _("Det finnes allerede en medlemsorganisasjon med denne koden.")},
    )
    country = CountryField(_("land"))
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("medlemsorganisasjon")
        verbose_name_plural = _("medlemsorganisasjoner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LocationKind(models.TextChoices):
    VILLAGE = "village", _("Barneby")
    COMMUNITY = "community", _("Lokalsamfunn")


class Location(BaseModel):
    """A children's village or a community site, with coordinates."""

    SCOPE_PATHS = ScopePaths(
        association="association_id", programme="programmes__id", home="programmes__homes__id", distinct=True
    )

    association = models.ForeignKey(
        MemberAssociation, on_delete=models.PROTECT, related_name="locations", verbose_name=_("medlemsorganisasjon")
    )
    kind = models.CharField(_("type"), max_length=20, choices=LocationKind.choices)
    name = models.CharField(_("navn"), max_length=200)
    country = CountryField(_("land"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kommune")
    )
    latitude = models.DecimalField(_("breddegrad"), max_digits=9, decimal_places=6, validators=LATITUDE)
    longitude = models.DecimalField(_("lengdegrad"), max_digits=9, decimal_places=6, validators=LONGITUDE)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("sted")
        verbose_name_plural = _("steder")
        ordering = ["name"]
        constraints = _coordinates_check("")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.municipality_id and self.country != "NO":
            raise ValidationError({"municipality": _("Kommune kan bare oppgis for steder i Norge.")})


class ProgrammeType(models.TextChoices):
    FAMILY_VILLAGE = "family_village", _("Familiebasert omsorg i barneby")
    FAMILY_COMMUNITY = "family_community", _("Familiebasert omsorg i nabolag")
    SIBLING_FOSTER = "sibling_foster", _("Fosterhjem for søsken")
    UNACCOMPANIED = "unaccompanied", _("Familiehjem for enslige mindreårige")
    YOUTH = "youth", _("Ungdomstiltak")
    FAMILY_STRENGTHENING = "family_strengthening", _("Familiestyrking")
    KINDERGARTEN = "kindergarten", _("Barnehage")
    SCHOOL = "school", _("Skole")
    VOCATIONAL = "vocational", _("Yrkesopplæringssenter")
    MEDICAL = "medical", _("Medisinsk senter")
    EMERGENCY = "emergency", _("Nødhjelp")


# Programme types whose children live in a home of the programme.
CARE_TYPES = frozenset(
    {
        ProgrammeType.FAMILY_VILLAGE,
        ProgrammeType.FAMILY_COMMUNITY,
        ProgrammeType.SIBLING_FOSTER,
        ProgrammeType.UNACCOMPANIED,
        ProgrammeType.YOUTH,
    }
)


class ProgrammeStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    PHASING_OUT = "phasing_out", _("Under utfasing")
    HANDED_OVER = "handed_over", _("Overlevert")
    CLOSED = "closed", _("Avsluttet")


class Programme(BaseModel):
    """A programme at a location, run by a member association.

    Its capacity is not typed in: it is the places of its active homes, which
    the selectors annotate as ``capacity`` (``selectors.with_places``).
    """

    SCOPE_PATHS = ScopePaths(
        association="association_id",
        programme="id",
        home="homes__id",
        municipality="partner_municipality__number",
        distinct=True,
    )

    association = models.ForeignKey(
        MemberAssociation, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("medlemsorganisasjon")
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("sted"))
    name = models.CharField(_("navn"), max_length=200)
    code = models.CharField(
        _("kode"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9-]{2,20}$", _("2–20 store bokstaver, sifre eller bindestrek."))],
        error_messages={"unique": _("Det finnes allerede et program med denne koden.")},
    )
    type = models.CharField(_("type"), max_length=30, choices=ProgrammeType.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ProgrammeStatus.choices, default=ProgrammeStatus.ACTIVE
    )
    start_date = models.DateField(_("startdato"))
    end_date = models.DateField(_("sluttdato"), null=True, blank=True)
    budget_local = models.DecimalField(
        _("årsbudsjett (lokal valuta)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("valuta"),
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Tre store bokstaver (ISO 4217)."))],
    )
    budget_nok = models.DecimalField(
        _("årsbudsjett (NOK)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    partner_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_programmes",
        verbose_name=_("samarbeidskommune"),
    )

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programmer")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("Sluttdatoen kan ikke være før startdatoen."),
            ),
            models.CheckConstraint(
                condition=(Q(budget_local__isnull=True) | Q(budget_local__gte=0))
                & (Q(budget_nok__isnull=True) | Q(budget_nok__gte=0)),
                name="%(app_label)s_%(class)s_budget_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["type", "status"], name="org_programme_type_idx"),
            # The list pages sort by name with the primary key as tie-breaker.
            models.Index(fields=["name", "id"], name="org_programme_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("Sluttdatoen kan ikke være før startdatoen.")
        if self.location_id and self.association_id and self.location.association_id != self.association_id:
            errors["location"] = _("Stedet hører til en annen medlemsorganisasjon.")
        if self.partner_municipality_id and self.location_id and self.location.country != "NO":
            errors["partner_municipality"] = _("Samarbeidskommune gjelder bare programmer i Norge.")
        if self.budget_local is not None and not self.currency:
            errors["currency"] = _("Oppgi valuta for budsjettet i lokal valuta.")
        if self.status == ProgrammeStatus.CLOSED and not self.end_date:
            errors["end_date"] = _("Et avsluttet program må ha sluttdato.")
        if errors:
            raise ValidationError(errors)


class HomeKind(models.TextChoices):
    SOS_FAMILY_VILLAGE = "sos_family_village", _("SOS-familie i barneby")
    SOS_FAMILY_COMMUNITY = "sos_family_community", _("SOS-familie i nabolag")
    FOSTER_HOME = "foster_home", _("Fosterhjem")
    FAMILY_HOME = "family_home", _("Familiehjem")
    YOUTH_HOUSE = "youth_house", _("Ungdomsbolig")


class Competence(models.Model):
    """A competence a home offers (e.g. disability, trauma, infants); matched against children's needs."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name_nb = models.CharField(_("navn (bokmål)"), max_length=100)
    name_en = models.CharField(_("navn (engelsk)"), max_length=100)

    class Meta:
        verbose_name = _("kompetanse")
        verbose_name_plural = _("kompetanser")
        ordering = ["code"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "nb").startswith("en") else self.name_nb


class Home(BaseModel):
    """A household where children live: an SOS family, a foster home, a family home or a youth house."""

    SCOPE_PATHS = ScopePaths(
        association="programme__association_id",
        programme="programme_id",
        home="id",
        municipality="programme__partner_municipality__number",
    )

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="homes", verbose_name=_("program"))
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=HomeKind.choices)
    capacity = models.PositiveSmallIntegerField(_("antall plasser"), validators=[MaxValueValidator(30)])
    # Kept in step with the open placements by the care app's placement services (and read by matching);
    # never typed in. The register shows the count of open placements itself (``selectors.with_occupancy``).
    occupied = models.PositiveSmallIntegerField(_("belagte plasser"), default=0, editable=False)
    competences = models.ManyToManyField(Competence, blank=True, related_name="homes", verbose_name=_("kompetanser"))
    takes_sibling_groups = models.BooleanField(_("tar imot søskenflokker"), default=False)
    max_sibling_group_size = models.PositiveSmallIntegerField(_("største søskenflokk"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(_("laveste alder"), default=0, validators=[MaxValueValidator(25)])
    max_age = models.PositiveSmallIntegerField(_("høyeste alder"), default=18, validators=[MaxValueValidator(25)])
    street_address = models.CharField(_("gateadresse"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postnummer"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[0-9A-Z -]{3,10}$", _("Ugyldig postnummer."))],
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kommune")
    )
    latitude = models.DecimalField(
        _("breddegrad"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE
    )
    longitude = models.DecimalField(
        _("lengdegrad"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("hjem")
        verbose_name_plural = _("hjem")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(occupied__lte=F("capacity")),
                name="%(app_label)s_%(class)s_occupied_within_capacity",
                violation_error_message=_("Belagte plasser kan ikke overstige antall plasser."),
            ),
            models.CheckConstraint(
                condition=Q(min_age__lte=F("max_age")),
                name="%(app_label)s_%(class)s_age_range",
                violation_error_message=_("Laveste alder kan ikke være høyere enn høyeste alder."),
            ),
            models.CheckConstraint(
                condition=Q(takes_sibling_groups=False) | Q(max_sibling_group_size__gte=2),
                name="%(app_label)s_%(class)s_sibling_group_size",
                violation_error_message=_("Et hjem som tar imot søskenflokker må ta minst to søsken."),
            ),
            *_coordinates_check(""),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def free_places(self) -> int:
        """Places not taken by an open placement (the selectors' count where annotated)."""
        occupied = getattr(self, "occupied_places", None)
        return max(0, self.capacity - (self.occupied if occupied is None else occupied))

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.takes_sibling_groups and not self.max_sibling_group_size:
            errors["max_sibling_group_size"] = _("Oppgi hvor store søskenflokker hjemmet kan ta imot.")
        if self.max_sibling_group_size and self.max_sibling_group_size > self.capacity:
            errors["max_sibling_group_size"] = _("Søskenflokken kan ikke være større enn antall plasser.")
        if errors:
            raise ValidationError(errors)


class StaffRole(models.TextChoices):
    SOS_PARENT = "sos_parent", _("SOS-forelder")
    FOSTER_PARENT = "foster_parent", _("Fosterforelder")
    FAMILY_ASSISTANT = "family_assistant", _("Familieassistent")
    SOCIAL_WORKER = "social_worker", _("Sosialarbeider")
    YOUTH_LEADER = "youth_leader", _("Ungdomsleder")
    PROGRAMME_DIRECTOR = "programme_director", _("Programleder")
    OTHER = "other", _("Annet")


class StaffMember(BaseModel):
    """A staff member or caregiver of a programme, possibly living in (or attached to) a home."""

    SCOPE_PATHS = ScopePaths(association="association_id", programme="programme_id", home="home_id")

    association = models.ForeignKey(
        MemberAssociation, on_delete=models.PROTECT, related_name="staff", verbose_name=_("medlemsorganisasjon")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("program")
    )
    home = models.ForeignKey(
        Home, on_delete=models.PROTECT, null=True, blank=True, related_name="caregivers", verbose_name=_("hjem")
    )
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("etternavn"), max_length=100)
    role = models.CharField(_("rolle"), max_length=30, choices=StaffRole.choices)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("ansatt")
        verbose_name_plural = _("ansatte")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.home is not None and self.programme is not None and self.home.programme_id != self.programme_id:
            errors["home"] = _("Hjemmet hører til et annet program.")
        if self.programme is not None and self.association_id and self.programme.association_id != self.association_id:
            errors["programme"] = _("Programmet hører til en annen medlemsorganisasjon.")
        if errors:
            raise ValidationError(errors)


class TrainingKind(models.TextChoices):
    QUALIFICATION = "qualification", _("Kvalifikasjon")
    TRAINING = "training", _("Opplæring")


class Training(BaseModel):
    """A qualification or training a staff member holds, with its date and expiry."""

    SCOPE_PATHS = ScopePaths(
        association="staff__association_id", programme="staff__programme_id", home="staff__home_id"
    )

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("ansatt"))
    kind = models.CharField(_("type"), max_length=20, choices=TrainingKind.choices, default=TrainingKind.TRAINING)
    title = models.CharField(_("tittel"), max_length=200)
    completed_on = models.DateField(_("fullført"))
    expires_on = models.DateField(_("utløper"), null=True, blank=True)

    class Meta:
        verbose_name = _("opplæring")
        verbose_name_plural = _("opplæringer")
        ordering = ["expires_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("completed_on")),
                name="%(app_label)s_%(class)s_expires_after_completed",
                violation_error_message=_("Utløpsdatoen kan ikke være før datoen opplæringen ble fullført."),
            )
        ]

    def __str__(self) -> str:
        return self.title
