"""Writes for users, role assignments, sign-in events and API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.accounts.models import ApiToken, AuthenticatorDevice, EnrolmentGrant, RoleAssignment, User
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.scoping import forget_scope
from barneby.accounts.tokens import (
    ENROLMENT_CODE_ALPHABET,
    TOKEN_PREFIX,
    enrolment_code_normalise,
    token_digest,
)
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.mail import send_mail_later


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
    # RoleAssignment.clean (role_scope_validate) refuses a scope the role cannot have, or one that does not exist.
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
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("Utløpstidspunktet må ligge fram i tid.")})
    # A token outlives nothing it should: at most API_TOKEN_MAX_DAYS, and that when no date is given.
    longest = now + timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if expires_at is None:
        expires_at = longest
    elif expires_at > longest + timedelta(days=1):
        # A day's slack: the form keeps a token until the end of the chosen day.
        raise ValidationError(
            {"expires_at": _("En API-nøkkel kan gjelde i høyst {days} dager.").format(days=settings.API_TOKEN_MAX_DAYS)}
        )
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


# --- Setting up the second factor --------------------------------------------------------


@dataclass(frozen=True)
class IssuedGrant:
    grant: EnrolmentGrant
    secret: str


def _enrolment_grant_issue(
    *, user: User, channel: EnrolmentGrant.Channel, secret: str, actor: User | None
) -> IssuedGrant:
    grant = EnrolmentGrant(
        user=user,
        channel=channel,
        digest=token_digest(secret),
        expires_at=timezone.now() + timedelta(minutes=settings.BARNEBY_2FA_ENROLMENT_MINUTES),
        issued_by=actor,
    )
    grant.full_clean()
    grant.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=grant, detail=channel.value)
    return IssuedGrant(grant=grant, secret=secret)


@transaction.atomic
def enrolment_code_issue(*, user: User, actor: User) -> IssuedGrant:
    """An administrator's one-time code that lets ``user`` set up an authenticator app.

    Ten letters and digits (about 50 bits), shown once to the administrator,
    who hands it over by another channel than the password (phone, in person).
    """
    if not user.is_active:
        raise ValidationError(_("Brukeren er deaktivert."))
    raw = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _i in range(10))
    secret = f"{raw[:5]}-{raw[5:]}"
    issued = _enrolment_grant_issue(
        user=user, channel=EnrolmentGrant.Channel.ADMIN, secret=enrolment_code_normalise(secret), actor=actor
    )
    # The grouped form is what the administrator reads out; any grouping is accepted back.
    return IssuedGrant(grant=issued.grant, secret=secret)


# Another link is not sent while the last one is this fresh (a double click, a bored attacker).
ENROLMENT_LINK_INTERVAL = timedelta(minutes=1)


@transaction.atomic
def enrolment_link_send(*, user: User, request: HttpRequest) -> bool:
    """E-mail ``user`` a one-time link to set up an authenticator app; False if one just went out.

    The link proves the person at the keyboard also reads the account's
    mailbox, a second channel besides the password.
    """
    recent = EnrolmentGrant.objects.filter(
        user=user, channel=EnrolmentGrant.Channel.EMAIL, created_at__gt=timezone.now() - ENROLMENT_LINK_INTERVAL
    )
    if recent.exists():
        return False
    issued = _enrolment_grant_issue(
        user=user, channel=EnrolmentGrant.Channel.EMAIL, secret=secrets.token_urlsafe(32), actor=user
    )
    context = {
        "user": user,
        "link": request.build_absolute_uri(reverse("accounts:two-factor-enrol", args=[issued.secret])),
        "minutes": settings.BARNEBY_2FA_ENROLMENT_MINUTES,
    }
    send_mail_later(
        subject=loader.render_to_string("accounts/two_factor_enrol_subject.txt", context),
        body=loader.render_to_string("accounts/two_factor_enrol_email.txt", context),
        to=[user.email],
    )
    return True


@transaction.atomic
def enrolment_grant_redeem(*, user: User, secret: str, request: HttpRequest | None = None) -> bool:
    """Use up ``user``'s grant behind ``secret`` (a link's secret or an administrator's code).

    True once per grant, while it is fresh; False for anything else, without
    saying why. The conditional UPDATE makes two simultaneous uses one. Any
    half-finished set-up is thrown away, so the app is paired with a new secret
    nobody saw before the grant. An administrator's code also retires the
    user's current authenticator (the lost-phone case: the administrator has
    checked who is asking); an e-mailed link never replaces one.
    """
    now = timezone.now()
    digests = {token_digest(secret.strip()), token_digest(enrolment_code_normalise(secret))}
    grant = EnrolmentGrant.objects.filter(
        user=user, digest__in=digests, used_at__isnull=True, expires_at__gt=now
    ).first()
    if grant is None or not user.is_active:
        return False
    if EnrolmentGrant.objects.filter(pk=grant.pk, used_at__isnull=True).update(used_at=now) != 1:
        return False
    devices = AuthenticatorDevice.objects.filter(user=user)
    if grant.channel != EnrolmentGrant.Channel.ADMIN:
        devices = devices.filter(confirmed=False)
    devices.delete()
    audit_record(actor=user, action=AuditAction.UPDATE, obj=grant, request=request, detail="redeemed")
    return True
