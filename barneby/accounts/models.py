from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.accounts.roles import Role, ScopeKind
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


class User(AbstractBaseUser, PermissionsMixin):
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


class ApiToken(BaseModel):
    """A personal API token. Only a SHA-256 digest of the secret is stored.

    A token acts as its user: it carries exactly the user's roles and scopes
    at the time of each request, so revoking a role also narrows the token.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("bruker"))
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
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
