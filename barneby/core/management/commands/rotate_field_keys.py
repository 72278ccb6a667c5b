"""Re-encrypt every encrypted column with the newest key in FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones
after it), deploy, run this command, and only then remove the old keys.
Running it again is harmless: tokens already under the newest key are left
alone, so a second run reports nothing to do.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, TextField, Value

from barneby.core.fields import EncryptedTextField, encrypted_fields, is_current, reencrypt_value


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest key in FIELD_ENCRYPTION_KEYS. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        self.verbosity = int(options["verbosity"])
        checked = changed = 0
        for model, fields in encrypted_fields(apps):
            model_checked, model_changed = self._rotate_model(model, fields, batch_size)
            checked += model_checked
            changed += model_changed
        if self.verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Ferdig: {checked} rader sjekket, {changed} rader kryptert på nytt med den nyeste nøkkelen."
                )
            )

    def _rotate_model(
        self, model: type[models.Model], fields: list[EncryptedTextField], batch_size: int
    ) -> tuple[int, int]:
        label = model._meta.label
        manager = model._base_manager
        total = manager.count()
        # Read the stored tokens, not the plaintext: a TextField output field
        # skips EncryptedTextField.from_db_value.
        raw = {_alias(f): ExpressionWrapper(F(f.attname), output_field=TextField()) for f in fields}
        checked = changed = 0
        last_pk: Any = None
        while True:
            # Keyset batches, each its own transaction with the rows locked
            # (PostgreSQL; SQLite's IMMEDIATE transactions lock the file), so a
            # concurrent edit is never overwritten with a stale token. A cursor
            # held open across writes to the same table would be neither.
            with transaction.atomic():
                rows = manager.select_for_update().order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                batch = list(rows.values("pk", **raw)[:batch_size])
                if not batch:
                    break
                changed += self._rotate_batch(model, fields, batch)
            last_pk = batch[-1]["pk"]
            checked += len(batch)
            if self.verbosity >= 1:
                self.stdout.write(f"  {label}: {checked}/{total} rader sjekket")
        names = ", ".join(f.name for f in fields)
        if self.verbosity >= 1:
            self.stdout.write(f"{label} ({names}): {checked} rader sjekket, {changed} kryptert på nytt")
        return checked, changed

    def _rotate_batch(
        self, model: type[models.Model], fields: list[EncryptedTextField], batch: list[dict[str, Any]]
    ) -> int:
        changed_pks: set[Any] = set()
        for field in fields:
            stale: list[models.Model] = []
            for row in batch:
                token = row[_alias(field)]
                if not token or is_current(token):
                    continue
                try:
                    fresh = reencrypt_value(token)
                except InvalidToken as exc:
                    raise CommandError(
                        f"{model._meta.label}.{field.name} (pk={row['pk']}): no key in FIELD_ENCRYPTION_KEYS "
                        "decrypts the stored value; rows before it are already rotated"
                    ) from exc
                obj = model(pk=row["pk"])
                # An expression, so bulk_update writes the token as is instead
                # of passing it through the field's encryption a second time.
                setattr(obj, field.attname, Value(fresh, output_field=TextField()))
                stale.append(obj)
                changed_pks.add(row["pk"])
            if stale:
                model._base_manager.bulk_update(stale, [field.attname], batch_size=len(stale))
        return len(changed_pks)


def _alias(field: EncryptedTextField) -> str:
    # values() refuses an alias that equals a field name.
    return f"token_of_{field.attname}"
