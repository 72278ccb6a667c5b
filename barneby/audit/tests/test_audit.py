"""The audit log: written by services, append-only in the app and in the database, searchable by auditors."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AppendOnlyError, AuditAction, AuditEvent
from barneby.audit.services import audit_record
from barneby.core.tests.personas import make_persona, make_user, verified_client

pytestmark = pytest.mark.django_db
URL = "/revisjon/"


def event(**kwargs: object) -> AuditEvent:
    defaults: dict[str, object] = {
        "actor": None,
        "action": AuditAction.VIEW,
        "object_type": "care.child",
        "object_id": 1,
    }
    defaults.update(kwargs)
    return audit_record(**defaults)  # type: ignore[arg-type]


def test_audit_record_takes_object_request_ip_and_agent() -> None:
    user = make_user(full_name="Åse Aas")
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Firefox/140")
    recorded = audit_record(actor=user, action=AuditAction.UPDATE, obj=user, request=request, detail="x")
    assert (recorded.object_type, recorded.object_id, recorded.object_repr) == (
        "accounts.user",
        str(user.pk),
        "Åse Aas",
    )
    assert (recorded.ip_address, recorded.user_agent) == ("10.1.2.3", "Firefox/140")
    assert recorded.occurred_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_anonymous_actor_is_stored_as_none() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert event(actor=AnonymousUser()).actor is None


def test_the_app_cannot_update_or_delete_events() -> None:
    recorded = event()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=recorded.pk).update(detail="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        recorded.delete()
    recorded.detail = "changed"
    with pytest.raises(AppendOnlyError):
        recorded.save()
    assert AuditEvent.objects.get(pk=recorded.pk).detail == ""


def test_the_database_refuses_a_raw_update() -> None:
    recorded = event()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'forged' WHERE id = %s", [recorded.pk])
    assert AuditEvent.objects.get(pk=recorded.pk).detail == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE guard is PostgreSQL's (see migration 0002)")
def test_postgresql_refuses_a_raw_delete() -> None:
    recorded = event()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [recorded.pk])
    assert AuditEvent.objects.filter(pk=recorded.pk).exists()


def test_auditor_sees_events_newest_first() -> None:
    event(detail="first")
    event(detail="second")
    html = verified_client(make_persona(Role.AUDITOR)).get(URL).content.decode()
    assert html.index("second") < html.index("first")


def test_filters_narrow_the_list() -> None:
    actor = make_user(email="kari@test.barneby.example", full_name="Kari Nordmann")
    event(actor=actor, action=AuditAction.EXPORT, detail="alpha")
    event(action=AuditAction.VIEW, detail="beta", object_type="accounts.user", object_id=9)
    client = verified_client(make_persona(Role.AUDITOR))
    assert "beta" not in client.get(URL, {"actor": "kari"}).content.decode()
    assert "alpha" in client.get(URL, {"action": "export"}).content.decode()
    by_object = client.get(URL, {"object_type": "accounts.user", "object_id": "9"}).content.decode()
    assert "beta" in by_object
    assert "alpha" not in by_object
    assert "alpha" not in client.get(URL, {"text": "bet"}).content.decode()


def test_date_filter_and_its_norwegian_error() -> None:
    event(detail="today")
    client = verified_client(make_persona(Role.AUDITOR))
    assert "today" not in client.get(URL, {"date_to": "01.01.2020"}).content.decode()
    html = client.get(URL, {"date_from": "02.01.2026", "date_to": "01.01.2026"}).content.decode()
    assert "Til-datoen kan ikke være før fra-datoen." in html


def test_htmx_request_gets_only_the_results_fragment() -> None:
    event(detail="fragment")
    response = verified_client(make_persona(Role.AUDITOR)).get(URL, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "fragment" in html


def test_empty_state() -> None:
    html = verified_client(make_persona(Role.AUDITOR)).get(URL, {"text": "nothing-like-this"}).content.decode()
    assert "Ingen hendelser passer til filteret." in html


def test_pagination_keeps_the_filter() -> None:
    for i in range(55):
        event(detail=f"row {i}", action=AuditAction.EXPORT)
    html = verified_client(make_persona(Role.AUDITOR)).get(URL, {"action": "export"}).content.decode()
    assert "Side 1 av 2" in html
    assert "?action=export&amp;page=2" in html


def test_association_auditor_sees_only_its_members_events() -> None:
    member = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.ASSOCIATION, scope_key="5")
    stranger = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.ASSOCIATION, scope_key="6")
    event(actor=member, detail="ours")
    event(actor=stranger, detail="theirs")
    event(detail="anonymous")
    html = (
        verified_client(make_persona(Role.AUDITOR, scope_kind=ScopeKind.ASSOCIATION, scope_key="5"))
        .get(URL)
        .content.decode()
    )
    assert "ours" in html
    assert "theirs" not in html
    assert "anonymous" not in html


def test_association_auditor_sees_events_of_users_and_objects_inside_the_association() -> None:
    from barneby.organisation.tests import factories as org

    ours, theirs = org.association(), org.association()
    our_programme, their_programme = org.programme(ours), org.programme(theirs)
    our_home = org.home(our_programme)
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(our_programme.pk))
    caregiver = make_persona(Role.CAREGIVER, scope_kind=ScopeKind.HOME, scope_key=str(our_home.pk))
    outsider = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(their_programme.pk))
    event(actor=caseworker, detail="by-our-caseworker")
    event(actor=caregiver, detail="by-our-caregiver")
    event(actor=outsider, detail="by-their-caseworker")
    # A global administrator's change to a programme of ours, and to one of theirs.
    admin = make_persona(Role.SYSTEM_ADMIN)
    audit_record(actor=admin, action=AuditAction.UPDATE, obj=our_programme, detail="about-our-programme")
    audit_record(actor=admin, action=AuditAction.UPDATE, obj=their_programme, detail="about-their-programme")
    audit_record(actor=admin, action=AuditAction.UPDATE, obj=caregiver, detail="about-our-caregiver")
    auditor = make_persona(Role.AUDITOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(ours.pk))
    html = verified_client(auditor).get(URL).content.decode()
    for seen in ("by-our-caseworker", "by-our-caregiver", "about-our-programme", "about-our-caregiver"):
        assert seen in html, seen
    for unseen in ("by-their-caseworker", "about-their-programme"):
        assert unseen not in html, unseen


def test_query_count_does_not_grow_with_rows() -> None:
    client = verified_client(make_persona(Role.AUDITOR))
    actor = make_user()
    for _ in range(10):
        event(actor=actor)
    client.get(URL)
    with CaptureQueriesContext(connection) as ten:
        client.get(URL)
    for _ in range(190):
        event(actor=make_user())
    with CaptureQueriesContext(connection) as two_hundred:
        client.get(URL)
    assert len(ten) == len(two_hundred)


def test_csv_export_has_the_rows_and_is_itself_audited() -> None:
    event(detail="exported-row")
    auditor = make_persona(Role.AUDITOR)
    response = verified_client(auditor).get("/revisjon/eksport/", {"text": "exported"})
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][0] == "Tidspunkt"
    assert any("exported-row" in row for row in rows[1:])
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.actor == auditor
    assert "1 rows" in export.detail


def test_xlsx_export() -> None:
    event(detail="xlsx-row")
    response = verified_client(make_persona(Role.AUDITOR)).get("/revisjon/eksport/", {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_caseworker_cannot_read_the_log(client: Client) -> None:
    assert verified_client(make_persona(Role.CASEWORKER)).get(URL).status_code == 403
    assert client.get(URL)["Location"].startswith("/konto/logg-inn/")


def test_export_does_not_count_or_contain_its_own_event() -> None:
    event(detail="only-row")
    response = verified_client(make_persona(Role.AUDITOR)).get("/revisjon/eksport/")
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))[1:]
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert f"{len(rows)} rows" in export.detail
    assert all(row[2] != "Eksportert" for row in rows)


def test_object_type_choices_come_from_the_models_not_the_log() -> None:
    from barneby.audit.selectors import audit_object_types

    event(object_type="legacy.removedmodel")
    assert "accounts.user" in audit_object_types()
    assert "care.child" in audit_object_types()
    assert "legacy.removedmodel" not in audit_object_types()  # only in an event, not a model
