"""Encrypted fields: ciphertext in the row, plaintext through the ORM, rotatable keys, no searching."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import ClassVar

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import isolate_apps
from pytest_django import Settings

from barneby.core import fields as fields_module
from barneby.core.fields import DecryptionError, EncryptedTextField, encrypted_fields, reencrypt_value
from barneby.core.management.commands import rotate_field_keys

PLAINTEXT = "Fødselsnummer 01017012345, diagnose: diabetes"

# A test-only model in a private app registry: it never joins the project's
# models (so makemigrations and the URL walk never see it), and its table
# exists only while a test that asks for ``notes`` runs.
with isolate_apps("barneby.core") as note_apps:

    class SecretNote(models.Model):
        """A row with an encrypted column, for these tests only."""

        label = models.CharField(max_length=20)
        secret = EncryptedTextField(null=True, blank=True)
        short = EncryptedTextField(max_length=5, blank=True, default="")

        # Declared because the django-stubs plugin does not see a model defined under ``with``.
        objects: ClassVar[models.Manager[SecretNote]] = models.Manager()

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.label


@pytest.fixture
def notes(transactional_db: None) -> Iterator[type[SecretNote]]:
    # DDL needs a transactional test: SQLite's schema editor refuses to run inside the test's atomic block.
    with connection.schema_editor() as editor:
        editor.create_model(SecretNote)
    try:
        yield SecretNote
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(SecretNote)


@pytest.fixture
def key_a(settings: Settings) -> str:
    key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key]
    return key


def raw_row(pk: int) -> tuple[str | None, str | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret, short FROM core_secretnote WHERE id = %s", [pk])
        row = cursor.fetchone()
    assert row is not None
    return row[0], row[1]


def rotate(**options: object) -> str:
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def discoverable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the command's model walk see the private registry instead of the project's."""
    monkeypatch.setattr(rotate_field_keys, "apps", note_apps)


def test_value_round_trips_and_the_row_holds_only_ciphertext(notes: type[SecretNote], key_a: str) -> None:
    note = notes.objects.create(label="a", secret=PLAINTEXT, short="abc")
    assert notes.objects.get(pk=note.pk).secret == PLAINTEXT
    stored, stored_short = raw_row(note.pk)
    assert stored is not None
    assert stored_short is not None
    assert "01017012345" not in stored
    assert "diabetes" not in stored
    assert "abc" not in stored_short
    assert Fernet(key_a).decrypt(stored.encode()).decode() == PLAINTEXT


def test_the_same_value_encrypts_differently_each_time(notes: type[SecretNote], key_a: str) -> None:
    first = notes.objects.create(label="a", secret="samme")
    second = notes.objects.create(label="b", secret="samme")
    assert raw_row(first.pk)[0] != raw_row(second.pk)[0]


def test_null_and_empty_are_stored_unencrypted(notes: type[SecretNote], key_a: str) -> None:
    null = notes.objects.create(label="n", secret=None)
    empty = notes.objects.create(label="e", secret="")
    assert raw_row(null.pk)[0] is None
    assert raw_row(empty.pk)[0] == ""
    assert notes.objects.get(pk=null.pk).secret is None
    assert notes.objects.get(pk=empty.pk).secret == ""
    assert list(notes.objects.filter(secret__isnull=True)) == [null]


def test_ciphertext_cannot_be_searched(notes: type[SecretNote], key_a: str) -> None:
    with pytest.raises(FieldError, match=r"core\.SecretNote\.secret is encrypted"):
        notes.objects.filter(secret__icontains="diabetes").count()
    with pytest.raises(FieldError, match="encrypted"):
        notes.objects.filter(secret="x").count()
    with pytest.raises(FieldError, match="encrypted"):
        notes.objects.filter(secret__lower="x").count()


def test_max_length_is_validated_on_the_plaintext(key_a: str) -> None:
    with pytest.raises(ValidationError):
        SecretNote(label="a", short="sekstegn").full_clean()
    SecretNote(label="a", short="fem!!").full_clean()


def test_an_old_key_still_decrypts_after_a_new_key_is_put_first(
    notes: type[SecretNote], key_a: str, settings: Settings
) -> None:
    note = notes.objects.create(label="a", secret="skrevet med A")
    key_b = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key_b, key_a]
    assert notes.objects.get(pk=note.pk).secret == "skrevet med A"
    fresh = notes.objects.create(label="b", secret="skrevet med B")
    stored = raw_row(fresh.pk)[0]
    assert stored is not None
    assert Fernet(key_b).decrypt(stored.encode()) == b"skrevet med B"


