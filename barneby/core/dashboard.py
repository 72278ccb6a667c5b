"""The start page: each role's work, not a list of links.

Each panel reads through the owning app's scoped selectors, so a panel shows
exactly what its pages would; each costs a fixed number of queries, whatever
the size of the organisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.scoping import scope_for

SHOWN = 5


@dataclass
class Panel:
    """One box of the start page: a heading, a figure or rows, where to go next, and what to say when empty."""

    key: str
    title: str | Promise
    url: str
    link_text: str | Promise
    empty: str | Promise
    count: int | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str | Promise = ""
    child_ids: list[int] = field(default_factory=list)  # children the panel names: their views are audited


def _alerts(user: Any, *, rule: str = "") -> tuple[int, list[dict[str, Any]], list[int]]:
    from barneby.care import alerts
    from barneby.care.selectors import alert_list_for, rules_severity

    found = alert_list_for(user=user, rule=rule)
    shown = sorted(found.order_by("-raised_at", "-pk")[:50], key=lambda a: (rules_severity(a.severity), -a.pk))
    rows = [
        {
            "text": f"{a.child.first_name} {a.child.last_name}: {alerts.message(a, readable=())}",
            "url": alerts.fix_url(a),
            "tag": a.get_severity_display(),
        }
        for a in shown[:SHOWN]
    ]
    return found.count(), rows, [a.child_id for a in shown[:SHOWN]]


def alerts_panel(user: Any) -> Panel:
    count, rows, child_ids = _alerts(user)
    return Panel(
        "alerts",
        _("Varsler"),
        reverse("care:alert-list"),
        _("Alle varsler"),
        _("Ingen åpne varsler. Godt jobbet!"),
        count,
        rows,
        child_ids=child_ids,
    )


def reviews_panel(user: Any) -> Panel:
    count, rows, child_ids = _alerts(user, rule="R5")
    return Panel(
        "reviews",
        _("Gjennomganger som skal holdes"),
        reverse("care:alert-list"),
        _("Alle gjennomganger som venter"),
        _("Ingen planer venter på gjennomgang."),
        count,
        rows,
        child_ids=child_ids,
    )


def waiting_panel(user: Any) -> Panel:
    from barneby.care.selectors import child_list_for
    from barneby.placements.loader import waiting as waiting_for_placement

    # The batch run's own definition of waiting, so the panel and the run agree.
    waiting = waiting_for_placement(child_list_for(user=user)).order_by("referred_on", "pk")
    shown = list(waiting[:SHOWN])
    rows = [
        {
            "text": f"{c.first_name} {c.last_name} – {c.programme.name}",
            "url": reverse("care:child-detail", args=[c.pk]),
            "tag": _("henvist {date}").format(date=c.referred_on.strftime("%d.%m.%Y")) if c.referred_on else "",
        }
        for c in shown
    ]
    return Panel(
        "waiting",
        _("Barn som venter på plassering"),
        reverse("care:child-list"),
        _("Alle barn"),
        _("Ingen barn venter på plassering."),
        waiting.count(),
        rows,
        child_ids=[c.pk for c in shown],
    )


def capacity_panel(user: Any) -> Panel:
    from barneby.organisation.selectors import capacity_by_programme

    rows = [
        {
            "text": row["name"],
            "url": reverse("organisation:programme-detail", args=[row["pk"]]),
            "tag": _("{free} av {places} plasser ledige").format(free=row["free"], places=row["places"]),
        }
        for row in capacity_by_programme(user=user)
    ]
    return Panel(
        "capacity",
        _("Ledige plasser"),
        reverse("organisation:home-list") + "?free=on",
        _("Hjem med ledige plasser"),
        _("Ingen omsorgsprogrammer å vise."),
        None,
        rows,
        _("Programmene med færrest ledige plasser først."),
    )


def unmatched_panel(user: Any) -> Panel:
    from barneby.core.formatting import format_amount
    from barneby.fundraising.selectors import unmatched_payments_for

    payments = unmatched_payments_for(user=user)
    total = payments.aggregate(total=Sum("amount"))["total"]
    rows = [
        {
            "text": format_amount(p.amount),
            "url": reverse("fundraising:unmatched"),
            "tag": _("betalt {date}").format(date=p.paid_date.strftime("%d.%m.%Y")),
        }
        for p in payments.order_by("paid_date", "pk")[:SHOWN]
    ]
    count = payments.count()
    return Panel(
        "unmatched",
        _("Ikke avstemte innbetalinger"),
        reverse("fundraising:unmatched"),
        _("Avstem innbetalinger"),
        _("Alle innbetalinger er avstemt."),
        count,
        rows,
        _("Til sammen {amount}.").format(amount=format_amount(total)) if count else "",
    )


def claim_run_panel(user: Any) -> Panel:
    from barneby.core.formatting import format_amount
    from barneby.fundraising.selectors import claim_run_list_for

    month = timezone.localdate().replace(day=1)
    runs = claim_run_list_for(user=user).filter(period=month).order_by("-pk")[:SHOWN]
    rows = [
        {
            "text": _("{count} trekk, {amount}").format(count=run.claim_count, amount=format_amount(run.total_amount)),
            "url": reverse("fundraising:claim-runs"),
            "tag": _("{status}, forfall {date}").format(
                status=run.get_status_display(), date=run.due_date.strftime("%d.%m.%Y")
            ),
        }
        for run in runs
    ]
    return Panel(
        "claims",
        _("Månedens trekk ({month})").format(month=month.strftime("%m.%Y")),
        reverse("fundraising:claim-runs"),
        _("Månedlige trekk"),
        _("Ingen trekk for denne måneden ennå."),
        None,
        rows,
    )


def my_home_panel(user: Any) -> Panel:
    from barneby.care.selectors import caregiver_children

    children = list(caregiver_children(user=user).prefetch_related(None))
    today = timezone.localdate()
    rows = [
        {
            "text": f"{c.first_name} {c.last_name}",
            "url": reverse("care:my-home"),
            "tag": _("{age} år").format(age=_age(c.birth_date, today)),
        }
        for c in children
    ]
    return Panel(
        "home",
        _("Barna i hjemmet ditt"),
        reverse("care:my-home"),
        _("Mitt hjem: mål og dagbok"),
        _("Ingen barn bor i hjemmet ditt nå."),
        len(rows),
        rows,
        child_ids=[c.pk for c in children],
    )


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def figures_panel(user: Any) -> Panel:
    from barneby.care.selectors import me_figures

    figures = me_figures(user=user)
    hidden = _("under {small}").format(small=figures["small"])
    rows = [
        {
            "text": row["programme__name"],
            "url": reverse("care:figures"),
            "tag": _("{total} barn, {in_care} i omsorg").format(
                total=hidden if row["total"] is None else row["total"],
                in_care=hidden if row["in_care"] is None else row["in_care"],
            ),
        }
        for row in figures["rows"][:SHOWN]
    ]
    intact = figures["intact"]
    return Panel(
        "figures",
        _("Nøkkeltall"),
        reverse("care:figures"),
        _("Alle nøkkeltall"),
        _("Ingen tall å vise ennå."),
        None,
        rows,
        _("Søskenflokker plassert samlet: {share} %.").format(share=intact) if intact is not None else "",
    )


def municipality_panel(user: Any) -> Panel:
    from barneby.care.selectors import child_list_for

    children = child_list_for(user=user).order_by("last_name", "first_name", "pk")
    shown = list(children[:SHOWN])
    rows = [
        {
            "text": f"{c.first_name} {c.last_name}",
            "url": reverse("care:child-detail", args=[c.pk]),
            "tag": c.get_status_display(),
        }
        for c in shown
    ]
    return Panel(
        "municipality",
        _("Barn fra kommunen"),
        reverse("care:child-list"),
        _("Alle barna"),
        _("Ingen barn i samarbeidsprogrammene ennå."),
        children.count(),
        rows,
        child_ids=[c.pk for c in shown],
    )


def events_panel(user: Any) -> Panel:
    from barneby.audit.selectors import audit_event_list_for

    rows = [
        {
            "text": f"{event.get_action_display()} {event.object_repr or event.object_type}".strip(),
            "url": reverse("audit:event-list"),
            "tag": f"{timezone.localtime(event.occurred_at).strftime('%d.%m.%Y %H:%M')} – {event.actor or '–'}",
        }
        for event in audit_event_list_for(user=user)[:SHOWN]
    ]
    return Panel(
        "events",
        _("Siste hendelser i revisjonsloggen"),
        reverse("audit:event-list"),
        _("Hele revisjonsloggen"),
        _("Ingen hendelser ennå."),
        None,
        rows,
    )


# Each role's work, in the order it is shown; a panel two roles share is shown once.
PANELS: dict[Role, tuple[Callable[[Any], Panel], ...]] = {
    Role.CASEWORKER: (alerts_panel, waiting_panel),
    Role.PROGRAMME_DIRECTOR: (capacity_panel, reviews_panel, waiting_panel),
    Role.NATIONAL_DIRECTOR: (capacity_panel,),
    Role.DONOR_SERVICE: (unmatched_panel, claim_run_panel),
    Role.CAREGIVER: (my_home_panel,),
    Role.ME_ADVISOR: (figures_panel,),
    Role.MUNICIPALITY_CONTACT: (municipality_panel,),
    Role.AUDITOR: (events_panel,),
    Role.SYSTEM_ADMIN: (events_panel,),
}


def panels_for(user: Any, request: Any = None) -> list[Panel]:
    """The panels of the user's roles; the children they name are logged as viewed, like any child list."""
    from barneby.care.services import record_views

    roles = scope_for(user).roles
    made: list[Panel] = []
    seen: set[Callable[[Any], Panel]] = set()
    for role in Role:
        if role not in roles:
            continue
        for make in PANELS.get(role, ()):
            if make not in seen:
                seen.add(make)
                made.append(make(user))
    record_views(actor=user, child_ids=[pk for p in made for pk in p.child_ids], request=request, detail="start page")
    return made


def scope_names(assignments: list[Any]) -> dict[tuple[str, str], str]:
    """Names for the assignments' scopes ("SOS-barnebyen Bergen", not "Program 1"): one query per kind."""
    from barneby.organisation.models import Home, MemberAssociation, Municipality, Programme

    keys: dict[str, set[str]] = {}
    for assignment in assignments:
        if assignment.scope_key:
            keys.setdefault(assignment.scope_kind, set()).add(assignment.scope_key)
    names: dict[tuple[str, str], str] = {}
    models: dict[str, Any] = {
        ScopeKind.ASSOCIATION: MemberAssociation,
        ScopeKind.PROGRAMME: Programme,
        ScopeKind.HOME: Home,
    }
    for kind, model in models.items():
        ids = [int(k) for k in keys.get(kind, ()) if k.isdigit()]
        if ids:
            for pk, name in model.objects.filter(pk__in=ids).values_list("pk", "name"):
                names[(kind, str(pk))] = name
    numbers = sorted(keys.get(ScopeKind.MUNICIPALITY, ()))
    if numbers:
        for municipality in Municipality.objects.filter(number__in=numbers):
            names[(ScopeKind.MUNICIPALITY, municipality.number)] = municipality.short_name
    return names
