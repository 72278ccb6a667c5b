"""Trust first: siblings outside the user's scope, audited reads, the municipality's view, links that work."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import api_token_create
from barneby.audit.models import AuditAction, AuditEvent
from barneby.care import selectors, services
from barneby.care.models import Alert, Child, Decision, HouseholdMember, Placement, PlanReview, SiblingRelation
from barneby.care.tests import factories as f
from barneby.care.tests.factories import TODAY, years_ago
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.models import ProgrammeType
from barneby.organisation.tests import factories as org

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def w() -> f.World:
    return f.world()


def views_of(child: Child, detail: str = "") -> int:
    events = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="care.child", object_id=str(child.pk))
    return events.filter(detail__startswith=detail).count() if detail else events.count()


def sibling_abroad(w: f.World) -> tuple[Child, Child, Child]:
    """A child of the caseworker's programme, a sibling there, and one in another association."""
    kid = f.child(w.programme, w.caseworker, first_name="Hjemmebarn")
    near = f.child(w.programme, w.caseworker, first_name="Nærsøsken", birth_date=years_ago(7, 11))
    assoc = org.association()
    programme = org.programme(assoc)
    stranger = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme.pk))
    far = f.child(programme, stranger, first_name="Fjernsøsken", birth_date=dt.date(2014, 3, 17))
    f.gatekeep(far, stranger)
    f.place(far, org.home(programme, name="Fjernhjemmet", max_age=25), stranger, TODAY - 20 * DAY)
    services.sibling_link(actor=w.caseworker, child=kid, other=near, kind="full")
    services.sibling_link(actor=stranger, child=kid, other=far, kind="half")
    return kid, near, far


# --- 1. siblings outside the user's scope ----------------------------------------------------


def test_a_sibling_in_another_association_is_only_a_sibling_in_another_programme(w: f.World) -> None:
    kid, near, far = sibling_abroad(w)
    page = verified_client(w.caseworker).get(f"/omsorg/barn/{kid.pk}/").content.decode()
    assert "Fjernsøsken" not in page
    assert "17.03.2014" not in page
    assert "Fjernhjemmet" not in page
    assert far.programme.name not in page
    assert "et søsken i et annet program" in page
    assert "Nærsøsken" in page
    # The sibling shown in full is a read of that child's record, logged like the child page.
    assert views_of(near, f"sibling of {kid.pk}") == 1
    assert views_of(far) == 0


# --- 2. reads without an audit entry ---------------------------------------------------------


