"""Placement proposals: ask, read the explanation, choose one — the placement form opens prefilled."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from barneby.care import selectors as care_selectors
from barneby.care import services as care_services
from barneby.core.access import staff
from barneby.core.htmx import render_page
from barneby.core.listing import paginate
from barneby.organisation.models import Programme
from barneby.placements import selectors, services
from barneby.placements.models import RunKind, RunStatus
from barneby.placements.permissions import MATCHERS


class BatchForm(forms.Form):
    programme: forms.ModelChoiceField[Programme] = forms.ModelChoiceField(
        label=gettext_lazy("Program"), queryset=Programme.objects.none()
    )


@staff(MATCHERS)
@require_safe
def run_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.run_list_for(user=request.user))
    shown = [run.child_id for run in page.object_list if run.child_id]
    care_services.record_views(actor=request.user, child_ids=shown, request=request, detail="placement runs")
    return render(request, "placements/run_list.html", {"page_obj": page})


@staff(MATCHERS)
@require_POST
def propose(request: HttpRequest, child_pk: int) -> HttpResponse:
    child = care_selectors.child_get_for(user=request.user, pk=child_pk, for_write=True)
    try:
        run = services.propose_for_child(actor=request.user, child=child)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("care:child-detail", pk=child_pk)
    return redirect("placements:run-detail", pk=run.pk)


@staff(MATCHERS)
@require_http_methods(["GET", "HEAD", "POST"])
def batch_create(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST or None)
    programme: Any = form.fields["programme"]
    programme.queryset = selectors.programmes_for(user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            run = services.start_batch(actor=request.user, programme=form.cleaned_data["programme"])
        messages.info(request, _("Kjøringen er startet. Siden oppdateres når den er ferdig."))
        return redirect("placements:run-detail", pk=run.pk)
    return render(request, "placements/batch_form.html", {"form": form}, status=400 if form.errors else 200)


@staff(MATCHERS)
@require_safe
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get_for(user=request.user, pk=pk)
    english = (get_language() or "nb").startswith("en")
    ranks: dict[int, list[Any]] = defaultdict(list)
    proposals = list(run.proposals.select_related("child", "home", "home__programme"))
    # A sibling the user may not read is shown only as "a sibling in another programme".
    readable = care_selectors.readable_child_ids(user=request.user, ids=[p.child_id for p in proposals])
    # What the placement form would refuse for lack of, said here before a proposal is chosen.
    missing = {p.child_id: care_selectors.placement_missing(child=p.child) for p in proposals if p.child_id in readable}
    writable = care_selectors.writable_child_ids(user=request.user, ids=readable)
    # A group proposal is placed child by child: once one child is placed after it, its siblings' links show.
    started = {p.rank for p in proposals if p.accepted_at is not None}
    is_group = run.kind == RunKind.GROUP
    for proposal in proposals:
        proposal.readable = proposal.child_id in readable  # type: ignore[attr-defined]
        proposal.placeable = (  # type: ignore[attr-defined]
            proposal.home_id is not None
            and proposal.accepted_at is None
            and proposal.child_id in writable
            and (not is_group or proposal.rank in started)
        )
        proposal.missing = missing.get(proposal.child_id, [])  # type: ignore[attr-defined]
        proposal.explanation = proposal.explanation_en if english else proposal.explanation_nb  # type: ignore[attr-defined]
        ranks[proposal.rank].append(proposal)
    if readable:
        care_services.record_views(
            actor=request.user, child_ids=sorted(readable), request=request, detail=f"placement proposals {run.pk}"
        )
    context = {
        "run": run,
        "ranks": sorted(ranks.items()),
        "running": run.status in {RunStatus.QUEUED, RunStatus.RUNNING},
        "is_group": is_group,
        "hx_target": "#run",
    }
    return render_page(request, "placements/run_detail.html", context, partial="run")


@staff(MATCHERS)
@require_POST
def accept(request: HttpRequest, pk: int, rank: int) -> HttpResponse:
    run = selectors.run_get_for(user=request.user, pk=pk)
    try:
        url = services.accept(actor=request.user, run=run, rank=rank)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("placements:run-detail", pk=pk)
    messages.info(request, _("Forslaget er valgt. Registrer plasseringen med vedtak og barnets syn."))
    return redirect(url)
