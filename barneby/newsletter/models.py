"""Newsletter subscribers with double opt-in, and the append-only log that proves their consent.

GDPR art. 7(1) and markedsføringsloven § 15 (FUNDRAISING.md §4): consent must be
provable and as easy to withdraw as to give. Each subscribe request, confirmation
and withdrawal is a ``ConsentLog`` row with its source, the version of the
consent text and the time; rows are never changed or removed.

The confirmation token is stored only as a SHA-256 digest with an expiry; the
unsubscribe link is signed over ``public_id`` (a random UUID), so it works
forever and reveals nothing.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from barneby.accounts.scoping import ScopePaths
from barneby.core.models import BaseModel


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("Venter på bekreftelse")
    CONFIRMED = "confirmed", _("Bekreftet")
    UNSUBSCRIBED = "unsubscribed", _("Avmeldt")


class Subscriber(BaseModel):
    SCOPE_PATHS = ScopePaths(association="association_id")

    association = models.ForeignKey(
        "organisation.MemberAssociation",
        on_delete=models.PROTECT,
        related_name="newsletter_subscribers",
        verbose_name=_("medlemsorganisasjon"),
    )
    email = models.EmailField(_("e-post"))
    name = models.CharField(_("navn"), max_length=200, blank=True)
    supporter = models.ForeignKey(
        "fundraising.Supporter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsletter_subscriptions",
        verbose_name=_("giver"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING, db_index=True
    )
    public_id = models.UUIDField(_("offentlig ID"), default=uuid.uuid4, unique=True, editable=False)
    confirm_token_digest = models.CharField(_("bekreftelsesnøkkel (SHA-256)"), max_length=64, blank=True)
    confirm_expires_at = models.DateTimeField(_("bekreftelse utløper"), null=True, blank=True)
    requested_at = models.DateTimeField(_("påmelding forespurt"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("bekreftet"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("avmeldt"), null=True, blank=True)

    class Meta:
        verbose_name = _("abonnent")
        verbose_name_plural = _("abonnenter")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "association",
                name="%(app_label)s_%(class)s_email_unique_per_association",
                violation_error_message=_("Denne e-postadressen er allerede registrert."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "unsubscribed"]),
                name="%(app_label)s_%(class)s_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="%(app_label)s_%(class)s_confirmed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["confirm_token_digest"], name="newsletter_token_idx")]

    def __str__(self) -> str:
        return self.email


class ConsentAction(models.TextChoices):
    SUBSCRIBE_REQUESTED = "subscribe-requested", _("Påmelding forespurt")
    CONFIRMED = "confirmed", _("Bekreftet")
    UNSUBSCRIBED = "unsubscribed", _("Avmeldt")
    RESUBSCRIBED = "re-subscribed", _("Påmeldt på nytt")


class ConsentSource(models.TextChoices):
    WEB = "web", _("Nettskjema")
    DONOR_SERVICE = "donor-service", _("Giverservice")
    IMPORT = "import", _("Import")
    EMAIL_LINK = "email-link", _("Lenke i e-post")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a consent log row."""


class ConsentLogQuerySet(models.QuerySet["ConsentLog"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("consent log rows cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("consent log rows cannot be deleted")


class ConsentLog(models.Model):
    """One consent event. Append-only: the proof must not be edited afterwards."""

    SCOPE_PATHS = ScopePaths(association="subscriber__association_id")

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.PROTECT, related_name="consent_log", verbose_name=_("abonnent")
    )
    action = models.CharField(_("handling"), max_length=20, choices=ConsentAction.choices)
    source = models.CharField(_("kilde"), max_length=20, choices=ConsentSource.choices)
    text_version = models.CharField(_("versjon av samtykketeksten"), max_length=40, blank=True)
    occurred_at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP-adresse"), null=True, blank=True)
    user_agent = models.CharField(_("nettleser"), max_length=300, blank=True)
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrert av"),
    )

    objects = ConsentLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("samtykkelogg")
        verbose_name_plural = _("samtykkelogg")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subscriber}: {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("consent log rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("consent log rows cannot be deleted")