def test_rotation_moves_every_token_to_the_newest_key(
    notes: type[SecretNote], key_a: str, settings: Settings, discoverable: None
) -> None:
    ids = [notes.objects.create(label=str(i), secret=f"hemmelig {i}", short=str(i)).pk for i in range(7)]
    blank = notes.objects.create(label="tom", secret=None, short="").pk
    key_b = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key_b, key_a]

    output = rotate(batch_size=3)

    assert "core.SecretNote (secret, short): 8 rader sjekket, 7 kryptert på nytt" in output
    only_b = Fernet(key_b)
    for pk in ids:
        for token in raw_row(pk):
            assert token is not None
            only_b.decrypt(token.encode())  # raises InvalidToken if still under key A
    assert raw_row(blank) == (None, "")
    settings.FIELD_ENCRYPTION_KEYS = [key_b]
    assert sorted(str(n.secret) for n in notes.objects.exclude(pk=blank)) == sorted(f"hemmelig {i}" for i in range(7))


def test_rotation_is_idempotent(notes: type[SecretNote], key_a: str, settings: Settings, discoverable: None) -> None:
    note = notes.objects.create(label="a", secret="x", short="y")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), key_a]
    rotate()
    after_first = raw_row(note.pk)
    output = rotate()
    assert "1 rader sjekket, 0 kryptert på nytt" in output
    assert raw_row(note.pk) == after_first


def test_rotation_stops_with_a_clear_error_on_a_token_no_key_opens(
    notes: type[SecretNote], key_a: str, settings: Settings, discoverable: None
) -> None:
    note = notes.objects.create(label="a", secret="x")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match=rf"core\.SecretNote\.secret \(pk={note.pk}\)"):
        rotate()


def test_reencrypt_value_keeps_the_plaintext_under_the_newest_key(key_a: str, settings: Settings) -> None:
    token = Fernet(key_a).encrypt(b"verdi").decode()
    key_b = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key_b, key_a]
    rotated = reencrypt_value(token)
    assert Fernet(key_b).decrypt(rotated.encode()) == b"verdi"
    with pytest.raises(InvalidToken):
        Fernet(key_a).decrypt(rotated.encode())


def test_an_unknown_key_gives_an_error_naming_the_field(
    notes: type[SecretNote], key_a: str, settings: Settings
) -> None:
    note = notes.objects.create(label="a", secret="x")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError, match=r"Cannot decrypt core\.SecretNote\.secret"):
        notes.objects.get(pk=note.pk)


def test_missing_or_malformed_keys_are_a_configuration_error(settings: Settings) -> None:
    field = SecretNote._meta.get_field("secret")
    assert isinstance(field, EncryptedTextField)
    settings.FIELD_ENCRYPTION_KEYS = ["ikke-en-nøkkel"]
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        field.get_prep_value("x")
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is empty"):
        field.get_prep_value("x")


def test_encrypted_models_are_discovered() -> None:
    assert encrypted_fields(note_apps) == [
        (SecretNote, [SecretNote._meta.get_field("secret"), SecretNote._meta.get_field("short")])
    ]
    # The test model stays in its private registry.
    assert SecretNote not in [model for model, _ in encrypted_fields()]


def test_field_deconstructs_for_stable_migrations() -> None:
    field = EncryptedTextField(max_length=5, blank=True, default="")
    _name, path, args, kwargs = field.deconstruct()
    assert path == "barneby.core.fields.EncryptedTextField"
    assert (args, kwargs) == ([], {"max_length": 5, "blank": True, "default": ""})
    clone = EncryptedTextField(*args, **kwargs)
    assert clone.deconstruct()[3] == kwargs
    assert len(clone.validators) == len(field.validators) == 1


def test_a_unique_or_indexed_encrypted_field_fails_the_system_check() -> None:
    with isolate_apps("barneby.core"):

        class Indexed(models.Model):
            token = EncryptedTextField(db_index=True)

            class Meta:
                app_label = "core"

            def __str__(self) -> str:
                return "indexed"

        errors = Indexed._meta.get_field("token").check()
    assert [e.id for e in errors if isinstance(e, checks.Error)] == ["barneby.E001"]


def test_keys_are_read_at_call_time_not_import(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    first = fields_module.field_fernet()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert fields_module.field_fernet() is not first
