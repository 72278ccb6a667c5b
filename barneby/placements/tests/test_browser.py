"""In Chromium: the best three proposals for three siblings, read the explanation, choose one, the form opens prefilled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from barneby.care import services as care
from barneby.care.models import Placement
from barneby.care.tests import factories as f
from barneby.core.tests.personas import PASSWORD
from barneby.placements.models import MatchingRun

pytestmark = pytest.mark.django_db(transaction=True)


def test_caseworker_chooses_a_proposal_for_three_siblings(live_server: Any, page: Any, settings: Any) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    w = f.world()
    w.home_a.capacity, w.home_a.takes_sibling_groups, w.home_a.max_sibling_group_size = 3, True, 3
    w.home_a.latitude, w.home_a.longitude = Decimal("60.39"), Decimal("5.32")
    w.home_a.save()
    kids = [f.child(w.programme, w.caseworker, first_name=name) for name in ("Frida", "Gunnar", "Hedda")]
    care.sibling_link_group(actor=w.caseworker, child=kids[0], other=kids[1], kind="full")
    care.sibling_link_group(actor=w.caseworker, child=kids[2], other=kids[0], kind="full")
    for kid in kids:
        f.gatekeep(kid, w.caseworker)

    base = live_server.url
    page.goto(f"{base}/konto/logg-inn/?next=/omsorg/barn/{kids[0].pk}/")
    page.get_by_label("E-post").fill(w.caseworker.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/omsorg/barn/{kids[0].pk}/")
    page.get_by_role("button", name="Foreslå hjem").click()
    page.wait_for_url("**/plassering/kjoring/*/")

    assert page.locator("section.proposal").count() == 3  # the best three
    for rank in (1, 2, 3):
        assert page.get_by_role("button", name=f"Velg forslag {rank}").is_visible()
        assert page.locator(f"dl.costs[data-rank='{rank}']").is_visible()
    best = page.locator("section.proposal[data-rank='1']")
    assert "søsknene bor sammen" in best.locator("h2").inner_text()
    explanation = best.locator("td.explanation").first.inner_text()
    assert "Søsknene bor sammen" in explanation
    assert w.home_a.name in best.inner_text()

    best.get_by_role("button", name="Velg forslag 1").click()
    page.wait_for_url(f"**/omsorg/barn/{kids[0].pk}/plassering/?proposal=*")
    assert page.get_by_label("Hjem", exact=True).input_value() == str(w.home_a.pk)
    assert page.get_by_label("Type plassering").input_value() == "foster"
    assert "Forslaget er valgt" in page.content()

    # Saving the placement accepts the proposal; the run page then links the siblings' forms from it.
    run_url = f"{base}/plassering/kjoring/{MatchingRun.objects.get().pk}/"
    page.get_by_label("Vedtatt av").fill("Programleder Test")
    page.get_by_label("Vurdering av barnets beste").fill("Søsknene kan bo sammen i et trygt hjem.")
    page.get_by_label("Hvordan barnet ble hørt").select_option("alone")
    page.get_by_label("Barnets syn").fill("Vil bo med søsknene sine.")
    page.get_by_label("Barnet er forberedt på flyttingen").check()
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(f"**/omsorg/barn/{kids[0].pk}/**")
    placement = Placement.objects.get(child=kids[0])
    assert placement.proposal is not None
    assert placement.proposal.accepted_at is not None
    page.goto(run_url)
    page.get_by_role("link", name="Plasser Gunnar").click()
    page.wait_for_url(f"**/omsorg/barn/{kids[1].pk}/plassering/?proposal=*")
    assert page.get_by_label("Hjem", exact=True).input_value() == str(w.home_a.pk)
    assert page.csp_violations == []
