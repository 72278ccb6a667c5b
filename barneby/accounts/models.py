from __future__ import annotations

import time
from base64 import b32encode
from binascii import unhexlify
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import hex_validator, random_hex

from barneby.accounts.roles import ROLE_SCOPE_KINDS, Role, ScopeKind
from barneby.core.fields import EncryptedTextField
from barneby.core.models import BaseModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


# The stubs cannot see the reverse manager of AuthenticatorDevice.user (declared on django-otp's untyped Device).
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """A person who signs in to Barneby's staff area, identified by e-mail.

    What a user may see is given by their role assignments, never by Django's
    per-model permissions; ``is_staff`` only opens the technical admin site.
    """

    email = models.EmailField(_("e-post"), unique=True)
    full_name = models.CharField(_("fullt navn"), max_length=200)
    is_active = models.BooleanField(_("aktiv"), default=True)
    is_staff = models.BooleanField(_("tilgang til teknisk admin"), default=False)
    date_joined = models.DateTimeField(_("opprettet"), default=timezone.now)
    language = models.CharField(
        _("språk"), max_length=8, choices=[("nb", _("Norsk bokmål")), ("en", _("English"))], default="nb"
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class RoleAssignment(BaseModel):
    """Gives a user a role within one organisational scope.

    ``scope_key`` names the object the scope kind refers to: the primary key
    of a member association, programme or home, or a municipality's official
    four-digit number. A global scope has an empty key.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("bruker"))
    role = models.CharField(_("rolle"), max_length=40, choices=Role.choices)
    scope_kind = models.CharField(_("omfang"), max_length=20, choices=ScopeKind.choices)
    scope_key = models.CharField(_("omfangsnøkkel"), max_length=40, blank=True)
    valid_until = models.DateField(_("gyldig til"), null=True, blank=True)

    class Meta:
        verbose_name = _("rolletildeling")
        verbose_name_plural = _("rolletildelinger")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "scope_kind", "scope_key"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope_kind=ScopeKind.GLOBAL, scope_key="") | (~Q(scope_kind=ScopeKind.GLOBAL) & ~Q(scope_key=""))
                ),
                name="%(app_label)s_%(class)s_key_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        scope = self.get_scope_kind_display()
        return f"{self.get_role_display()} ({scope}{' ' + self.scope_key if self.scope_key else ''})"

    def clean(self) -> None:
        # Here, so the service (full_clean) and the admin's form both refuse the same assignments.
        role_scope_validate(role=self.role, scope_kind=self.scope_kind, scope_key=self.scope_key)


# Where each scope kind's key points: (app label, model, lookup field).
SCOPE_TARGETS: dict[ScopeKind, tuple[str, str, str]] = {
    ScopeKind.ASSOCIATION: ("organisation", "MemberAssociation", "pk"),
    ScopeKind.PROGRAMME: ("organisation", "Programme", "pk"),
    ScopeKind.HOME: ("organisation", "Home", "pk"),
    ScopeKind.MUNICIPALITY: ("organisation", "Municipality", "number"),
}


def role_scope_validate(*, role: str, scope_kind: str, scope_key: str) -> None:
    """Refuse a role over a scope the role cannot have, or a scope that does not exist.

    The one check for every way an assignment is made (``role_assign``, the
    admin's role editor): the role must allow the scope kind, a global scope
    has no key, and any other key names an existing association, programme,
    home or municipality.
    """
    if role not in Role.values or scope_kind not in ScopeKind.values:
        return  # the field's own choices validation reports it
    kind = ScopeKind(scope_kind)
    if kind not in ROLE_SCOPE_KINDS[Role(role)]:
        raise ValidationError(
            {
                "scope_kind": _("Rollen «{role}» kan ikke tildeles for omfanget «{kind}».").format(
                    role=Role(role).label, kind=kind.label
                )
            }
        )
    if kind == ScopeKind.GLOBAL:
        if scope_key:
            raise ValidationError({"scope_key": _("Hele organisasjonen har ingen omfangsnøkkel.")})
        return
    app_label, model_name, field = SCOPE_TARGETS[kind]
    target = apps.get_model(app_label, model_name)
    if field == "pk" and not scope_key.isdigit():
        exists = False
    else:
        exists = bool(scope_key) and target._base_manager.filter(**{field: scope_key}).exists()
    if not exists:
        raise ValidationError(
            {
                "scope_key": _("Fant ingen «{kind}» med nøkkelen «{key}». Velg omfanget fra listen.").format(
                    kind=kind.label, key=scope_key
                )
            }
        )


class ApiToken(BaseModel):
    """A personal API token. Only a SHA-256 digest of the secret is stored.

    A token acts as its user: it carries exactly the user's roles and scopes
    at the time of each request, so revoking a role also narrows the token.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="barneby_api_tokens", verbose_name=_("bruker")
    )
    name = models.CharField(_("navn"), max_length=100)
    prefix = models.CharField(_("prefiks"), max_length=12, db_index=True)
    digest = models.CharField(_("sjekksum"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("utløper"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("sist brukt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-nøkkel")
        verbose_name_plural = _("API-nøkler")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        """Not revoked, not expired, and not older than ``API_TOKEN_MAX_DAYS``.

        The age check also ends tokens issued before there was a maximum
        (``expires_at`` empty), and tokens issued under a longer maximum.
        """
        now = timezone.now()
        if self.revoked_at is not None or (self.expires_at is not None and self.expires_at <= now):
            return False
        # A day's slack, as at creation: a token is kept until the end of the chosen day.
        return self.created_at is None or now - self.created_at < timedelta(days=settings.API_TOKEN_MAX_DAYS + 1)


def totp_default_key() -> str:
    """20 random bytes, hex-encoded (RFC 4226 recommends 160 bits)."""
    return str(random_hex(20))


def totp_key_validator(value: str) -> None:
    hex_validator()(value)


# django-otp is untyped: its model bases are Any to mypy.
class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """An authenticator app (TOTP, RFC 6238) whose shared secret is encrypted at rest.

    It replaces django-otp's ``TOTPDevice``, which keeps the secret in plain
    hex: whoever reads that column (a backup, a replica, a support dump) can
    produce every user's codes. ``key`` is an :class:`EncryptedTextField`, so
    it rotates with ``manage.py rotate_field_keys`` like every encrypted field.
    Verification follows django-otp's TOTPDevice (tolerance, drift, no reuse of
    a time step, throttling).
    """

    key = EncryptedTextField(
        _("hemmelig nøkkel"), max_length=80, validators=[totp_key_validator], default=totp_default_key
    )
    step: models.PositiveSmallIntegerField[Any, int] = models.PositiveSmallIntegerField(
        _("tidssteg (sekunder)"), default=30
    )
    t0: models.BigIntegerField[Any, int] = models.BigIntegerField(_("starttid (Unix)"), default=0)
    digits: models.PositiveSmallIntegerField[Any, int] = models.PositiveSmallIntegerField(
        _("antall sifre"), choices=[(6, 6), (8, 8)], default=6
    )
    tolerance: models.PositiveSmallIntegerField[Any, int] = models.PositiveSmallIntegerField(
        _("toleranse (tidssteg)"), default=1
    )
    drift: models.SmallIntegerField[Any, int] = models.SmallIntegerField(_("klokkeavvik (tidssteg)"), default=0)
    last_t: models.BigIntegerField[Any, int] = models.BigIntegerField(_("siste brukte tidssteg"), default=-1)

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = _("autentiseringsapp")
        verbose_name_plural = _("autentiseringsapper")

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode("ascii"))

    def verify_token(self, token: Any) -> bool:
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = bool(totp.verify(code, self.tolerance, self.last_t + 1))
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self) -> int:
        return 1

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` URL an authenticator app reads from the QR code."""
        label = str(self.user.get_username())
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        params = urlencode(
            {"secret": b32encode(self.bin_key), "algorithm": "SHA1", "digits": self.digits, "period": self.step}
        )
        if issuer:
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"


class EnrolmentGrant(BaseModel):
    """Permission, sent through a second channel, to set up a user's authenticator app.

    Without it, whoever had the password could enrol their own authenticator
    on the first sign-in. A grant is an e-mailed link or a code an
    administrator hands over; only a SHA-256 digest of its secret is kept, it
    expires after ``BARNEBY_2FA_ENROLMENT_MINUTES`` and works once.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Lenke på e-post")
        ADMIN = "admin", _("Kode fra administrator")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_grants", verbose_name=_("bruker"))
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    digest = models.CharField(_("sjekksum"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("utløper"))
    used_at = models.DateTimeField(_("brukt"), null=True, blank=True)
    issued_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("utstedt av")
    )

    class Meta:
        verbose_name = _("tillatelse til å sette opp tofaktor")
        verbose_name_plural = _("tillatelser til å sette opp tofaktor")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} ({self.user})"
