"""The editor (Wagtail at /cms/): the communications role only, through Barneby's sign-in, and the review workflow."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from barneby.accounts.roles import ALL_ROLES, WEBSITE_EDITORS, Role
from barneby.core.tests.personas import make_persona, verified_client
from barneby.website.models import ThemePage

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_barnebys_own_sign_in(home: Any, client: Client) -> None:
    for url in ("/cms/", "/cms/login/", "/cms/pages/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/konto/logg-inn/?next=/cms/"), url


@pytest.mark.parametrize("role", sorted(ALL_ROLES - WEBSITE_EDITORS), ids=lambda r: r.value)
def test_no_other_role_reaches_the_editor(home: Any, role: Role) -> None:
    client = verified_client(make_persona(role))
    for url in ("/cms/", "/cms/login/", "/cms/pages/", "/cms/images/"):
        assert client.get(url).status_code == 404, (role, url)


def test_a_caseworker_gets_404_not_a_login_page(home: Any) -> None:
    response = verified_client(make_persona(Role.CASEWORKER)).get("/cms/")
    assert response.status_code == 404
    assert "password" not in response.content.decode().lower()


def test_an_editor_needs_the_second_factor(home: Any, client: Client) -> None:
    client.force_login(make_persona(Role.COMMUNICATIONS))
    response = client.get("/cms/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/tofaktor/"


def test_an_editor_reaches_the_editor_and_the_start_page_links_it(home: Any) -> None:
    client = verified_client(make_persona(Role.COMMUNICATIONS))
    assert client.get("/cms/").status_code == 200
    assert 'href="/cms/"' in client.get("/ansatt/").content.decode()


def test_opening_the_sign_out_address_does_not_sign_an_editor_out(home: Any) -> None:
    """Only a POST signs out: Wagtail's own view deleted the session cookie on a refused GET."""
    client = verified_client(make_persona(Role.COMMUNICATIONS))
    response = client.get("/cms/logout/")
    assert response.status_code == 405
    cookie = response.cookies.get("sessionid")
    assert cookie is None or cookie.value  # not deleted
    assert client.get("/cms/").status_code == 200


def test_wagtails_own_password_reset_is_not_offered(home: Any) -> None:
    client = verified_client(make_persona(Role.COMMUNICATIONS))
    assert client.get("/cms/password_reset/").status_code == 404


def _add_theme_page(client: Client, parent: Any, action: str) -> Any:
    url = f"/cms/pages/add/website/themepage/{parent.pk}/"
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "title": "Fosterhjem for søsken",
        "slug": "fosterhjem-for-sosken",
        "intro": "Om hjem der søsken kan bo sammen.",
        "image": "",
        "image_alt": "",
        "body-count": "1",
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-type": "text",
        "body-0-id": "00000000-0000-0000-0000-000000000001",
        "body-0-value": '{"blocks":[{"key":"a","text":"Søsken hører sammen.","type":"unstyled","depth":0,'
        '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
        action: "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ThemePage.objects.get(slug="fosterhjem-for-sosken")


def test_an_editor_publishes_a_theme_page_through_the_review_workflow(home: Any) -> None:
    writer = verified_client(make_persona(Role.COMMUNICATIONS))
    reviewer = verified_client(make_persona(Role.COMMUNICATIONS))

    # An editor cannot publish directly: "publish" saves a draft.
    draft = _add_theme_page(writer, home, "action-publish")
    assert not draft.live
    draft.delete()

    page = _add_theme_page(writer, home, "action-submit")
    assert not page.live
    state = page.current_workflow_state
    assert state is not None
    assert state.workflow.name == "Godkjenning"
    assert state.current_task_state.task.name == "Godkjenning av kommunikasjon"
    assert Client().get("/fosterhjem-for-sosken/").status_code == 404  # not public before review

    task_state = state.current_task_state
    # The writer cannot approve their own page (four eyes).
    own = writer.post(f"/cms/pages/workflow/action/{page.pk}/approve/{task_state.pk}/", {"comment": ""})
    assert own.status_code == 302
    page.refresh_from_db()
    assert not page.live

    response = reviewer.post(
        f"/cms/pages/workflow/action/{page.pk}/approve/{task_state.pk}/", {"comment": "Ser bra ut."}
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert "Søsken hører sammen." in Client().get("/fosterhjem-for-sosken/").content.decode()
