"""Safeguarding concerns (C5): the case, its history, the people involved and attachments.

A case is never deleted and never rewritten. What was reported stays as
reported; the workflow only moves forward (received → acknowledged →
assessed → investigated → concluded → closed), each step filling in its own
columns once and appending an entry to the case history. History entries,
people involved and attachments are append-only. The application refuses
anything else (querysets and instances below, and the services), and on
PostgreSQL a trigger refuses it in the database (migration 0002).

Details, notes, names and attachments are encrypted at rest
(:class:`~barneby.core.fields.EncryptedTextField`, covered by
``manage.py rotate_field_keys``). Nothing here stores where an anonymous
reporter came from: no IP address, no user agent, no cookie.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.accounts.scoping import ScopePaths
from barneby.core.fields import EncryptedTextField


class AppendOnlyError(Exception):
    """Raised on any attempt to delete safeguarding records or change what they say."""


class Category(models.TextChoices):
    PHYSICAL = "physical", _("Fysisk vold")
    SEXUAL = "sexual", _("Seksuelle overgrep")
    EMOTIONAL = "emotional", _("Psykisk vold")
    NEGLECT = "neglect", _("Omsorgssvikt")
    EXPLOITATION = "exploitation", _("Utnytting")
    PEER = "peer", _("Skade mellom barn eller unge")
    CORRUPTION = "corruption", _("Korrupsjon eller misligheter")
    DISCRIMINATION = "discrimination", _("Diskriminering")
    CONDUCT = "conduct", _("Brudd på de etiske retningslinjene")
    OTHER = "other", _("Annet")


class Channel(models.TextChoices):
    STAFF = "staff", _("Ansatt (innlogget)")
    PUBLIC = "public", _("Anonymt skjema på nettstedet")


class Status(models.TextChoices):
    RECEIVED = "received", _("Mottatt")
    ACKNOWLEDGED = "acknowledged", _("Bekreftet")
    ASSESSED = "assessed", _("Vurdert")
    INVESTIGATED = "investigated", _("Undersøkt")
    CONCLUDED = "concluded", _("Konkludert")
    CLOSED = "closed", _("Avsluttet")


STATUS_ORDER: tuple[str, ...] = tuple(Status.values)


def status_rank(status: str) -> int:
    return STATUS_ORDER.index(status)


class Severity(models.TextChoices):
    LOW = "low", _("Lav")
    MEDIUM = "medium", _("Middels")
    HIGH = "high", _("Høy")
    CRITICAL = "critical", _("Kritisk")


class ConcernsChild(models.TextChoices):
    YES = "yes", _("Ja")
    NO = "no", _("Nei")
    UNKNOWN = "unknown", _("Vet ikke")


class Outcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Bekreftet (substansiert)")
    NOT_SUBSTANTIATED = "not_substantiated", _("Ikke bekreftet")
    INCONCLUSIVE = "inconclusive", _("Uavklart")


class Perpetrator(models.TextChoices):
    STAFF = "staff", _("Ansatt eller tilknyttet")
    PEER = "peer", _("Annet barn eller ungdom")
    OTHER = "other", _("Andre")


class InvolvedRole(models.TextChoices):
    CHILD = "child", _("Barn")
    CAREGIVER = "caregiver", _("Omsorgsperson")
    STAFF = "staff", _("Ansatt")
    VOLUNTEER = "volunteer", _("Frivillig")
    PARTNER = "partner", _("Samarbeidspartner")
    UNKNOWN = "unknown", _("Ukjent")


class Action(models.TextChoices):
    SAFETY_PLAN = "safety_plan", _("Sikkerhetsplan for barnet")
    SUSPENSION = "suspension", _("Suspensjon")
    TRAINING = "training", _("Opplæring")
    DISCIPLINARY = "disciplinary", _("Disiplinærtiltak")
    REFERRAL = "referral", _("Henvisning")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Mottatt")
    ACKNOWLEDGED = "acknowledged", _("Bekreftet")
    ASSESSED = "assessed", _("Vurdert")
    INVESTIGATED = "investigated", _("Undersøkt")
    CONCLUDED = "concluded", _("Konkludert")
    CLOSED = "closed", _("Avsluttet")
    NOTE = "note", _("Notat")
    INTERVIEW = "interview", _("Samtale")
    QUESTION = "question", _("Melding til den som varslet")
    REPORTER = "reporter", _("Melding fra den som varslet")
    PERSON = "person", _("Involvert person lagt til")
    ESCALATED = "escalated", _("Løftet til sentral varslingsansvarlig")


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk updates and deletes are refused: these rows are a record."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.label} cannot be updated in bulk")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.label} cannot be deleted")


class AppendOnlyModel(models.Model):
    """Rows are written once and never changed or removed."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self._meta.label} cannot be deleted")


