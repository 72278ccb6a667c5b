"""Reads for the partner pipeline, scoped to donor service of the lead's association."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from barneby.accounts.scoping import visible_to
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.partners.models import Lead, LeadEvent, LeadNote, Stage


def lead_list_for(*, user: Any, stage: str = "", owner: str = "", search: str = "") -> QuerySet[Lead]:
    """Leads the user may see; ``owner`` is a user id, or ``"none"`` for leads nobody owns."""
    leads = visible_to(Lead.objects.select_related("owner"), user=user, paths=Lead.SCOPE_PATHS, roles=FUNDRAISING_ROLES)
    if stage in Stage.values:
        leads = leads.filter(stage=stage)
    if owner == "none":
        leads = leads.filter(owner__isnull=True)
    elif owner.isascii() and owner.isdigit():
        leads = leads.filter(owner_id=int(owner))
    if search:
        leads = leads.filter(
            Q(company_name__icontains=search)
            | Q(contact_name__icontains=search)
            | Q(email__icontains=search)
            | Q(organisation_number__startswith=search.replace(" ", ""))
        )
    return leads


def stage_counts_for(*, user: Any) -> list[dict[str, Any]]:
    """How many visible leads are in each stage, in pipeline order (zeros included)."""
    rows = lead_list_for(user=user).order_by().values("stage").annotate(n=Count("pk"))
    counts = {row["stage"]: row["n"] for row in rows}
    return [{"stage": s.value, "label": s.label, "count": counts.get(s.value, 0)} for s in Stage]


def lead_get_for(*, user: Any, pk: int) -> Lead:
    lead = lead_list_for(user=user).select_related("association").filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


def notes_for(lead: Lead) -> QuerySet[LeadNote]:
    return LeadNote.objects.filter(lead=lead).select_related("author").order_by("-created_at", "-pk")


def events_for(lead: Lead) -> QuerySet[LeadEvent]:
    return LeadEvent.objects.filter(lead=lead).select_related("actor", "owner").order_by("-occurred_at", "-pk")
