"""Tax-deduction report (RF-1310) against hand-computed cases, its three file formats and its pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from pytest_django import Settings
from stdnum.no import fodselsnummer

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditEvent
from barneby.core.identity import person_number_error
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising import services, taxreport
from barneby.fundraising.models import (
    Gift,
    Payment,
    PaymentAgreement,
    PaymentSource,
    PaymentStatus,
    Supporter,
    SupporterKind,
    TaxReporter,
)
from barneby.fundraising.taxreport import LeftOutReason, build_tax_report, default_year
from barneby.fundraising.tests import factories as f
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db

YEAR = 2025
NS = "{urn:ske:fastsetting:innsamling:gavefrivilligorganisasjon:v2}"
REPORTER = "313874664"  # Skatteetaten's example organisation number (valid MOD11)
COMPANY_ORGNR = "988077917"


def synthetic_fnr(day: int, month: int, year: int, individual: int = 500) -> str:
    """A Tenor-style synthetic fødselsnummer (month + 80) with valid check digits."""
    for number in range(individual, 1000):
        base = f"{day:02d}{month + 80:02d}{year % 100:02d}{number:03d}"
        k1 = fodselsnummer.calc_check_digit1(base)
        candidate = base + k1 + fodselsnummer.calc_check_digit2(base + k1)
        if len(candidate) == 11 and person_number_error(candidate, allow_synthetic=True) is None:
            return candidate
    raise AssertionError("no synthetic number found")


def pay(
    sup: Supporter,
    amount: str | Decimal,
    paid: dt.date,
    *,
    agreement: PaymentAgreement | None = None,
    status: str = PaymentStatus.MATCHED,
) -> Payment:
    matched = status != PaymentStatus.UNMATCHED
    return Payment.objects.create(
        association=sup.association,
        source=PaymentSource.MANUAL,
        kid=agreement.kid if agreement else "",
        amount=Decimal(amount),
        paid_date=paid,
        status=status,
        supporter=sup if matched else None,
        agreement=agreement if matched else None,
    )


def monthly(sup: Supporter, agreement: PaymentAgreement, amount: str, months: int = 12, year: int = YEAR) -> None:
    for month in range(1, months + 1):
        pay(sup, amount, dt.date(year, month, 20), agreement=agreement)


@dataclass
class Donors:
    under: Supporter
    capped: Supporter
    several: Supporter
    company: Supporter
    missing: Supporter
    invalid: Supporter
    survivor: Supporter
    duplicate: Supporter
    older_duplicate: Supporter
    anonymised: Supporter
    foreign: Supporter


@pytest.fixture
def donors(association: MemberAssociation, other_association: MemberAssociation) -> Donors:
    """The hand-computed cases for income year 2025 (expected figures in the comments)."""
    under = f.supporter(association, last_name="Under", national_id=synthetic_fnr(1, 2, 1980))
    pay(under, "200.00", dt.date(YEAR, 3, 1))
    pay(under, "250.00", dt.date(YEAR, 9, 1))  # 450 < 500: left out, under the minimum

    capped = f.supporter(association, last_name="Rik", national_id=synthetic_fnr(2, 3, 1970))
    monthly(capped, f.agreement(capped, amount="2500.00"), "2500.00")  # 30 000 → capped at 25 000

    several = f.supporter(association, last_name="Flerfadder", national_id=synthetic_fnr(3, 4, 1985))
    monthly(several, f.agreement(several, amount="350.00"), "350.00")  # 4 200
    monthly(several, f.agreement(several, amount="200.00"), "200.00")  # 2 400
    gift_payment = pay(several, "500.00", dt.date(YEAR, 6, 1))  # to the gift KID: 500 …
    Gift.objects.create(
        supporter=several, amount=Decimal("500.00"), date=dt.date(YEAR, 6, 1), channel="giro", payment=gift_payment
    )  # … counted once, through the payment
    Gift.objects.create(supporter=several, amount=Decimal("1000.75"), date=dt.date(YEAR, 12, 24), channel="cash")
    pay(several, "999.00", dt.date(YEAR - 1, 12, 31))  # last year: not counted
    pay(several, "777.00", dt.date(YEAR, 5, 5), status=PaymentStatus.UNMATCHED)  # unmatched: not counted
    # 4 200 + 2 400 + 500 + 1 000,75 = 8 100,75 → 8 100 whole kroner

    company = f.supporter(
        association,
        kind=SupporterKind.COMPANY,
        company_name="Gavmild AS",
        last_name="",
        organisation_number=COMPANY_ORGNR,
    )
    Gift.objects.create(
        supporter=company, amount=Decimal("5000.00"), date=dt.date(YEAR, 11, 1), channel="bank_transfer"
    )

    missing = f.supporter(association, last_name="Utennummer")
    pay(missing, "1200.00", dt.date(YEAR, 4, 1))  # left out: no identity number

    invalid = f.supporter(association, last_name="Feilnummer", national_id="15108695089")
    pay(invalid, "1200.00", dt.date(YEAR, 4, 1))  # left out: wrong check digits

    survivor = f.supporter(association, last_name="Dobbel", national_id=synthetic_fnr(4, 5, 1990))
    duplicate = f.supporter(association, last_name="Dobbel", merged_into=survivor)
    older_duplicate = f.supporter(association, last_name="Dobbel", merged_into=duplicate)
    pay(survivor, "300.00", dt.date(YEAR, 2, 1))
    pay(duplicate, "400.00", dt.date(YEAR, 3, 1))
    pay(older_duplicate, "100.00", dt.date(YEAR, 4, 1))  # 300 + 400 + 100 = 800, one line for the survivor

    anonymised = f.supporter(association, last_name="", is_anonymised=True)
    pay(anonymised, "1000.00", dt.date(YEAR, 5, 1))  # left out: anonymised

    foreign = f.supporter(other_association, last_name="Svensson", national_id=synthetic_fnr(5, 6, 1975))
    pay(foreign, "5000.00", dt.date(YEAR, 5, 1))  # another association: not in ours at all

    return Donors(
        under, capped, several, company, missing, invalid, survivor, duplicate, older_duplicate, anonymised, foreign
    )


@pytest.fixture
def reporter(settings: Settings) -> None:
    settings.FUNDRAISING_ORGANISATION_NUMBER = REPORTER
    settings.FUNDRAISING_TAX_CONTACT = {
        "navn": "Kari Kontakt",
        "telefonnummer": "80080000",
        "varselEpostadresse": "kontakt@example.org",
        "varselSmsMobilnummer": "",
    }


def test_report_matches_the_hand_computed_cases(association: MemberAssociation, donors: Donors) -> None:
    report = build_tax_report(association=association, year=YEAR)
    lines = {line.donor.supporter_id: line for line in report.lines}
    assert {pk: line.amount for pk, line in lines.items()} == {
        donors.capped.pk: 25000,
        donors.several.pk: 8100,
        donors.company.pk: 5000,
        donors.survivor.pk: 800,
    }
    assert report.reported_count == 4
    assert report.total_amount == 38900
    assert lines[donors.capped.pk].capped
    assert lines[donors.capped.pk].donor.total == Decimal("30000.00")
    assert not lines[donors.several.pk].capped
    assert lines[donors.several.pk].donor.total == Decimal("8100.75")
    assert lines[donors.company.pk].identifier == COMPANY_ORGNR
    assert lines[donors.company.pk].donor.is_company
    assert lines[donors.survivor.pk].identifier == donors.survivor.national_id
    assert lines[donors.survivor.pk].donor.merged_ids == (donors.duplicate.pk, donors.older_duplicate.pk)
    assert (report.minimum, report.maximum) == (500, 25000)


def test_validation_report_lists_everyone_left_out_and_why(association: MemberAssociation, donors: Donors) -> None:
    report = build_tax_report(association=association, year=YEAR)
    reasons = {item.donor.supporter_id: item.reason for item in report.left_out}
    assert reasons == {
        donors.under.pk: LeftOutReason.UNDER_MINIMUM,
        donors.missing.pk: LeftOutReason.MISSING_IDENTITY,
        donors.invalid.pk: LeftOutReason.INVALID_IDENTITY,
        donors.anonymised.pk: LeftOutReason.ANONYMISED,
    }
    invalid = next(item for item in report.left_out if item.donor.supporter_id == donors.invalid.pk)
    assert "Kontrollsifrene" in invalid.detail
    anonymised = next(item for item in report.left_out if item.donor.supporter_id == donors.anonymised.pk)
    assert anonymised.donor.name == "Anonymisert giver"
    under = next(item for item in report.left_out if item.donor.supporter_id == donors.under.pk)
    assert under.donor.total == Decimal("450.00")
    assert report.left_out_by_reason() == [
        (LeftOutReason.ANONYMISED, 1),
        (LeftOutReason.UNDER_MINIMUM, 1),
        (LeftOutReason.MISSING_IDENTITY, 1),
        (LeftOutReason.INVALID_IDENTITY, 1),
    ]
    rows = report.validation_rows()
    assert len(rows) == 5  # four left out + one capped
    assert rows[-1].supporter_id == donors.capped.pk
    assert rows[-1].amount == 25000
    # All money received, reported or not: 30 000 + 8 100,75 + 5 000 + 800 + 450 + 1 200 + 1 200 + 1 000.
    assert report.total_received == Decimal("47750.75")


def test_exactly_the_minimum_is_reported(association: MemberAssociation) -> None:
    donor = f.supporter(association, national_id=synthetic_fnr(6, 7, 1960))
    pay(donor, "499.99", dt.date(YEAR, 1, 31))
    assert build_tax_report(association=association, year=YEAR).left_out[0].reason == LeftOutReason.UNDER_MINIMUM
    pay(donor, "0.01", dt.date(YEAR, 2, 1))
    report = build_tax_report(association=association, year=YEAR)
    assert [line.amount for line in report.lines] == [500]


def test_a_bank_reversal_reduces_the_sum(association: MemberAssociation, donor_service: User) -> None:
    from barneby.fundraising import payments

    donor = f.supporter(association, national_id=synthetic_fnr(7, 8, 1965))
    kid = f.agreement(donor, amount="400.00").kid
    paid = f.ocr_file(
        [(kid, Decimal("400.00")), (kid, Decimal("400.00")), (kid, Decimal("300.00"))], date=dt.date(YEAR, 3, 20)
    )
    payments.ocr_import(actor=donor_service, association=association, data=paid)
    assert build_tax_report(association=association, year=YEAR).lines[0].amount == 1100
    reversal = f.ocr_file([(kid, Decimal("300.00"))], date=dt.date(YEAR, 3, 27), reversed_kids=[kid])
    payments.ocr_import(actor=donor_service, association=association, data=reversal)
    assert build_tax_report(association=association, year=YEAR).lines[0].amount == 800


def test_an_identity_number_no_key_can_decrypt_is_reported_as_such(association: MemberAssociation) -> None:
    from django.db import connection

    donor = f.supporter(association, national_id=synthetic_fnr(8, 9, 1975))
    pay(donor, "900.00", dt.date(YEAR, 1, 1))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE fundraising_supporter SET national_id = %s WHERE id = %s", ["not-a-token", donor.pk])
    report = build_tax_report(association=association, year=YEAR)
    assert report.lines == []
    assert report.left_out[0].reason == LeftOutReason.UNREADABLE_IDENTITY


def test_settings_limits_are_used(association: MemberAssociation, donors: Donors, settings: Settings) -> None:
    settings.FUNDRAISING_TAX_DEDUCTION_MIN = 1000
    settings.FUNDRAISING_TAX_DEDUCTION_MAX = {**settings.FUNDRAISING_TAX_DEDUCTION_MAX, YEAR: 6000}
    report = build_tax_report(association=association, year=YEAR)
    assert sorted(line.amount for line in report.lines) == [5000, 6000, 6000]  # 800 is now under the minimum
    assert len(report.capped) == 2


def test_unknown_year_is_a_clear_error(association: MemberAssociation, settings: Settings) -> None:
    with pytest.raises(ValidationError) as error:
        build_tax_report(association=association, year=2019)
    message = error.value.message_dict["year"][0]
    assert "2019" in message
    assert "2025" in message
    settings.FUNDRAISING_TAX_DEDUCTION_MAX = {**settings.FUNDRAISING_TAX_DEDUCTION_MAX, 2026: 30000}
    assert build_tax_report(association=association, year=2026).maximum == 30000


def test_empty_year_gives_an_empty_report(association: MemberAssociation) -> None:
    report = build_tax_report(association=association, year=YEAR)
    assert report.is_empty
    assert report.total_amount == 0


def test_report_queries_do_not_grow_with_donors(
    association: MemberAssociation, django_assert_max_num_queries: object
) -> None:
    for i in range(30):
        donor = f.supporter(association, national_id=synthetic_fnr(1 + i % 28, 1 + i % 12, 1950 + i))
        pay(donor, "600.00", dt.date(YEAR, 1, 1))
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        report = build_tax_report(association=association, year=YEAR)
    assert report.reported_count == 30


# --- File formats ----------------------------------------------------------------------------------


def test_xml_is_well_formed_with_one_oppgave_per_donor(
    association: MemberAssociation, donors: Donors, reporter: None
) -> None:
    report = build_tax_report(association=association, year=YEAR)
    root = ET.fromstring(taxreport.report_xml(report))  # noqa: S314  (our own output)
    assert root.tag == f"{NS}melding"
    delivery = root.find(f"{NS}leveranse")
    assert delivery is not None
    assert [child.tag.removeprefix(NS) for child in delivery][:6] == [
        "kildesystem",
        "oppgavegiver",
        "inntektsaar",
        "oppgavegiversLeveranseReferanse",
        "leveransetype",
        "oppgave",
    ]
    assert delivery.findtext(f"{NS}oppgavegiver/{NS}organisasjonsnummer") == REPORTER
    assert delivery.findtext(f"{NS}oppgavegiver/{NS}organisasjonsnavn") == association.name
    assert delivery.findtext(f"{NS}oppgavegiver/{NS}kontaktinformasjon/{NS}navn") == "Kari Kontakt"
    assert delivery.find(f"{NS}oppgavegiver/{NS}kontaktinformasjon/{NS}varselSmsMobilnummer") is None  # not set
    assert delivery.findtext(f"{NS}inntektsaar") == "2025"
    tasks = delivery.findall(f"{NS}oppgave")
    assert len(tasks) == 4
    assert sum(int(t.findtext(f"{NS}beloep") or 0) for t in tasks) == 38900
    assert delivery.findtext(f"{NS}oppgaveoppsummering/{NS}antallOppgaver") == "4"
    assert delivery.findtext(f"{NS}oppgaveoppsummering/{NS}sumBeloep") == "38900"
    owners = {t.findtext(f"{NS}oppgaveeier/{NS}navn"): t.find(f"{NS}oppgaveeier") for t in tasks}
    company = owners["Gavmild AS"]
    assert company is not None
    assert company.findtext(f"{NS}organisasjonsnummer") == COMPANY_ORGNR
    assert company.find(f"{NS}foedselsnummer") is None
    person = owners["Kari Dobbel"]
    assert person is not None
    assert person.findtext(f"{NS}foedselsnummer") == donors.survivor.national_id


def test_json_matches_the_api_shape_and_totals(association: MemberAssociation, donors: Donors, reporter: None) -> None:
    report = build_tax_report(association=association, year=YEAR)
    body = json.loads(taxreport.report_json_bytes(report))
    delivery = body["leveranse"]
    assert delivery["inntektsaar"] == "2025"
    assert delivery["leveransetype"] == "ordinaer"
    assert delivery["oppgavegiver"] == {
        "organisasjonsnummer": REPORTER,
        "kontaktinformasjon": {
            "navn": "Kari Kontakt",
            "telefonnummer": "80080000",
            "varselEpostadresse": "kontakt@example.org",
        },
    }
    assert len(delivery["oppgave"]) == report.reported_count
    assert sum(int(t["beloep"]) for t in delivery["oppgave"]) == report.total_amount == 38900
    assert delivery["oppgaveoppsummering"] == {"antallOppgaver": "4", "sumBeloep": "38900"}
    company = next(t for t in delivery["oppgave"] if t["oppgaveeier"]["navn"] == "Gavmild AS")
    assert company == {"oppgaveeier": {"organisasjonsnummer": COMPANY_ORGNR, "navn": "Gavmild AS"}, "beloep": "5000"}
    assert all(
        set(t["oppgaveeier"]) in ({"foedselsnummer", "navn"}, {"organisasjonsnummer", "navn"})
        for t in delivery["oppgave"]
    )


@pytest.mark.parametrize(
    ("number", "message"),
    [("", "mangler"), ("313874665", "ugyldig")],
)
def test_files_need_a_valid_reporter_number(
    association: MemberAssociation, donors: Donors, settings: Settings, number: str, message: str
) -> None:
    settings.FUNDRAISING_ORGANISATION_NUMBER = number
    report = build_tax_report(association=association, year=YEAR)
    for build in (taxreport.report_xml, taxreport.report_json):
        with pytest.raises(ValidationError) as error:
            build(report)
        assert message in " ".join(error.value.messages).lower()


# --- Pages -------------------------------------------------------------------------------------------


def _csv(response: object) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def test_page_shows_totals_and_validation_report(
    association: MemberAssociation, donors: Donors, donor_service: User, reporter: None
) -> None:
    response = verified_client(donor_service).get("/innsamling/skattefradrag/?year=2025")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["report"].reported_count == 4
    assert "38\u00a0900,00" in page
    assert "Under minstebeløpet" in page
    assert "Ugyldig fødselsnummer/organisasjonsnummer" in page
    assert "Begrenset til maksimalt fradrag" in page
    assert "/innsamling/skattefradrag/last-ned/xml/?year=2025" in page
    assert donors.survivor.national_id not in page  # identity numbers only in the files
    assert response.context["page_obj"].paginator.count == 5


def test_page_defaults_to_last_year_and_has_an_empty_state(
    association: MemberAssociation, donor_service: User, settings: Settings
) -> None:
    last_year = dt.date.today().year - 1
    assert default_year(association) == last_year  # no money at all: last income year
    settings.FUNDRAISING_TAX_DEDUCTION_MAX = {**settings.FUNDRAISING_TAX_DEDUCTION_MAX, last_year: 25000}
    response = verified_client(donor_service).get("/innsamling/skattefradrag/")
    assert response.status_code == 200
    assert response.context["report"].year == last_year
    assert "Ingen innbetalinger eller gaver er registrert" in response.content.decode()


def test_page_explains_an_unknown_year(association: MemberAssociation, donor_service: User) -> None:
    response = verified_client(donor_service).get("/innsamling/skattefradrag/?year=2019")
    assert response.status_code == 400
    assert "Maksimalt fradrag for inntektsåret 2019 er ikke satt opp" in response.content.decode()
    assert verified_client(donor_service).get("/innsamling/skattefradrag/?year=abc").status_code == 400


@pytest.mark.parametrize("fmt", ["json", "xml", "csv"])
def test_downloads_are_logged(
    association: MemberAssociation, donors: Donors, donor_service: User, reporter: None, fmt: str
) -> None:
    response = verified_client(donor_service).get(f"/innsamling/skattefradrag/last-ned/{fmt}/?year=2025")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="skattefradrag-2025.{fmt}"'
    event = AuditEvent.objects.get(action="export", actor=donor_service)
    assert event.detail == f"tax report 2025 {fmt}: 4 donors, 38900 NOK"
    if fmt == "csv":
        rows = _csv(response)
        assert rows[0][0] == "Givernummer"
        assert len(rows) == 5
        assert sum(int(row[5]) for row in rows[1:]) == 38900
        company = next(row for row in rows[1:] if row[3] == "Gavmild AS")
        assert company[2] == COMPANY_ORGNR
        assert company[4] == "5000,00"
    elif fmt == "json":
        assert json.loads(response.content)["leveranse"]["oppgaveoppsummering"]["sumBeloep"] == "38900"
    else:
        assert ET.fromstring(response.content).tag == f"{NS}melding"  # noqa: S314  (our own output)


def test_download_without_reporter_number_explains_instead(
    association: MemberAssociation, donors: Donors, donor_service: User, settings: Settings
) -> None:
    settings.FUNDRAISING_ORGANISATION_NUMBER = ""
    client = verified_client(donor_service)
    response = client.get("/innsamling/skattefradrag/last-ned/xml/?year=2025")
    assert response.status_code == 302
    assert response["Location"] == "/innsamling/skattefradrag/?year=2025"
    assert not AuditEvent.objects.filter(action="export").exists()
    page = client.get(response["Location"]).content.decode()
    assert "BARNEBY_ORGANISATION_NUMBER" in page
    assert client.get("/innsamling/skattefradrag/last-ned/pdf/?year=2025").status_code == 404


def test_nothing_to_download_for_a_year_without_reportable_donors(
    association: MemberAssociation, donor_service: User, reporter: None
) -> None:
    client = verified_client(donor_service)
    response = client.get("/innsamling/skattefradrag/last-ned/json/?year=2024")
    assert response.status_code == 302
    assert "Ingen givere kan rapporteres for 2024" in client.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_donor_service_of_another_association_sees_only_its_own(
    donors: Donors, other_association: MemberAssociation, reporter: None
) -> None:
    theirs = make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(other_association.pk))
    response = verified_client(theirs).get("/innsamling/skattefradrag/?year=2025")
    assert response.status_code == 200
    report = response.context["report"]
    assert [line.donor.supporter_id for line in report.lines] == [donors.foreign.pk]


@pytest.mark.parametrize("url", ["/innsamling/skattefradrag/", "/innsamling/skattefradrag/last-ned/csv/?year=2025"])
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.NATIONAL_DIRECTOR, Role.AUDITOR])
def test_other_roles_are_refused(association: MemberAssociation, donors: Donors, url: str, role: Role) -> None:
    response = verified_client(make_persona(role)).get(url)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("url", ["/innsamling/skattefradrag/", "/innsamling/skattefradrag/last-ned/csv/?year=2025"])
def test_anonymous_users_are_refused(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logg-inn/")


def test_the_page_reuses_the_report_until_a_payment_changes(association: MemberAssociation) -> None:
    from barneby.fundraising import taxreport

    donor = f.supporter(association, national_id=synthetic_fnr(3, 4, 1980), first_name="Cache")
    pay(donor, "900.00", dt.date(2025, 3, 20))
    first = taxreport.tax_report_cached(association=association, year=2025)
    again = taxreport.tax_report_cached(association=association, year=2025)
    assert again.generated_at == first.generated_at  # from the cache
    pay(donor, "200.00", dt.date(2025, 4, 20))
    changed = taxreport.tax_report_cached(association=association, year=2025)
    assert changed.generated_at != first.generated_at
    assert changed.lines[0].amount == 1100


@pytest.mark.parametrize("years_back", [0, 3])
def test_page_opens_on_the_latest_year_with_money_when_last_year_has_none(
    association: MemberAssociation, donor_service: User, settings: Settings, years_back: int
) -> None:
    today = dt.date.today()
    year = today.year - years_back
    settings.FUNDRAISING_TAX_DEDUCTION_MAX = {**settings.FUNDRAISING_TAX_DEDUCTION_MAX, year: 25000}
    donor = f.supporter(association, national_id=synthetic_fnr(1, 2, 1980))
    pay(donor, "800.00", dt.date(year, 1, 1))
    pay(donor, "900.00", dt.date(year - 1, 1, 1) if years_back else dt.date(year - 5, 1, 1))
    response = verified_client(donor_service).get("/innsamling/skattefradrag/")
    assert response.status_code == 200
    assert response.context["report"].year == year
    assert not response.context["report"].is_empty
    pay(donor, "100.00", dt.date(today.year - 1, 6, 1))  # once last year has money, it is last year again
    assert default_year(association) == today.year - 1


def test_missing_reporter_number_links_to_where_it_is_set_and_the_files_then_download(
    association: MemberAssociation, donors: Donors, donor_service: User, settings: Settings
) -> None:
    settings.FUNDRAISING_ORGANISATION_NUMBER = ""
    client = verified_client(donor_service)
    page = client.get("/innsamling/skattefradrag/?year=2025").content.decode()
    assert "Organisasjonsnummeret til organisasjonen mangler" in page
    assert 'href="/innsamling/skattefradrag/oppgavegiver/"' in page
    assert client.get("/innsamling/skattefradrag/oppgavegiver/").status_code == 200
    bad = client.post("/innsamling/skattefradrag/oppgavegiver/", {"organisation_number": "313874665"})
    assert bad.status_code == 400
    assert "Kontrollsifferet i organisasjonsnummeret stemmer ikke." in bad.content.decode()
    assert not TaxReporter.objects.exists()
    saved = client.post("/innsamling/skattefradrag/oppgavegiver/", {"organisation_number": "313 874 664"})
    assert saved.status_code == 302
    reporter = TaxReporter.objects.get()
    assert (reporter.association, reporter.organisation_number) == (association, REPORTER)
    assert AuditEvent.objects.filter(object_type="fundraising.taxreporter", action="create").exists()
    assert (
        "Organisasjonsnummeret til organisasjonen mangler"
        not in client.get(saved["Location"] + "?year=2025").content.decode()
    )
    for fmt in ("json", "xml"):
        response = client.get(f"/innsamling/skattefradrag/last-ned/{fmt}/?year=2025")
        assert response.status_code == 200, fmt
        assert REPORTER in response.content.decode()


def test_the_associations_own_number_comes_before_the_setting(
    association: MemberAssociation, other_association: MemberAssociation, donors: Donors, reporter: None
) -> None:
    services.tax_reporter_set(actor=None, association=association, organisation_number=COMPANY_ORGNR)
    assert taxreport.reporter_number(association) == COMPANY_ORGNR
    assert taxreport.reporter_number(other_association) == REPORTER
    report = build_tax_report(association=association, year=YEAR)
    assert json.loads(taxreport.report_json_bytes(report))["leveranse"]["oppgavegiver"]["organisasjonsnummer"] == (
        COMPANY_ORGNR
    )
