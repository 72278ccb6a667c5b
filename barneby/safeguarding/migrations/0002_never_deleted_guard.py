"""Database guards: safeguarding records are never deleted and never rewritten.

PostgreSQL refuses, with triggers:

* DELETE on cases, case history, people involved and attachments;
* UPDATE of history, people and attachments, and of what a case reported;
* UPDATE of a case's step columns once they are filled in, and any step back
  in the workflow.

One UPDATE stays possible: re-encrypting the encrypted columns under a new
key (``manage.py rotate_field_keys`` writes only those columns). The database
cannot tell a re-encrypted token from another text under the same key, so
these columns rest on the application's refusal and the audit log, as every
other encrypted column does.

SQLite refuses the same UPDATEs; DELETE stays possible there because the test
harness empties tables between tests with DELETE (as for the audit log, see
audit/migrations/0002).
"""

from django.db import migrations

APPEND_ONLY = {
    # table → (plain columns that never change, encrypted columns)
    "safeguarding_caseevent": (
        ["id", "concern_id", "at", "actor_id", "kind", "data", "shared_with_reporter"],
        ["text"],
    ),
    "safeguarding_involvedperson": (
        ["id", "concern_id", "role", "child_id", "staff_member_id", "user_id", "added_at"],
        ["description"],
    ),
    "safeguarding_attachment": (
        ["id", "concern_id", "event_id", "content_type", "size", "added_at"],
        ["name", "content"],
    ),
}
CONCERN_FIXED = [
    "id",
    "code",
    "channel",
    "reported_by_id",
    "reported_at",
    "association_id",
    "programme_id",
    "location_id",
    "category",
    "concerns_child",
    "immediate_risk",
    "severity",
    "secret_hash",
]
CONCERN_ONCE = [
    "acknowledged_at",
    "assessed_at",
    "investigated_at",
    "concluded_at",
    "closed_at",
    "escalated_at",
    "risk_level",
    "child_at_risk",
    "referred_police_on",
    "referred_child_welfare_on",
    "investigator_id",
    "outcome",
    "perpetrator",
    "actions",
]
STATUSES = ["received", "acknowledged", "assessed", "investigated", "concluded", "closed"]


def _array(names):
    return "ARRAY[" + ", ".join(f"'{n}'" for n in names) + "]::text[]"


PG_INSTALL = f"""
CREATE OR REPLACE FUNCTION safeguarding_append_only() RETURNS trigger AS $$
DECLARE
    before jsonb;
    after jsonb;
    col text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% is never deleted', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    before := to_jsonb(OLD);
    after := to_jsonb(NEW);
    -- The trigger's arguments name the encrypted columns, which key rotation rewrites.
    FOREACH col IN ARRAY TG_ARGV LOOP
        before := before - col;
        after := after - col;
    END LOOP;
    IF before IS DISTINCT FROM after THEN
        RAISE EXCEPTION '% is append-only: UPDATE refused', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION safeguarding_concern_forward_only() RETURNS trigger AS $$
DECLARE
    before jsonb;
    after jsonb;
    col text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'safeguarding concerns are never deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    before := to_jsonb(OLD);
    after := to_jsonb(NEW);
    FOREACH col IN ARRAY {_array(CONCERN_FIXED)} LOOP
        IF before -> col IS DISTINCT FROM after -> col THEN
            RAISE EXCEPTION 'the reported % of a concern cannot be changed', col
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    FOREACH col IN ARRAY {_array(CONCERN_ONCE)} LOOP
        IF before -> col NOT IN ('null'::jsonb, '""'::jsonb, '[]'::jsonb)
           AND before -> col IS DISTINCT FROM after -> col THEN
            RAISE EXCEPTION '% of a concern is written once', col USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    IF array_position({_array(STATUSES)}, NEW.status::text)
       < array_position({_array(STATUSES)}, OLD.status::text) THEN
        RAISE EXCEPTION 'a concern never goes back in the workflow' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER safeguarding_concern_guard
    BEFORE UPDATE OR DELETE ON safeguarding_concern
    FOR EACH ROW EXECUTE FUNCTION safeguarding_concern_forward_only();
""" + "".join(
    f"""
CREATE TRIGGER {table}_guard
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION safeguarding_append_only({", ".join(f"'{c}'" for c in encrypted)});
"""
    for table, (_plain, encrypted) in APPEND_ONLY.items()
)

PG_REMOVE = (
    "DROP TRIGGER IF EXISTS safeguarding_concern_guard ON safeguarding_concern;\n"
    + "".join(f"DROP TRIGGER IF EXISTS {table}_guard ON {table};\n" for table in APPEND_ONLY)
    + "DROP FUNCTION IF EXISTS safeguarding_append_only();\n"
    + "DROP FUNCTION IF EXISTS safeguarding_concern_forward_only();\n"
)


def _rank(side):
    return "CASE " + " ".join(f"WHEN {side}.status = '{s}' THEN {i}" for i, s in enumerate(STATUSES)) + " END"


SQLITE_CONCERN = (
    "CREATE TRIGGER IF NOT EXISTS safeguarding_concern_guard BEFORE UPDATE ON safeguarding_concern WHEN "
    + " OR ".join(
        [f"NEW.{c} IS NOT OLD.{c}" for c in CONCERN_FIXED]
        + [f"(OLD.{c} IS NOT NULL AND OLD.{c} NOT IN ('', '[]') AND NEW.{c} IS NOT OLD.{c})" for c in CONCERN_ONCE]
        + [f"({_rank('NEW')} < {_rank('OLD')})"]
    )
    + " BEGIN SELECT RAISE(ABORT, 'safeguarding_concern: the report and done steps cannot be changed'); END;"
)
SQLITE_APPEND_ONLY = [
    f"CREATE TRIGGER IF NOT EXISTS {table}_guard BEFORE UPDATE ON {table} WHEN "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in plain)
    + f" BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;"
    for table, (plain, _encrypted) in APPEND_ONLY.items()
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS safeguarding_concern_guard;"] + [
    f"DROP TRIGGER IF EXISTS {table}_guard;" for table in APPEND_ONLY
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_INSTALL, params=None)
    elif vendor == "sqlite":
        for statement in [SQLITE_CONCERN, *SQLITE_APPEND_ONLY]:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REMOVE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("safeguarding", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
