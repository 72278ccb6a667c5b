"""Builders for care test data (synthetic names only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import count
from typing import Any

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.care import services
from barneby.care.models import Child, GatekeepingOutcome, Placement, PlacementType, Sex, TargetGroup
from barneby.core.tests.personas import make_persona
from barneby.organisation.models import Home, Programme
from barneby.organisation.tests import factories as org

_seq = count(1)
TODAY = dt.date.today()


def years_ago(years: int, days: int = 0) -> dt.date:
    return TODAY.replace(year=TODAY.year - years) - dt.timedelta(days=days)


def decision(**kw: Any) -> dict[str, Any]:
    return {
        "decided_on": kw.pop("decided_on", TODAY),
        "decided_by": "Programleder Test",
        "best_interest": "Barnet trenger stabil omsorg.",
        "child_views": "Vil bo med søsknene sine.",
        "heard_how": "alone",
        **kw,
    }


def child(programme: Programme, actor: User, **kw: Any) -> Child:
    n = next(_seq)
    fields: dict[str, Any] = {
        "first_name": f"Barn{n}",
        "last_name": "Testesen",
        "birth_date": years_ago(9),
        "sex": Sex.FEMALE,
        "target_group": TargetGroup.WITHOUT_CARE,
        **kw,
    }
    return services.child_create(actor=actor, programme=programme, **fields)


def gatekeep(kid: Child, actor: User, on: dt.date | None = None, reasons: list[str] | None = None) -> None:
    services.gatekeeping_record(
        actor=actor,
        child=kid,
        assessed_on=on or min(kid.birth_date + dt.timedelta(days=1), TODAY),
        reasons=reasons or ["neglect"],
        necessity="Hjelpetiltak i hjemmet er prøvd uten bedring.",
        suitability="Fosterhjemmet kan ta imot hele søskenflokken.",
        outcome=GatekeepingOutcome.ALTERNATIVE_CARE,
    )


def place(kid: Child, home: Home, actor: User, start: dt.date, **kw: Any) -> Placement:
    kid.refresh_from_db()
    result = services.place_child(
        actor=actor,
        child=kid,
        home=home,
        type=kw.pop("type", PlacementType.FOSTER),
        start_date=start,
        decision=decision(decided_on=min(start, TODAY), **kw.pop("decision", {})),
        child_prepared=kw.pop("child_prepared", True),
        **kw,
    )
    return result.placement


@dataclass
class World:
    """Two programmes of one association, homes, and the people who work there."""

    programme: Programme
    other_programme: Programme
    home_a: Home
    home_b: Home
    home_small: Home
    other_home: Home
    caseworker: User
    other_caseworker: User
    director: User


def world() -> World:
    assoc = org.association()
    programme = org.programme(assoc)
    other = org.programme(assoc)
    home_a = org.home(programme, capacity=4, max_age=25)
    home_b = org.home(programme, capacity=4, max_age=25)
    home_small = org.home(programme, capacity=1, max_age=25)
    other_home = org.home(other, capacity=4, max_age=25)
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme.pk))
    other_caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(other.pk))
    director = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme.pk))
    return World(programme, other, home_a, home_b, home_small, other_home, caseworker, other_caseworker, director)
