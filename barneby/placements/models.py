"""Placement proposals (C4): a run of the matching solver and the placements it proposes.

Nothing here places a child. A person reads the proposals, and accepting one
opens the care module's placement form prefilled, where the decision and the
child's views are recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from barneby.accounts.scoping import ScopePaths
from barneby.care.models import Child
from barneby.core.models import BaseModel
from barneby.organisation.models import Home, Programme


class RunKind(models.TextChoices):
    GROUP = "group", _("Søskenflokk")
    BATCH = "batch", _("Alle som venter")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Kjører")
    DONE = "done", _("Ferdig")
    FAILED = "failed", _("Feilet")


class MatchingRun(BaseModel):
    SCOPE_PATHS = ScopePaths(association="programme__association_id", programme="programme_id")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("program"))
    kind = models.CharField(_("type"), max_length=10, choices=RunKind.choices)
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("barn")
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    seed = models.PositiveIntegerField(default=0)
    time_limit_s = models.PositiveIntegerField(default=30)
    children_count = models.PositiveIntegerField(_("barn"), default=0)
    homes_count = models.PositiveIntegerField(_("hjem"), default=0)
    solver = models.CharField(_("metode"), max_length=40, blank=True)
    optimal = models.BooleanField(_("bevist optimal"), null=True)
    gap = models.FloatField(_("avstand til beste grense"), null=True, blank=True)
    gap_level = models.CharField(max_length=20, blank=True)
    costs = models.JSONField(default=dict, blank=True)
    greedy_costs = models.JSONField(default=dict, blank=True)
    wall_s = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("forslagskjøring")
        verbose_name_plural = _("forslagskjøringer")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%d.%m.%Y %H:%M}"


class Proposal(models.Model):
    """Where one child would go in one proposal (``rank`` 1 is the best; a batch run has one rank)."""

    SCOPE_PATHS = ScopePaths(association="run__programme__association_id", programme="run__programme_id")

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="proposals")
    rank = models.PositiveSmallIntegerField(_("rangering"), default=1)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    home = models.ForeignKey(Home, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    together = models.BooleanField(_("søsknene bor sammen"), default=False)
    # The costs of the whole proposal this row belongs to (the same on every row of a rank): unplaced, splits,
    # unmet needs, distance.
    costs = models.JSONField(default=dict, blank=True)
    explanation_nb = models.TextField(blank=True)
    explanation_en = models.TextField(blank=True)
    # Set when a placement following this row is saved (``care.Placement.proposal``), not when it is chosen.
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("forslag")
        verbose_name_plural = _("forslag")
        ordering = ["rank", "child__birth_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "rank", "child"], name="placements_proposal_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.rank}: {self.child_id} → {self.home_id}"
