"""Import of children and supporters: preview, row-level errors, duplicates, all or nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
import tablib  # type: ignore[import-untyped]
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from stdnum.no import fodselsnummer

from barneby.accounts.models import RoleAssignment, User
from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditEvent
from barneby.care.models import Child, SiblingRelation
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising.models import Supporter
from barneby.fundraising.tests import factories as ff
from barneby.imports import services
from barneby.imports.models import Upload
from barneby.imports.resources import CHILD_COLUMNS, SUPPORTER_COLUMNS
from barneby.organisation.models import MemberAssociation, Programme
from barneby.organisation.tests import factories as org

pytestmark = pytest.mark.django_db

CHILD_HEADER = "program;fornavn;etternavn;fødselsdato;kjønn;målgruppe;fødselsnummer;statsborgerskap;språk;søskengruppe"
SUPPORTER_HEADER = "type;fornavn;etternavn;firmanavn;organisasjonsnummer;e-post;telefon;gateadresse;postnummer;poststed"


def person_number(birth: dt.date) -> str:
    """A valid fødselsnummer for ``birth`` (the first individual number whose check digits work)."""
    for individual in range(500, 1000):
        base = f"{birth:%d%m%y}{individual:03d}"
        for tail in range(100):
            number = f"{base}{tail:02d}"
            if fodselsnummer.is_valid(number):
                return number
    raise AssertionError("no number")


@dataclass
class World:
    assoc: MemberAssociation
    mine: Programme
    theirs: Programme
    caseworker: User
    donor: User


@pytest.fixture
def world() -> World:
    assoc = org.association(name="SOS Import Norge")
    other = org.association(name="SOS Import Sverige", country="SE")
    mine = org.programme(assoc, code="IMP-1")
    theirs = org.programme(other, code="IMP-X")
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(mine.pk))
    donor = make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(assoc.pk))
    return World(assoc, mine, theirs, caseworker, donor)


def csv_file(header: str, *lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("fil.csv", ("\n".join([header, *lines]) + "\n").encode("utf-8"), "text/csv")


def upload(client: Client, url: str, file: SimpleUploadedFile) -> Upload:
    response = client.post(url, {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Upload.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def outcomes(upload: Upload) -> dict[int, dict[str, Any]]:
    return dict(json.loads(upload.outcomes)["rows"])


BIRTH = dt.date(2015, 3, 14)
GOOD_CHILD = f"IMP-1;Sara;Hansen;14.03.2015;jente;uten omsorg;{person_number(BIRTH)};NO;norsk;hansen"
SISTER = "IMP-1;Mia;Hansen;2017-06-01;Jente;Uten omsorg;;NO;norsk;Hansen"


def test_template_files_have_the_columns(world: World) -> None:
    client = verified_client(world.caseworker)
    response = client.get("/import/barn/mal.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in CHILD_COLUMNS]
    donor = verified_client(world.donor)
    response = donor.get("/import/givere/mal.csv")
    assert response.status_code == 200
    data = tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")
    assert data.headers == [c.header for c in SUPPORTER_COLUMNS]
    assert client.get("/import/givere/mal.csv").status_code == 404  # a caseworker never sees supporters
    assert client.get("/import/barn/mal.pdf").status_code == 404


def test_children_preview_shows_each_rows_outcome_and_saves_nothing_when_a_row_fails(
    world: World,
) -> None:
    client = verified_client(world.caseworker)
    file = csv_file(
        CHILD_HEADER,
        GOOD_CHILD,
        "IMP-1;Ola;Nordmann;01.02.2014;gutt;i risiko;01021412345;;;",  # invalid identity number
        "UKJENT;Per;Olsen;01.02.2014;gutt;i risiko;;;;",  # unknown programme
        "IMP-X;Anna;Berg;01.02.2014;jente;i risiko;;;;",  # a programme outside the caseworker's scope
        "IMP-1;Eva;Lie;32.13.2014;jente;i risiko;;;;",  # not a date
    )
    before = Child.objects.count()
    record = upload(client, "/import/barn/", file)
    rows = outcomes(record)
    assert rows[1]["status"] == "new"
    assert [rows[n]["status"] for n in (2, 3, 4, 5)] == ["error"] * 4
    assert "fødselsnummer: Kontrollsifrene stemmer ikke" in rows[2]["messages"][0]
    assert rows[3]["messages"] == ["program: Ukjent program «UKJENT»."]
    assert rows[4]["messages"] == ["program: Du kan ikke registrere barn i programmet «IMP-X»."]
    assert "fødselsdato" in rows[5]["messages"][0]
    assert Child.objects.count() == before  # the trial run left nothing behind
    page = client.get(f"/import/{record.pk}/").content.decode()
    assert "Ukjent program «UKJENT»" in page
    assert "5 rader: 1 nye, 0 dubletter som hoppes over, 4 med feil." in page
    assert f'action="/import/{record.pk}/bekreft/"' not in page
    # Confirming anyway imports nothing, not even the good row.
    response = client.post(f"/import/{record.pk}/bekreft/")
    assert response.status_code == 302
    assert Child.objects.count() == before


def test_a_good_children_file_imports_every_row_with_its_siblings(world: World) -> None:
    caseworker = world.caseworker
    client = verified_client(caseworker)
    record = upload(client, "/import/barn/", csv_file(CHILD_HEADER, GOOD_CHILD, SISTER))
    assert {o["status"] for o in outcomes(record).values()} == {"new"}
    response = client.post(f"/import/{record.pk}/bekreft/")
    assert response.status_code == 302
    sara, mia = Child.objects.get(first_name="Sara"), Child.objects.get(first_name="Mia")
    assert sara.programme == world.mine
    assert sara.national_id == person_number(BIRTH)
    assert sara.caseworker == caseworker
    assert mia.birth_date == dt.date(2017, 6, 1)
    assert sara.sibling_group_id is not None
    assert sara.sibling_group_id == mia.sibling_group_id
    assert SiblingRelation.objects.filter(child_a=sara, child_b=mia).exists()
    assert AuditEvent.objects.filter(object_type="care.child", object_id=str(sara.pk)).exists()
    assert not Upload.objects.exists()  # the rows are gone once imported


def test_nothing_is_saved_when_a_row_fails_at_the_confirmation(world: World) -> None:
    client = verified_client(world.caseworker)
    second = org.programme(world.assoc, code="IMP-2")
    RoleAssignment.objects.create(
        user=world.caseworker, role=Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(second.pk)
    )
    later = "IMP-2;Liv;Dahl;01.01.2016;jente;i risiko;;;;"
    record = upload(client, "/import/barn/", csv_file(CHILD_HEADER, GOOD_CHILD, later))
    assert {o["status"] for o in outcomes(record).values()} == {"new"}
    Programme.objects.filter(pk=second.pk).update(code="OMDØPT")  # the second row's programme is gone now
    before = Child.objects.count()
    client.post(f"/import/{record.pk}/bekreft/")
    assert Child.objects.count() == before  # not even the first, good row
    assert outcomes(Upload.objects.get(pk=record.pk))[2]["status"] == "error"


def test_supporters_preview_errors_and_duplicates(world: World) -> None:
    assoc = world.assoc
    existing = ff.supporter(assoc, first_name="Kari", last_name="Nordmann", email="kari@example.no")
    client = verified_client(world.donor)
    file = csv_file(
        SUPPORTER_HEADER,
        "person;Ola;Hansen;;;ola@example.no;+47 912 34 567;Storgata 1;0150;Oslo",
        "person;Per;Olsen;;;per@example.no;;Storgata 2;15;Oslo",  # invalid postcode
        "person;Anne;Lie;;;ikke-en-adresse;;;;",  # invalid e-mail
        "person;K.;Nordmann;;;KARI@example.no;;;;",  # an existing supporter (e-mail, any case)
        "person;Ola;Hansen;;;;0047 91234567;;;",  # the same as row 1 (phone)
        "firma;;;Bedrift AS;;post@bedrift.no;;;;",
    )
    before = Supporter.objects.count()
    record = upload(client, "/import/givere/", file)
    rows = outcomes(record)
    assert [rows[n]["status"] for n in range(1, 7)] == ["new", "error", "error", "duplicate", "duplicate", "new"]
    assert rows[2]["messages"] == ["postnummer: Postnummer har fire sifre."]
    assert rows[3]["messages"][0].startswith("e-post: ")
    assert f"giver {existing.donor_number}" in rows[4]["messages"][0]
    assert rows[5]["messages"][0].startswith("Samme giver som rad 1")
    assert Supporter.objects.count() == before
    client.post(f"/import/{record.pk}/bekreft/")
    assert Supporter.objects.count() == before  # two rows have errors: nothing is imported


def test_a_supporter_file_imports_the_new_and_never_duplicates_an_existing_one(world: World) -> None:
    assoc = world.assoc
    ff.supporter(assoc, first_name="Kari", last_name="Nordmann", email="kari@example.no")
    client = verified_client(world.donor)
    file = csv_file(
        SUPPORTER_HEADER,
        "person;Ola;Hansen;;;ola@example.no;;Storgata 1;0150;Oslo",
        "person;Kari;Nordmann;;;kari@example.no;;;;",
    )
    record = upload(client, "/import/givere/", file)
    response = client.post(f"/import/{record.pk}/bekreft/")
    assert response.status_code == 302
    assert Supporter.objects.filter(email__iexact="kari@example.no").count() == 1
    ola = Supporter.objects.get(email="ola@example.no")
    assert ola.association == assoc
    assert ola.postcode == "0150"


def test_an_xlsx_file_is_read_like_a_csv(world: World) -> None:
    client = verified_client(world.donor)
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append([c.header for c in SUPPORTER_COLUMNS])
    sheet.append(["person", "Ola", "Hansen", None, None, "ola@example.no", 91234567, None, 150, "Oslo"])
    buffer = io.BytesIO()
    book.save(buffer)
    file = SimpleUploadedFile("givere.xlsx", buffer.getvalue())
    record = upload(client, "/import/givere/", file)
    rows = outcomes(record)
    # A postcode typed as the number 150 lost its leading zero: reported, not guessed.
    assert rows[1]["status"] == "error"
    assert rows[1]["messages"] == ["postnummer: Postnummer har fire sifre."]


def test_a_file_without_the_columns_or_rows_is_refused_in_norwegian(world: World) -> None:
    client = verified_client(world.caseworker)
    response = client.post("/import/barn/", {"file": csv_file("navn;alder", "Sara;9")})
    assert response.status_code == 302
    record = Upload.objects.get()
    assert json.loads(record.outcomes)["problems"][0].startswith("Filen mangler kolonnene: program, fornavn")
    response = client.post("/import/barn/", {"file": csv_file(CHILD_HEADER)})
    assert response.status_code == 400
    assert "Filen har ingen rader" in response.content.decode()
    response = client.post("/import/barn/", {"file": SimpleUploadedFile("fil.pdf", b"%PDF")})
    assert "Last opp en CSV- eller XLSX-fil." in response.content.decode()


def test_the_upload_is_stored_encrypted_only_for_its_uploader_and_purged(world: World) -> None:
    client = verified_client(world.caseworker)
    record = upload(client, "/import/barn/", csv_file(CHILD_HEADER, GOOD_CHILD))
    with connection.cursor() as cursor:
        cursor.execute("SELECT rows, outcomes FROM imports_upload WHERE id = %s", [record.pk])
        raw = " ".join(cursor.fetchone())
    assert "Sara" not in raw
    assert "Hansen" not in raw
    # Another caseworker of the same programme does not see it.
    colleague = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(world.mine.pk))
    assert verified_client(colleague).get(f"/import/{record.pk}/").status_code == 404
    assert verified_client(colleague).post(f"/import/{record.pk}/bekreft/").status_code == 404
    # Discarded: gone.
    assert client.post(f"/import/{record.pk}/forkast/").status_code == 302
    assert not Upload.objects.exists()
    # Left alone: deleted after its time.
    record = upload(client, "/import/barn/", csv_file(CHILD_HEADER, GOOD_CHILD))
    Upload.objects.filter(pk=record.pk).update(
        uploaded_at=timezone.now() - services.UPLOAD_TTL - dt.timedelta(minutes=1)
    )
    assert client.get(f"/import/{record.pk}/").status_code == 404
    assert not Upload.objects.exists()


def test_roles(world: World) -> None:
    donor = verified_client(world.donor)
    caseworker = verified_client(world.caseworker)
    assert donor.get("/import/barn/").status_code == 403
    assert caseworker.get("/import/givere/").status_code == 404
    auditor = verified_client(make_persona(Role.AUDITOR))
    assert auditor.get("/import/").status_code == 403
    page = caseworker.get("/import/").content.decode()
    assert "/import/barn/" in page
    assert "/import/givere/" not in page
    record = upload(caseworker, "/import/barn/", csv_file(CHILD_HEADER, GOOD_CHILD))
    assert donor.get(f"/import/{record.pk}/").status_code == 404


def test_an_import_refreshes_the_alerts_once_and_they_match_a_refresh_per_child(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from barneby.care import alerts, rules
    from barneby.care import services as care_services
    from barneby.care.models import Alert

    # A freshly referred child meets none of the care rules (they need placements and decisions),
    # so a probe rule finds something about every child and each of its siblings.
    def probe(facts: rules.ChildFacts, today: dt.date, t: rules.Thresholds) -> list[rules.Finding]:
        found = [rules.Finding("RX", rules.LOW, "RX:self", {"born": facts.birth_date.isoformat()})]
        found += [rules.Finding("RX", rules.MEDIUM, f"RX:sibling:{s.child_id}", {}) for s in facts.siblings]
        return found

    monkeypatch.setitem(rules.RULES, "RX", probe)

    def snapshot() -> set[tuple[int, str, str, str]]:
        return {(a.child_id, a.key, a.severity, json.dumps(a.params, sort_keys=True)) for a in Alert.objects.all()}

    calls: list[list[int]] = []
    real = alerts.refresh

    def counted(child_ids: Any, **kwargs: Any) -> Any:
        calls.append(sorted(child_ids))
        return real(child_ids, **kwargs)

    monkeypatch.setattr(alerts, "refresh", counted)
    client = verified_client(world.caseworker)
    lone = "IMP-1;Jonas;Berg;01.02.2014;gutt;i risiko;;NO;norsk;"
    record = upload(client, "/import/barn/", csv_file(CHILD_HEADER, GOOD_CHILD, SISTER, lone))
    assert calls == []  # the trial run refreshes nothing
    client.post(f"/import/{record.pk}/bekreft/")
    children = list(Child.objects.filter(programme=world.mine).order_by("pk"))
    assert len(children) == 3
    assert calls == [[c.pk for c in children]]  # once, for every imported child
    imported = snapshot()
    sara, mia, jonas = children
    assert {(pk, key) for pk, key, *_rest in imported if key.startswith("RX:sibling")} == {
        (sara.pk, f"RX:sibling:{mia.pk}"),
        (mia.pk, f"RX:sibling:{sara.pk}"),
    }
    assert {pk for pk, *_rest in imported} == {sara.pk, mia.pk, jonas.pk}
    # What a refresh after every child's save (the single-save path) makes of the same children.
    Alert.objects.all().delete()
    monkeypatch.setattr(alerts, "refresh", real)
    for child in children:
        care_services._refresh(child)
    assert snapshot() == imported
