"""The IATI rules the schema cannot check, and the XML against the official 2.03 schema (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from lxml import etree  # type: ignore[import-untyped]

from barneby.reporting import iati

TODAY = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)


def activity(**changes: object) -> iati.Activity:
    base = iati.Activity(
        programme_code="NO-SIB-BGO",
        programme_name="Fosterhjem for søsken – Bergen",
        org_identifier="NO-BRC-971277882",
        org_type="22",
        org_name_nb="SOS-barnebyer Norge",
        org_name_en="SOS Children's Villages Norway",
        identifier="NO-BRC-971277882-NO-SIB-BGO",
        title_nb="Fosterhjem for søsken – Bergen",
        title_en="Foster homes for sibling groups",
        description_nb="",
        description_en="",
        status="2",
        start=dt.date(2015, 1, 1),
        end=None,
        country="NO",
        sectors=(iati.Sector("1", "16015", Decimal(80)), iati.Sector("1", "15160", Decimal(20))),
        budgets=(
            iati.Budget(
                "1", "1", dt.date(2025, 1, 1), dt.date(2025, 12, 31), Decimal("13000000"), "NOK", dt.date(2025, 1, 1)
            ),
            iati.Budget(
                "1", "1", dt.date(2026, 1, 1), dt.date(2026, 12, 31), Decimal("13500000.50"), "NOK", dt.date(2026, 1, 1)
            ),
        ),
        indicators=(
            iati.Indicator(
                code="I11",
                title_nb="Søsken plassert sammen",
                title_en="Siblings placed together",
                measure="2",
                ascending=True,
                baseline_year=2024,
                baseline=Decimal("55.0"),
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 12, 31),
                target=Decimal(70),
                actual=Decimal("63.6"),
            ),
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_good_activity_passes_the_rules_and_the_schema() -> None:
    assert iati.check(activity(), today=TODAY) == []
    result = iati.export([activity()], today=TODAY, generated=NOW)
    assert result.ok
    assert result.activities == 1
    document = etree.fromstring(result.xml)
    assert iati.schema().validate(document)
    assert document.findtext("iati-activity/iati-identifier") == "NO-BRC-971277882-NO-SIB-BGO"
    titles = document.findall("iati-activity/title/narrative")
    assert [t.text for t in titles] == ["Fosterhjem for søsken – Bergen", "Foster homes for sibling groups"]
    assert titles[1].get(iati.XML_LANG) == "en"
    assert [s.get("percentage") for s in document.findall("iati-activity/sector")] == ["80", "20"]
    assert document.find("iati-activity/budget/value").text == "13000000"
    period = document.find("iati-activity/result/indicator/period")
    assert period is not None
    assert period.find("target").get("value") == "70"
    assert period.find("actual").get("value") == "63.6"
    assert document.find("iati-activity/activity-date").get("type") == "2"


def test_no_sector_is_reported_and_left_out() -> None:
    broken = activity(sectors=())
    result = iati.export([activity(identifier="NO-BRC-971277882-OK"), broken], today=TODAY, generated=NOW)
    assert result.activities == 1
    assert [p.message for p in result.problems] == ["Programmet har ingen DAC-sektor."]
    assert result.problems[0].programme_code == "NO-SIB-BGO"
    assert b"NO-BRC-971277882-NO-SIB-BGO" not in result.xml


def test_a_budget_over_a_year_is_reported() -> None:
    long = iati.Budget("1", "1", dt.date(2026, 1, 1), dt.date(2027, 1, 1), Decimal(1), "NOK", dt.date(2026, 1, 1))
    assert iati.check(activity(budgets=(long,)), today=TODAY) == [
        "Budsjettperioden 01.01.2026–01.01.2027 er lengre enn ett år; del budsjettet opp i år."
    ]
    a_year = replace(long, end=dt.date(2026, 12, 31))
    assert iati.check(activity(budgets=(a_year,)), today=TODAY) == []
    leap = iati.Budget("1", "1", dt.date(2024, 2, 29), dt.date(2025, 2, 27), Decimal(1), "NOK", dt.date(2024, 2, 29))
    assert iati.check(activity(budgets=(leap,)), today=TODAY) == []


def test_sector_shares_must_add_up_to_100_per_vocabulary() -> None:
    sectors = (
        iati.Sector("1", "16015", Decimal(80)),
        iati.Sector("1", "15160", Decimal(30)),
        iati.Sector("2", "160", Decimal(100)),
    )
    assert iati.check(activity(sectors=sectors), today=TODAY) == [
        "Sektorandelene i kodelisten DAC 5 er til sammen 110 %, ikke 100 %."
    ]
    assert iati.check(activity(sectors=(iati.Sector("1", "160", Decimal(100)),)), today=TODAY) == [
        "Sektorkoden 160 skal ha 5 sifre i kodelisten DAC 5."
    ]


def test_identifier_must_start_with_the_reporting_organisations() -> None:
    assert iati.check(activity(identifier="SE-ORG-1-NO-SIB-BGO"), today=TODAY) == [
        "IATI-identifikatoren SE-ORG-1-NO-SIB-BGO begynner ikke med rapportørens identifikator NO-BRC-971277882-."
    ]
    assert iati.check(activity(identifier="NO-BRC-971277882X"), today=TODAY) != []


def test_missing_data_and_dates_out_of_order() -> None:
    assert iati.check(activity(org_identifier=None), today=TODAY)[0].startswith("Medlemsorganisasjonen har ingen")
    assert iati.check(activity(identifier=None), today=TODAY)[0].startswith("Programmet har ingen IATI-opplysninger")
    assert "Programmet har ikke noe budsjett." in iati.check(activity(budgets=()), today=TODAY)
    assert iati.check(activity(budgets=(), status="4", end=dt.date(2020, 1, 1)), today=TODAY) == []
    assert iati.check(activity(end=dt.date(2014, 1, 1)), today=TODAY) == [
        "Programmet slutter 01.01.2014, før det begynner 01.01.2015."
    ]
    assert iati.check(activity(status="4"), today=TODAY) == [
        "Programmet er avsluttet, men har ingen passert sluttdato."
    ]


def test_overlapping_budgets_and_indicators_without_a_target() -> None:
    first = iati.Budget("1", "1", dt.date(2026, 1, 1), dt.date(2026, 12, 31), Decimal(1), "NOK", dt.date(2026, 1, 1))
    second = replace(first, start=dt.date(2026, 7, 1), end=dt.date(2027, 6, 30))
    revised = replace(first, type="2")
    assert iati.check(activity(budgets=(first, second)), today=TODAY) == [
        "Budsjettperiodene som begynner 01.01.2026 og 01.07.2026 overlapper."
    ]
    assert iati.check(activity(budgets=(first, revised)), today=TODAY) == []
    no_target = replace(activity().indicators[0], target=None)
    assert iati.check(activity(indicators=(no_target,)), today=TODAY) == [
        "Indikatoren I11 mangler utgangsverdi eller mål for 2026."
    ]


def test_a_duplicate_identifier_is_a_problem() -> None:
    result = iati.export([activity(), activity(programme_code="OTHER")], today=TODAY, generated=NOW)
    assert result.activities == 1
    assert result.problems[0].programme_code == "OTHER"
    assert "brukes også av programmet NO-SIB-BGO" in result.problems[0].message


def test_the_schema_catches_what_our_builder_would_get_wrong() -> None:
    """The gate is real: an element out of the schema's order is refused."""
    element = iati.activity_element(activity(), today=TODAY)
    root = etree.Element("iati-activities", {"version": "2.03"})
    root.append(element)
    assert iati.validate(root) == []
    title = element.find("title")
    assert title is not None
    element.remove(title)
    element.append(title)
    assert iati.validate(root) != []


def test_planned_dates_before_the_programme_starts_or_ends() -> None:
    element = iati.activity_element(activity(start=dt.date(2027, 1, 1), end=dt.date(2030, 12, 31)), today=TODAY)
    assert [d.get("type") for d in element.findall("activity-date")] == ["1", "3"]
