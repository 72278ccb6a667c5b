"""On PostgreSQL the application's role cannot erase or alter the audit log (see grant_app_role)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from barneby.audit.models import AuditAction, AuditEvent
from barneby.audit.services import audit_record

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and privileges are PostgreSQL's"),
    # Committed, so the application role's own connection sees the grants and the rows.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def app_role() -> Iterator[tuple[str, str]]:
    """A login role without ownership, unique per test: roles are shared by every database of the cluster."""
    name = f"barneby_app_{uuid.uuid4().hex[:16]}"
    password = secrets.token_hex(16)  # hex: safe inside the quoted literal below
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
    try:
        yield name, password
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {name}")  # its grants in this database
            cursor.execute(f"DROP ROLE {name}")


def connect_as(role: tuple[str, str]) -> Any:
    import psycopg

    params = connection.settings_dict
    return psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=int(params["PORT"] or 5432),
        dbname=params["NAME"],
        user=role[0],
        password=role[1],
        autocommit=True,
    )


def test_the_application_role_can_add_audit_events_but_never_erase_or_alter_them(app_role: tuple[str, str]) -> None:
    import psycopg

    kept = audit_record(actor=None, action=AuditAction.VIEW, object_type="care.child", object_id=1, detail="kept")
    call_command("grant_app_role", app_role[0], verbosity=0)
    with connect_as(app_role) as conn, conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (occurred_at, action, object_type, object_id, object_repr, detail, user_agent)"
            " VALUES (now(), 'view', 'care.child', '2', '', 'written-by-the-app', '')"
        )
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        assert cursor.fetchone()[0] == 2
        # The rest of the application still works: it reads and writes its other tables.
        cursor.execute("SELECT count(*) FROM accounts_user")
        cursor.execute("DELETE FROM django_session")
        refused = [
            "TRUNCATE audit_auditevent",
            "DELETE FROM audit_auditevent WHERE detail = 'kept'",
            "UPDATE audit_auditevent SET detail = 'forged' WHERE detail = 'kept'",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
            "DROP TABLE audit_auditevent",
            "ALTER TABLE audit_auditevent OWNER TO CURRENT_USER",
            "TRUNCATE accounts_user CASCADE",
        ]
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cursor.execute(statement)
    assert AuditEvent.objects.get(pk=kept.pk).detail == "kept"
    assert AuditEvent.objects.filter(detail="written-by-the-app").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_auditevent_append_only'")
        assert cursor.fetchone()[0] == "O"  # still there, still enabled


def test_grant_app_role_refuses_its_own_caller_and_an_unknown_role(app_role: tuple[str, str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        caller = cursor.fetchone()[0]
    # The test database's owner is a superuser here, or at least the role running the command.
    with pytest.raises(CommandError, match=r"superuser|not as the application role"):
        call_command("grant_app_role", caller, verbosity=0)
    with pytest.raises(CommandError, match="No PostgreSQL role"):
        call_command("grant_app_role", f"{app_role[0]}_missing", verbosity=0)


def test_a_table_a_later_migration_adds_is_usable_by_the_application_without_running_it_again(
    app_role: tuple[str, str],
) -> None:
    import psycopg

    call_command("grant_app_role", app_role[0], verbosity=0)
    with connection.cursor() as cursor:  # in this test database only (each worker has its own)
        cursor.execute("CREATE TABLE added_later (id bigserial PRIMARY KEY, note text)")
    try:
        with connect_as(app_role) as conn, conn.cursor() as cursor:
            cursor.execute("INSERT INTO added_later (note) VALUES ('ny')")  # the table and its id sequence
            cursor.execute("UPDATE added_later SET note = 'endret'")
            cursor.execute("SELECT note FROM added_later")
            assert cursor.fetchone()[0] == "endret"
            for statement in (
                "TRUNCATE added_later",
                "DROP TABLE added_later",
                "ALTER TABLE added_later ADD COLUMN x int",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    cursor.execute(statement)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE added_later")