def test_the_edit_form_showing_the_identity_number_is_audited(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    before = views_of(kid)
    assert verified_client(w.caseworker).get(f"/omsorg/barn/{kid.pk}/endre/").status_code == 200
    assert views_of(kid, "edit form") == 1
    assert views_of(kid) == before + 1


def test_the_child_list_logs_every_child_it_shows(w: f.World) -> None:
    shown = [f.child(w.programme, w.caseworker, first_name=f"Liste{n}") for n in range(3)]
    hidden = f.child(w.other_programme, w.other_caseworker)
    assert verified_client(w.caseworker).get("/omsorg/barn/").status_code == 200
    assert all(views_of(kid, "child list") == 1 for kid in shown)
    assert views_of(hidden) == 0


def test_the_api_lists_log_every_child_they_send(client: Client, w: f.World) -> None:
    kids = [f.child(w.programme, w.caseworker) for _ in range(2)]
    f.gatekeep(kids[0], w.caseworker)
    f.place(kids[0], w.home_a, w.caseworker, TODAY - 400 * DAY)  # old enough for a review alert (R5)
    headers = {"Authorization": f"Bearer {api_token_create(user=w.caseworker, name='test').secret}"}
    listing = client.get("/api/v1/care/children?page_size=1", headers=headers).json()
    assert len(listing["items"]) == 1
    sent = Child.objects.get(pk=listing["items"][0]["id"])
    assert views_of(sent, "api child list") == 1
    assert sum(views_of(kid, "api child list") for kid in kids) == 1  # only the page sent
    alerts = client.get("/api/v1/care/alerts", headers=headers).json()
    assert alerts["items"]
    assert views_of(kids[0], "api alert list") == 1


def test_the_alert_page_logs_the_children_it_shows(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 400 * DAY)
    assert Alert.objects.filter(child=kid).exists()
    assert verified_client(w.caseworker).get("/omsorg/varsler/").status_code == 200
    assert views_of(kid, "alert list") == 1


# --- 3. the municipality contact -------------------------------------------------------------


def municipal_world(w: f.World) -> tuple[Child, Child, Client, User]:
    """A child in a partnered Norwegian foster programme and one in a partnered youth programme."""
    bergen = org.bergen()
    w.programme.partner_municipality = bergen
    w.programme.save()
    youth = org.programme(w.programme.association, type=ProgrammeType.YOUTH, partner_municipality=bergen)
    foster = f.child(w.programme, w.caseworker, first_name="Fosterbarn", national_id="", religion="Buddhisme")
    other = f.child(youth, w.director, first_name="Ungdomsbarn")
    contact = make_persona(Role.MUNICIPALITY_CONTACT, scope_kind=ScopeKind.MUNICIPALITY, scope_key="4601")
    contact.user_permissions.add(Permission.objects.get(codename="view_restricted"))
    return foster, other, verified_client(contact), contact


def test_the_municipality_contact_sees_only_foster_and_family_home_programmes(client: Client, w: f.World) -> None:
    foster, youth, contact, user = municipal_world(w)
    listing = contact.get("/omsorg/barn/").content.decode()
    assert "Fosterbarn" in listing
    assert "Ungdomsbarn" not in listing
    assert contact.get(f"/omsorg/barn/{youth.pk}/").status_code == 404
    headers = {"Authorization": f"Bearer {api_token_create(user=user, name='test').secret}"}
    ids = {row["id"] for row in client.get("/api/v1/care/children", headers=headers).json()["items"]}
    assert ids == {foster.pk}
    assert client.get(f"/api/v1/care/children/{youth.pk}", headers=headers).status_code == 404


def test_the_municipality_contact_sees_placement_plans_and_decisions_but_no_restricted_fields(w: f.World) -> None:
    foster, _youth, contact, _user = municipal_world(w)
    f.gatekeep(foster, w.caseworker)
    f.place(foster, w.home_a, w.caseworker, TODAY - 30 * DAY)
    services.goal_save(actor=w.caseworker, child=foster, domain="social", description="Bli med i et fotballag")
    page = contact.get(f"/omsorg/barn/{foster.pk}/").content.decode()
    assert w.home_a.name in page  # the placement
    assert "Bli med i et fotballag" in page  # the plan
    assert "Vil bo med søsknene sine." in page  # the decision and the child's views
    assert "Fødselsnummer" not in page
    assert "Buddhisme" not in page
    assert "Inntaksvurderinger" not in page
    assert f"/omsorg/barn/{foster.pk}/skjermet/" not in page
    # Even with the permission, restricted fields are not the municipality's.
    assert contact.get(f"/omsorg/barn/{foster.pk}/skjermet/").status_code == 403


# --- 4. removing a sibling link --------------------------------------------------------------


def test_removing_a_sibling_link_needs_both_children_in_the_writable_scope(w: f.World) -> None:
    ours = f.child(w.programme, w.caseworker)
    theirs = f.child(w.other_programme, w.other_caseworker)
    relation = services.sibling_link(actor=w.director, child=ours, other=theirs, kind="full")
    assert relation.child_a_id == ours.pk  # the one the old check looked at is ours
    response = verified_client(w.caseworker).post(f"/omsorg/sosken/{relation.pk}/fjern/")
    assert response.status_code in {403, 404}
    assert SiblingRelation.objects.filter(pk=relation.pk).exists()
    both = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(w.programme.association_id))
    assert verified_client(both).post(f"/omsorg/sosken/{relation.pk}/fjern/").status_code == 302
    assert not SiblingRelation.objects.filter(pk=relation.pk).exists()


