"""Demo data framework: each app registers a generator; ``seed_demo`` runs them in order.

Generators must be deterministic for a given seed and idempotent (running
twice leaves the same data), use bulk inserts for volume, and report
progress through the ``progress`` callable they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

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
