"""A caregiver's work is their own home: the register's lists and exports are neither in their menu nor open to them."""

from __future__ import annotations

import pytest

from barneby.accounts.roles import Role, ScopeKind
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.tests import factories as f

pytestmark = pytest.mark.django_db
REGISTER = [
    "/organisasjon/medlemsorganisasjoner/",
    "/organisasjon/medlemsorganisasjoner/eksport/",
    "/organisasjon/steder/",
    "/organisasjon/steder/eksport/",
    "/organisasjon/programmer/",
    "/organisasjon/programmer/eksport/",
    "/organisasjon/hjem/",
    "/organisasjon/hjem/eksport/",
    "/organisasjon/ansatte/",
    "/organisasjon/ansatte/eksport/",
    "/organisasjon/opplaering/utloper/",
]


def test_caregiver_menu_shows_their_home_and_no_register() -> None:
    association = f.association(country="NO")
    home = f.home(f.programme(association), name="Solsikken")
    caregiver = make_persona(Role.CAREGIVER, scope_kind=ScopeKind.HOME, scope_key=str(home.pk))
    client = verified_client(caregiver)
    html = client.get("/ansatt/").content.decode()
    assert "/omsorg/mitt-hjem/" in html or "Mitt hjem" in html
    for url in REGISTER:
        assert f'href="{url}"' not in html, url
        assert client.get(url).status_code == 403, url
    assert client.get(f"/organisasjon/programmer/{home.programme_id}/").status_code == 403
