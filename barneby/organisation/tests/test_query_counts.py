"""Every list page runs the same number of queries for 10 and for 200 rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from barneby.accounts.roles import Role
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.models import Competence
from barneby.organisation.tests import factories as f

pytestmark = pytest.mark.django_db


def _programmes(n: int) -> None:
    assoc = f.association()
    for _ in range(n):
        f.programme(assoc, f.location(assoc))


def _homes(n: int) -> None:
    assoc = f.association()
    programme = f.programme(assoc)
    competences = list(Competence.objects.all()[:2])
    for _ in range(n):
        f.home(f.programme(assoc, programme.location) if _ % 7 == 0 else programme).competences.set(competences)


def _staff(n: int) -> None:
    assoc = f.association()
    programme = f.programme(assoc)
    home = f.home(programme)
    for _ in range(n):
        f.staff(assoc, programme=programme, home=home)


def _locations(n: int) -> None:
    assoc = f.association()
    for _ in range(n):
        f.location(assoc, municipality=f.bergen())


def _associations(n: int) -> None:
    for _ in range(n):
        f.programme(f.association())


def _trainings(n: int) -> None:
    import datetime as dt

    from django.utils import timezone

    from barneby.organisation.models import Training

    assoc = f.association()
    programme = f.programme(assoc)
    today = timezone.localdate()
    for _ in range(n):
        person = f.staff(assoc, programme=programme)
        Training.objects.create(
            staff=person,
            title="Førstehjelp",
            completed_on=today - dt.timedelta(days=300),
            expires_on=today + dt.timedelta(days=5),
        )


PAGES: dict[str, tuple[str, Callable[[int], None]]] = {
    "programmes": ("/organisasjon/programmer/", _programmes),
    "homes": ("/organisasjon/hjem/", _homes),
    "staff": ("/organisasjon/ansatte/", _staff),
    "locations": ("/organisasjon/steder/", _locations),
    "associations": ("/organisasjon/medlemsorganisasjoner/", _associations),
    "trainings": ("/organisasjon/opplaering/utloper/", _trainings),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_list_page_query_count_is_constant(page: str) -> None:
    url, make = PAGES[page]
    client = verified_client(make_persona(Role.AUDITOR))
    make(10)
    client.get(url)
    with CaptureQueriesContext(connection) as ten:
        first = client.get(url)
    make(190)
    with CaptureQueriesContext(connection) as two_hundred:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert "Side 1 av" in second.content.decode()
    assert len(ten) == len(two_hundred), [q["sql"][:120] for q in two_hundred.captured_queries]
