"""The one scoping mechanism: grants from assignments, filters from scope paths."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from barneby.accounts.models import RoleAssignment
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.scoping import Grant, Scope, ScopePaths, forget_scope, scope_for, scope_q, visible_to
from barneby.accounts.services import role_assign
from barneby.core.tests.personas import make_persona, make_user

pytestmark = pytest.mark.django_db

PATHS = ScopePaths(
    association="assoc_id", programme="programme_id", home="home_id", municipality="municipality__number"
)


def test_anonymous_and_inactive_users_have_no_grants() -> None:
    assert scope_for(AnonymousUser()).grants == ()
    user = make_persona(Role.CASEWORKER)
    user.is_active = False
    assert scope_for(user).grants == ()


def test_scope_lists_live_assignments_only() -> None:
    user = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key="7")
    RoleAssignment.objects.create(
        user=user,
        role=Role.PROGRAMME_DIRECTOR,
        scope_kind=ScopeKind.PROGRAMME,
        scope_key="8",
        valid_until=timezone.localdate() - dt.timedelta(days=1),
    )
    scope = scope_for(user)
    assert scope.roles == {Role.CASEWORKER}
    assert scope.keys(ScopeKind.PROGRAMME) == {"7"}


def test_scope_is_cached_per_user_object_until_forgotten() -> None:
    user = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key="7")
    assert scope_for(user).keys(ScopeKind.PROGRAMME) == {"7"}
    RoleAssignment.objects.create(user=user, role=Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key="9")
    assert scope_for(user).keys(ScopeKind.PROGRAMME) == {"7"}
    forget_scope(user)
    assert scope_for(user).keys(ScopeKind.PROGRAMME) == {"7", "9"}


def test_global_grant_sees_everything() -> None:
    scope = Scope(grants=(Grant(Role.AUDITOR, ScopeKind.GLOBAL, ""),))
    assert scope_q(scope, PATHS, roles={Role.AUDITOR}) is None


def test_grant_of_another_role_does_not_count() -> None:
    scope = Scope(grants=(Grant(Role.AUDITOR, ScopeKind.GLOBAL, ""),))
    assert scope_q(scope, PATHS, roles={Role.CASEWORKER}) == Q(pk__in=[])


def test_each_level_becomes_an_in_filter_on_its_path() -> None:
    scope = Scope(
        grants=(
            Grant(Role.NATIONAL_DIRECTOR, ScopeKind.ASSOCIATION, "3"),
            Grant(Role.CASEWORKER, ScopeKind.PROGRAMME, "11"),
            Grant(Role.CASEWORKER, ScopeKind.PROGRAMME, "5"),
            Grant(Role.CAREGIVER, ScopeKind.HOME, "2"),
            Grant(Role.MUNICIPALITY_CONTACT, ScopeKind.MUNICIPALITY, "4601"),
        )
    )
    condition = scope_q(scope, PATHS, roles=set(Role))
    assert condition == (
        Q(pk__in=[])
        | Q(assoc_id__in=[3])
        | Q(programme_id__in=[5, 11])
        | Q(home_id__in=[2])
        | Q(municipality__number__in=["4601"])
    )


def test_a_level_the_model_cannot_be_reached_through_grants_nothing() -> None:
    scope = Scope(grants=(Grant(Role.CAREGIVER, ScopeKind.HOME, "2"),))
    assert scope_q(scope, ScopePaths(programme="id"), roles={Role.CAREGIVER}) == Q(pk__in=[])


def test_visible_to_filters_a_real_queryset() -> None:
    # RoleAssignment stands in for a scoped model: its own id plays "programme".
    a = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key="1")
    b = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key="2")
    a_row = RoleAssignment.objects.get(user=a)
    b_row = RoleAssignment.objects.get(user=b)
    viewer = make_user()
    RoleAssignment.objects.create(
        user=viewer, role=Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(a_row.pk)
    )
    rows = visible_to(
        RoleAssignment.objects.all(), user=viewer, paths=ScopePaths(programme="id"), roles={Role.CASEWORKER}
    )
    assert list(rows) == [a_row]
    assert b_row not in rows
    assert not visible_to(
        RoleAssignment.objects.all(), user=viewer, paths=ScopePaths(programme="id"), roles={Role.AUDITOR}
    ).exists()


def test_role_assign_refuses_a_scope_kind_the_role_cannot_have() -> None:
    user = make_user()
    with pytest.raises(ValidationError) as excinfo:
        role_assign(user=user, role=Role.CAREGIVER, scope_kind=ScopeKind.GLOBAL)
    assert "kan ikke tildeles" in str(excinfo.value)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_global_assignment_must_have_no_key_and_others_must() -> None:
    user = make_user()
    with pytest.raises(ValidationError):
        role_assign(user=user, role=Role.AUDITOR, scope_kind=ScopeKind.GLOBAL, scope_key="5")
    with pytest.raises(ValidationError):
        role_assign(user=user, role=Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key="")
    from barneby.organisation.tests import factories as org

    key = str(org.programme(org.association()).pk)
    assignment = role_assign(user=user, role=Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=key)
    assert scope_for(user).keys(ScopeKind.PROGRAMME) == {key}
    assert str(assignment).startswith("Saksbehandler")
