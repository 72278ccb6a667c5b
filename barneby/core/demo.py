"""Demo data framework: each app registers a generator; ``seed_demo`` runs them in order.

Generators must be deterministic for a given seed and idempotent (running
twice leaves the same data), use bulk inserts for volume, and report
progress through the ``progress`` callable they are given.

Steps: every generator is one or more steps, each committed as it finishes,
so an interrupted run keeps what was done and a second run resumes after it.
A plain generator is one step: ``seed_demo`` runs it in its own transaction
(and, being idempotent, it finds its data there on the next run). A
generator registered with ``stepped=True`` cuts its work into named steps
with :meth:`DemoContext.step`; each runs in its own transaction, is recorded
(``imports.LoadStep``) when it commits, and is skipped on every later run.

Bulk loads on PostgreSQL: inside a step, the first ``Inserter.flush`` into a
table drops that table's foreign-key constraints; before the step commits, its
new rows are checked against their parents in one query per constraint and the
constraint is added again ``NOT VALID``; ``seed_demo`` validates them all at the
end (:func:`validate_foreign_keys`). Leaving the constraints in place queues one
deferred check per row and constraint (a locking lookup each, planned when the
tables looked empty), which for the global demo's millions of rows cost more
than ten minutes inside ``COMMIT``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections, models, transaction
from django.db.models import Max
from django.utils import timezone

logger = logging.getLogger(__name__)

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

    def step_done(self, name: str) -> bool:
        from barneby.imports.models import LoadStep

        return LoadStep.objects.filter(name=self._step_key(name)).exists()

    def step(self, name: str, run: Callable[[], object], *, record: bool = True) -> bool:
        """Run ``run()`` as the step ``name``: one transaction, committed and recorded when it returns.

        A step recorded by an earlier run (same seed) is skipped: returns ``False``
        without calling ``run``. Inside a caller's transaction the step is a
        savepoint and commits with it. ``record=False``: always run (for a step
        that is idempotent by itself, such as a whole plain generator).
        """
        from barneby.imports.models import LoadStep

        key = self._step_key(name)
        if record and LoadStep.objects.filter(name=key).exists():
            return False
        with transaction.atomic(), _bulk_load():
            run()
            if record:
                LoadStep.objects.create(name=key)
        return True

    def steps(self, name: str, keys: Sequence[T], run: Callable[[T], object], *, desc: str) -> int:
        """``step(f"{name}:{key}", ...)`` for each key, with progress; returns how many ran now."""
        ran = 0
        for key in self.progress(keys, desc=desc, total=len(keys)):
            ran += self.step(f"{name}:{key}", lambda key=key: run(key))  # type: ignore[misc]
        return ran

    def _step_key(self, name: str) -> str:
        return f"demo:{self.seed}:{name}"


@dataclass(frozen=True)
class Generator:
    name: str
    order: int
    run: Callable[[DemoContext], None]
    # True: the generator commits its own steps (``context.step``); False: seed_demo runs it as one step.
    stepped: bool = False


_GENERATORS: dict[str, Generator] = {}


def register(
    name: str, *, order: int, stepped: bool = False
) -> Callable[[Callable[[DemoContext], None]], Callable[[DemoContext], None]]:
    """Register ``run(context)`` as the demo generator ``name``; lower ``order`` runs first.

    ``stepped``: the generator cuts its work into steps with ``context.step`` and
    is not wrapped in one transaction (its writes outside a step are its own care).
    """

    def decorator(run: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
        _GENERATORS[name] = Generator(name, order, run, stepped)
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
        if self.connection.vendor == "postgresql":
            self.date_columns = []  # psycopg takes dates as they are: no call per value for nothing
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
        if self.connection.vendor == "postgresql":
            _suspend_foreign_keys(self.model._meta.db_table)
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


# --- foreign keys during a bulk load (PostgreSQL) -------------------------------------------------


@dataclass
class _Dropped:
    """A table's foreign keys dropped for a step: (name, definition, column, parent table), and its top id then."""

    constraints: list[tuple[str, str, str, str]]
    top_id: int


