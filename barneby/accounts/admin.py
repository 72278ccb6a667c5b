"""The technical admin site, open only to system administrators.

It manages users and their role assignments. Nothing is deleted here:
users are deactivated, so the audit log keeps pointing at them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from barneby.accounts.forms import RoleAssignmentAdminForm
from barneby.accounts.models import ApiToken, RoleAssignment, User
from barneby.accounts.roles import USER_ADMINS
from barneby.accounts.scoping import scope_for
from barneby.accounts.services import enrolment_code_issue, user_deactivate
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record


def _is_user_admin(request: HttpRequest) -> bool:
    return bool(request.user.is_active and scope_for(request.user).has_any_role(USER_ADMINS))


admin.site.has_permission = _is_user_admin  # type: ignore[method-assign]
admin.site.site_title = "Barneby"
admin.site.index_title = _("Brukere og tilgang")
admin.site.unregister(Group)


class RoleAdminMixin:
    """Grant the admin's model permissions from Barneby roles, not Django's permission tables."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_user_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_user_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_user_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_user_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Django's admin log is kept as well; these put the change into Barneby's audit log.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        audit_record(actor=request.user, action=AuditAction.CREATE, obj=obj, request=request, detail="admin")
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        audit_record(actor=request.user, action=AuditAction.UPDATE, obj=obj, request=request, detail="admin")
        return super().log_change(request, obj, message)  # type: ignore[misc]


class RoleAssignmentInline(RoleAdminMixin, admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    form = RoleAssignmentAdminForm
    extra = 0
    fields = ["role", "scope", "valid_until"]


@admin.register(User)
# The stubs type UserAdmin for AbstractUser subclasses; ours derives from AbstractBaseUser.
class UserAdmin(RoleAdminMixin, DjangoUserAdmin):  # type: ignore[type-arg]
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "last_login"]
    list_filter = ["is_active", "assignments__role"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "full_name", "language", "password")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = []
    inlines = [RoleAssignmentInline]
    actions = ["deactivate", "issue_enrolment_code"]

    @admin.action(description=_("Deaktiver valgte brukere"))
    def deactivate(self, request: HttpRequest, queryset: Any) -> None:
        count = 0
        for user in queryset.filter(is_active=True):
            user_deactivate(user=user, actor=request.user if isinstance(request.user, User) else None)
            count += 1
        self.message_user(request, _("{count} brukere er deaktivert.").format(count=count))

    @admin.action(description=_("Lag engangskode for å sette opp tofaktor"))
    def issue_enrolment_code(self, request: HttpRequest, queryset: Any) -> None:
        """A one-time code for a user who cannot use the e-mailed link (or has lost the phone)."""
        if queryset.count() != 1 or not isinstance(request.user, User):
            self.message_user(request, _("Velg nøyaktig én bruker."), level=messages.ERROR)
            return
        user = queryset.get()
        try:
            issued = enrolment_code_issue(user=user, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return
        self.message_user(
            request,
            _(
                "Engangskode for {user}: {code}. Gi den til brukeren på en annen måte enn e-post (telefon, "
                "personlig). Den virker i {minutes} minutter og kan brukes én gang."
            ).format(user=user.email, code=issued.secret, minutes=settings.BARNEBY_2FA_ENROLMENT_MINUTES),
            level=messages.WARNING,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdminMixin, admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["user", "name", "prefix", "digest", "created_at", "last_used_at", "expires_at"]
    fields = [*readonly_fields, "revoked_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
