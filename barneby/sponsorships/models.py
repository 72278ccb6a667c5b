"""Sponsorships (fadderskap): a supporter gives monthly to a place or to a child through a profile.

The :class:`SponsorshipProfile` is the only view of a child that donor service
and sponsors ever get: a first name, a birth year (shown as an age), the
village and an optional photo, approved by a caseworker once the child and the
guardian have consented. It never holds a surname, a birth date, an identity
number, an exact location or anything from the case.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from barneby.accounts.scoping import ScopePaths
from barneby.core.models import BaseModel
from barneby.organisation.models import LocationKind


class PhotoStorage(FileSystemStorage):
    """Photos live under ``SPONSORSHIP_PHOTO_DIR`` (read at use, so tests can move it) and have no public URL."""

    @property
    def base_location(self) -> str:
        return str(Path(settings.SPONSORSHIP_PHOTO_DIR))

    @property
    def location(self) -> str:
        return str(Path(settings.SPONSORSHIP_PHOTO_DIR).resolve())

    @property
    def base_url(self) -> str:
        return ""


def photo_storage() -> PhotoStorage:
    return PhotoStorage()


def _photo_path(instance: SponsorshipProfile, filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return f"profiles/{timezone.now():%Y/%m}/{instance.child_id}{suffix if suffix in {'.jpg', '.jpeg', '.png'} else ''}"


class ProfileStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    APPROVED = "approved", _("Godkjent")
    WITHDRAWN = "withdrawn", _("Trukket tilbake")


# Caseworkers and programme directors reach a profile through the child's programme.
CARE_PATHS = ScopePaths(
    association="child__programme__association_id",
    programme="child__programme_id",
    municipality="child__programme__partner_municipality__number",
)
# Donor service reaches it through the association that runs the child's programme.
DONOR_PATHS = ScopePaths(association="child__programme__association_id")


class SponsorshipProfile(BaseModel):
    """What a sponsor may know about a child (first name, age, village, photo), with the consents behind it."""

    SCOPE_PATHS = CARE_PATHS

    child = models.ForeignKey(
        "care.Child", on_delete=models.PROTECT, related_name="sponsorship_profiles", verbose_name=_("barn")
    )
    first_name = models.CharField(_("fornavn"), max_length=100)
    birth_year = models.PositiveSmallIntegerField(_("fødselsår"))
    village = models.ForeignKey(
        "organisation.Location",
        on_delete=models.PROTECT,
        related_name="sponsorship_profiles",
        limit_choices_to={"kind": LocationKind.VILLAGE},
        verbose_name=_("barneby"),
    )
    photo = models.FileField(_("bilde"), upload_to=_photo_path, storage=photo_storage, blank=True)
    child_consent = models.BooleanField(_("barnets samtykke"), default=False)
    child_consent_on = models.DateField(_("barnets samtykke gitt"), null=True, blank=True)
    child_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("barnets samtykke registrert av"),
    )
    guardian_consent = models.BooleanField(_("foresattes samtykke"), default=False)
    guardian_consent_on = models.DateField(_("foresattes samtykke gitt"), null=True, blank=True)
    guardian_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("foresattes samtykke registrert av"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProfileStatus.choices, default=ProfileStatus.DRAFT, db_index=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("godkjent av"),
    )
    approved_at = models.DateTimeField(_("godkjent"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)

    class Meta:
        verbose_name = _("fadderprofil")
        verbose_name_plural = _("fadderprofiler")
        ordering = ["first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=~Q(status="withdrawn"),
                name="sponsorships_profile_one_live_per_child",
                violation_error_message=_("Barnet har allerede en fadderprofil."),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | (Q(approved_at__isnull=False) & Q(guardian_consent=True)),
                name="sponsorships_profile_approved_with_consent",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900) & Q(birth_year__lte=2200), name="sponsorships_profile_birth_year"
            ),
        ]

    def __str__(self) -> str:
        return self.first_name

    def age(self, on: dt.date | None = None) -> int:
        """The age this year (from the birth year only; the birth date is never copied)."""
        return max(0, (on or timezone.localdate()).year - self.birth_year)


class Continent(models.TextChoices):
    AFRICA = "africa", _("Afrika")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europa")
    LATIN_AMERICA = "latin_america", _("Latin-Amerika")
    MIDDLE_EAST = "middle_east", _("Midtøsten")


class TargetKind(models.TextChoices):
    # The organisation places the money where the need is greatest (chosen on the public sign-up).
    NEED = "need", _("Der behovet er størst")
    CONTINENT = "continent", _("Verdensdel")
    COUNTRY = "country", _("Land")
    VILLAGE = "village", _("Barneby")
    CHILD = "child", _("Barn")


class SponsorshipState(models.TextChoices):
    PENDING = "pending", _("Venter")
    ACTIVE = "active", _("Aktiv")
    PAUSED = "paused", _("Pause")
    ENDED = "ended", _("Avsluttet")


# Which state may follow which; the service refuses the rest. Ended is final.
STATE_FLOW: dict[str, frozenset[str]] = {
    SponsorshipState.PENDING: frozenset({SponsorshipState.ACTIVE, SponsorshipState.ENDED}),
    SponsorshipState.ACTIVE: frozenset({SponsorshipState.PAUSED, SponsorshipState.ENDED}),
    SponsorshipState.PAUSED: frozenset({SponsorshipState.ACTIVE, SponsorshipState.ENDED}),
    SponsorshipState.ENDED: frozenset(),
}
LIVE_STATES = frozenset({SponsorshipState.PENDING, SponsorshipState.ACTIVE, SponsorshipState.PAUSED})


class EndReason(models.TextChoices):
    SPONSOR_REQUEST = "sponsor_request", _("Fadderen ønsket å avslutte")
    PAYMENT_STOPPED = "payment_stopped", _("Betalingen har stanset")
    CHILD_LEFT = "child_left", _("Barnet har forlatt programmet")
    SPONSOR_DECEASED = "sponsor_deceased", _("Fadderen er død")
    PROGRAMME_CLOSED = "programme_closed", _("Programmet er avsluttet")
    OTHER = "other", _("Annet")


def _target(kind: str, **filled: bool) -> Q:
    """The condition for ``kind``: exactly the fields in ``filled`` set, the others empty."""
    condition = Q(target_kind=kind)
    for field, is_set in filled.items():
        if field in {"continent", "country"}:
            condition &= ~Q(**{field: ""}) if is_set else Q(**{field: ""})
        else:
            condition &= Q(**{f"{field}__isnull": not is_set})
    return condition


class Sponsorship(BaseModel):
    """A supporter's monthly gift to a place (continent, country, village) or to a child through a profile."""

    SCOPE_PATHS = ScopePaths(association="association_id")

    supporter = models.ForeignKey(
        "fundraising.Supporter", on_delete=models.PROTECT, related_name="sponsorships", verbose_name=_("fadder")
    )
    association = models.ForeignKey(
        "organisation.MemberAssociation",
        on_delete=models.PROTECT,
        related_name="sponsorships",
        verbose_name=_("medlemsorganisasjon"),
    )
    target_kind = models.CharField(_("fadderskap for"), max_length=10, choices=TargetKind.choices)
    continent = models.CharField(_("verdensdel"), max_length=20, choices=Continent.choices, blank=True)
    country = CountryField(_("land"), blank=True)
    village = models.ForeignKey(
        "organisation.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsorships",
        limit_choices_to={"kind": LocationKind.VILLAGE},
        verbose_name=_("barneby"),
    )
    profile = models.ForeignKey(
        SponsorshipProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsorships",
        verbose_name=_("barn (fadderprofil)"),
    )
    monthly_amount = models.DecimalField(_("månedlig beløp"), max_digits=10, decimal_places=2)
    start_date = models.DateField(_("startdato"), default=timezone.localdate)
    agreement = models.ForeignKey(
        "fundraising.PaymentAgreement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsorships",
        verbose_name=_("betalingsavtale"),
    )
    state = models.CharField(
        _("status"), max_length=10, choices=SponsorshipState.choices, default=SponsorshipState.PENDING, db_index=True
    )
    end_reason = models.CharField(_("årsak til avslutning"), max_length=20, choices=EndReason.choices, blank=True)
    ended_on = models.DateField(_("avsluttet"), null=True, blank=True)

    class Meta:
        verbose_name = _("fadderskap")
        verbose_name_plural = _("fadderskap")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["association", "state"], name="sponsorships_assoc_state")]
        constraints = [
            models.CheckConstraint(
                condition=_target(TargetKind.NEED, continent=False, country=False, village=False, profile=False)
                | _target(TargetKind.CONTINENT, continent=True, country=False, village=False, profile=False)
                | _target(TargetKind.COUNTRY, continent=False, country=True, village=False, profile=False)
                | _target(TargetKind.VILLAGE, continent=False, country=False, village=True, profile=False)
                | _target(TargetKind.CHILD, continent=False, country=False, village=False, profile=True),
                name="sponsorships_sponsorship_one_target",
                violation_error_message=_("Et fadderskap gjelder nøyaktig ett mål av den valgte typen."),
            ),
            models.CheckConstraint(
                condition=(Q(state="ended") & ~Q(end_reason="") & Q(ended_on__isnull=False))
                | (~Q(state="ended") & Q(end_reason="") & Q(ended_on__isnull=True)),
                name="sponsorships_sponsorship_end_reason",
                violation_error_message=_("Et avsluttet fadderskap må ha en årsak, og bare et avsluttet kan ha det."),
            ),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="sponsorships_sponsorship_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.supporter} – {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.target_kind == TargetKind.NEED:
            return str(TargetKind.NEED.label)
        if self.target_kind == TargetKind.CONTINENT:
            return str(Continent(self.continent).label)
        if self.target_kind == TargetKind.COUNTRY:
            return str(self.country.name)
        if self.target_kind == TargetKind.VILLAGE and self.village is not None:
            return self.village.name
        if self.target_kind == TargetKind.CHILD and self.profile is not None:
            return f"{self.profile.first_name} ({self.profile.village.name})"
        return ""


class EventKind(models.TextChoices):
    CREATED = "created", _("Opprettet")
    STATE = "state", _("Statusendring")
    AMOUNT = "amount", _("Beløpsendring")
    TRANSFER = "transfer", _("Overført")


class SponsorshipEvent(models.Model):
    """One entry of a sponsorship's history; written by the services, never changed."""

    SCOPE_PATHS = ScopePaths(association="sponsorship__association_id")

    sponsorship = models.ForeignKey(
        Sponsorship, on_delete=models.CASCADE, related_name="events", verbose_name=_("fadderskap")
    )
    kind = models.CharField(_("hendelse"), max_length=10, choices=EventKind.choices)
    from_state = models.CharField(_("fra status"), max_length=10, choices=SponsorshipState.choices, blank=True)
    to_state = models.CharField(_("til status"), max_length=10, choices=SponsorshipState.choices, blank=True)
    old_amount = models.DecimalField(_("gammelt beløp"), max_digits=10, decimal_places=2, null=True, blank=True)
    new_amount = models.DecimalField(_("nytt beløp"), max_digits=10, decimal_places=2, null=True, blank=True)
    detail = models.CharField(_("detaljer"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utført av"),
    )
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("fadderskapshendelse")
        verbose_name_plural = _("fadderskapshistorikk")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d.%m.%Y}"


class TransferReason(models.TextChoices):
    CHILD_LEFT = "child_left", _("Barnet har forlatt programmet")
    PROFILE_WITHDRAWN = "profile_withdrawn", _("Fadderprofilen er trukket tilbake")


class TransferStatus(models.TextChoices):
    OPEN = "open", _("Åpen")
    RESOLVED = "resolved", _("Løst")


class TransferResolution(models.TextChoices):
    NEW_CHILD = "new_child", _("Nytt barn i samme barneby")
    VILLAGE = "village", _("Barnebyen")
    ENDED = "ended", _("Fadderen avslutter")


class TransferTask(BaseModel):
    """A sponsored child left the programme: offer the sponsor another child or the village, then write."""

    SCOPE_PATHS = ScopePaths(association="sponsorship__association_id")

    sponsorship = models.ForeignKey(
        Sponsorship, on_delete=models.PROTECT, related_name="transfer_tasks", verbose_name=_("fadderskap")
    )
    old_profile = models.ForeignKey(
        SponsorshipProfile, on_delete=models.PROTECT, related_name="+", verbose_name=_("tidligere barn")
    )
    reason = models.CharField(_("årsak"), max_length=20, choices=TransferReason.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.OPEN, db_index=True
    )
    resolution = models.CharField(_("løsning"), max_length=10, choices=TransferResolution.choices, blank=True)
    new_profile = models.ForeignKey(
        SponsorshipProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nytt barn"),
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("løst av"),
    )
    resolved_at = models.DateTimeField(_("løst"), null=True, blank=True)

    class Meta:
        verbose_name = _("overføringsoppgave")
        verbose_name_plural = _("overføringsoppgaver")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sponsorship"],
                condition=Q(status="open"),
                name="sponsorships_transfer_one_open",
                violation_error_message=_("Fadderskapet har allerede en åpen overføringsoppgave."),
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(resolution="") & Q(resolved_at__isnull=True))
                | (Q(status="resolved") & ~Q(resolution="") & Q(resolved_at__isnull=False)),
                name="sponsorships_transfer_resolution",
            ),
            models.CheckConstraint(
                condition=Q(new_profile__isnull=True) | Q(resolution="new_child"),
                name="sponsorships_transfer_new_child",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsorship} ({self.get_status_display()})"