# The columns of a concern written when it is reported, never again.
REPORT_FIELDS: tuple[str, ...] = (
    "code",
    "channel",
    "reported_by",
    "reported_at",
    "association",
    "programme",
    "location",
    "category",
    "concerns_child",
    "immediate_risk",
    "severity",
    "secret_hash",
)
# Workflow columns: each is filled in once, by its step, and then kept.
STEP_FIELDS: tuple[str, ...] = (
    "acknowledged_at",
    "assessed_at",
    "investigated_at",
    "concluded_at",
    "closed_at",
    "escalated_at",
    "risk_level",
    "child_at_risk",
    "referred_police_on",
    "referred_child_welfare_on",
    "investigator",
    "outcome",
    "perpetrator",
    "actions",
)


class ConcernQuerySet(models.QuerySet["Concern"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("concerns are changed one step at a time through the services, never in bulk")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("concerns cannot be deleted")

    def open(self) -> ConcernQuerySet:
        return self.exclude(status=Status.CLOSED)


class Concern(models.Model):
    """One concern or incident, as reported, with its workflow state (the history is in :class:`CaseEvent`)."""

    SCOPE_PATHS = ScopePaths(association="association_id", programme="programme_id")

    code = models.CharField(_("saksnummer"), max_length=16, unique=True)
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meldt av"),
    )
    reported_at = models.DateTimeField(_("meldt"), default=timezone.now, db_index=True)
    association = models.ForeignKey(
        "organisation.MemberAssociation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("medlemsorganisasjon"),
    )
    programme = models.ForeignKey(
        "organisation.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("program"),
    )
    location = models.ForeignKey(
        "organisation.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sted"),
    )
    place = EncryptedTextField(_("hvor"), blank=True, default="", max_length=300)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    details = EncryptedTextField(_("hva skjedde"), max_length=20000)
    concerns_child = models.CharField(
        _("gjelder det et barn"), max_length=10, choices=ConcernsChild.choices, default=ConcernsChild.UNKNOWN
    )
    immediate_risk = models.BooleanField(_("umiddelbar fare"), default=False)
    severity = models.CharField(_("alvorlighet"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    # An anonymous reporter's own secret, hashed like a password (empty for staff reports).
    secret_hash = models.CharField(_("hemmelighet (hash)"), max_length=200, blank=True, default="")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    acknowledged_at = models.DateTimeField(_("bekreftet"), null=True, blank=True)
    assessed_at = models.DateTimeField(_("vurdert"), null=True, blank=True)
    investigated_at = models.DateTimeField(_("undersøkt"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("konkludert"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("løftet sentralt"), null=True, blank=True)
    risk_level = models.CharField(_("risiko"), max_length=10, choices=Severity.choices, blank=True, default="")
    child_at_risk = models.BooleanField(_("barn i fare"), null=True, blank=True)
    referred_police_on = models.DateField(_("meldt til politiet"), null=True, blank=True)
    referred_child_welfare_on = models.DateField(_("meldt til barnevernet"), null=True, blank=True)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undersøker"),
    )
    outcome = models.CharField(_("konklusjon"), max_length=20, choices=Outcome.choices, blank=True, default="")
    perpetrator = models.CharField(_("utøver"), max_length=10, choices=Perpetrator.choices, blank=True, default="")
    actions = models.JSONField(_("tiltak"), default=list, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = _("varsel")
        verbose_name_plural = _("varsler")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel=Channel.PUBLIC, reported_by__isnull=True)
                | models.Q(channel=Channel.STAFF, reported_by__isnull=False),
                name="%(app_label)s_%(class)s_reporter_matches_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="%(app_label)s_%(class)s_known_status"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            self._refuse_rewrite()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("concerns cannot be deleted")

    def _refuse_rewrite(self) -> None:
        """A saved concern may only move forward: what was reported and each step's facts stay as written."""
        before = Concern.objects.filter(pk=self.pk).first()
        if before is None:
            return
        for name in (*REPORT_FIELDS, "place", "details"):
            attname = _attname(name)
            if getattr(before, attname) != getattr(self, attname):
                raise AppendOnlyError(f"the reported {name} of a concern cannot be changed")
        for name in STEP_FIELDS:
            attname = _attname(name)
            old = getattr(before, attname)
            if old not in (None, "", []) and old != getattr(self, attname):
                raise AppendOnlyError(f"{name} of a concern is written once and then kept")
        if status_rank(self.status) < status_rank(before.status):
            raise AppendOnlyError("a concern's workflow never goes back")

    @property
    def child_may_be_at_risk(self) -> bool:
        """Before assessment, what the report says; after, what the assessment found."""
        if self.child_at_risk is not None:
            return self.child_at_risk
        return self.immediate_risk or self.concerns_child != ConcernsChild.NO

    @property
    def rank(self) -> int:
        return status_rank(self.status)


def _attname(name: str) -> str:
    field = Concern._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.attname


class CaseEvent(AppendOnlyModel):
    """One entry in a case's history: a step, a note, an interview, or a message with the reporter."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="events", verbose_name=_("sak"))
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("av"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=EventKind.choices)
    text = EncryptedTextField(_("tekst"), blank=True, default="", max_length=20000)
    # Facts of a step that are not secret (dates, choices), for the history page.
    data = models.JSONField(_("opplysninger"), default=dict, blank=True)
    # Questions to and answers from the reporter are shown to the reporter; nothing else is.
    shared_with_reporter = models.BooleanField(_("vises for den som varslet"), default=False)

    class Meta:
        verbose_name = _("hendelse i saken")
        verbose_name_plural = _("saksforløp")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.kind}"


class InvolvedPerson(AppendOnlyModel):
    """Someone involved in a case, by role, linked to their record where there is one."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="people", verbose_name=_("sak"))
    role = models.CharField(_("rolle"), max_length=20, choices=InvolvedRole.choices)
    description = EncryptedTextField(_("navn eller beskrivelse"), blank=True, default="", max_length=500)
    child = models.ForeignKey(
        "care.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("barn")
    )
    staff_member = models.ForeignKey(
        "organisation.StaffMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansatt"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("brukerkonto"),
    )
    added_at = models.DateTimeField(_("lagt til"), default=timezone.now)

    class Meta:
        verbose_name = _("involvert person")
        verbose_name_plural = _("involverte personer")
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.role}"


class Attachment(AppendOnlyModel):
    """A file sent with a report or a message, stored encrypted in the database (never on disk)."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("sak"))
    event = models.ForeignKey(
        CaseEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("hendelse"),
    )
    name = EncryptedTextField(_("filnavn"), max_length=200)
    content_type = models.CharField(_("filtype"), max_length=50)
    size = models.PositiveIntegerField(_("størrelse (byte)"))
    # The file's bytes, base64-encoded, then encrypted.
    content = EncryptedTextField(_("innhold"))
    added_at = models.DateTimeField(_("lagt til"), default=timezone.now)

    class Meta:
        verbose_name = _("vedlegg")
        verbose_name_plural = _("vedlegg")
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.content_type}"


class ReporterLock(models.Model):
    """Wrong secrets given for one case code, and until when the code is locked (in the database, so every
    process sees the same count)."""

    concern = models.OneToOneField(
        Concern, on_delete=models.CASCADE, related_name="reporter_lock", verbose_name=_("sak")
    )
    failures = models.PositiveIntegerField(_("feil forsøk"), default=0)
    locked_until = models.DateTimeField(_("låst til"), null=True, blank=True)

    class Meta:
        verbose_name = _("sperre for saksnummer")
        verbose_name_plural = _("sperrer for saksnumre")

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.failures}"


class RateSalt(models.Model):
    """A random salt for one day's address hashes; older salts are removed, so old hashes mean nothing."""

    day = models.DateField(_("dag"), unique=True)
    salt = models.CharField(_("salt"), max_length=64)

    class Meta:
        verbose_name = _("salt for rategrense")
        verbose_name_plural = _("salt for rategrense")

    def __str__(self) -> str:
        return str(self.day)


class RateCount(models.Model):
    """Public requests from one (hashed) address in one window; kept a day at most."""

    key = models.CharField(_("nøkkel"), max_length=64)
    window_start = models.DateTimeField(_("vindu"))
    count = models.PositiveIntegerField(_("antall"), default=0)

    class Meta:
        verbose_name = _("teller for rategrense")
        verbose_name_plural = _("tellere for rategrense")
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="safeguarding_ratecount_unique")]

    def __str__(self) -> str:
        return f"{self.window_start}: {self.count}"


class DeadlineAlert(models.Model):
    """R26: a step of a case not done within its time limit. Exists exactly while the step is overdue."""

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="deadline_alerts", verbose_name=_("sak")
    )
    step = models.CharField(_("steg"), max_length=20, choices=Status.choices)
    due_at = models.DateTimeField(_("frist"))
    raised_at = models.DateTimeField(_("varslet"), default=timezone.now)

    class Meta:
        verbose_name = _("fristvarsel")
        verbose_name_plural = _("fristvarsler")
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["concern", "step"], name="safeguarding_deadlinealert_unique")]

    def __str__(self) -> str:
        return f"R26 {self.concern_id} {self.step}"
