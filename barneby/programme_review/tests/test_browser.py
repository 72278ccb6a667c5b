"""In Chromium: a national director closes a programme review with "hand over", sees R28 until every participant
has an alternative provider of schooling and health care, enters them, and R28 clears."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from barneby.accounts.roles import Role, ScopeKind
from barneby.care.models import Child, ChildStatus
from barneby.care.tests import factories as f
from barneby.core.tests.personas import PASSWORD, make_persona
from barneby.organisation.models import ProgrammeStatus
from barneby.programme_review import services
from barneby.programme_review.models import Assessment

pytestmark = pytest.mark.django_db(transaction=True)


def test_national_director_hands_over_a_programme_and_clears_r28(live_server: Any, page: Any, settings: Any) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    w = f.world()
    national = make_persona(
        Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(w.programme.association_id)
    )
    ada = f.child(w.programme, w.caseworker, first_name="Ada")
    f.gatekeep(ada, w.caseworker)
    f.place(ada, w.home_a, w.caseworker, f.years_ago(1))
    bo = f.child(w.programme, w.caseworker, first_name="Bo")
    Child.objects.filter(pk=bo.pk).update(status=ChildStatus.FAMILY_STRENGTHENING)
    today = dt.date.today()
    review_round = services.round_open(
        actor=national, name="Gjennomgang nettleser", year=today.year, deadline=today, run_by="Kvalitet"
    )
    assessment = Assessment.objects.get(round=review_round, programme=w.programme)

    base = live_server.url
    page.goto(f"{base}/konto/logg-inn/?next=/programgjennomgang/vurdering/{assessment.pk}/")
    page.get_by_label("E-post").fill(national.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/programgjennomgang/vurdering/{assessment.pk}/")

    page.get_by_role("link", name="Vurder programmet").click()
    for label, score in (
        ("Relevans", "3"),
        ("Resultater mot mål", "3"),
        ("Kostnad per deltaker", "2"),
        ("Lokal kapasitet", "4"),
        ("Bærekraft", "4"),
    ):
        page.get_by_label(label, exact=True).select_option(score)
    page.get_by_label("Kommentar til lokal kapasitet").fill("Kommunen har bygd opp egne tilbud.")
    page.get_by_role("button", name="Lagre vurderingen").click()
    page.wait_for_url(f"{base}/programgjennomgang/vurdering/{assessment.pk}/")
    assert "Vurderingen er lagret." in page.content()

    page.get_by_role("link", name="Beslutt").click()
    page.get_by_label("Beslutning").select_option("hand_over_authorities")
    page.get_by_label("Mottaker").fill("Bergen kommune")
    page.get_by_label("Gjelder fra").fill((today + dt.timedelta(days=90)).strftime("%d.%m.%Y"))
    page.get_by_label("Begrunnelse").fill("Kommunen tar over tilbudet; ressursene går til omsorg.")
    page.get_by_role("button", name="Lagre beslutningen").click()
    page.wait_for_url(f"{base}/programgjennomgang/program/{w.programme.pk}/plan/")
    w.programme.refresh_from_db()
    assert w.programme.status == ProgrammeStatus.HANDED_OVER

    alert = page.locator('[data-rule="R28"]')
    assert alert.is_visible()
    assert "2 av 2 deltakere mangler" in alert.inner_text()
    for name, school, health in (
        ("Ada", "Slettebakken skole", "Helsestasjonen Årstad"),
        ("Bo", "Fridalen skole", "Fastlege Bergen sentrum"),
    ):
        page.get_by_role("link", name=f"Registrer for {name}").click()
        page.get_by_label("Skole eller barnehage etterpå").fill(school)
        page.get_by_label("Helsetilbud etterpå").fill(health)
        page.get_by_label("Fra dato").fill((today + dt.timedelta(days=90)).strftime("%d.%m.%Y"))
        page.get_by_role("button", name="Lagre").click()
        page.wait_for_url(f"**/programgjennomgang/program/{w.programme.pk}/plan/**")
        if name == "Ada":
            assert "1 av 2 deltakere mangler" in page.locator('[data-rule="R28"]').inner_text()
    assert page.locator('[data-rule="R28"]').count() == 0
    assert "Alle deltakerne har et alternativt skole- og helsetilbud registrert." in page.content()
    assert "Fridalen skole" in page.content()
    assert page.csp_violations == []
