"""Demo logins: one user per role, with a per-machine password kept under var/."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction

from barneby.accounts.models import RoleAssignment, User
from barneby.accounts.roles import ROLE_SCOPE_KINDS, Role, ScopeKind
from barneby.core.demo import DemoContext, register

DEMO_DOMAIN = "demo.barneby.example"

# Local parts of the demo addresses, one per role.
DEMO_USERS: dict[Role, tuple[str, str]] = {
    Role.SYSTEM_ADMIN: ("admin", "Sigrid Admin"),
    Role.NATIONAL_DIRECTOR: ("nasjonal.leder", "Nora Nasjonal"),
    Role.PROGRAMME_DIRECTOR: ("programleder", "Per Program"),
    Role.CASEWORKER: ("saksbehandler", "Sara Saksbehandler"),
    Role.CAREGIVER: ("sos.forelder", "Frida Forelder"),
    Role.ME_ADVISOR: ("resultat", "Rune Resultat"),
    Role.DONOR_SERVICE: ("giverservice", "Gina Giver"),
    Role.MUNICIPALITY_CONTACT: ("kommune", "Kari Kommune"),
    Role.SAFEGUARDING_FOCAL_POINT: ("varsling", "Vidar Varsling"),
    Role.AUDITOR: ("revisor", "Randi Revisor"),
    Role.COMMUNICATIONS: ("kommunikasjon", "Kaja Kommunikasjon"),
}


def demo_password() -> str:
    path = settings.VAR_DIR / "demo-password"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = "demo-" + secrets.token_urlsafe(9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


def _scope(role: Role, context: DemoContext) -> tuple[ScopeKind, str]:
    if role.value in context.demo_scopes:
        kind, key = context.demo_scopes[role.value]
        return ScopeKind(kind), key
    allowed = ROLE_SCOPE_KINDS[role]
    if ScopeKind.GLOBAL in allowed:
        return ScopeKind.GLOBAL, ""
    # No organisation data to point at: the role is held over an empty scope.
    return sorted(allowed)[0], "0"


@register("accounts", order=900)
def seed_users(context: DemoContext) -> None:
    password = demo_password()
    with transaction.atomic():
        for role, (local, name) in DEMO_USERS.items():
            email = f"{local}@{DEMO_DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(email=email, full_name=name, is_staff=role == Role.SYSTEM_ADMIN)
            user.set_password(password)
            user.is_active = True
            user.save()
            kind, key = _scope(role, context)
            RoleAssignment.objects.filter(user=user).exclude(role=role, scope_kind=kind, scope_key=key).delete()
            RoleAssignment.objects.get_or_create(user=user, role=role, scope_kind=kind, scope_key=key)
            context.logins.append((str(role.label), email, password))
    context.counts["brukere"] = User.objects.count()
