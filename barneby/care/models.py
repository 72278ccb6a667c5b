"""Care and case management (C2, C3): children, siblings, families, placements, decisions, plans, aftercare.

A child belongs to one responsible programme; that is how every record here is
scoped (association → programme). A caregiver reaches a child only through an
open placement in their home, and only the fields of the caregiver view.

Placements are dated episodes ``[start_date, end_date)``: a placement that
ends on the day the next one starts does not overlap it (a same-day move).
The database refuses overlapping episodes of one child (an exclusion
constraint on PostgreSQL, a trigger on SQLite; see migration 0002).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from barneby.accounts.scoping import ScopePaths
from barneby.core.fields import EncryptedTextField
from barneby.core.identity import person_number_error
from barneby.core.models import BaseModel
from barneby.organisation.models import Competence, Home, Location, Municipality, Programme


def _child_paths(prefix: str) -> ScopePaths:
    """How a record about a child reaches the child's programme (``prefix`` leads to the child)."""
    return ScopePaths(
        association=f"{prefix}programme__association_id",
        programme=f"{prefix}programme_id",
        municipality=f"{prefix}programme__partner_municipality__number",
    )


def version_field() -> models.PositiveIntegerField[int, int]:
    """Optimistic locking: moved on by one on every edit through a form, which carries the value it was opened with.

    The service saves only if the stored version is still the one the form carries (see
    services.claim_version), so two people editing the same record at once never overwrite
    each other silently.
    """
    return models.PositiveIntegerField(_("versjon"), default=1, editable=False)


# No care record is older than this: an earlier date is a typing error (0001-01-01, 1019 for 2019).
EARLIEST_CARE_DATE = dt.date(1900, 1, 1)


def care_date_error(
    day: dt.date | None, *, birth: dt.date | None = None, future: bool = False, label: str | Promise = ""
) -> str | None:
    """Why ``day`` cannot be a date in a child's case, or None.

    Never before 1900, never before the child was born (``birth``), and never
    in the future unless ``future`` (a deadline, a planned date). ``label``
    names the field in the message ("Vedtaksdatoen").
    """
    if day is None:
        return None
    name = label or _("Datoen")
    if day < EARLIEST_CARE_DATE:
        return _("{name} kan ikke være før 01.01.1900; sjekk årstallet.").format(name=name)
    if birth is not None and day < birth:
        return _("{name} kan ikke være før barnet ble født ({birth}).").format(
            name=name, birth=birth.strftime("%d.%m.%Y")
        )
    if not future and day > timezone.localdate():
        return _("{name} kan ikke være fram i tid.").format(name=name)
    return None


def _date_errors(birth: dt.date | None, checks: dict[str, tuple[dt.date | None, bool, Any]]) -> dict[str, str]:
    """``checks``: field → (date, may be in the future, label); the errors of those that are implausible."""
    errors = {}
    for name, (day, future, label) in checks.items():
        problem = care_date_error(day, birth=birth, future=future, label=str(label))
        if problem:
            errors[name] = problem
    return errors


def _birth_of(record: Any) -> dt.date | None:
    child_id = getattr(record, "child_id", None)
    return record.child.birth_date if child_id else None


class Sex(models.TextChoices):
    FEMALE = "female", _("Jente / kvinne")
    MALE = "male", _("Gutt / mann")
    OTHER = "other", _("Annet / ikke oppgitt")


class TargetGroup(models.TextChoices):
    AT_RISK = "at_risk", _("I fare for å miste foreldreomsorg")
    WITHOUT_CARE = "without_care", _("Uten foreldreomsorg")


class ChildStatus(models.TextChoices):
    REFERRED = "referred", _("Henvist")
    ASSESSED = "assessed", _("Vurdert")
    FAMILY_STRENGTHENING = "family_strengthening", _("I familiestyrking")
    ALTERNATIVE_CARE = "alternative_care", _("I alternativ omsorg")
    REUNIFIED = "reunified", _("Tilbakeført til familien")
    AFTERCARE = "aftercare", _("I ettervern")
    LEFT = "left", _("Avsluttet")


