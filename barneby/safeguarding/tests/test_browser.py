"""In Chromium: a visitor reports anonymously, a focal point acknowledges and asks a question, the visitor
comes back with the case code and secret and answers. axe finds nothing on the public form."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from barneby.accounts.roles import Role, ScopeKind
from barneby.core.tests.browser import submit
from barneby.core.tests.personas import PASSWORD, make_persona
from barneby.organisation.tests import factories as org
from barneby.safeguarding import forms
from barneby.safeguarding.models import CaseEvent, Concern, EventKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_report_question_and_answer(
    live_server: Any, browser: Any, page: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    monkeypatch.setattr(forms, "MIN_SECONDS", 0)  # the time check against bots, not against a test
    association = org.association(name="SOS Barnebyer Norge", country="NO")
    focal = make_persona(Role.SAFEGUARDING_FOCAL_POINT, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(association.pk))
    base = live_server.url

    page.goto(f"{base}/varsling/meld/")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_label("Hvilket land eller hvilken organisasjon gjelder det?").select_option(label=association.name)
    page.get_by_label("Hva gjelder det?").select_option("neglect")
    page.get_by_label("Hva skjedde?").fill("Et barn i nabohuset er alene hjemme om nettene.")
    page.get_by_label("Gjelder det et barn?").select_option("yes")
    submit(page.get_by_role("button", name="Send anonymt"))
    code = page.get_by_test_id("case-code").inner_text()
    secret = page.get_by_test_id("case-secret").inner_text()
    assert page.context.cookies() == [] or {c["name"] for c in page.context.cookies()} <= {"csrftoken"}
    concern = Concern.objects.get(code=code)

    staff = browser.new_context(locale="nb-NO")
    desk = staff.new_page()
    desk.goto(f"{base}/konto/logg-inn/?next=/varsling/saker/")
    desk.get_by_label("E-post").fill(focal.email)
    desk.get_by_label("Passord").fill(PASSWORD)
    desk.locator("main").get_by_role("button", name="Logg inn").click()
    desk.wait_for_url(f"{base}/varsling/saker/")
    desk.get_by_role("link", name=code).click()
    submit(desk.get_by_role("button", name="Bekreft mottak"))
    assert "Mottaket er bekreftet" in desk.content()
    desk.get_by_label("Melding til den som varslet").fill("Takk. Hvilken adresse gjelder det?")
    submit(desk.get_by_role("button", name="Send melding"))
    assert "Meldingen er sendt" in desk.content(), desk.locator("main").inner_text()
    staff.close()

    visitor = browser.new_context(locale="nb-NO").new_page()
    visitor.goto(f"{base}/varsling/min-sak/")
    visitor.get_by_label("Saksnummer").fill(code)
    visitor.get_by_label("Hemmelig kode").fill(secret)
    submit(visitor.get_by_role("button", name="Åpne saken"))
    assert "Hvilken adresse gjelder det?" in visitor.content()
    visitor.get_by_label("Din melding").fill("Storgata 5, andre etasje.")
    submit(visitor.get_by_role("button", name="Send", exact=True))
    assert "Takk, det du skrev er lagt til saken" in visitor.content()
    answer = CaseEvent.objects.get(concern=concern, kind=EventKind.REPORTER)
    assert answer.text == "Storgata 5, andre etasje."
    assert answer.actor is None
    assert page.csp_violations == []
