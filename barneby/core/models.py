from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Abstract base with creation and modification times (UTC)."""

    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    class Meta:
        abstract = True
