from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("Vist")
    VIEW_RESTRICTED = "view-restricted", _("Vist skjermede opplysninger")
    CREATE = "create", _("Opprettet")
    UPDATE = "update", _("Endret")
    DELETE = "delete", _("Slettet")
    EXPORT = "export", _("Eksportert")
    LOGIN = "login", _("Innlogging")
    LOGIN_FAILED = "login-failed", _("Mislykket innlogging")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One thing someone did or saw. Append-only.

    The application has no path to change or remove a row (the queryset and
    instance refuse), and the database refuses UPDATE and DELETE with a
    trigger (see the migration). ``object_type`` is ``app_label.model``.
    """

    occurred_at = models.DateTimeField(_("tidspunkt (UTC)"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utført av"),
    )
    action = models.CharField(_("handling"), max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("objekttype"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("objekt-ID"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("objekt"), max_length=200, blank=True)
    detail = models.CharField(_("detaljer"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adresse"), null=True, blank=True)
    user_agent = models.CharField(_("nettleser"), max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("revisjonshendelse")
        verbose_name_plural = _("revisjonshendelser")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")
