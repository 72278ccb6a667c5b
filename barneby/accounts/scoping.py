"""The one scoping mechanism: what part of the organisation a user may see.

Every selector and API endpoint narrows its queryset with
:func:`visible_to`, passing the model's :class:`ScopePaths` — the lookups
from that model to the organisational units a role can be assigned to.
A user with no matching assignment sees nothing (deny by default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from barneby.accounts.roles import Role, ScopeKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from barneby.accounts.models import User

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_barneby_scope"


@dataclass(frozen=True)
class ScopePaths:
    """ORM lookups from a model to each organisational level.

    ``None`` means the model cannot be reached through that level: an
    assignment at that level then grants nothing on the model.
    """

    association: str | None = None
    programme: str | None = None
    home: str | None = None
    municipality: str | None = None
    # Set when a path crosses a to-many relation, so rows could repeat.
    distinct: bool = False


@dataclass(frozen=True)
class Grant:
    """One role over one scope, taken from a live role assignment."""

    role: Role
    kind: ScopeKind
    key: str


@dataclass(frozen=True)
class Scope:
    """All of a user's live grants, computed once per request."""

    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def has_any_role(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)

    def keys(self, kind: ScopeKind, roles: Iterable[Role] | None = None) -> frozenset[str]:
        wanted = None if roles is None else frozenset(roles)
        return frozenset(g.key for g in self.grants if g.kind == kind and (wanted is None or g.role in wanted))

    def is_global(self, roles: Iterable[Role] | None = None) -> bool:
        wanted = None if roles is None else frozenset(roles)
        return any(g.kind == ScopeKind.GLOBAL and (wanted is None or g.role in wanted) for g in self.grants)


def scope_for(user: User | AnonymousUser | Any) -> Scope:
    """The user's live grants; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if isinstance(cached, Scope):
        return cached
    from barneby.accounts.models import RoleAssignment

    today: date = timezone.localdate()
    rows = (
        RoleAssignment.objects.filter(user_id=user.pk or 0)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values_list("role", "scope_kind", "scope_key")
    )
    scope = Scope(grants=tuple(Grant(Role(r), ScopeKind(k), key) for r, k, key in rows))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope after the user's assignments changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _int_keys(keys: frozenset[str]) -> list[int]:
    return sorted(int(k) for k in keys if k.isdigit())


def scope_q(scope: Scope, paths: ScopePaths, *, roles: Iterable[Role]) -> Q | None:
    """A filter for the rows ``scope`` may see through ``roles``, or ``None`` for all rows.

    Returns ``Q(pk__in=[])`` (nothing) when no grant applies.
    """
    wanted = frozenset(roles)
    if scope.is_global(wanted):
        return None
    condition = Q(pk__in=[])
    levels: tuple[tuple[ScopeKind, str | None, bool], ...] = (
        (ScopeKind.ASSOCIATION, paths.association, True),
        (ScopeKind.PROGRAMME, paths.programme, True),
        (ScopeKind.HOME, paths.home, True),
        (ScopeKind.MUNICIPALITY, paths.municipality, False),
    )
    for kind, path, numeric in levels:
        keys = scope.keys(kind, wanted)
        if path is None or not keys:
            continue
        if numeric:
            condition |= Q(**{f"{path}__in": _int_keys(keys)})
        else:
            condition |= Q(**{f"{path}__in": sorted(keys)})
    return condition


def visible_to(
    queryset: QuerySet[M], *, user: User | AnonymousUser | Any, paths: ScopePaths, roles: Iterable[Role]
) -> QuerySet[M]:
    """Narrow ``queryset`` to what ``user`` may see through any of ``roles``."""
    scope = scope_for(user)
    if not scope.has_any_role(roles):
        return queryset.none()
    condition = scope_q(scope, paths, roles=roles)
    if condition is None:
        return queryset
    narrowed = queryset.filter(condition)
    return narrowed.distinct() if paths.distinct else narrowed
