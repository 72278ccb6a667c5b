"""Each role's start page shows its work (from the apps' scoped selectors), with Norwegian empty states and
a bounded number of queries; scopes are named ("Bergen søsken"), never "Program 1"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.care.tests import factories as care
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising.models import ClaimRun, Payment
from barneby.organisation.tests import factories as org

pytestmark = pytest.mark.django_db
START = "/ansatt/"


def page(user: User) -> str:
    return verified_client(user).get(START).content.decode()


def panel(html: str, key: str) -> str:
    start = html.index(f'data-panel="{key}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def w() -> care.World:
    return care.world()


def test_caseworker_sees_children_waiting_and_alerts(w: care.World) -> None:
    waiting = care.child(w.programme, w.caseworker, first_name="Venter")
    placed = care.child(w.programme, w.caseworker, first_name="Plassert")
    care.gatekeep(placed, w.caseworker)
    care.place(placed, w.home_a, w.caseworker, care.years_ago(1))
    html = page(w.caseworker)
    assert "Venter Testesen" in panel(html, "waiting")
    assert "Plassert" not in panel(html, "waiting")
    assert f"/omsorg/barn/{waiting.pk}/" in panel(html, "waiting")
    assert 'data-panel="alerts"' in html


def test_empty_states_are_norwegian(w: care.World) -> None:
    html = page(make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(w.other_programme.pk)))
    assert "Ingen barn venter på plassering." in html
    assert "Ingen åpne varsler." in html


def test_director_sees_free_places_per_programme_and_reviews_due(w: care.World) -> None:
    kid = care.child(w.programme, w.director)
    care.gatekeep(kid, w.director)
    care.place(kid, w.home_small, w.director, care.years_ago(1))
    html = page(w.director)
    capacity = panel(html, "capacity")
    assert w.programme.name in capacity
    assert "8 av 9 plasser ledige" in capacity  # homes of 4, 4 and 1 places; one child placed
    assert w.other_programme.name not in capacity
    assert 'data-panel="reviews"' in html


def test_donor_service_sees_unmatched_payments_and_this_months_claim_run() -> None:
    association = org.association()
    donor = make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(association.pk))
    Payment.objects.create(
        association=association, source="manual", amount=Decimal("250.00"), paid_date=dt.date(2026, 3, 2)
    )
    month = timezone.localdate().replace(day=1)
    ClaimRun.objects.create(
        association=association, method="avtalegiro", period=month, due_date=month.replace(day=20), claim_count=12
    )
    html = page(donor)
    assert "kr\xa0250,00" in panel(html, "unmatched")
    assert "12 trekk" in panel(html, "claims")


def test_caregiver_sees_their_own_homes_children(w: care.World) -> None:
    kid = care.child(w.programme, w.caseworker, first_name="Hjemme")
    care.gatekeep(kid, w.caseworker)
    care.place(kid, w.home_a, w.caseworker, care.years_ago(1))
    elsewhere = care.child(w.programme, w.caseworker, first_name="Borte")
    care.gatekeep(elsewhere, w.caseworker)
    care.place(elsewhere, w.home_b, w.caseworker, care.years_ago(1))
    html = page(make_persona(Role.CAREGIVER, scope_kind=ScopeKind.HOME, scope_key=str(w.home_a.pk)))
    assert "Hjemme Testesen" in panel(html, "home")
    assert "Borte" not in html
    assert f"Hjem: {w.home_a.name}" in html  # the role's scope by name, not "Hjem {pk}"


def test_auditor_sees_recent_events_and_me_advisor_figures(w: care.World) -> None:
    audit_record(actor=w.director, action=AuditAction.UPDATE, obj=w.programme, detail="name")
    assert w.programme.name in panel(page(make_persona(Role.AUDITOR)), "events")
    care.child(w.programme, w.caseworker)
    assert 'data-panel="figures"' in page(make_persona(Role.ME_ADVISOR))


def test_municipality_contact_sees_the_partner_programmes_children() -> None:
    association = org.association()
    programme = org.programme(association, partner_municipality=org.bergen())
    boss = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme.pk))
    care.child(programme, boss, first_name="Kommunebarn")
    html = page(make_persona(Role.MUNICIPALITY_CONTACT, scope_kind=ScopeKind.MUNICIPALITY, scope_key="4601"))
    assert "Kommunebarn Testesen" in panel(html, "municipality")
    assert "Kommune: Bergen" in html


def test_start_page_queries_do_not_grow_with_the_data(w: care.World) -> None:
    user = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(w.programme.pk))
    client = verified_client(user)
    care.child(w.programme, w.caseworker, first_name="Først")  # one child shown, so its audit insert is counted too
    client.get(START)
    with CaptureQueriesContext(connection) as few:
        client.get(START)
    for n in range(6):
        kid = care.child(w.programme, w.caseworker, first_name=f"Barn{n}")
        if n % 2:
            care.gatekeep(kid, w.caseworker)
            care.place(kid, w.home_a if n < 4 else w.home_b, w.caseworker, care.years_ago(1))
    with CaptureQueriesContext(connection) as many:
        client.get(START)
    assert len(many) == len(few)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_roles_start_page_answers(role: Role) -> None:
    response = verified_client(make_persona(role)).get(START)
    assert response.status_code == 200


def test_the_start_page_logs_the_children_it_names(w: care.World) -> None:
    from barneby.audit.models import AuditEvent

    waiting = care.child(w.programme, w.caseworker, first_name="Venter")
    elsewhere = care.child(w.other_programme, w.other_caseworker)
    page(w.caseworker)
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="care.child", detail="start page")
    assert list(views.values_list("object_id", flat=True)) == [str(waiting.pk)]
    assert not views.filter(object_id=str(elsewhere.pk)).exists()
