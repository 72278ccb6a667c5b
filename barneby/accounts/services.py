"""Writes for users, role assignments, sign-in events and API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.accounts.models import ApiToken, RoleAssignment, User
from barneby.accounts.roles import ROLE_SCOPE_KINDS, Role, ScopeKind
from barneby.accounts.scoping import forget_scope
from barneby.accounts.tokens import TOKEN_PREFIX, token_digest
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record


@transaction.atomic
def user_create(
    *, email: str, full_name: str, password: str | None, actor: User | None = None, language: str = "nb"
) -> User:
    user = User(email=User.objects.normalize_email(email).lower(), full_name=full_name, language=language)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user)
    return user


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None) -> User:
    """Deactivate instead of delete: the audit log keeps pointing at the user."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, detail="deactivated")
    return user


@transaction.atomic
def role_assign(
    *, user: User, role: Role, scope_kind: ScopeKind, scope_key: str = "", actor: User | None = None
) -> RoleAssignment:
    if scope_kind not in ROLE_SCOPE_KINDS[role]:
        raise ValidationError(
            {
                "scope_kind": _("Rollen «{role}» kan ikke tildeles for omfanget «{kind}».").format(
                    role=role.label, kind=scope_kind.label
                )
            }
        )
    assignment = RoleAssignment(user=user, role=role, scope_kind=scope_kind, scope_key=scope_key)
    assignment.full_clean()
    assignment.save()
    forget_scope(user)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=assignment, detail=str(assignment))
    return assignment


def sign_in_succeeded(*, request: HttpRequest, user: User) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user, request=request)


def sign_in_failed(*, request: HttpRequest, email: str, reason: str) -> None:
    # The attempted address goes into the detail, not the actor: it may not be a user.
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED, request=request, detail=f"{reason}: {email[:254]}")


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: datetime | None = None) -> IssuedToken:
    """Issue a token; the secret is returned once and only its digest is stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Gi nøkkelen et navn, så du kjenner den igjen.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Utløpstidspunktet må ligge fram i tid.")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name, prefix=secret[: len(TOKEN_PREFIX) + 6], digest=token_digest(secret), expires_at=expires_at
    )
    token.full_clean()
    token.save()
    audit_record(actor=user, action=AuditAction.CREATE, obj=token, detail=token.name)
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=token, detail="revoked")
    return token


# Recording every call would turn each API read into a write; "last used"
# to the nearest few minutes is all the token page needs.
API_TOKEN_USE_RESOLUTION = timedelta(minutes=5)


def api_token_record_use(*, token: ApiToken, now: datetime | None = None) -> None:
    """Note that ``token`` was used, at most once per resolution interval.

    Deliberately neither audited nor atomic: it is bookkeeping, not a change
    anyone made, and it must not bump ``updated_at``. The condition is also
    in the UPDATE, so concurrent calls with the same token write once, and
    the Python check spares the database a write on most calls.
    """
    now = now or timezone.now()
    cutoff = now - API_TOKEN_USE_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > cutoff:
        return
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff), pk=token.pk).update(
        last_used_at=now
    )
    token.last_used_at = now