# The lifecycle: which status may follow which (the service refuses the rest).
STATUS_FLOW: dict[str, frozenset[str]] = {
    ChildStatus.REFERRED: frozenset({ChildStatus.ASSESSED, ChildStatus.LEFT}),
    ChildStatus.ASSESSED: frozenset({ChildStatus.FAMILY_STRENGTHENING, ChildStatus.ALTERNATIVE_CARE, ChildStatus.LEFT}),
    ChildStatus.FAMILY_STRENGTHENING: frozenset(
        {ChildStatus.ALTERNATIVE_CARE, ChildStatus.REUNIFIED, ChildStatus.LEFT}
    ),
    ChildStatus.ALTERNATIVE_CARE: frozenset({ChildStatus.REUNIFIED, ChildStatus.AFTERCARE, ChildStatus.LEFT}),
    ChildStatus.REUNIFIED: frozenset(
        {ChildStatus.ALTERNATIVE_CARE, ChildStatus.FAMILY_STRENGTHENING, ChildStatus.LEFT}
    ),
    ChildStatus.AFTERCARE: frozenset({ChildStatus.LEFT}),
    ChildStatus.LEFT: frozenset(),
}


class SiblingGroup(models.Model):
    """A connected set of children linked by sibling relations (kept by the service)."""

    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("søskenflokk")
        verbose_name_plural = _("søskenflokker")

    def __str__(self) -> str:
        return f"#{self.pk}"


class Household(BaseModel):
    """A biological family: the household a child comes from, or one in family strengthening."""

    SCOPE_PATHS = ScopePaths(
        association="programme__association_id",
        programme="programme_id",
        municipality="programme__partner_municipality__number",
    )

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="households", verbose_name=_("program")
    )
    name = models.CharField(_("husstand"), max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kommune")
    )
    risk_factors = models.JSONField(_("risikofaktorer"), default=list, blank=True)
    in_family_strengthening = models.BooleanField(_("i familiestyrking"), default=False)
    entered_on = models.DateField(_("startet"), null=True, blank=True)
    exited_on = models.DateField(_("avsluttet"), null=True, blank=True)
    exit_outcome = models.CharField(_("utfall"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("husstand")
        verbose_name_plural = _("husstander")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | Q(entered_on__isnull=True) | Q(exited_on__gte=F("entered_on")),
                name="care_household_exit_after_entry",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = _date_errors(
            None,
            {
                "entered_on": (self.entered_on, False, _("Startdatoen")),
                "exited_on": (self.exited_on, False, _("Avslutningsdatoen")),
            },
        )
        if errors:
            raise ValidationError(errors)


class RiskFactor(models.TextChoices):
    POVERTY = "poverty", _("Fattigdom / materielle forhold")
    HOUSING = "housing", _("Mangelfull bolig")
    SUBSTANCE = "substance", _("Rus")
    VIOLENCE = "violence", _("Vold i familien")
    ILLNESS = "illness", _("Sykdom hos omsorgsperson")
    SINGLE_CAREGIVER = "single_caregiver", _("Alene om omsorgen")
    ISOLATION = "isolation", _("Lite nettverk")


class ExitOutcome(models.TextChoices):
    STAYED = "stayed", _("Barnet ble boende i familien")
    ALTERNATIVE_CARE = "alternative_care", _("Barnet kom i alternativ omsorg")


class HouseholdMember(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("husstand")
    )
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("etternavn"), max_length=100)
    relation = models.CharField(_("relasjon"), max_length=60)
    birth_year = models.PositiveSmallIntegerField(_("fødselsår"), null=True, blank=True)

    class Meta:
        verbose_name = _("husstandsmedlem")
        verbose_name_plural = _("husstandsmedlemmer")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        if self.birth_year is not None and not EARLIEST_CARE_DATE.year <= self.birth_year <= timezone.localdate().year:
            raise ValidationError(
                {"birth_year": _("Fødselsåret må være mellom 1900 og {year}.").format(year=timezone.localdate().year)}
            )


class SupportContactKind(models.TextChoices):
    PERSON = "person", _("Person")
    SERVICE = "service", _("Tjeneste")


class SupportContact(models.Model):
    """The family's social support network: people and services they can lean on."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="network")
    kind = models.CharField(_("type"), max_length=10, choices=SupportContactKind.choices)
    name = models.CharField(_("navn"), max_length=200)
    role = models.CharField(_("rolle"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("nettverkskontakt")
        verbose_name_plural = _("nettverk")

    def __str__(self) -> str:
        return self.name


class SupportService(models.Model):
    """One service in the family's support plan."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="services")
    description = models.CharField(_("tjeneste"), max_length=200)
    provider = models.CharField(_("leverandør"), max_length=200, blank=True)
    start_date = models.DateField(_("fra"))
    end_date = models.DateField(_("til"), null=True, blank=True)

    class Meta:
        verbose_name = _("støttetiltak")
        verbose_name_plural = _("støttetiltak")
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="care_supportservice_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        errors = _date_errors(
            None,
            {
                "start_date": (self.start_date, True, _("Startdatoen")),
                "end_date": (self.end_date, True, _("Sluttdatoen")),
            },
        )
        if errors:
            raise ValidationError(errors)