# --- 8. links on the alerts page -------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.NATIONAL_DIRECTOR, Role.MUNICIPALITY_CONTACT])
def test_every_link_on_the_alerts_page_opens_for_a_reader(w: f.World, role: Role) -> None:
    w.programme.partner_municipality = org.bergen()
    w.programme.save()
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 400 * DAY)
    assert Alert.objects.filter(child=kid).exists()
    key = "4601" if role == Role.MUNICIPALITY_CONTACT else str(w.programme.association_id)
    kind = ScopeKind.MUNICIPALITY if role == Role.MUNICIPALITY_CONTACT else ScopeKind.ASSOCIATION
    client = verified_client(make_persona(role, scope_kind=kind, scope_key=key))
    page = client.get("/omsorg/varsler/").content.decode()
    results = page[page.index('id="results"') :]
    links = set(re.findall(r'href="(/omsorg/[^"]+)"', results))
    assert links
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


# --- 5. implausible dates --------------------------------------------------------------------


def test_a_decision_dated_year_one_or_before_birth_is_refused_in_the_service_and_the_api(
    client: Client, w: f.World
) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(9))
    for day, words in ((dt.date(1, 1, 1), "1900"), (kid.birth_date - DAY, "før barnet ble født")):
        with pytest.raises(ValidationError) as refused:
            services.decision_record(actor=w.caseworker, child=kid, **f.decision(kind="admission", decided_on=day))
        assert words in " ".join(refused.value.message_dict["decided_on"])
    headers = {"Authorization": f"Bearer {api_token_create(user=w.caseworker, name='test').secret}"}
    body = {**f.decision(kind="admission", decided_on="0001-01-01")}
    response = client.post(
        f"/api/v1/care/children/{kid.pk}/decisions", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 422
    assert "decided_on" in response.json()["errors"]
    assert not Decision.objects.filter(child=kid).exists()


def test_arrival_before_birth_and_care_dates_before_1900_are_refused(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(15))
    with pytest.raises(ValidationError) as refused:
        services.child_update(actor=w.caseworker, child=kid, is_unaccompanied=True, arrival_date=kid.birth_date - DAY)
    assert "før barnet ble født" in refused.value.message_dict["arrival_date"][0]
    kid.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.goal_save(
            actor=w.caseworker, child=kid, domain="social", description="Mål", target_date=dt.date(1019, 5, 1)
        )
    assert "1900" in refused.value.message_dict["target_date"][0]
    with pytest.raises(ValidationError):
        services.follow_up_record(
            actor=w.caseworker, child=kid, kind="aftercare", visited_on=kid.birth_date - DAY, notes="Besøk"
        )


def test_the_edit_form_shows_the_date_error_in_norwegian(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=dt.date(2012, 6, 1))
    response = verified_client(w.caseworker).post(
        f"/omsorg/barn/{kid.pk}/endre/",
        {
            "first_name": kid.first_name,
            "last_name": kid.last_name,
            "birth_date": "01.06.2012",
            "sex": kid.sex,
            "target_group": kid.target_group,
            "is_unaccompanied": "on",
            "arrival_date": "01.01.2010",
        },
    )
    assert response.status_code == 400
    assert "Ankomstdatoen kan ikke være før barnet ble født (01.06.2012)." in response.content.decode()


def test_a_move_on_the_current_placements_start_day_is_refused(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    first = f.place(kid, w.home_a, w.caseworker, TODAY - 10 * DAY)
    with pytest.raises(ValidationError) as refused:
        f.place(kid, w.home_b, w.caseworker, first.start_date)
    assert "samme dag" in refused.value.message_dict["start_date"][0]
    first.refresh_from_db()
    assert first.end_date is None
    assert kid.placements.count() == 1


# --- 7. the child's voice (R16) at save time -------------------------------------------------


def test_a_placement_decision_without_the_childs_views_or_a_reason_is_refused(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    with pytest.raises(ValidationError) as refused:
        f.place(kid, w.home_a, w.caseworker, TODAY, decision={"child_views": " ", "heard_how": ""})
    assert "decision_child_views" in refused.value.message_dict
    assert not kid.placements.exists()
    page = verified_client(w.caseworker).post(
        f"/omsorg/barn/{kid.pk}/plassering/",
        {
            "home": w.home_a.pk,
            "type": "foster",
            "start_date": TODAY.strftime("%d.%m.%Y"),
            "decided_on": TODAY.strftime("%d.%m.%Y"),
            "decided_by": "Leder",
            "best_interest": "Trygt hjem.",
        },
    )
    assert page.status_code == 400
    assert "Skriv barnets syn, eller hvorfor barnet ikke kunne bli hørt." in page.content.decode()
    assert not kid.placements.exists()


def test_the_database_refuses_a_decision_without_the_childs_views_or_a_reason(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    fields = {
        "child": kid,
        "kind": "admission",
        "decided_on": TODAY,
        "decided_by": "Leder",
        "best_interest": "Ok",
        "recorded_by": w.caseworker,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(**fields)
    Decision.objects.create(**fields, not_heard_reason="Barnet er to måneder gammelt.")


# --- 9. the M&E extract ----------------------------------------------------------------------


def population(w: f.World, size: int, seed: int = 12) -> list[Child]:
    """Children of every age, sex and status over three programmes, some placed, one programme tiny."""
    rng = random.Random(seed)
    tiny = org.programme(w.programme.association)
    programmes = [w.programme, w.other_programme]
    kids = Child.objects.bulk_create(
        Child(
            programme=rng.choice(programmes) if n > 1 else tiny,
            first_name=f"Pop{n}",
            last_name="Testesen",
            birth_date=TODAY - dt.timedelta(days=rng.randint(1, 24 * 365)),
            sex=rng.choice(["female", "male", "other"]),
            target_group="without_care",
            status=rng.choice(["referred", "assessed", "family_strengthening", "alternative_care", "aftercare"]),
        )
        for n in range(size)
    )
    homes = {w.programme.pk: w.home_a, w.other_programme.pk: w.other_home}
    for kid in kids:
        if kid.status == "alternative_care" and kid.programme_id in homes:
            decision = Decision.objects.create(
                child=kid,
                kind="admission",
                decided_on=TODAY,
                decided_by="Leder",
                best_interest="Ok",
                child_views="Ok",
                recorded_by=w.caseworker,
            )
            Placement.objects.create(
                child=kid,
                home=homes[kid.programme_id],
                type=rng.choice(["foster", "sos_family_village", "youth_house"]),
                start_date=max(kid.birth_date, TODAY - dt.timedelta(days=rng.randint(0, 900))),
                decision=decision,
            )
    return kids


def test_the_me_extract_publishes_no_combination_rarer_than_the_threshold(w: f.World, settings: Any) -> None:
    small = settings.CARE_SMALL_CELL
    kids = population(w, 203)
    client = verified_client(
        make_persona(Role.ME_ADVISOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(w.programme.association_id))
    )
    export = client.get("/omsorg/nokkeltall/eksport/?format=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    header, *rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows
    counted = "Antall barn" in header
    columns = [i for i, name in enumerate(header) if name not in {"Antall barn", "Flyttinger i snitt"}]
    combinations: Counter[tuple[str, ...]] = Counter()
    for row in rows:
        combinations[tuple(row[i] for i in columns)] += int(row[header.index("Antall barn")]) if counted else 1
    rare = {combo: n for combo, n in combinations.items() if n < small}
    assert not rare, f"{len(rare)} of {len(combinations)} published combinations count fewer than {small}"
    # Nothing lost but the programme too small to publish, and the extract still tells something.
    assert sum(combinations.values()) == len(kids) - 2
    assert any(value != "alle" for combo in combinations for value in combo[1:])


def test_a_rare_combination_is_generalised_not_published(w: f.World, settings: Any) -> None:
    settings.CARE_SMALL_CELL = 3
    for _ in range(3):
        f.child(w.programme, w.caseworker, birth_date=years_ago(9), sex="female")
    f.child(w.programme, w.caseworker, birth_date=years_ago(9), sex="male")  # the only boy
    cells = selectors.aggregated_export(user=make_persona(Role.ME_ADVISOR))
    assert [(c.values[:2], c.count) for c in cells] == [(("6–12", "alle"), 4)]


# --- "never" in a docstring or on a page is kept where the data is saved ---------------------


def test_a_child_is_never_placed_in_the_home_of_one_they_must_live_apart_from(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    other = f.child(w.programme, w.caseworker)
    for child in (kid, other):
        f.gatekeep(child, w.caseworker)
    f.place(other, w.home_a, w.caseworker, TODAY - 10 * DAY)
    services.keep_apart_record(actor=w.caseworker, child=kid, other=other, reason="violence")
    with pytest.raises(ValidationError) as refused:
        f.place(kid, w.home_a, w.caseworker, TODAY)
    assert "skal ikke bo sammen" in refused.value.message_dict["home"][0]
    assert not kid.placements.exists()
    f.place(kid, w.home_b, w.caseworker, TODAY)  # another home is fine


def test_family_dates_before_1900_or_in_the_future_are_refused(w: f.World) -> None:
    with pytest.raises(ValidationError) as refused:
        services.household_save(
            actor=w.caseworker, programme=w.programme, name="Familien Å", entered_on=dt.date(1, 1, 1)
        )
    assert "1900" in refused.value.message_dict["entered_on"][0]
    household = services.household_save(actor=w.caseworker, programme=w.programme, name="Familien Å")
    with pytest.raises(ValidationError) as refused:
        services.household_add(
            actor=w.caseworker,
            household=household,
            record=HouseholdMember(first_name="Ola", last_name="Å", relation="far", birth_year=TODAY.year + 1),
        )
    assert "birth_year" in refused.value.message_dict


def test_alert_texts_do_not_name_a_sibling_the_reader_may_not_see(client: Client, w: f.World) -> None:
    kid, _near, far = sibling_abroad(w)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 20 * DAY)  # apart from far, with no separation decision (R3)
    assert Alert.objects.filter(child=kid, rule="R3", params__sibling_id=far.pk).exists()
    page = verified_client(w.caseworker).get("/omsorg/varsler/").content.decode()
    assert "Fjernsøsken" not in page
    assert "et søsken i et annet program" in page
    headers = {"Authorization": f"Bearer {api_token_create(user=w.caseworker, name='test').secret}"}
    messages = [a["message"] for a in client.get("/api/v1/care/alerts", headers=headers).json()["items"]]
    assert any("et søsken i et annet program" in m for m in messages)
    assert not any("Fjernsøsken" in m for m in messages)


def test_a_plan_review_without_the_childs_views_or_a_reason_is_refused_by_the_form_and_the_database(
    w: f.World,
) -> None:
    kid = f.child(w.programme, w.caseworker)
    page = verified_client(w.caseworker).post(
        f"/omsorg/barn/{kid.pk}/gjennomgang/", {"reviewed_on": TODAY.strftime("%d.%m.%Y"), "summary": "Gjennomgått."}
    )
    assert page.status_code == 400
    assert "Skriv barnets syn, eller hvorfor barnet ikke kunne bli hørt." in page.content.decode()
    assert not PlanReview.objects.filter(child=kid).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanReview.objects.create(child=kid, reviewed_on=TODAY, summary="Ok", recorded_by=w.caseworker)
