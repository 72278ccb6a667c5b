"""A caseworker in Chromium: three siblings, two placed together and one apart, the split justified."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from barneby.care.models import Alert, Child, Decision
from barneby.care.tests import factories as f
from barneby.core.tests.browser import submit
from barneby.core.tests.personas import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def register_child(page: Any, base: str, first_name: str, programme_pk: int) -> Child:
    page.goto(f"{base}/omsorg/barn/ny/")
    page.get_by_label("Ansvarlig program").select_option(str(programme_pk))
    page.get_by_label("Fornavn").fill(first_name)
    page.get_by_label("Etternavn").fill("Fjellheim")
    page.get_by_label("Fødselsdato").fill((dt.date.today() - dt.timedelta(days=9 * 365)).strftime("%d.%m.%Y"))
    page.get_by_label("Kjønn").select_option("female")
    page.get_by_label("Målgruppe").select_option("without_care")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_selector("h1:has-text('Fjellheim')")
    return Child.objects.get(first_name=first_name)


def gatekeep(page: Any, base: str, child: Child) -> None:
    page.goto(f"{base}/omsorg/barn/{child.pk}/inntak/")
    page.get_by_label("Omsorgssvikt").check()
    page.get_by_label("Er alternativ omsorg nødvendig?").fill("Tiltak i hjemmet har ikke hjulpet.")
    page.get_by_label("Er dette tilbudet egnet for barnet?").fill("Fosterhjem nær skolen.")
    page.get_by_label("Konklusjon").select_option("alternative_care")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(f"{base}/omsorg/barn/{child.pk}/")


def place(page: Any, base: str, child: Child, home_pk: int) -> None:
    page.goto(f"{base}/omsorg/barn/{child.pk}/plassering/")
    page.get_by_label("Hjem", exact=True).select_option(str(home_pk))
    page.get_by_label("Vedtatt av").fill("Programleder Hansen")
    page.get_by_label("Vurdering av barnets beste").fill("Trygg og stabil omsorg.")
    page.get_by_label("Barnets syn").fill("Vil bo sammen med søsknene.")
    submit(page.get_by_role("button", name="Lagre"))


def test_caseworker_places_three_siblings_and_justifies_the_split(live_server: Any, page: Any, settings: Any) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    w = f.world()
    base = live_server.url
    page.goto(f"{base}/konto/logg-inn/?next=/omsorg/barn/")
    page.get_by_label("E-post").fill(w.caseworker.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/omsorg/barn/")

    anna, berit, cecilie = (register_child(page, base, name, w.programme.pk) for name in ("Anna", "Berit", "Cecilie"))
    for sibling in (berit, cecilie):
        page.goto(f"{base}/omsorg/barn/{anna.pk}/sosken/")
        page.get_by_label("Søsken", exact=True).select_option(str(sibling.pk))
        page.get_by_label("Type søskenforhold").select_option("full")
        page.get_by_role("button", name="Lagre").click()
        page.wait_for_url(f"{base}/omsorg/barn/{anna.pk}/#siblings")
    for child in (anna, berit, cecilie):
        gatekeep(page, base, child)

    place(page, base, anna, w.home_a.pk)
    place(page, base, berit, w.home_a.pk)
    assert not Alert.objects.filter(rule="R3").exists()
    place(page, base, cecilie, w.home_b.pk)
    # Placing Cecilie apart leads straight to the separation decision, and the split is flagged.
    page.wait_for_url(f"{base}/omsorg/barn/{cecilie.pk}/vedtak/?kind=sibling_separation")
    assert "bor nå ikke sammen med" in page.content()

    page.goto(f"{base}/omsorg/barn/{cecilie.pk}/")
    alert = page.locator("li[data-rule='R3']")
    assert alert.count() == 2  # apart from Anna and from Berit (registered with the whole group)
    assert "mangler begrunnelse" in alert.first.inner_text()
    alert.first.get_by_role("link", name="Rett opp").click()
    page.wait_for_url(f"{base}/omsorg/barn/{cecilie.pk}/vedtak/?kind=sibling_separation")

    page.get_by_label("Vedtatt av").fill("Programleder Hansen")
    page.get_by_label("Vurdering av barnets beste").fill("Ingen ledige hjem med plass til tre.")
    page.get_by_label("Barnets syn").fill("Vil helst bo med søstrene, men liker det nye hjemmet.")
    page.get_by_role("button", name="Lagre").click()
    summary = page.locator(".ds-error-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert "Kontaktplan" in text
    assert "Ny vurdering innen" in text
    assert "Begrunnelse for at søsknene" in text
    assert not Decision.objects.filter(kind="sibling_separation").exists()

    page.get_by_label("Begrunnelse for at søsknene ikke bor sammen").select_option("no_home")
    page.get_by_label("Vurdering av søskenrelasjonen").fill("Nære søstre som leker mye sammen.")
    page.get_by_label("Kontaktplan").fill("Samvær hver helg og video hver onsdag.")
    page.get_by_label("Ny vurdering innen").fill((dt.date.today() + dt.timedelta(days=90)).strftime("%d.%m.%Y"))
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(f"{base}/omsorg/barn/{cecilie.pk}/#decisions")
    assert page.locator("li[data-rule='R3']").count() == 0
    assert page.locator("li[data-rule='R4']").count() == 0
    assert not Alert.objects.filter(rule__in=["R3", "R4"]).exists()
    assert page.csp_violations == []
