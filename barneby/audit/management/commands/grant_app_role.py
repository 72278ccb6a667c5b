"""Give the application's PostgreSQL role what it needs, and nothing that could erase the audit log.

Run as the role that owns the tables (the one that ran ``migrate``)::

    DATABASE_URL=postgres://barneby_owner@db/barneby manage.py migrate
    DATABASE_URL=postgres://barneby_owner@db/barneby manage.py grant_app_role barneby_app

The application role then reads and writes every table, but:

* owns nothing, so it cannot ``ALTER TABLE … DISABLE TRIGGER``, ``DROP
  TRIGGER`` or drop a table (PostgreSQL allows these to the owner only);
* has no ``TRUNCATE``, ``REFERENCES`` or ``TRIGGER`` privilege anywhere;
* may only ``SELECT`` and ``INSERT`` audit events (no ``UPDATE`` or
  ``DELETE``, on top of the append-only trigger);
* may only read ``django_migrations``.

Tables and sequences the owner creates later (a release's ``migrate``) get
the row privileges by default (``ALTER DEFAULT PRIVILEGES``), so the
application keeps working after a migration without this command; running it
again after a release is still what narrows a new audit-like table, and it is
harmless: each run revokes and grants the same set.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from barneby.audit.models import AuditEvent

# Tables the application reads but never writes.
READ_ONLY_TABLES = frozenset({"django_migrations"})


def app_role_grants(*, table: str) -> str:
    """The privileges the application role gets on ``table``."""
    if table == AuditEvent._meta.db_table:
        return "SELECT, INSERT"
    if table in READ_ONLY_TABLES:
        return "SELECT"
    return "SELECT, INSERT, UPDATE, DELETE"


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role row access, without ownership, TRUNCATE or audit changes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The login role the application server connects as.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL; SQLite has no roles.")
        role: str = options["role"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"No PostgreSQL role named {role!r}; create it first (CREATE ROLE … LOGIN).")
            if found[0]:
                raise CommandError(f"{role!r} is a superuser: it could erase the audit log whatever is granted.")
            cursor.execute("SELECT current_user")
            if cursor.fetchone()[0] == role:
                raise CommandError("Run this as the owner role, not as the application role itself.")
            tables = connection.introspection.table_names(cursor)
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tableowner = %s", [role]
            )
            owned = sorted(row[0] for row in cursor.fetchall())
            if owned:
                raise CommandError(
                    f"{role!r} owns {', '.join(owned)}: give the tables to the migrating role first "
                    f"(REASSIGN OWNED BY {role} TO <owner>)."
                )
            cursor.execute(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()"
            )
            sequences = [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        grantee = quote(role)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"GRANT USAGE ON SCHEMA {quote(self._schema(connection))} TO {grantee}")
            for table in tables:
                cursor.execute(f"REVOKE ALL ON TABLE {quote(table)} FROM {grantee}")
                cursor.execute(f"GRANT {app_role_grants(table=table)} ON TABLE {quote(table)} TO {grantee}")
            for sequence in sequences:
                # Inserts draw ids; nothing else about a sequence is the application's business.
                cursor.execute(f"REVOKE ALL ON SEQUENCE {quote(sequence)} FROM {grantee}")
                cursor.execute(f"GRANT USAGE, SELECT ON SEQUENCE {quote(sequence)} TO {grantee}")
            # What a later migrate by this owner creates: rows and ids, never TRUNCATE, REFERENCES or TRIGGER.
            schema = quote(self._schema(connection))
            cursor.execute(
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {grantee}"
            )
            cursor.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {grantee}")
        if int(options["verbosity"]) >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{role}: {len(tables)} tabeller og {len(sequences)} sekvenser. "
                    f"Revisjonsloggen ({AuditEvent._meta.db_table}) kun SELECT og INSERT; ingen TRUNCATE, intet eierskap."
                )
            )

    @staticmethod
    def _schema(connection: Any) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            return str(cursor.fetchone()[0])
