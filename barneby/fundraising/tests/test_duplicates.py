"""Duplicate detection: e-mail (any case), phone (normalised), name + postcode; and the create-anyway flow."""

from __future__ import annotations

import pytest
from django.test import Client

from barneby.accounts.models import User
from barneby.accounts.roles import Role
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising.duplicates import duplicate_pairs, find_duplicates
from barneby.fundraising.models import Supporter, normalise_phone
from barneby.fundraising.tests import factories as ff
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("+47 912 34 567", "91234567"),
        ("0047 91234567", "91234567"),
        ("912 34 567", "91234567"),
        ("47 91 23 45 67", "91234567"),
        ("+46 70 123 45 67", "46701234567"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(raw: str, key: str) -> None:
    assert normalise_phone(raw) == key


def test_same_email_ignoring_case(association: MemberAssociation) -> None:
    existing = ff.supporter(association, email="Kari.Nordmann@Example.org")
    found = find_duplicates(association=association, email="kari.nordmann@example.ORG", last_name="Annen")
    assert [c.supporter for c in found] == [existing]
    assert found[0].rules == ["email"]
    assert find_duplicates(association=association, email="kari@example.org") == []


def test_same_phone_after_normalising(association: MemberAssociation) -> None:
    existing = ff.supporter(association, phone="+47 912 34 567")
    assert existing.phone_key == "91234567"
    found = find_duplicates(association=association, phone="91234567")
    assert [(c.supporter, c.rules) for c in found] == [(existing, ["phone"])]
    assert find_duplicates(association=association, phone="91234568") == []


def test_same_name_and_postcode(association: MemberAssociation) -> None:
    existing = ff.supporter(association, first_name="Ingrid", last_name="Hansen", postcode="5003")
    found = find_duplicates(association=association, first_name="INGRID", last_name="hansen", postcode="5003")
    assert [(c.supporter, c.rules) for c in found] == [(existing, ["name"])]
    assert find_duplicates(association=association, first_name="Ingrid", last_name="Hansen", postcode="5004") == []
    assert find_duplicates(association=association, first_name="Ingrid", last_name="Hansen") == []


def test_company_name_and_postcode(association: MemberAssociation) -> None:
    existing = ff.supporter(
        association, kind="company", first_name="", last_name="", company_name="Fjord AS", postcode="0150"
    )
    found = find_duplicates(association=association, kind="company", company_name="fjord as", postcode="0150")
    assert [c.supporter for c in found] == [existing]


def test_merged_anonymised_and_other_associations_are_not_candidates(
    association: MemberAssociation, other_association: MemberAssociation
) -> None:
    survivor = ff.supporter(association, email="a@example.org")
    ff.supporter(association, email="a@example.org", merged_into=survivor)
    ff.supporter(association, email="a@example.org", is_anonymised=True)
    ff.supporter(other_association, email="a@example.org")
    assert [c.supporter for c in find_duplicates(association=association, email="a@example.org")] == [survivor]


def test_several_rules_are_listed_once_per_candidate(association: MemberAssociation) -> None:
    both = ff.supporter(association, email="x@example.org", phone="99887766")
    only_phone = ff.supporter(association, phone="+4799887766")
    found = find_duplicates(association=association, email="X@example.org", phone="998 87 766")
    assert [(c.supporter, c.rules) for c in found] == [(both, ["email", "phone"]), (only_phone, ["phone"])]


def test_duplicate_pairs(association: MemberAssociation) -> None:
    a = ff.supporter(association, email="same@example.org")
    b = ff.supporter(association, email="SAME@example.org", phone="41234567")
    c = ff.supporter(association, phone="+47 412 34 567")
    ff.supporter(association, email="alone@example.org")
    pairs = duplicate_pairs(Supporter.objects.filter(association=association))
    assert [(p.first, p.second, p.rules) for p in pairs] == [(a, b, ["email"]), (b, c, ["phone"])]


CREATE = {
    "kind": "person",
    "first_name": "Ingrid",
    "last_name": "Hansen",
    "email": "INGRID@example.org",
    "postcode": "5003",
    "city": "Bergen",
}


def test_create_shows_candidates_and_needs_create_anyway(association: MemberAssociation, donor_service: User) -> None:
    existing = ff.supporter(association, first_name="Ingrid", last_name="Hansen", email="ingrid@example.org")
    client = verified_client(donor_service)
    first = client.post("/innsamling/givere/ny/", CREATE)
    assert first.status_code == 400
    page = first.content.decode()
    assert "Mulige dubletter" in page
    assert f"/innsamling/givere/{existing.pk}/" in page
    assert "samme e-post" in page
    assert Supporter.objects.count() == 1
    anyway = client.post("/innsamling/givere/ny/", {**CREATE, "create_anyway": "on"})
    assert anyway.status_code == 302
    assert Supporter.objects.count() == 2


def test_create_without_candidates_needs_no_confirmation(association: MemberAssociation, donor_service: User) -> None:
    ff.supporter(association, first_name="Ola", last_name="Olsen", email="ola@example.org")
    response = verified_client(donor_service).post("/innsamling/givere/ny/", CREATE)
    assert response.status_code == 302
    assert Supporter.objects.filter(last_name="Hansen").count() == 1


def test_duplicate_list_page(association: MemberAssociation, donor_service: User) -> None:
    client = verified_client(donor_service)
    assert "Ingen mulige dubletter" in client.get("/innsamling/givere/dubletter/").content.decode()
    a = ff.supporter(association, email="same@example.org", last_name="Først")
    b = ff.supporter(association, email="same@example.org", last_name="Sist")
    page = client.get("/innsamling/givere/dubletter/").content.decode()
    assert f"/innsamling/givere/{a.pk}/slaa-sammen/?duplikat={b.donor_number}" in page


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ME_ADVISOR])
def test_duplicate_list_is_for_donor_service_only(role: Role, association: MemberAssociation, client: Client) -> None:
    ff.supporter(association, email="same@example.org", last_name="Skjult")
    ff.supporter(association, email="same@example.org")
    response = verified_client(make_persona(role)).get("/innsamling/givere/dubletter/")
    assert response.status_code == 404
    assert "Skjult" not in response.content.decode()
    anonymous = client.get("/innsamling/givere/dubletter/")
    assert anonymous.status_code == 404 or anonymous["Location"].startswith("/konto/logg-inn/")
