"""Uploads waiting for their preview to be confirmed, and the finished steps of long loads.

An :class:`Upload` holds the rows of one file between the upload and the
confirmation, encrypted (the rows are personal data), and is deleted when the
import is done, discarded or older than ``IMPORT_UPLOAD_TTL``. A
:class:`LoadStep` records a committed step of a long data load (the global
demo), so a run that was interrupted resumes after the last finished step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from barneby.core.fields import EncryptedTextField


class ImportKind(models.TextChoices):
    CHILDREN = "children", _("barn")
    SUPPORTERS = "supporters", _("givere")


class Upload(models.Model):
    kind = models.CharField(_("type"), max_length=20, choices=ImportKind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("lastet opp av")
    )
    uploaded_at = models.DateTimeField(_("lastet opp"), auto_now_add=True, db_index=True)
    file_name = models.CharField(_("filnavn"), max_length=200)
    row_count = models.PositiveIntegerField(_("rader"), default=0)
    # The file's header and rows, and each row's outcome in the trial run, as JSON, encrypted like every
    # other field with personal data.
    rows = EncryptedTextField(_("rader"))
    outcomes = EncryptedTextField(_("utfall"), blank=True)

    class Meta:
        verbose_name = _("opplasting")
        verbose_name_plural = _("opplastinger")

    def __str__(self) -> str:
        return self.file_name


class LoadStep(models.Model):
    name = models.CharField(_("steg"), max_length=200, unique=True)
    finished_at = models.DateTimeField(_("fullført"), auto_now_add=True)

    class Meta:
        verbose_name = _("fullført innlastingssteg")
        verbose_name_plural = _("fullførte innlastingssteg")

    def __str__(self) -> str:
        return self.name
