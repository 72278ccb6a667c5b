"""Demo data framework: each app registers a generator; ``seed_demo`` runs them in order.

Generators must be deterministic for a given seed and idempotent (running
twice leaves the same data), use bulk inserts for volume, and report
progress through the ``progress`` callable they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Max
from django.utils import timezone

Scale = Literal["national", "global"]
T = TypeVar("T")


class Progress(Protocol):
    def __call__(self, items: Iterable[T], *, desc: str, total: int | None = None) -> Iterator[T]: ...


@dataclass
class DemoContext:
    """Shared between generators of one run: what earlier generators made."""

    scale: Scale
    seed: int
    progress: Progress
    # Role value → (scope kind, scope key) for the demo login of that role.
    demo_scopes: dict[str, tuple[str, str]] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Generator:
    name: str
    order: int
    run: Callable[[DemoContext], None]


_GENERATORS: dict[str, Generator] = {}


def register(name: str, *, order: int) -> Callable[[Callable[[DemoContext], None]], Callable[[DemoContext], None]]:
    """Register ``run(context)`` as the demo generator ``name``; lower ``order`` runs first."""

    def decorator(run: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
        _GENERATORS[name] = Generator(name, order, run)
        return run

    return decorator


def generators() -> list[Generator]:
    return sorted(_GENERATORS.values(), key=lambda g: (g.order, g.name))


# --- bulk inserts for the global scale ----------------------------------------------------------

BATCH = 2000


class Inserter:
    """Plain multi-row inserts with ids allocated here, for the global scale.

    At a million rows the ORM's per-field work in ``bulk_create`` (model
    instances, ``pre_save``, ``get_db_prep_save``) costs minutes; this
    prepares each column once and hands rows to ``executemany``. Values are
    given by attribute name; the rest take the field's default. Encrypted
    fields are left at their default ``""``, stored unencrypted by design.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in fields]
        self.known = frozenset(self.names)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.defaults: dict[str, Any] = {}
        for f in fields:
            if isinstance(f, models.DateTimeField):
                self.defaults[f.attname] = now
            elif not f.primary_key:
                self.defaults[f.attname] = f.get_db_prep_save(f.get_default(), connection)
        # The wrapper itself, not the proxy: the proxy costs a context-local lookup per access.
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.adapt_date = self.connection.ops.adapt_datefield_value
        self.date_columns = [
            i
            for i, f in enumerate(fields)
            if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)
        ]
        self.json_columns = [(i, f) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        quote = connection.ops.quote_name
        # Identifiers come from the model's metadata, quoted; every value is a parameter.
        columns = ", ".join(quote(f.column) for f in fields)
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(model._meta.db_table), columns, ", ".join(["%s"] * len(fields))
        )
        self.copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        self.rows: list[list[Any]] = []
        self.next_id = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.inserted = 0

    def add(self, **values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        values["id"] = pk
        if not values.keys() <= self.known:
            raise TypeError(f"{self.model.__name__} has no {sorted(set(values) - self.known)}")
        defaults = self.defaults
        row = [values[name] if name in values else defaults[name] for name in self.names]
        for i in self.date_columns:
            if row[i] is not None:
                row[i] = self.adapt_date(row[i])
        for i, json_field in self.json_columns:
            if self.names[i] in values:
                row[i] = json_field.get_db_prep_save(row[i], self.connection)
        self.rows.append(row)
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # COPY: row-by-row executemany, or multi-row VALUES bound client-side, take minutes here.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                for start in range(0, len(self.rows), BATCH):
                    cursor.executemany(self.sql, self.rows[start : start + BATCH])
        self.inserted += len(self.rows)
        self.rows = []


def reset_sequences(tables: Sequence[Inserter]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; SQLite's AUTOINCREMENT follows by itself."""
    statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
