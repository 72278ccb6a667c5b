"""Builders for sponsorship tests (synthetic names only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.care.models import Child
from barneby.care.tests import factories as care
from barneby.core.tests.personas import make_persona
from barneby.fundraising.models import Supporter
from barneby.fundraising.tests import factories as fund
from barneby.organisation.models import Location, MemberAssociation, Programme
from barneby.organisation.tests import factories as org
from barneby.sponsorships import services
from barneby.sponsorships.models import SponsorshipProfile

TODAY = dt.date.today()


@dataclass
class World:
    association: MemberAssociation
    village: Location
    programme: Programme
    other_programme: Programme
    caseworker: User
    other_caseworker: User
    donor_service: User
    other_donor_service: User
    supporter: Supporter


def world() -> World:
    assoc = org.association(name="SOS-barnebyer Norge")
    village = org.location(assoc, name="SOS-barnebyen Bergen")
    programme = org.programme(assoc, village)
    other = org.programme(assoc, org.location(assoc, name="Barnebyen Trondheim"))
    elsewhere = org.association(name="SOS Sverige", country="SE")
    return World(
        association=assoc,
        village=village,
        programme=programme,
        other_programme=other,
        caseworker=make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme.pk)),
        other_caseworker=make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(other.pk)),
        donor_service=make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(assoc.pk)),
        other_donor_service=make_persona(
            Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(elsewhere.pk)
        ),
        supporter=fund.supporter(assoc, first_name="Ingrid", last_name="Giversen", city="Bergen", postcode="5003"),
    )


def child(w: World, **kw: Any) -> Child:
    defaults: dict[str, Any] = {
        "first_name": "Maren",
        "last_name": "Hemmeligsen",
        "birth_date": care.years_ago(9, 40),
    }
    return care.child(w.programme, w.caseworker, **{**defaults, **kw})


def approved_profile(w: World, kid: Child | None = None, **kw: Any) -> SponsorshipProfile:
    kid = kid or child(w, **kw)
    profile = services.profile_create(actor=w.caseworker, child=kid, village=w.village)
    services.profile_record_consents(
        actor=w.caseworker,
        profile=profile,
        child_consent=True,
        child_consent_on=TODAY,
        guardian_consent=True,
        guardian_consent_on=TODAY,
    )
    return services.profile_approve(actor=w.caseworker, profile=profile)
