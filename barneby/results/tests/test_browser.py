"""A national director in Chromium: opens Bergen's status report, writes its text, and downloads the PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditAction, AuditEvent
from barneby.core.tests.pdfs import pdf_text
from barneby.core.tests.personas import PASSWORD, make_persona
from barneby.results.tests import fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_national_director_downloads_the_status_report_pdf(
    live_server: Any, page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    hand = fixtures.build(make_persona(Role.CASEWORKER))
    director = make_persona(
        Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(hand.association.pk)
    )
    year = dt.date.today().year - 1
    base = live_server.url
    page.goto(f"{base}/konto/logg-inn/?next=/resultater/tilstandsrapport/")
    page.get_by_label("E-post").fill(director.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/resultater/tilstandsrapport/")

    page.get_by_role("link", name=f"Bergen (4601), {year}").click()
    page.wait_for_selector("h1:has-text('Tilstandsrapport')")
    # The chart is drawn on the server as accessible SVG, with the same numbers in the tables.
    assert page.locator("svg[role='img'] title").count() == 1
    assert page.locator("table.ds-table").count() >= 6
    assert "Håndregnet" not in page.content()

    page.get_by_label("Kommentar til rapporten").fill("Godt samarbeid med barneverntjenesten i Bergen.")
    page.get_by_role("button", name="Lagre teksten").click()
    page.wait_for_selector("text=Godt samarbeid med barneverntjenesten")

    with page.expect_download() as info:
        page.get_by_role("link", name="Last ned PDF").click()
    download = info.value
    assert download.suggested_filename == f"tilstandsrapport-4601-{year}.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    content = target.read_bytes()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "StructTreeRoot" in text  # tagged
    assert "pdfuaid" in text  # declared PDF/UA
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="results.statusreport", object_id="4601", actor=director
    ).exists()
