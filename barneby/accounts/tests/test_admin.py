"""The admin's role editor and second-factor codes: the same rules as the services, scopes from lists."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client

from barneby.accounts.models import EnrolmentGrant, RoleAssignment, User
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import role_assign
from barneby.core.tests.personas import make_persona, make_user, verified_client
from barneby.organisation.tests import factories as org

pytestmark = pytest.mark.django_db


def change_url(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


def post_assignment(client: Client, user: User, *, role: str, scope: str) -> Any:
    return client.post(
        change_url(user),
        {
            "email": user.email,
            "full_name": user.full_name,
            "language": "nb",
            "is_active": "on",
            "assignments-TOTAL_FORMS": "1",
            "assignments-INITIAL_FORMS": "0",
            "assignments-MIN_NUM_FORMS": "0",
            "assignments-MAX_NUM_FORMS": "1000",
            "assignments-0-role": role,
            "assignments-0-scope": scope,
            "assignments-0-valid_until": "",
        },
    )


@pytest.fixture
def admin_client() -> Client:
    return verified_client(make_persona(Role.SYSTEM_ADMIN))


def test_role_assign_refuses_a_scope_that_does_not_exist() -> None:
    user = make_user()
    with pytest.raises(ValidationError) as excinfo:
        role_assign(user=user, role=Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key="999999")
    assert "Fant ingen «Program» med nøkkelen «999999»" in str(excinfo.value)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_the_role_editor_offers_scopes_from_lists_not_a_key_to_type(admin_client: Client) -> None:
    programme = org.programme(org.association(name="Testforeningen"), name="Bergen-programmet")
    home = org.home(programme, name="Solsikken")
    html = admin_client.get(change_url(make_user())).content.decode()
    select = re.search(r'<select name="assignments-__prefix__-scope".*?</select>', html, flags=re.S)
    assert select is not None
    options = select.group(0)
    assert f'value="programme:{programme.pk}"' in options
    assert "Testforeningen – Bergen-programmet" in options
    assert f'value="home:{home.pk}"' in options
    assert f'value="association:{programme.association_id}"' in options
    assert 'name="assignments-__prefix__-scope_key"' not in html


def test_the_role_editor_refuses_what_the_service_refuses(admin_client: Client) -> None:
    user = make_user()
    response = post_assignment(admin_client, user, role=Role.CAREGIVER, scope="global:")
    assert response.status_code == 200
    assert "Rollen «SOS-forelder / fosterforelder» kan ikke tildeles for omfanget «Hele organisasjonen»." in (
        response.content.decode()
    )
    assert not RoleAssignment.objects.filter(user=user).exists()
    with pytest.raises(ValidationError):
        role_assign(user=user, role=Role.CAREGIVER, scope_kind=ScopeKind.GLOBAL)


def test_the_role_editor_refuses_a_scope_that_is_not_in_the_list(admin_client: Client) -> None:
    user = make_user()
    response = post_assignment(admin_client, user, role=Role.CASEWORKER, scope="programme:999999")
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_the_role_editor_saves_a_scope_picked_from_the_list(admin_client: Client) -> None:
    programme = org.programme(org.association())
    user = make_user()
    response = post_assignment(admin_client, user, role=Role.CASEWORKER, scope=f"programme:{programme.pk}")
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=user)
    assert (assignment.role, assignment.scope_kind, assignment.scope_key) == (
        Role.CASEWORKER,
        ScopeKind.PROGRAMME,
        str(programme.pk),
    )
    page = admin_client.get(change_url(user)).content.decode()
    assert f'<option value="programme:{programme.pk}" selected>' in page


def test_an_administrator_issues_a_one_time_code_that_lets_the_user_set_up(admin_client: Client) -> None:
    user = make_persona(Role.CASEWORKER, authenticator=False)
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "issue_enrolment_code", "_selected_action": [str(user.pk)]}
    )
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    match = re.search(r"Engangskode for [^:]+: ([A-Z0-9]{5}-[A-Z0-9]{5})\.", text)
    assert match is not None
    grant = EnrolmentGrant.objects.get(user=user)
    assert grant.channel == EnrolmentGrant.Channel.ADMIN
    assert match.group(1) not in grant.digest
    client = Client()
    client.post("/konto/logg-inn/", {"username": user.email, "password": "correct-horse-battery-staple-42"})
    assert client.post("/konto/tofaktor/engangskode/", {"code": match.group(1)}).status_code == 302
    assert "data:image/svg+xml" in client.get("/konto/tofaktor/").content.decode()
