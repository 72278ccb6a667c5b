"""Model fields that are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

Keys come from ``settings.FIELD_ENCRYPTION_KEYS``, newest first. The newest
key encrypts; every key decrypts, so a key is rotated by putting the new key
first, running ``manage.py rotate_field_keys`` and only then removing the
old key. Settings are read at call time, never at import.

What is stored:

* ``None`` is stored as SQL NULL, and ``""`` as an empty string, both
  unencrypted: a Fernet token reveals the value's length to within 16 bytes
  anyway, so encrypting "nothing" would hide little, and keeping ``""`` plain
  lets a field be added to a table of existing rows with ``default=""``.
* Anything else is stored as a Fernet token (URL-safe base64 text).

Ciphertext cannot be searched or compared, so every lookup except
``isnull`` raises :class:`~django.core.exceptions.FieldError` instead of
silently matching nothing; uniqueness and indexes on these fields are
refused by a system check for the same reason.
"""

from __future__ import annotations

import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps.registry import Apps
from django.conf import settings
from django.core import checks, validators
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

ALLOWED_LOOKUPS = frozenset({"isnull"})


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def _keys() -> tuple[str, ...]:
    keys = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) or ())
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: encrypted fields need at least one Fernet key")
    return keys


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    # Cached per key list, so a settings change (rotation, tests) takes effect at once.
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64-encoded bytes)"
        ) from exc


def field_fernet() -> MultiFernet:
    """The MultiFernet for the configured keys: encrypts with the first, decrypts with any."""
    return _multi_fernet(_keys())


def newest_fernet() -> Fernet:
    """The Fernet of the newest key only (the one that encrypts)."""
    return Fernet(_keys()[0])


def encrypt_value(plaintext: str) -> str:
    return field_fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_value(token: str) -> str:
    """Decrypt ``token``; raises ``cryptography.fernet.InvalidToken`` if no key fits."""
    return field_fernet().decrypt(token.encode("ascii")).decode("utf-8")


def reencrypt_value(token: str) -> str:
    """Re-encrypt ``token`` under the newest key, keeping its original timestamp.

    Raises ``cryptography.fernet.InvalidToken`` if no configured key decrypts it.
    """
    return field_fernet().rotate(token.encode("ascii")).decode("ascii")


def is_current(token: str) -> bool:
    """True when ``token`` is already encrypted with the newest key (checks the HMAC, no decryption)."""
    try:
        newest_fernet().extract_timestamp(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


class EncryptedTextField(models.TextField[Any, Any]):
    """A text field stored encrypted; reads and writes plain ``str`` in Python.

    ``max_length``, if given, is validated on the plaintext (the column is
    unbounded text, since a token is about 4/3 of the plaintext plus 57 bytes).
    """

    description = "Encrypted text"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique or getattr(self, "db_index", False) or self.primary_key:
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique, indexed or a primary key: its ciphertext is random.",
                    obj=self,
                    id="barneby.E001",
                )
            )
        return errors

    def _qualified_name(self) -> str:
        model = getattr(self, "model", None)
        return f"{model._meta.label}.{self.name}" if model is not None else str(self.name)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_value(str(value))

    def from_db_value(self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper) -> str | None:
        if value is None or value == "":
            return value
        try:
            return decrypt_value(str(value))
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise DecryptionError(
                f"Cannot decrypt {self._qualified_name()}: no key in FIELD_ENCRYPTION_KEYS fits the stored value "
                "(was a key removed before `manage.py rotate_field_keys` ran?)"
            ) from exc

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ALLOWED_LOOKUPS:
            raise FieldError(
                f"{self._qualified_name()} is encrypted and cannot be searched with '{lookup_name}'; only 'isnull' works"
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(f"{self._qualified_name()} is encrypted and cannot be transformed with '{lookup_name}'")


def encrypted_fields(registry: Apps | None = None) -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every concrete, managed model with encrypted columns, and those fields.

    Only local fields: a multi-table child's inherited columns belong to the parent's table.
    """
    if registry is None:
        from django.apps import apps

        registry = apps
    found: list[tuple[type[models.Model], list[EncryptedTextField]]] = []
    for model in registry.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        fields = [f for f in opts.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found
