"""Persona tests for the care pages, audit of reads, and a constant number of queries on the child page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditEvent
from barneby.care import alerts, services
from barneby.care.models import Alert, Child, DailyNote, Decision, Placement
from barneby.care.rules import LEGACY_NOT_HEARD
from barneby.care.tests import factories as f
from barneby.care.tests.factories import TODAY, years_ago
from barneby.core.tests.personas import make_persona, make_user, verified_client
from barneby.organisation.tests import factories as org

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def w() -> f.World:
    return f.world()


def client_for(role: Role, kind: ScopeKind, key: object) -> Client:
    return verified_client(make_persona(role, scope_kind=kind, scope_key=str(key)))


def placed_child(w: f.World, **kw: Any) -> Child:
    kid = f.child(w.programme, w.caseworker, **kw)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 40 * DAY)
    kid.refresh_from_db()
    return kid


def test_caseworker_sees_only_the_children_of_their_programmes(w: f.World) -> None:
    ours = f.child(w.programme, w.caseworker, first_name="Ingrid")
    theirs = f.child(w.other_programme, w.other_caseworker, first_name="Torstein")
    client = verified_client(w.caseworker)
    listing = client.get("/omsorg/barn/").content.decode()
    assert "Ingrid" in listing
    assert "Torstein" not in listing
    assert client.get(f"/omsorg/barn/{ours.pk}/").status_code == 200
    assert client.get(f"/omsorg/barn/{theirs.pk}/").status_code == 404
    assert client.get(f"/omsorg/barn/{theirs.pk}/endre/").status_code == 404
    assert client.get(f"/omsorg/barn/{theirs.pk}/plassering/").status_code == 404


def test_search_by_name_prefix_and_status_filter(w: f.World) -> None:
    f.child(w.programme, w.caseworker, first_name="Sigrid", last_name="Berg")
    f.child(w.programme, w.caseworker, first_name="Sindre", last_name="Dahl")
    placed_child(w, first_name="Ola", last_name="Sirnes")
    client = verified_client(w.caseworker)
    page = client.get("/omsorg/barn/", {"q": "si"}).content.decode()
    assert "Sigrid" in page
    assert "Sindre" in page
    assert "Sirnes" in page
    page = client.get("/omsorg/barn/", {"q": "si", "status": "alternative_care"}).content.decode()
    assert "Sirnes" in page
    assert "Sigrid" not in page
    page = client.get("/omsorg/barn/", {"q": "igrid"}).content.decode()
    assert "Ingen barn" in page  # a prefix search, not a substring search
    htmx = client.get("/omsorg/barn/", {"q": "sig"}, headers={"HX-Request": "true"}).content.decode()
    assert "Sigrid" in htmx
    assert "<html" not in htmx


def test_a_child_view_is_audited_and_restricted_fields_need_the_permission(w: f.World) -> None:
    kid = placed_child(w)
    services.child_update_restricted(actor=w.caseworker, child=kid, health="Astma.", hiv_status="Negativ")
    client = verified_client(w.caseworker)
    page = client.get(f"/omsorg/barn/{kid.pk}/").content.decode()
    assert "Astma" not in page
    assert "Negativ" not in page
    assert AuditEvent.objects.filter(action="view", object_type="care.child", object_id=str(kid.pk)).count() == 1
    assert client.get(f"/omsorg/barn/{kid.pk}/skjermet/").status_code == 403
    assert not AuditEvent.objects.filter(action="view-restricted").exists()
    w.caseworker.user_permissions.add(Permission.objects.get(codename="view_restricted"))
    client = verified_client(type(w.caseworker).objects.get(pk=w.caseworker.pk))
    restricted = client.get(f"/omsorg/barn/{kid.pk}/skjermet/")
    assert restricted.status_code == 200
    assert "Astma" in restricted.content.decode()
    event = AuditEvent.objects.get(action="view-restricted")
    assert event.object_id == str(kid.pk)
    assert event.actor_id == w.caseworker.pk


def test_national_director_reads_but_does_not_write(w: f.World) -> None:
    kid = placed_child(w)
    client = client_for(Role.NATIONAL_DIRECTOR, ScopeKind.ASSOCIATION, w.programme.association_id)
    assert client.get(f"/omsorg/barn/{kid.pk}/").status_code == 200
    assert client.get(f"/omsorg/barn/{kid.pk}/endre/").status_code == 403


def test_municipality_contact_sees_children_of_partner_programmes_only(w: f.World) -> None:
    bergen = org.bergen()
    w.programme.partner_municipality = bergen
    w.programme.save()
    ours = f.child(w.programme, w.caseworker, first_name="Kommunebarn")
    other = f.child(w.other_programme, w.other_caseworker, first_name="Annetbarn")
    client = client_for(Role.MUNICIPALITY_CONTACT, ScopeKind.MUNICIPALITY, "4601")
    listing = client.get("/omsorg/barn/").content.decode()
    assert "Kommunebarn" in listing
    assert "Annetbarn" not in listing
    assert client.get(f"/omsorg/barn/{other.pk}/").status_code == 404
    assert client.get(f"/omsorg/barn/{ours.pk}/").status_code == 200


@pytest.mark.parametrize("role", [Role.DONOR_SERVICE, Role.SYSTEM_ADMIN, Role.AUDITOR, Role.SAFEGUARDING_FOCAL_POINT])
def test_roles_without_child_data_are_refused(w: f.World, role: Role) -> None:
    kid = placed_child(w)
    client = verified_client(make_persona(role))
    for url in ("/omsorg/barn/", f"/omsorg/barn/{kid.pk}/", "/omsorg/varsler/", "/omsorg/familier/"):
        assert client.get(url).status_code == 403, url


def test_an_outsider_gets_nothing(w: f.World) -> None:
    kid = placed_child(w)
    outsider = verified_client(make_user(full_name="Ola Utenfor"))
    assert outsider.get(f"/omsorg/barn/{kid.pk}/").status_code in {403, 404}
    stranger = client_for(Role.CASEWORKER, ScopeKind.PROGRAMME, org.programme(org.association()).pk)
    assert stranger.get(f"/omsorg/barn/{kid.pk}/").status_code == 404
    assert stranger.get(f"/omsorg/barn/{kid.pk}/skjermet/").status_code == 404


def test_caregiver_sees_only_their_household_and_only_goals_and_the_daily_log(w: f.World) -> None:
    kid = placed_child(w, first_name="Hjemmebarn")
    services.goal_save(actor=w.caseworker, child=kid, domain="social", description="Bli med i korps", status="planned")
    services.child_update_restricted(actor=w.caseworker, child=kid, health="Diabetes")
    elsewhere = f.child(w.programme, w.caseworker, first_name="Bortebarn")
    f.gatekeep(elsewhere, w.caseworker)
    f.place(elsewhere, w.home_b, w.caseworker, TODAY - 5 * DAY)
    caregiver = make_persona(Role.CAREGIVER, scope_kind=ScopeKind.HOME, scope_key=str(w.home_a.pk))
    client = verified_client(caregiver)
    page = client.get("/omsorg/mitt-hjem/").content.decode()
    assert "Hjemmebarn" in page
    assert "Bli med i korps" in page
    assert "Bortebarn" not in page
    assert "Diabetes" not in page
    assert "Vil bo med søsknene" not in page  # no decisions or case history
    assert client.get(f"/omsorg/barn/{kid.pk}/").status_code == 403
    assert client.get(f"/omsorg/mitt-hjem/barn/{elsewhere.pk}/dagbok/").status_code == 404
    response = client.post(
        f"/omsorg/mitt-hjem/barn/{kid.pk}/dagbok/",
        {"written_on": TODAY.strftime("%d.%m.%Y"), "text": "Fin dag på skolen."},
    )
    assert response.status_code == 302
    assert DailyNote.objects.get().text == "Fin dag på skolen."
    assert "Fin dag på skolen." in client.get("/omsorg/mitt-hjem/").content.decode()
    bad = client.post(f"/omsorg/mitt-hjem/barn/{kid.pk}/dagbok/", {"written_on": "31.12.2999", "text": "x"})
    assert bad.status_code == 400
    assert "fram i tid" in bad.content.decode()


def test_me_advisor_sees_figures_and_an_aggregated_export_only(w: f.World) -> None:
    w.home_a.capacity = 10
    w.home_a.save()
    kids = [placed_child(w, first_name=f"Navn{i}", national_id="") for i in range(6)]
    client = client_for(Role.ME_ADVISOR, ScopeKind.ASSOCIATION, w.programme.association_id)
    assert client.get("/omsorg/barn/").status_code == 403
    assert client.get(f"/omsorg/barn/{kids[0].pk}/").status_code == 403
    figures = client.get("/omsorg/nokkeltall/").content.decode()
    assert w.programme.name in figures
    export = client.get("/omsorg/nokkeltall/eksport/?format=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body), delimiter=";" if ";" in body.splitlines()[0] else ","))
    assert not any("Navn" in cell or "Testesen" in cell for row in rows for cell in row)
    # Aggregated: counts per programme and combination, not a row per child.
    assert rows[0][-2] == "Antall barn"
    assert sum(int(row[-2]) for row in rows[1:]) == 6
    assert all(row[0] == w.programme.code for row in rows[1:])
    assert AuditEvent.objects.filter(action="export", object_type="care.child").exists()
    xlsx = client.get("/omsorg/nokkeltall/eksport/?format=xlsx")
    assert xlsx.status_code == 200


def test_small_cells_are_suppressed(w: f.World) -> None:
    placed_child(w)
    client = client_for(Role.ME_ADVISOR, ScopeKind.ASSOCIATION, w.programme.association_id)
    page = client.get("/omsorg/nokkeltall/").content.decode()
    assert "<td>1</td>" not in page


def history(w: f.World, kid: Child, moves: int) -> None:
    homes = [w.home_a, w.home_b]
    for i in range(moves):
        f.place(kid, homes[i % 2], w.caseworker, TODAY - (400 - i * 3) * DAY)
        services.decision_record(actor=w.caseworker, child=kid, **f.decision(kind="placement"))
        services.review_save(actor=w.caseworker, child=kid, reviewed_on=TODAY - i * DAY, summary="Ok", child_views="Ok")
        services.goal_save(actor=w.caseworker, child=kid, domain="physical", description=f"Mål {i}", status="planned")


def test_child_page_runs_a_constant_number_of_queries(w: f.World) -> None:
    def measure(moves: int, siblings: int) -> int:
        kid = f.child(w.programme, w.caseworker)
        f.gatekeep(kid, w.caseworker, on=TODAY - 500 * DAY)
        history(w, kid, moves)
        for _ in range(siblings):
            other = f.child(w.programme, w.caseworker)
            f.gatekeep(other, w.caseworker, on=TODAY - 500 * DAY)
            f.place(other, w.home_b, w.caseworker, TODAY - 10 * DAY, capacity_override="test")
            services.sibling_link(actor=w.caseworker, child=kid, other=other, kind="half")
        client = verified_client(w.caseworker)
        client.get(f"/omsorg/barn/{kid.pk}/")  # warm caches (session, permissions)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/omsorg/barn/{kid.pk}/")
        assert response.status_code == 200
        return len(queries)

    short = measure(moves=1, siblings=1)
    long = measure(moves=12, siblings=4)
    assert short == long, (short, long)
    assert Alert.objects.exists()


def test_child_page_shows_siblings_where_they_live_and_alerts(w: f.World) -> None:
    kid = placed_child(w, first_name="Eldste")
    near = placed_child(w, first_name="Midterste")
    far = f.child(w.other_programme, w.other_caseworker, first_name="Yngste")
    f.gatekeep(far, w.other_caseworker)
    f.place(far, w.other_home, w.other_caseworker, TODAY - 20 * DAY)
    services.sibling_link(actor=w.caseworker, child=kid, other=near, kind="full")
    services.sibling_link(actor=w.director, child=kid, other=far, kind="half")
    page = verified_client(w.caseworker).get(f"/omsorg/barn/{kid.pk}/").content.decode()
    assert "Midterste" in page
    # The sibling in another programme: neither name, birth date, home nor link; only that there is one.
    assert "Yngste" not in page
    assert w.other_home.name not in page
    assert f"/omsorg/barn/{far.pk}/" not in page
    assert "et søsken i et annet program" in page
    assert "Bor med minst ett søsken" in page
    assert "R3" in page


def test_writer_pages_render_and_refuse_bad_input(w: f.World) -> None:
    kid = placed_child(w)
    client = verified_client(w.caseworker)
    for url in (
        "/omsorg/barn/ny/",
        f"/omsorg/barn/{kid.pk}/endre/",
        f"/omsorg/barn/{kid.pk}/sosken/",
        f"/omsorg/barn/{kid.pk}/inntak/",
        f"/omsorg/barn/{kid.pk}/plassering/",
        f"/omsorg/barn/{kid.pk}/vedtak/?kind=sibling_separation",
        f"/omsorg/barn/{kid.pk}/mal/",
        f"/omsorg/barn/{kid.pk}/gjennomgang/",
        f"/omsorg/barn/{kid.pk}/ettervern/",
        f"/omsorg/barn/{kid.pk}/oppfolging/",
        f"/omsorg/plassering/{kid.placements.get().pk}/avslutt/",
        "/omsorg/varsler/",
        "/omsorg/familier/",
        "/omsorg/familier/ny/",
    ):
        assert client.get(url).status_code == 200, url
    bad = client.post(
        "/omsorg/barn/ny/",
        {
            "programme": w.programme.pk,
            "first_name": "Fremtid",
            "last_name": "Test",
            "birth_date": (TODAY + DAY).strftime("%d.%m.%Y"),
            "sex": "female",
            "target_group": "at_risk",
            "national_id": "12345678901",
        },
    )
    text = bad.content.decode()
    assert bad.status_code == 400
    assert "fram i tid" in text
    assert not Child.objects.filter(first_name="Fremtid").exists()
    before = Placement.objects.count()
    overfull = client.post(
        f"/omsorg/barn/{kid.pk}/plassering/",
        {
            "home": w.home_small.pk,
            "type": "foster",
            "start_date": (TODAY - 50 * DAY).strftime("%d.%m.%Y"),
            "decided_on": TODAY.strftime("%d.%m.%Y"),
            "decided_by": "Leder",
            "best_interest": "Nærmere skolen.",
        },
    )
    assert overfull.status_code == 400
    assert "før den nåværende startet" in overfull.content.decode()
    assert Placement.objects.count() == before


def test_household_pages(w: f.World) -> None:
    client = verified_client(w.caseworker)
    response = client.post(
        "/omsorg/familier/ny/",
        {
            "programme": w.programme.pk,
            "name": "Familien Nordmann",
            "risk_factors": ["housing", "isolation"],
            "in_family_strengthening": "on",
            "entered_on": "01.01.2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    assert (
        client.post(
            f"/omsorg/familier/{pk}/medlem/ny/", {"first_name": "Kari", "last_name": "Nordmann", "relation": "mor"}
        ).status_code
        == 302
    )
    assert (
        client.post(f"/omsorg/familier/{pk}/nettverk/ny/", {"kind": "service", "name": "Helsestasjonen"}).status_code
        == 302
    )
    assert (
        client.post(
            f"/omsorg/familier/{pk}/tiltak/ny/",
            {"description": "Foreldreveiledning", "start_date": "01.02.2026", "end_date": "01.01.2026"},
        ).status_code
        == 400
    )
    page = client.get(f"/omsorg/familier/{pk}/").content.decode()
    assert "Kari Nordmann" in page
    assert "Helsestasjonen" in page
    assert "Mangelfull bolig" in page
    assert client.get(f"/omsorg/familier/{pk}/ukjent/ny/").status_code == 404
    other = verified_client(w.other_caseworker)
    assert other.get(f"/omsorg/familier/{pk}/").status_code == 404


def test_status_change_and_sibling_removal(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    other = f.child(w.programme, w.caseworker)
    client = verified_client(w.caseworker)
    client.post(f"/omsorg/barn/{kid.pk}/status/", {"status": "assessed"})
    kid.refresh_from_db()
    assert kid.status == "assessed"
    client.post(f"/omsorg/barn/{kid.pk}/status/", {"status": "left"})
    client.post(f"/omsorg/barn/{other.pk}/sosken/", {"other_choice": kid.pk, "kind": "full", "existing_bond": "on"})
    kid.refresh_from_db()
    assert kid.status == "left"
    relation = services.sibling_link(
        actor=w.caseworker, child=other, other=f.child(w.programme, w.caseworker), kind="half"
    )
    assert client.post(f"/omsorg/sosken/{relation.pk}/fjern/").status_code == 302
    assert not type(relation).objects.filter(pk=relation.pk).exists()


def test_aftercare_page_saves_and_decision_edit_fixes_the_voice(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(17, days=200))
    client = verified_client(w.caseworker)
    response = client.post(
        f"/omsorg/barn/{kid.pk}/ettervern/",
        {"assessed_on": TODAY.strftime("%d.%m.%Y"), "plan": "Bo i hybel", "support_person": "Kari", "response": ""},
    )
    assert response.status_code == 302
    decision = services.decision_record(actor=w.caseworker, child=kid, **f.decision(kind="admission"))
    # As migration 0004 left a decision saved before R16 was enforced.
    Decision.objects.filter(pk=decision.pk).update(child_views="", not_heard_reason=LEGACY_NOT_HEARD)
    alerts.refresh([kid.pk])
    assert Alert.objects.filter(child=kid, rule="R16").exists()
    edit = client.post(
        f"/omsorg/vedtak/{decision.pk}/endre/",
        {
            "decided_on": TODAY.strftime("%d.%m.%Y"),
            "decided_by": "Leder",
            "best_interest": "Ok",
            "child_views": "Ønsker å bo nær skolen.",
        },
    )
    assert edit.status_code == 302, edit.content.decode()[:3000]
    assert not Alert.objects.filter(child=kid, rule="R16").exists()


def test_figures_show_the_sibling_indicator_against_a_hand_count(w: f.World, settings: Any) -> None:
    settings.CARE_SMALL_CELL = 1
    w.home_a.capacity = 10
    w.home_a.save()
    # Group 1: three siblings, two together in home A, one in home B → 2 of 3 live with a sibling.
    one, two, three = (placed_child(w) for _ in range(3))
    f.place(three, w.home_b, w.caseworker, TODAY)
    services.sibling_link_group(actor=w.caseworker, child=one, other=two, kind="full")
    services.sibling_link_group(actor=w.caseworker, child=three, other=one, kind="half")
    # Group 2: two siblings together → 2 of 2; the group is intact.
    four, five = placed_child(w), placed_child(w)
    services.sibling_link(actor=w.caseworker, child=four, other=five, kind="full")
    # A child without siblings does not count.
    placed_child(w)
    client = client_for(Role.ME_ADVISOR, ScopeKind.ASSOCIATION, w.programme.association_id)
    page = client.get("/omsorg/nokkeltall/").content.decode()
    assert "<td>80 %</td>" in page  # 4 of 5
    assert "50 % av 2" in page  # one of two groups intact


@pytest.mark.parametrize("url", ["/omsorg/barn/", "/omsorg/varsler/", "/omsorg/familier/"])
def test_list_pages_run_a_constant_number_of_queries(w: f.World, url: str) -> None:
    def measure() -> int:
        client = verified_client(w.caseworker)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add(n: int) -> None:
        for _ in range(n):
            kid = f.child(w.programme, w.caseworker, is_unaccompanied=True, residence_decision_date=TODAY - 200 * DAY)
            services.household_save(actor=w.caseworker, programme=w.programme, name=f"Familie {kid.pk}")

    add(2)
    few = measure()
    add(12)
    many = measure()
    assert few == many, (few, many)


def test_needs_and_keep_apart(w: f.World) -> None:
    from barneby.care.models import KeepApart
    from barneby.organisation.models import Competence

    trauma = Competence.objects.get_or_create(code="trauma", defaults={"name_nb": "Traumer", "name_en": "Trauma"})[0]
    kid = f.child(w.programme, w.caseworker, first_name="Behovsbarn")
    other = f.child(w.programme, w.caseworker)
    client = verified_client(w.caseworker)
    data = {
        "first_name": "Behovsbarn",
        "last_name": "Testesen",
        "birth_date": kid.birth_date.strftime("%d.%m.%Y"),
        "sex": "female",
        "target_group": "without_care",
        "needs": [trauma.pk],
    }
    assert client.post(f"/omsorg/barn/{kid.pk}/endre/", data).status_code == 302
    assert list(kid.needs.values_list("code", flat=True)) == ["trauma"]
    assert "Traumer" in client.get(f"/omsorg/barn/{kid.pk}/").content.decode()
    response = client.post(f"/omsorg/barn/{kid.pk}/hold-atskilt/", {"other_choice": other.pk, "reason": "violence"})
    assert response.status_code == 302
    assert KeepApart.objects.get().reason == "violence"
    again = client.post(f"/omsorg/barn/{kid.pk}/hold-atskilt/", {"other_choice": other.pk, "reason": "violence"})
    assert again.status_code == 400
