"""At 320 px (a small phone, or 1280 px at 400 % zoom) the child page and the proposals do not scroll sideways."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from barneby.care import services
from barneby.care.tests import factories as f
from barneby.core.tests.personas import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
DAY = dt.timedelta(days=1)

# What stands wider than the viewport, for the failure message.
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 40).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_child_page_and_proposals_fit_320_px(live_server: Any, page: Any, settings: Any) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    w = f.world()
    w.home_a.capacity, w.home_a.takes_sibling_groups, w.home_a.max_sibling_group_size = 4, True, 4
    w.home_a.name = "Familiehjemmet på Storhaugen i Stavanger kommune"
    w.home_a.latitude, w.home_a.longitude = Decimal("60.39"), Decimal("5.32")
    w.home_a.save()
    kids = [
        f.child(w.programme, w.caseworker, first_name=name, last_name="Kristiansen-Johannessen")
        for name in ("Marie-Louise", "Fredrik", "Sofie")
    ]
    services.sibling_link_group(actor=w.caseworker, child=kids[0], other=kids[1], kind="full")
    services.sibling_link_group(actor=w.caseworker, child=kids[2], other=kids[0], kind="half")
    for kid in kids:
        f.gatekeep(kid, w.caseworker)
    placed = kids[2]
    f.place(placed, w.home_b, w.caseworker, dt.date.today() - 300 * DAY)
    f.place(placed, w.home_small, w.caseworker, dt.date.today() - 30 * DAY, capacity_override="Midlertidig")

    page.set_viewport_size({"width": 320, "height": 640})
    base = live_server.url
    page.goto(f"{base}/konto/logg-inn/?next=/omsorg/barn/{placed.pk}/")
    page.get_by_label("E-post").fill(w.caseworker.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/omsorg/barn/{placed.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.evaluate(WIDE)

    page.goto(f"{base}/omsorg/barn/{kids[0].pk}/")
    page.get_by_role("button", name="Foreslå hjem").click()
    page.wait_for_url("**/plassering/kjoring/*/")
    page.wait_for_selector("section.proposal")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.evaluate(WIDE)