class Child(BaseModel):
    SCOPE_PATHS = _child_paths("")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="children", verbose_name=_("ansvarlig program")
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("saksbehandler"),
    )
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("etternavn"), max_length=100)
    birth_date = models.DateField(_("fødselsdato"))
    sex = models.CharField(_("kjønn"), max_length=10, choices=Sex.choices)
    nationality = CountryField(_("statsborgerskap"), blank=True)
    languages = models.CharField(_("språk"), max_length=200, blank=True)
    religion = models.CharField(_("religion"), max_length=100, blank=True)
    national_id = EncryptedTextField(_("fødselsnummer / D-nummer"), blank=True)
    origin_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hjemkommune"),
    )
    origin_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("opprinnelsessted")
    )
    target_group = models.CharField(_("målgruppe"), max_length=20, choices=TargetGroup.choices)
    status = models.CharField(
        _("status"), max_length=30, choices=ChildStatus.choices, default=ChildStatus.REFERRED, db_index=True
    )
    referred_on = models.DateField(_("henvist"), default=timezone.localdate)
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("biologisk familie"),
    )
    sibling_group = models.ForeignKey(
        SiblingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    # Restricted: only with the permission care.view_restricted, every view logged.
    health = EncryptedTextField(_("helse"), blank=True)
    disability = EncryptedTextField(_("funksjonsnedsettelse"), blank=True)
    hiv_status = EncryptedTextField(_("hiv-status"), blank=True)
    # Unaccompanied minors (EMA).
    is_unaccompanied = models.BooleanField(_("enslig mindreårig"), default=False)
    arrival_date = models.DateField(_("ankomst til Norge"), null=True, blank=True)
    residence_decision_date = models.DateField(_("vedtak om opphold"), null=True, blank=True)
    settlement_date = models.DateField(_("bosatt"), null=True, blank=True)
    settlement_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bosettingskommune"),
    )
    left_on = models.DateField(_("avsluttet"), null=True, blank=True)
    # For placement matching: needs matched against homes' competences, and homes ruled out for this child.
    needs = models.ManyToManyField(Competence, blank=True, related_name="+", verbose_name=_("behov"))
    excluded_homes = models.ManyToManyField(
        Home, blank=True, related_name="+", verbose_name=_("hjem som ikke kan brukes")
    )
    version = version_field()

    class Meta:
        verbose_name = _("barn")
        verbose_name_plural = _("barn")
        ordering = ["last_name", "first_name", "pk"]
        permissions = [("view_restricted", _("Kan se helse, funksjonsnedsettelse og hiv-status"))]
        indexes = [
            models.Index(fields=["programme", "status", "last_name"], name="care_child_prog_status_name"),
            models.Index(fields=["caseworker", "status"], name="care_child_caseworker_status"),
            models.Index(fields=["first_name"], name="care_child_first_name"),
            models.Index(fields=["last_name", "first_name"], name="care_child_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(settlement_date__isnull=True)
                | Q(residence_decision_date__isnull=True)
                | Q(settlement_date__gte=F("residence_decision_date")),
                name="care_child_settled_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        today = timezone.localdate()
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = _("Fødselsdatoen kan ikke være fram i tid.")
        elif self.birth_date and self.birth_date < today.replace(year=today.year - 30):
            errors["birth_date"] = _("Barneby følger barn og unge til de fyller 25; sjekk fødselsdatoen.")
        if self.national_id:
            problem = person_number_error(self.national_id, birth_date=self.birth_date)
            if problem:
                errors["national_id"] = problem
        if (
            self.settlement_date
            and self.residence_decision_date
            and self.settlement_date < self.residence_decision_date
        ):
            errors["settlement_date"] = _("Bosettingsdatoen kan ikke være før vedtaket om opphold.")
        if self.arrival_date and self.arrival_date > today:
            errors["arrival_date"] = _("Ankomstdatoen kan ikke være fram i tid.")
        birth = self.birth_date if "birth_date" not in errors else None
        for name, problem in _date_errors(
            birth,
            {
                "arrival_date": (self.arrival_date, False, _("Ankomstdatoen")),
                "residence_decision_date": (self.residence_decision_date, False, _("Vedtaket om opphold")),
                "settlement_date": (self.settlement_date, False, _("Bosettingsdatoen")),
                "left_on": (self.left_on, False, _("Avslutningsdatoen")),
            },
        ).items():
            errors.setdefault(name, problem)
        if self.referred_on:
            problem = care_date_error(self.referred_on, label=_("Henvisningsdatoen"))
            if problem:
                errors.setdefault("referred_on", problem)
        if errors:
            raise ValidationError(errors)

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years between ``birth_date`` and ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class SiblingKind(models.TextChoices):
    FULL = "full", _("Helsøsken")
    HALF = "half", _("Halvsøsken")
    STEP = "step", _("Stesøsken")
    SOCIAL = "social", _("Sosiale søsken")


class SiblingRelation(models.Model):
    """Two children who are siblings; stored once, with the lower id first."""

    SCOPE_PATHS = _child_paths("child_a__")

    child_a = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    child_b = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=10, choices=SiblingKind.choices)
    existing_bond = models.BooleanField(_("har et etablert bånd"), default=True)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("søskenrelasjon")
        verbose_name_plural = _("søskenrelasjoner")
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="care_sibling_pair_unique"),
            models.CheckConstraint(condition=Q(child_a__lt=F("child_b")), name="care_sibling_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.child_a_id}–{self.child_b_id} ({self.kind})"


class KeepApartReason(models.TextChoices):
    VIOLENCE = "violence", _("Vold eller overgrep mellom barna")
    COURT_ORDER = "court_order", _("Vedtak eller dom")
    OTHER_PROTECTION = "other_protection", _("Annen beskyttelsesgrunn")


class KeepApart(models.Model):
    """Two children who must never be placed in the same home, with the protection reason."""

    SCOPE_PATHS = _child_paths("child_a__")

    child_a = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    child_b = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("grunn"), max_length=20, choices=KeepApartReason.choices)
    note = models.TextField(_("merknad"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    class Meta:
        verbose_name = _("skal ikke bo sammen")
        verbose_name_plural = _("skal ikke bo sammen")
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="care_keepapart_pair_unique"),
            models.CheckConstraint(condition=Q(child_a__lt=F("child_b")), name="care_keepapart_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.child_a_id}–{self.child_b_id}"


class GatekeepingReason(models.TextChoices):
    POVERTY = "poverty", _("Fattigdom / materielle forhold")
    NEGLECT = "neglect", _("Omsorgssvikt")
    ABUSE = "abuse", _("Vold eller overgrep")
    PARENT_ILLNESS = "parent_illness", _("Foreldres sykdom eller rus")
    ORPHANED = "orphaned", _("Foreldreløs")
    ABANDONED = "abandoned", _("Forlatt")
    UNACCOMPANIED = "unaccompanied", _("Enslig mindreårig")
    OTHER = "other", _("Annet")


class GatekeepingOutcome(models.TextChoices):
    ALTERNATIVE_CARE = "alternative_care", _("Alternativ omsorg er nødvendig og egnet")
    FAMILY_STRENGTHENING = "family_strengthening", _("Familiestyrking i stedet")
    REFERRED = "referred", _("Henvist til andre tjenester")


class Gatekeeping(BaseModel):
    """Assessment before admission: is alternative care necessary, and is this option suitable?"""

    SCOPE_PATHS = _child_paths("child__")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="gatekeepings")
    assessed_on = models.DateField(_("vurdert"))
    reasons = models.JSONField(_("grunner"), default=list)
    necessity = models.TextField(_("nødvendighetsvurdering"))
    suitability = models.TextField(_("egnethetsvurdering"))
    outcome = models.CharField(_("konklusjon"), max_length=30, choices=GatekeepingOutcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("inntaksvurdering")
        verbose_name_plural = _("inntaksvurderinger")
        ordering = ["assessed_on", "pk"]

    def clean(self) -> None:
        errors = _date_errors(_birth_of(self), {"assessed_on": (self.assessed_on, False, _("Vurderingsdatoen"))})
        if errors:
            raise ValidationError(errors)


class PlacementType(models.TextChoices):
    SOS_FAMILY_VILLAGE = "sos_family_village", _("SOS-familie i barneby")
    SOS_FAMILY_COMMUNITY = "sos_family_community", _("SOS-familie i nærmiljøet")
    FOSTER = "foster", _("Fosterhjem")
    KINSHIP = "kinship", _("Slekt og nettverk")
    FAMILY_HOME = "family_home", _("Familiehjem")
    YOUTH_HOUSE = "youth_house", _("Ungdomsbolig")
    SUPPORTED_LIVING = "supported_living", _("Bo med oppfølging")
    INSTITUTION = "institution", _("Institusjon")
    EMERGENCY = "emergency", _("Akutt / midlertidig")


FAMILY_BASED_TYPES = frozenset(
    {
        PlacementType.SOS_FAMILY_VILLAGE,
        PlacementType.SOS_FAMILY_COMMUNITY,
        PlacementType.FOSTER,
        PlacementType.KINSHIP,
        PlacementType.FAMILY_HOME,
    }
)


# The placements of SOS families and youth programmes (I32a, the key figure of seed 002); every other type is
# foster or transit care (I32b): foster and kinship homes, family homes, emergency and temporary placements,
# and the rare institution placement, so that I32a and I32b together are every child with an open placement.
SOS_FAMILY_AND_YOUTH_TYPES = frozenset(
    {
        PlacementType.SOS_FAMILY_VILLAGE,
        PlacementType.SOS_FAMILY_COMMUNITY,
        PlacementType.YOUTH_HOUSE,
        PlacementType.SUPPORTED_LIVING,
    }
)


class EndReason(models.TextChoices):
    REUNIFICATION = "reunification", _("Tilbakeføring")
    PLANNED_MOVE = "planned_move", _("Planlagt flytting")
    BREAKDOWN = "breakdown", _("Brudd")
    AGED_OUT = "aged_out", _("Ut av omsorg ved alder")
    ADOPTION = "adoption", _("Adopsjon")
    OTHER = "other", _("Annet")


class DecisionKind(models.TextChoices):
    ADMISSION = "admission", _("Inntak")
    PLACEMENT = "placement", _("Plassering")
    MOVE = "move", _("Flytting")
    SIBLING_SEPARATION = "sibling_separation", _("Søskensplitt")
    REUNIFICATION = "reunification", _("Tilbakeføring")
    LEAVING_CARE = "leaving_care", _("Utflytting fra omsorg")
    AFTERCARE_OFFER = "aftercare_offer", _("Tilbud om ettervern")
    AFTERCARE_DECLINE = "aftercare_decline", _("Avslag på ettervern")
    AFTERCARE_TERMINATION = "aftercare_termination", _("Avslutning av ettervern")


class HeardHow(models.TextChoices):
    ALONE = "alone", _("Samtale med barnet alene")
    WITH_TRUSTED = "with_trusted", _("Samtale med tillitsperson til stede")
    WITH_FAMILY = "with_family", _("Samtale sammen med familien")
    WRITTEN = "written", _("Skriftlig")
    SPOKESPERSON = "spokesperson", _("Gjennom talsperson")
    NOT_HEARD = "not_heard", _("Ikke hørt")


class SeparationReason(models.TextChoices):
    NO_HOME = "no_home", _("Ingen hjem med plass til hele søskenflokken")
    RISK = "risk", _("Risiko for overgrep eller skade mellom søsknene")
    NEEDS = "needs", _("Ulike behov som ett hjem ikke kan møte")
    WISH = "wish", _("Barnets eget ønske")
    OTHER = "other", _("Annen begrunnelse ut fra barnets beste")


class ContactInterval(models.TextChoices):
    """How often a sibling contact plan's planned number of contacts recurs."""

    WEEK = "week", _("i uken")
    MONTH = "month", _("i måneden")
    QUARTER = "quarter", _("i kvartalet")
    YEAR = "year", _("i året")


class Decision(BaseModel):
    """A decision about a child, with the best-interest assessment and the child's voice."""

    SCOPE_PATHS = _child_paths("child__")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("type vedtak"), max_length=30, choices=DecisionKind.choices)
    decided_on = models.DateField(_("vedtaksdato"))
    decided_by = models.CharField(_("vedtatt av"), max_length=200)
    participants = models.TextField(_("deltakere"), blank=True)
    best_interest = models.TextField(_("vurdering av barnets beste"))
    child_views = models.TextField(_("barnets syn"), blank=True)
    heard_how = models.CharField(_("hvordan barnet ble hørt"), max_length=20, choices=HeardHow.choices, blank=True)
    not_heard_reason = models.TextField(_("hvorfor barnet ikke ble hørt"), blank=True)
    # Sibling separation (R3, R4).
    separation_reason = models.CharField(
        _("begrunnelse for splitt"), max_length=20, choices=SeparationReason.choices, blank=True
    )
    relationship_assessment = models.TextField(_("vurdering av søskenrelasjonen"), blank=True)
    contact_plan = models.TextField(_("kontaktplan"), blank=True)
    # How often the plan says the siblings meet or talk: ``contact_times`` per ``contact_per`` (I13 counts
    # the contacts delivered against it; a plan written only as text is outside I13).
    contact_times = models.PositiveSmallIntegerField(
        _("planlagte kontakter"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    contact_per = models.CharField(_("per"), max_length=10, choices=ContactInterval.choices, blank=True)
    reassess_on = models.DateField(_("ny vurdering"), null=True, blank=True)
    # Aftercare decline / termination.
    complaint_info_given = models.BooleanField(_("klageadgang opplyst"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = version_field()

    class Meta:
        verbose_name = _("vedtak")
        verbose_name_plural = _("vedtak")
        ordering = ["decided_on", "pk"]
        indexes = [models.Index(fields=["child", "kind", "decided_on"], name="care_decision_child_kind")]
        constraints = [
            # R16: every decision records the child's views or why the child could not be heard.
            # The service stores both trimmed, so "not empty" here means "written".
            models.CheckConstraint(
                condition=~Q(child_views="") | ~Q(not_heard_reason=""),
                name="care_decision_child_heard_or_reason",
                violation_error_message=_("Skriv barnets syn, eller hvorfor barnet ikke kunne bli hørt."),
            ),
            # A planned frequency is a number and an interval, or neither.
            models.CheckConstraint(
                condition=Q(contact_times__isnull=True, contact_per="")
                | Q(contact_times__isnull=False) & ~Q(contact_per=""),
                name="care_decision_contact_frequency_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_on:%d.%m.%Y}"

    def clean(self) -> None:
        errors: dict[str, Any] = _date_errors(
            _birth_of(self),
            {
                "decided_on": (self.decided_on, False, _("Vedtaksdatoen")),
                "reassess_on": (self.reassess_on, True, _("Datoen for ny vurdering")),
            },
        )
        self.child_views = (self.child_views or "").strip()
        self.not_heard_reason = (self.not_heard_reason or "").strip()
        if not (self.child_views or self.not_heard_reason):
            errors["child_views"] = _("Skriv barnets syn, eller hvorfor barnet ikke kunne bli hørt.")
        if self.heard_how == HeardHow.NOT_HEARD and not self.not_heard_reason:
            errors["not_heard_reason"] = _("Skriv hvorfor barnet ikke ble hørt.")
        if self.contact_times is not None and not self.contact_per:
            errors["contact_per"] = _("Velg hvor ofte: i uken, i måneden, i kvartalet eller i året.")
        if self.contact_per and self.contact_times is None:
            errors["contact_times"] = _("Skriv hvor mange kontakter planen sier.")
        if errors:
            raise ValidationError(errors)


class ContactMode(models.TextChoices):
    MEETING = "meeting", _("Møte / samvær")
    PHONE = "phone", _("Telefon")
    VIDEO = "video", _("Video")
    OTHER = "other", _("Annet (brev, melding)")


class SiblingContact(BaseModel):
    """One contact between separated siblings that took place, under a separation decision's contact plan (I13).

    ``child`` is the decision's child (kept beside the decision so the log is read by the child's programme);
    ``sibling`` the brother or sister the child met or talked with.
    """

    SCOPE_PATHS = _child_paths("child__")

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="sibling_contacts", verbose_name=_("vedtak om søskensplitt")
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="sibling_contacts")
    sibling = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", verbose_name=_("søsken"))
    contact_on = models.DateField(_("dato"))
    form = models.CharField(_("form"), max_length=10, choices=ContactMode.choices)
    note = models.TextField(_("merknad"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("søskenkontakt")
        verbose_name_plural = _("søskenkontakter")
        ordering = ["-contact_on", "-pk"]
        indexes = [models.Index(fields=["child", "sibling", "contact_on"], name="care_siblingcontact_pair_day")]
        constraints = [
            models.CheckConstraint(condition=~Q(child=F("sibling")), name="care_siblingcontact_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} {self.contact_on:%d.%m.%Y}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        decision = self.decision if self.decision_id else None
        if decision is not None:
            if decision.kind != DecisionKind.SIBLING_SEPARATION:
                errors["decision"] = _("Kontakt registreres under et vedtak om søskensplitt.")
            if self.child_id and decision.child_id != self.child_id:
                errors["decision"] = _("Vedtaket gjelder et annet barn.")
        if self.child_id and self.sibling_id:
            if self.child_id == self.sibling_id:
                errors["sibling"] = _("Velg et av søsknene.")
            else:
                a, b = sorted((self.child_id, self.sibling_id))
                if not SiblingRelation.objects.filter(child_a_id=a, child_b_id=b).exists():
                    errors["sibling"] = _("Barnet er ikke registrert som søsken.")
        births = [kid.birth_date for kid in (getattr(self, "child", None), getattr(self, "sibling", None)) if kid]
        problem = care_date_error(self.contact_on, birth=max(births) if births else None, label=_("Kontaktdatoen"))
        if problem:
            errors["contact_on"] = problem
        elif decision is not None and self.contact_on and self.contact_on < decision.decided_on:
            errors["contact_on"] = _("Kontakten kan ikke være før vedtaket om splitt ({date}).").format(
                date=decision.decided_on.strftime("%d.%m.%Y")
            )
        if errors:
            raise ValidationError(errors)


class Placement(BaseModel):
    SCOPE_PATHS = _child_paths("child__")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="placements")
    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="placements", verbose_name=_("hjem"))
    type = models.CharField(_("type"), max_length=30, choices=PlacementType.choices)
    is_emergency = models.BooleanField(_("akuttplassering"), default=False)
    start_date = models.DateField(_("fra"))
    end_date = models.DateField(_("til"), null=True, blank=True)
    end_reason = models.CharField(_("sluttårsak"), max_length=20, choices=EndReason.choices, blank=True)
    child_prepared = models.BooleanField(_("barnet er forberedt"), default=False)
    capacity_override = models.TextField(_("begrunnelse for overbelegg"), blank=True)
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="placements", verbose_name=_("vedtak")
    )
    # The matching proposal this placement follows, when it was registered from one (C4).
    proposal = models.ForeignKey(
        "placements.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("forslag"),
    )

    class Meta:
        verbose_name = _("plassering")
        verbose_name_plural = _("plasseringer")
        ordering = ["start_date", "pk"]
        indexes = [
            models.Index(fields=["child", "start_date"], name="care_placement_child_start"),
            models.Index(fields=["home", "end_date"], name="care_placement_home_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="care_placement_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, end_reason="") | Q(end_date__isnull=False) & ~Q(end_reason=""),
                name="care_placement_end_reason_with_end",
            ),
            models.UniqueConstraint(
                fields=["child"], condition=Q(end_date__isnull=True), name="care_placement_one_open_per_child"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} – {self.home} ({self.start_date:%d.%m.%Y})"

    def clean(self) -> None:
        errors = _date_errors(
            _birth_of(self),
            {
                "start_date": (self.start_date, True, _("Startdatoen")),
                "end_date": (self.end_date, True, _("Sluttdatoen")),
            },
        )
        if errors:
            raise ValidationError(errors)

    @property
    def is_family_based(self) -> bool:
        return self.type in FAMILY_BASED_TYPES


class Domain(models.TextChoices):
    PHYSICAL = "physical", _("Fysisk")
    EMOTIONAL = "emotional", _("Følelsesmessig")
    INTELLECTUAL = "intellectual", _("Intellektuelt")
    SOCIAL = "social", _("Sosialt")
    CULTURAL = "cultural", _("Kulturelt")
    RELIGIOUS = "religious", _("Religiøst")


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    IN_PROGRESS = "in_progress", _("Pågår")
    ACHIEVED = "achieved", _("Nådd")
    DROPPED = "dropped", _("Avsluttet uten å nås")


class PlanGoal(BaseModel):
    """One goal of the child's development plan, in one of the six domains."""

    SCOPE_PATHS = _child_paths("child__")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(_("område"), max_length=20, choices=Domain.choices)
    description = models.CharField(_("mål"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.PLANNED)
    target_date = models.DateField(_("frist"), null=True, blank=True)
    version = version_field()

    class Meta:
        verbose_name = _("mål i utviklingsplanen")
        verbose_name_plural = _("mål i utviklingsplanen")
        ordering = ["domain", "pk"]

    def clean(self) -> None:
        errors = _date_errors(_birth_of(self), {"target_date": (self.target_date, True, _("Fristen"))})
        if errors:
            raise ValidationError(errors)


class PlanReview(BaseModel):
    """A periodic review of the development plan, with the child taking part (R5, R16)."""

    SCOPE_PATHS = _child_paths("child__")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("gjennomgått"))
    summary = models.TextField(_("oppsummering"))
    child_took_part = models.BooleanField(_("barnet deltok"), default=False)
    child_views = models.TextField(_("barnets syn"), blank=True)
    not_heard_reason = models.TextField(_("hvorfor barnet ikke ble hørt"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = version_field()

    class Meta:
        verbose_name = _("gjennomgang")
        verbose_name_plural = _("gjennomganger")
        ordering = ["reviewed_on", "pk"]
        constraints = [
            # R16, as for decisions: the child's views or why the child could not be heard, stored trimmed.
            models.CheckConstraint(
                condition=~Q(child_views="") | ~Q(not_heard_reason=""),
                name="care_review_child_heard_or_reason",
                violation_error_message=_("Skriv barnets syn, eller hvorfor barnet ikke kunne bli hørt."),
            ),
        ]

    def clean(self) -> None:
        errors: dict[str, Any] = _date_errors(_birth_of(self), {"reviewed_on": (self.reviewed_on, False, _("Datoen"))})
        self.child_views = (self.child_views or "").strip()
        self.not_heard_reason = (self.not_heard_reason or "").strip()
        if not (self.child_views or self.not_heard_reason):
            errors["child_views"] = _("Skriv barnets syn, eller hvorfor barnet ikke kunne bli hørt.")
        if errors:
            raise ValidationError(errors)


class AftercareResponse(models.TextChoices):
    PENDING = "", _("Ikke svart")
    ACCEPTED = "accepted", _("Takket ja")
    DECLINED = "declined", _("Takket nei")


class Aftercare(BaseModel):
    """Aftercare (ettervern) to 25: assessment and plan before 18, offer, measures, closure."""

    SCOPE_PATHS = _child_paths("child__")

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="aftercare")
    assessed_on = models.DateField(_("vurdert"))
    plan = models.TextField(_("plan"), blank=True)
    support_person = models.CharField(_("fast støtteperson"), max_length=200, blank=True)
    housing = models.TextField(_("bolig"), blank=True)
    education = models.TextField(_("utdanning"), blank=True)
    work = models.TextField(_("arbeid"), blank=True)
    finances = models.TextField(_("økonomi"), blank=True)
    offered_on = models.DateField(_("tilbudt"), null=True, blank=True)
    response = models.CharField(
        _("svar"), max_length=10, choices=AftercareResponse.choices, default=AftercareResponse.PENDING, blank=True
    )
    responded_on = models.DateField(_("svar gitt"), null=True, blank=True)
    decline_reason = models.TextField(_("grunn til avslag"), blank=True)
    recontacted_on = models.DateField(_("kontaktet igjen"), null=True, blank=True)
    closed_on = models.DateField(_("avsluttet"), null=True, blank=True)
    version = version_field()

    class Meta:
        verbose_name = _("ettervern")
        verbose_name_plural = _("ettervern")

    def clean(self) -> None:
        errors = _date_errors(
            _birth_of(self),
            {
                name: (getattr(self, name), False, _("Datoen"))
                for name in ("assessed_on", "offered_on", "responded_on", "recontacted_on", "closed_on")
            },
        )
        if errors:
            raise ValidationError(errors)


class FollowUpKind(models.TextChoices):
    REUNIFICATION = "reunification", _("Oppfølging etter tilbakeføring")
    AFTERCARE = "aftercare", _("Oppfølging etter utflytting")


class FollowUp(BaseModel):
    SCOPE_PATHS = _child_paths("child__")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("type"), max_length=20, choices=FollowUpKind.choices)
    visited_on = models.DateField(_("dato"))
    notes = models.TextField(_("notat"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("oppfølgingsbesøk")
        verbose_name_plural = _("oppfølgingsbesøk")
        ordering = ["visited_on", "pk"]

    def clean(self) -> None:
        errors = _date_errors(_birth_of(self), {"visited_on": (self.visited_on, False, _("Datoen"))})
        if errors:
            raise ValidationError(errors)


class DailyNote(BaseModel):
    """The caregiver's daily log: what a day in the home was like."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="daily_notes")
    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="+")
    written_on = models.DateField(_("dato"))
    text = models.TextField(_("notat"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("dagbok")
        verbose_name_plural = _("dagbok")
        ordering = ["-written_on", "-pk"]

    def clean(self) -> None:
        errors = _date_errors(_birth_of(self), {"written_on": (self.written_on, False, _("Datoen"))})
        if errors:
            raise ValidationError(errors)


class Severity(models.TextChoices):
    HIGH = "high", _("Høy")
    MEDIUM = "medium", _("Middels")
    LOW = "low", _("Lav")


SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class Alert(models.Model):
    """An open finding of a rule about a child; deleted when the cause is fixed."""

    SCOPE_PATHS = _child_paths("child__")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="alerts")
    rule = models.CharField(_("regel"), max_length=5)
    key = models.CharField(max_length=100)
    severity = models.CharField(_("alvorlighet"), max_length=10, choices=Severity.choices)
    params = models.JSONField(default=dict)
    raised_at = models.DateTimeField(_("oppstått"), default=timezone.now)

    class Meta:
        verbose_name = _("varsel")
        verbose_name_plural = _("varsler")
        ordering = ["raised_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["child", "key"], name="care_alert_child_key_unique")]
        indexes = [models.Index(fields=["rule", "severity"], name="care_alert_rule_severity")]

    def __str__(self) -> str:
        return f"{self.rule} {self.key}"