# Table → what was dropped, while a step runs; None outside a step.
_suspended: dict[str, _Dropped] | None = None


@contextlib.contextmanager
def _bulk_load() -> Iterator[None]:
    """Within a step: foreign keys dropped by ``Inserter.flush`` come back before the step commits.

    The step's own rows are checked against their parents in one query per
    constraint; the constraint is then added ``NOT VALID`` (no scan of the rows
    earlier steps checked), and :func:`validate_foreign_keys` validates every such
    constraint once, when the seed is done.
    """
    global _suspended
    if _suspended is not None:  # a step inside a step: the outer one restores the constraints
        yield
        return
    _suspended = {}
    try:
        yield
        dropped, _suspended = _suspended, None
        _restore_foreign_keys(dropped)
    finally:
        _suspended = None


def _suspend_foreign_keys(table: str) -> None:
    if _suspended is None or table in _suspended:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid), a.attname, c.confrelid::regclass::text"
            " FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            " WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND cardinality(c.conkey) = 1"
            " ORDER BY c.conname",
            [_q(table)],
        )
        constraints = [(str(n), str(d), str(col), str(parent)) for n, d, col, parent in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_q(table)}")  # noqa: S608 (a quoted table name)
        top_id = int(cursor.fetchone()[0])
        try:
            # A table with rows inserted earlier in this transaction has pending checks and cannot be
            # altered: then its rows are checked one by one at commit, as without a step.
            with transaction.atomic():
                for name, _definition, _column, _parent in constraints:
                    cursor.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")
        except DatabaseError:
            # Slow, not wrong: say so, since at the global scale this alone can cost minutes.
            logger.warning("Fremmednøklene på %s sjekkes rad for rad ved commit (tabellen er i bruk).", table)
            constraints = []
    _suspended[table] = _Dropped(constraints, top_id)


def _restore_foreign_keys(dropped: dict[str, _Dropped]) -> None:
    if not any(what.constraints for what in dropped.values()):
        return
    with connection.cursor() as cursor, _lookups_by_index(cursor):
        for table, what in dropped.items():
            for name, definition, column, parent in what.constraints:
                # Names come from the catalogue (quoted), the definition from pg_get_constraintdef.
                cursor.execute(
                    f"SELECT t.id FROM {_q(table)} t WHERE t.id > %s AND t.{_q(column)} IS NOT NULL"  # noqa: S608
                    f" AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = t.{_q(column)}) LIMIT 1",
                    [what.top_id],
                )
                orphan = cursor.fetchone()
                if orphan is not None:
                    raise IntegrityError(f"{table} {orphan[0]}: {column} has no row in {parent} ({name})")
                cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition} NOT VALID")


@contextlib.contextmanager
def _lookups_by_index(cursor: Any) -> Iterator[None]:
    """Plan the orphan checks as one primary-key lookup per new row.

    Left to itself the planner hashes the whole parent table for each check (a
    step's 60,000 payments against 1.5 million claims: 240 ms instead of 45 ms,
    for every constraint of every step).
    """
    cursor.execute("SET enable_hashjoin = off")
    cursor.execute("SET enable_mergejoin = off")
    try:
        yield
    finally:
        cursor.execute("RESET enable_hashjoin")
        cursor.execute("RESET enable_mergejoin")


def validate_foreign_keys() -> int:
    """Validate every foreign key a step added ``NOT VALID`` (one scan per constraint); returns how many."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint"
            " WHERE contype = 'f' AND NOT convalidated ORDER BY 1, 2"
        )
        pending = cursor.fetchall()
        for table, name in pending:
            cursor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {_q(name)}")
    return len(pending)


def _q(name: str) -> str:
    return str(connection.ops.quote_name(name))
