"""Fundraising API: donor service only (others 403), scoped by association (404), no identity numbers out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import api_token_create
from barneby.core.tests.personas import make_persona
from barneby.fundraising.models import Payment, PaymentSource, PaymentStatus, Supporter, SupporterKind
from barneby.fundraising.tests import factories as f
from barneby.fundraising.tests.test_taxreport import synthetic_fnr
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db
API = "/api/v1/fundraising"


def auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, name='test').secret}"}


def pay(sup: Supporter | None, amount: str, paid: dt.date, *, association: MemberAssociation | None = None) -> Payment:
    return Payment.objects.create(
        association=association or sup.association,  # type: ignore[union-attr]
        source=PaymentSource.MANUAL,
        amount=Decimal(amount),
        paid_date=paid,
        status=PaymentStatus.MATCHED if sup else PaymentStatus.UNMATCHED,
        supporter=sup,
        kid="" if sup else "999999999999",
    )


@pytest.fixture
def world(association: MemberAssociation, other_association: MemberAssociation) -> dict[str, Supporter]:
    ola = f.supporter(association, first_name="Ola", last_name="Nordmann", national_id=synthetic_fnr(1, 1, 1980))
    firm = f.supporter(
        association,
        kind=SupporterKind.COMPANY,
        company_name="Gavmild AS",
        last_name="",
        organisation_number="988077917",
    )
    old = f.supporter(association, first_name="Ola", last_name="Nordmann", merged_into=ola)
    sven = f.supporter(other_association, first_name="Sven", last_name="Svensson")
    f.agreement(ola, amount="350.00")
    return {"ola": ola, "firm": firm, "old": old, "sven": sven}


def test_supporters_are_listed_searched_and_scoped(
    client: Client, donor_service: User, world: dict[str, Supporter]
) -> None:
    headers = auth(donor_service)
    listing = client.get(f"{API}/supporters", headers=headers)
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 2  # the merged record and the other association's donor are not listed
    assert [s["display_name"] for s in body["items"]] == ["Ola Nordmann", "Gavmild AS"]
    assert all("national_id" not in s and "organisation_number" not in s for s in body["items"])
    found = client.get(f"{API}/supporters?q=gavmild", headers=headers).json()
    assert [s["id"] for s in found["items"]] == [world["firm"].pk]
    assert client.get(f"{API}/supporters?q={'x' * 101}", headers=headers).status_code == 422


def test_supporter_detail_without_identity_numbers(
    client: Client, donor_service: User, world: dict[str, Supporter]
) -> None:
    headers = auth(donor_service)
    response = client.get(f"{API}/supporters/{world['ola'].pk}", headers=headers)
    assert response.status_code == 200
    detail = response.json()
    assert detail["has_identity_number"] is True
    assert detail["agreements"][0]["monthly_amount"] == "350.00"
    assert world["ola"].national_id not in response.content.decode()
    assert "national_id" not in detail
    assert client.get(f"{API}/supporters/{world['sven'].pk}", headers=headers).status_code == 404
    assert client.get(f"{API}/supporters/999999", headers=headers).status_code == 404


def test_payments_filter_by_match_dates_and_supporter(
    client: Client, donor_service: User, association: MemberAssociation, world: dict[str, Supporter]
) -> None:
    january = pay(world["ola"], "350.00", dt.date(2025, 1, 20))
    march = pay(world["firm"], "5000.00", dt.date(2025, 3, 1))
    unknown = pay(None, "100.00", dt.date(2025, 2, 1), association=association)
    theirs = pay(world["sven"], "700.00", dt.date(2025, 2, 1))
    headers = auth(donor_service)

    def ids(query: str) -> list[int]:
        response = client.get(f"{API}/payments{query}", headers=headers)
        assert response.status_code == 200, response.content
        return [p["id"] for p in response.json()["items"]]

    assert ids("") == [march.pk, unknown.pk, january.pk]
    assert ids("?matched=true") == [march.pk, january.pk]
    assert ids("?matched=false") == [unknown.pk]
    assert ids("?date_from=2025-02-01&date_to=2025-02-28") == [unknown.pk]
    assert ids(f"?supporter_id={world['ola'].pk}") == [january.pk]
    assert client.get(f"{API}/payments?supporter_id={world['sven'].pk}", headers=headers).status_code == 404
    assert client.get(f"{API}/payments?date_from=januar", headers=headers).status_code == 422
    detail = client.get(f"{API}/payments/{january.pk}", headers=headers).json()
    assert (detail["amount"], detail["status"], detail["supporter_id"]) == ("350.00", "matched", world["ola"].pk)
    assert client.get(f"{API}/payments/{theirs.pk}", headers=headers).status_code == 404


def test_tax_report_summary(
    client: Client, donor_service: User, association: MemberAssociation, world: dict[str, Supporter]
) -> None:
    for month in range(1, 13):
        pay(world["ola"], "350.00", dt.date(2025, month, 20))  # 4 200
    pay(world["old"], "800.00", dt.date(2025, 6, 1))  # merged into Ola: 5 000
    pay(world["firm"], "300.00", dt.date(2025, 6, 1))  # under the minimum
    headers = auth(donor_service)
    summary = client.get(f"{API}/tax-reports/2025", headers=headers)
    assert summary.status_code == 200
    assert summary.json() == {
        "year": 2025,
        "minimum": 500,
        "maximum": 25000,
        "reported_count": 1,
        "total_amount": 5000,
        "capped_count": 0,
        "total_received": "5300.00",
        "left_out_count": 1,
        "left_out": [{"reason": "under_minimum", "label": "Under minstebeløpet", "count": 1}],
    }
    unknown = client.get(f"{API}/tax-reports/2019", headers=headers)
    assert unknown.status_code == 422
    assert "2019" in unknown.json()["errors"]["year"][0]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.NATIONAL_DIRECTOR, Role.AUDITOR, Role.SYSTEM_ADMIN])
def test_other_roles_get_404(
    client: Client, world: dict[str, Supporter], role: Role, association: MemberAssociation
) -> None:
    user = make_persona(role, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(association.pk))
    headers = auth(user)
    payment = pay(world["ola"], "350.00", dt.date(2025, 1, 20))
    for url in (
        "/supporters",
        f"/supporters/{world['ola'].pk}",
        "/payments",
        f"/payments/{payment.pk}",
        "/tax-reports/2025",
    ):
        response = client.get(f"{API}{url}", headers=headers)
        assert response.status_code == 404, (url, response.status_code)
        assert "Ola" not in response.content.decode()


def test_without_a_token_is_401(client: Client) -> None:
    assert client.get(f"{API}/supporters").status_code == 401


def test_paths_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/fundraising/supporters",
        "/api/v1/fundraising/supporters/{pk}",
        "/api/v1/fundraising/payments",
        "/api/v1/fundraising/payments/{pk}",
        "/api/v1/fundraising/tax-reports/{year}",
    ):
        assert "get" in paths[path], path


@pytest.mark.parametrize("odd", ["¹", "²³", "①", "1²", "9" * 40])
def test_supporter_search_with_digits_int_refuses_answers_an_empty_list(
    client: Client, donor_service: User, world: dict[str, Supporter], odd: str
) -> None:
    response = client.get(f"{API}/supporters", {"q": odd}, headers=auth(donor_service))
    assert response.status_code == 200
    assert response.json()["count"] == 0
