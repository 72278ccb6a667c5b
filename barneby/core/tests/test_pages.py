"""The public shell, error pages, the demo command and the staff menu."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from barneby.accounts.demo import DEMO_USERS
from barneby.accounts.models import RoleAssignment, User
from barneby.accounts.roles import Role
from barneby.core.tests.personas import make_persona, verified_client

pytestmark = pytest.mark.django_db


def test_home_page_is_public_and_norwegian(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Logg inn for ansatte" in response.content.decode()


def test_ping_is_a_bare_view(client: Client) -> None:
    response = client.get("/ping")
    assert response.content == b"ok"
    assert client.post("/ping").status_code == 405


def test_unknown_url_gets_the_norwegian_404_page(client: Client) -> None:
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    assert "Fant ikke siden" in response.content.decode()


def test_unknown_api_url_gets_json_404(client: Client) -> None:
    response = client.get("/api/v1/finnes-ikke")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_forbidden_page_is_norwegian() -> None:
    response = verified_client(make_persona(Role.CAREGIVER)).get("/revisjon/")
    assert response.status_code == 403
    assert "Ingen tilgang" in response.content.decode()


def test_menu_shows_only_what_the_role_reaches() -> None:
    auditor_page = verified_client(make_persona(Role.AUDITOR)).get("/ansatt/").content.decode()
    caregiver_page = verified_client(make_persona(Role.CAREGIVER)).get("/ansatt/").content.decode()
    assert 'href="/revisjon/"' in auditor_page
    assert 'href="/revisjon/"' not in caregiver_page
    assert "Revisor" in auditor_page  # the dashboard lists the user's roles


@pytest.mark.slow
def test_seed_demo_makes_one_login_per_role_and_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo", "--scale", "national", "--seed", "1")
    first = capsys.readouterr().out
    call_command("seed_demo", "--scale", "national", "--seed", "1")
    second = capsys.readouterr().out
    assert User.objects.filter(email__endswith="@demo.barneby.example").count() == len(Role)
    assert RoleAssignment.objects.filter(user__email__endswith="@demo.barneby.example").count() == len(Role)
    for role in Role:
        local, _name = DEMO_USERS[role]
        assert f"{local}@demo.barneby.example" in first
        assert str(role.label) in second
    assert {a.role for a in RoleAssignment.objects.all()} == set(Role)


def test_demo_login_works_with_the_printed_password(
    client: Client, capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    # As under `make run` (DEBUG on): the second factor is relaxed, and says so in a banner.
    settings.BARNEBY_REQUIRE_2FA = False
    call_command("seed_demo", "--only", "accounts")
    line = next(line for line in capsys.readouterr().out.splitlines() if "resultat@demo.barneby.example" in line)
    password = line.split("/")[-1].strip()
    response = client.post("/konto/logg-inn/", {"username": "resultat@demo.barneby.example", "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/ansatt/"


def test_norwegian_is_the_default_whatever_the_browser_asks(client: Client) -> None:
    response = client.get("/konto/logg-inn/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "nb"
    assert '<html lang="nb"' in response.content.decode()


def test_the_language_switcher_chooses_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/konto/logg-inn/"})
    assert response.status_code == 302
    page = client.get("/konto/logg-inn/")
    assert page["Content-Language"] == "en"
    assert "Sign in" in page.content.decode()


def test_a_users_own_language_applies_after_sign_in() -> None:
    user = make_persona(Role.ME_ADVISOR)
    user.language = "en"
    user.save()
    response = verified_client(user).get("/ansatt/")
    assert response["Content-Language"] == "en"


def test_form_fields_get_designsystemet_classes_and_error_links(client: Client) -> None:
    html = client.post("/konto/logg-inn/", {"username": "not-an-email", "password": "x"}).content.decode()
    assert 'class="ds-input"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_username_error"' in html


def test_htmx_call_after_the_session_ended_redirects_the_whole_page(client: Client) -> None:
    response = client.get("/revisjon/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/konto/logg-inn/?next=")


def test_a_list_of_checkboxes_is_not_styled_as_one_input_box() -> None:
    from django import forms

    from barneby.core.templatetags.barneby import ds_input

    class Choose(forms.Form):
        pick = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple)
        text = forms.CharField()

    form = Choose()
    boxes = str(ds_input(form["pick"]))
    assert "ds-input" not in boxes
    assert 'class="choice-list"' in boxes
    assert 'type="checkbox"' in boxes
    assert 'class="ds-input"' in str(ds_input(form["text"]))
