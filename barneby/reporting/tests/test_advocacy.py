"""Advocacy tables over the results app's hand-computed world: the counts, the suppression, the downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditAction, AuditEvent
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.models import Programme
from barneby.reporting import advocacy
from barneby.results.tests import fixtures

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def hand() -> fixtures.Hand:
    return fixtures.build(make_persona(Role.CASEWORKER))


def _counts(table: advocacy.Table) -> dict[str, list[int | None]]:
    return {label: table.published.cells[i] for i, label in enumerate(table.rows)}


def test_tables_count_the_results_indicators_by_programme_and_municipality(hand: fixtures.Hand) -> None:
    programmes = Programme.objects.filter(association=hand.association)
    found = {t.slug: t for t in advocacy.tables(programmes, year=2025, today=TODAY, small=1)}
    assert set(found) == set(advocacy.slugs())
    p1 = f"{hand.p1.name} ({hand.p1.code})"
    p2 = f"{hand.p2.name} ({hand.p2.code})"
    # I11: in P1 A lives apart from B, C and D together; in P2 B lives apart from A.
    assert _counts(found["sosken-program"]) == {p1: [2, 1], p2: [0, 1]}
    assert _counts(found["sosken-kommune"]) == {"Bergen (4601)": [2, 1], "Uten samarbeidskommune": [0, 1]}
    assert found["sosken-kommune"].published.total == 4
    # I14: F moved twice; I20: K in aftercare, L not; I30: U1 in time (day 91), U2 not (day 120).
    assert _counts(found["flyttinger-program"])[p1] == [4, 1]
    assert _counts(found["ettervern-program"])[p1] == [1, 1]
    waiting = found["ventetid-program"]
    assert _counts(waiting)[p1] == [1, 1]
    assert waiting.medians == [Decimal("105.5")]
    assert "I11" in found["sosken-program"].indicator_name
    assert found["sosken-program"].definition.startswith("Barn i omsorg med minst ett søsken")


def test_no_published_count_is_below_the_threshold(hand: fixtures.Hand) -> None:
    programmes = Programme.objects.filter(association=hand.association)
    for table in advocacy.tables(programmes, year=2025, today=TODAY, small=5):
        published = table.published
        shown = [c for row in published.cells for c in row]
        shown += [*published.row_totals, *published.column_totals, published.total]
        assert all(v is None or v == 0 or v >= 5 for v in shown), table.slug
        # The median of two children is never shown under a threshold of 5.
        assert table.medians is None or all(m is None for m in table.medians)


def test_page_and_downloads_are_scoped_suppressed_and_audited(hand: fixtures.Hand) -> None:
    director = make_persona(
        Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(hand.association.pk)
    )
    client = verified_client(director)
    page = client.get(reverse("reporting:advocacy", args=[hand.association.pk]) + "?ar=2025")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Søsken plassert sammen" in text
    assert "Håndregnet" not in text  # never a name
    url = reverse("reporting:advocacy-download", args=[hand.association.pk, "sosken-kommune"])
    response = client.get(url + "?ar=2025&format=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][0] == "Kommune"
    assert rows[-1][0] == "I alt"
    assert all(
        cell == ":" or not cell.isdigit() or int(cell) == 0 or int(cell) >= 5 for r in rows[1:] for cell in r[1:]
    )
    xlsx = client.get(url + "?ar=2025&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.cell(row=1, column=1).value == "Kommune"
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=director)
    assert events.count() == 2
    assert all("sosken-kommune 2025" in e.detail for e in events)
    assert client.get(reverse("reporting:advocacy-download", args=[hand.association.pk, "ukjent"])).status_code == 404


def test_a_programme_director_sees_only_their_programme(hand: fixtures.Hand) -> None:
    director = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(hand.p2.pk))
    from barneby.reporting import selectors

    programmes = selectors.association_programmes_for(user=director, association=hand.association)
    assert list(programmes) == [hand.p2]
    tables = {t.slug: t for t in advocacy.tables(programmes, year=2025, today=TODAY, small=1)}
    assert tables["sosken-program"].rows == [f"{hand.p2.name} ({hand.p2.code})"]
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(hand.p1.pk))
    assert verified_client(caseworker).get(reverse("reporting:advocacy", args=[hand.association.pk])).status_code == 403


def test_iati_results_come_from_the_results_app(hand: fixtures.Hand) -> None:
    """A programme with a target for I11 reports it: last year's value as baseline, this year's as actual."""
    from lxml import etree  # type: ignore[import-untyped]

    from barneby.reporting import iati, selectors
    from barneby.reporting.models import IatiActivity, IatiBudget, IatiOrganisation, IatiSector
    from barneby.results.models import Target

    IatiOrganisation.objects.create(association=hand.association, identifier="NO-BRC-912345678")
    activity = IatiActivity.objects.create(
        programme=hand.p1, identifier=f"NO-BRC-912345678-{hand.p1.code}", title_en="Foster homes"
    )
    IatiSector.objects.create(activity=activity, code="16015", percentage=100)
    IatiBudget.objects.create(
        activity=activity,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        value=1000,
        value_date=dt.date(2025, 1, 1),
    )
    Target.objects.create(code="I11", unit=f"programme:{hand.p1.pk}", period="2025", value=Decimal(75))
    Target.objects.create(code="I30", unit="global", period="2025", value=Decimal(90))
    programmes = Programme.objects.filter(pk=hand.p1.pk)
    result = iati.export(
        selectors.activities(programmes, year=2025), today=TODAY, generated=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )
    assert result.ok, (result.problems, result.schema_errors)
    document = etree.fromstring(result.xml)
    found = {i.find("reference").get("code"): i for i in document.findall("iati-activity/result/indicator")}
    i11 = found["I11"]
    assert i11.get("measure") == "2"
    assert i11.find("period/target").get("value") == "75"
    assert i11.find("period/actual").get("value") == "66.7"  # the hand value of P1 (2 of 3)
    assert i11.find("baseline").get("year") == "2024"
    assert i11.find("baseline").get("value") == "100"  # the results app's value for 2024
    # I30 has a target, but no unaccompanied minor was settled in 2024: no baseline, nothing reported.
    assert set(found) == {"I11"}
