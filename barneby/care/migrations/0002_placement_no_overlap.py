"""The database refuses overlapping placement episodes of one child.

Episodes are half-open ``[start_date, end_date)`` so a same-day move is no
overlap. PostgreSQL: an exclusion constraint over ``daterange`` (btree_gist
for the equality on ``child_id``). SQLite: triggers that abort the insert or
update. The service checks first and gives a Norwegian message; this is the
backstop for anything that bypasses it.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE care_placement ADD CONSTRAINT care_placement_no_overlap EXCLUDE USING gist "
    "(child_id WITH =, daterange(start_date, end_date, '[)') WITH &&)",
]
PG_BACKWARD = ["ALTER TABLE care_placement DROP CONSTRAINT IF EXISTS care_placement_no_overlap"]

_SQLITE_CHECK = """
CREATE TRIGGER care_placement_no_overlap_{event}
BEFORE {event} ON care_placement
FOR EACH ROW
WHEN EXISTS (
    SELECT 1 FROM care_placement p
    WHERE p.child_id = NEW.child_id
      AND p.id != COALESCE(NEW.id, -1)
      AND p.start_date < COALESCE(NEW.end_date, '9999-12-31')
      AND COALESCE(p.end_date, '9999-12-31') > NEW.start_date
      AND NEW.start_date < COALESCE(NEW.end_date, '9999-12-31')
      AND p.start_date < COALESCE(p.end_date, '9999-12-31')
)
BEGIN
    SELECT RAISE(ABORT, 'care_placement_no_overlap');
END
"""
SQLITE_FORWARD = [_SQLITE_CHECK.format(event="INSERT"), _SQLITE_CHECK.format(event="UPDATE")]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS care_placement_no_overlap_INSERT",
    "DROP TRIGGER IF EXISTS care_placement_no_overlap_UPDATE",
]


def forward(apps, schema_editor):
    statements = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
