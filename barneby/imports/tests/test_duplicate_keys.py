"""The supporter import's in-memory duplicate keys: never miss a candidate ``find_duplicates`` would find."""

from __future__ import annotations

from typing import Any

import pytest

from barneby.accounts.roles import Role, ScopeKind
from barneby.core.tests.personas import make_persona
from barneby.fundraising import duplicates
from barneby.fundraising.models import Supporter, SupporterKind
from barneby.fundraising.tests import factories as ff
from barneby.imports import services
from barneby.imports.models import ImportKind
from barneby.imports.resources import DuplicateKeys
from barneby.organisation.tests import factories as org

pytestmark = pytest.mark.django_db

HEADER = "type;fornavn;etternavn;firmanavn;organisasjonsnummer;e-post;telefon;gateadresse;postnummer;poststed"


def described(**values: str) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": SupporterKind.PERSON,
        "email": "",
        "phone": "",
        "first_name": "",
        "last_name": "",
        "company_name": "",
        "postcode": "",
    }
    return {**base, **values}


# Rows to look up: some are the same supporter by one rule (case, spaces, +47), some are not (another postcode, a merged or anonymised record, another association's supporter).
LOOKUPS = [
    described(email="ASTRID.øYEN@Example.no"),  # SQLite folds ASCII letters only
    described(email=" astrid.øyen@example.no "),
    described(email="astrid.oyen@example.no"),
    described(phone="+47 912 34 567"),
    described(phone="0047 91234567"),
    described(phone="912 34 568"),
    described(first_name="ÅSE", last_name="BRåTEN", postcode="5003"),
    described(first_name="Åse", last_name="Bråten", postcode=" 5003 "),
    described(first_name="Åse", last_name="Bråten", postcode="5004"),
    described(first_name="Åse", last_name="Bråten"),
    described(kind=SupporterKind.COMPANY, company_name="fjord og fjell as", postcode="0150"),
    described(kind=SupporterKind.COMPANY, company_name="Fjord og fjell AS", postcode="0151"),
    described(kind=SupporterKind.PERSON, first_name="", last_name="Fjord og fjell AS", postcode="0150"),
    described(email="slettet@example.no"),
    described(email="slaatt.sammen@example.no"),
    described(email="utland@example.no"),
    described(email="ny@example.no", phone="22 33 44 55", first_name="Ny", last_name="Giver", postcode="0150"),
]


def test_the_keys_find_every_supporter_find_duplicates_finds_and_skip_the_rest() -> None:
    assoc = org.association(name="SOS Nøkler")
    other = org.association(name="SOS Andre", country="SE")
    ff.supporter(assoc, first_name="Astrid", last_name="Øyen", email="astrid.øyen@example.no")
    ff.supporter(assoc, first_name="Per", last_name="Hansen", phone="91234567")
    ff.supporter(assoc, first_name="Åse", last_name="Bråten", postcode="5003")
    ff.supporter(assoc, kind=SupporterKind.COMPANY, first_name="", last_name="", company_name="Fjord og Fjell AS",
                 postcode="0150")  # fmt: skip
    ff.supporter(assoc, email="slettet@example.no", is_anonymised=True)
    survivor = ff.supporter(assoc, email="igjen@example.no")
    ff.supporter(assoc, email="slaatt.sammen@example.no", merged_into=survivor)
    ff.supporter(other, email="utland@example.no")

    keys = DuplicateKeys(assoc)
    answers = []
    for values in LOOKUPS:
        found = bool(duplicates.find_duplicates(association=assoc, **values))
        may = keys.may_match(**values)
        assert may or not found, values  # never a candidate missed
        answers.append((found, may))
    # Letters beyond ASCII in another case: PostgreSQL's UPPER() finds the supporter, SQLite's LIKE does not;
    # either way the keys must not miss it.
    assert keys.may_match(**described(email="ASTRID.ØYEN@EXAMPLE.NO"))
    assert keys.may_match(**described(first_name="ÅSE", last_name="BRÅTEN", postcode="5003"))
    # The database's own answers, and the keys agree with them on every one of these rows.
    assert [found for found, _may in answers] == [
        True, True, False, True, True, False, True, True, False, False, True, False, False, False, False, False, False,
    ]  # fmt: skip
    assert all(found == may for found, may in answers)


def test_a_supporter_saved_by_the_import_is_a_key_at_once() -> None:
    assoc = org.association(name="SOS Nøkler")
    keys = DuplicateKeys(assoc)
    values = described(email="ny@example.no", first_name="Ny", last_name="Giver", postcode="0150")
    assert not keys.may_match(**values)
    keys.add(Supporter.objects.create(association=assoc, donor_number=777_001, first_name="Ny", last_name="Giver",
                                      email="NY@example.no", phone="+47 400 00 000"))  # fmt: skip
    assert keys.may_match(**values)
    assert keys.may_match(**described(phone="40000000"))


def test_the_import_asks_the_database_only_for_rows_that_share_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    assoc = org.association(name="SOS Nøkler")
    donor = make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(assoc.pk))
    existing = ff.supporter(assoc, first_name="Kari", last_name="Nordmann", email="kari@example.no")
    asked: list[dict[str, Any]] = []
    original = duplicates.find_duplicates

    def counting(**kwargs: Any) -> list[duplicates.Candidate]:
        asked.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(duplicates, "find_duplicates", counting)
    lines = [HEADER] + [f"person;Ola;Rad{n};;;rad{n}@example.no;;Storgata {n};0150;Oslo" for n in range(30)]
    lines += ["person;Kari;N.;;;KARI@example.no;;;;", "person;Ola;Rad3;;;;;;0150;"]  # existing; the same as row 4
    content = ("\n".join(lines) + "\n").encode()

    preview = services.upload_create(actor=donor, kind=ImportKind.SUPPORTERS, name="givere.csv", content=content)
    assert preview.counts == {"new": 30, "duplicate": 2, "error": 0}
    assert len(asked) == 2  # only the two rows that share a key with a supporter
    outcome = dict(preview.outcomes)
    assert f"giver {existing.donor_number}" in outcome[31].messages[0]
    assert outcome[32].messages[0].startswith("Samme giver som rad 4")

    asked.clear()
    result = services.upload_import(actor=donor, upload=preview.upload)
    assert result.counts == {"new": 30, "duplicate": 2, "error": 0}
    assert len(asked) == 2
    assert Supporter.objects.filter(association=assoc).count() == 31
