"""Move authenticator secrets out of django-otp's plain-hex TOTPDevice table, encrypted.

django_otp.plugins.otp_totp is no longer installed, so its table is read with
plain SQL when it exists (a database created before this migration) and then
dropped, so no plaintext secret stays behind. A fresh database has no such
table and nothing to move. Sessions verified with an old device must verify
again once; the authenticator apps themselves keep working (same secret).
"""

from django.db import migrations

LEGACY_TABLE = "otp_totp_totpdevice"
COLUMNS = [
    "user_id",
    "name",
    "confirmed",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
]


def encrypt_legacy_secrets(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if LEGACY_TABLE not in connection.introspection.table_names(cursor):
            return
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT {', '.join(quote(c) for c in COLUMNS)} FROM {quote(LEGACY_TABLE)}")
        rows = [dict(zip(COLUMNS, row)) for row in cursor.fetchall()]
    device_model = apps.get_model("accounts", "AuthenticatorDevice")
    # Saved through the historical model, whose key is an EncryptedTextField: encrypted on write.
    device_model.objects.using(connection.alias).bulk_create(device_model(**row) for row in rows)
    schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(LEGACY_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_authenticator_device_enrolment_grant")]

    # Reversing keeps the encrypted devices: recreating a plaintext copy would undo the point.
    operations = [migrations.RunPython(encrypt_legacy_secrets, migrations.RunPython.noop)]
