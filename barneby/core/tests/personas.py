"""One persona per role, and clients signed in as them (second factor verified).

``persona(role)`` makes a user holding ``role`` over a scope given by the
test (default: the role's first allowed kind, key "1", or global), and
``client_as(user)`` returns a Django test client signed in as that user
with a verified second factor, as production requires. Personas have a
confirmed authenticator unless made with ``authenticator=False``.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest
from django.test import Client

from barneby.accounts.models import AuthenticatorDevice, RoleAssignment, User
from barneby.accounts.roles import ROLE_SCOPE_KINDS, Role, ScopeKind

PASSWORD = "correct-horse-battery-staple-42"
_seq = count(1)


def make_user(*, email: str | None = None, full_name: str = "Test Testesen", password: str = PASSWORD) -> User:
    email = email or f"user{next(_seq)}@test.barneby.example"
    return User.objects.create_user(email=email, password=password, full_name=full_name)


def default_scope(role: Role) -> tuple[ScopeKind, str]:
    allowed = ROLE_SCOPE_KINDS[role]
    if ScopeKind.GLOBAL in allowed:
        return ScopeKind.GLOBAL, ""
    return sorted(allowed)[0], "1"


def make_persona(
    role: Role, *, scope_kind: ScopeKind | None = None, scope_key: str | None = None, authenticator: bool = True
) -> User:
    """A user holding ``role``; with ``authenticator``, one already set up (as staff in production have)."""
    kind, key = default_scope(role)
    if scope_kind is not None:
        kind, key = scope_kind, scope_key if scope_key is not None else ""
    user = make_user(email=f"{role.value}.{next(_seq)}@test.barneby.example", full_name=f"{role.label} Persona")
    RoleAssignment.objects.create(user=user, role=role, scope_kind=kind, scope_key=key)
    if authenticator:
        AuthenticatorDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def verified_client(user: User) -> Client:
    """A client signed in as ``user`` with a verified second factor."""
    client = Client()
    client.force_login(user)
    device = AuthenticatorDevice.objects.filter(
        user=user, confirmed=True
    ).first() or AuthenticatorDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def persona(db: None) -> Callable[..., User]:
    return make_persona


@pytest.fixture
def client_as(db: None) -> Callable[[User], Client]:
    return verified_client


@pytest.fixture
def outsider(db: None) -> User:
    """A signed-in user with no role at all."""
    return make_user(full_name="Ola Utenfor")
