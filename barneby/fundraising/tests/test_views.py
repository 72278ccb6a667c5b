"""Donor-service pages: only donor service of the association; files in, payments matched, claims out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from barneby.accounts.models import User
from barneby.accounts.roles import Role
from barneby.core.tests.pdfs import pdf_text
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising.models import ClaimRun, OcrImport, Payment, PaymentAgreement, Supporter
from barneby.fundraising.tests import factories as ff
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


def test_supporter_agreement_and_gift_pages(donor_service: User) -> None:
    client = verified_client(donor_service)
    response = client.post(
        "/innsamling/givere/ny/",
        {
            "kind": "person",
            "first_name": "Ingrid",
            "last_name": "Hansen",
            "email": "ingrid@example.org",
            "postcode": "5003",
            "city": "Bergen",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    supporter = Supporter.objects.get()
    bad = client.post(
        f"/innsamling/givere/{supporter.pk}/avtale/",
        {"method": "avtalegiro", "monthly_amount": "0", "start_date": "01.01.2027"},
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/innsamling/givere/{supporter.pk}/avtale/",
        {"method": "avtalegiro", "monthly_amount": "350", "start_date": "01.01.2027"},
    )
    assert ok.status_code == 302
    agreement = PaymentAgreement.objects.get()
    gift = client.post(
        f"/innsamling/givere/{supporter.pk}/gave/", {"amount": "-5", "date": "01.11.2026", "channel": "bank_transfer"}
    )
    assert gift.status_code == 400
    page = client.get(f"/innsamling/givere/{supporter.pk}/").content.decode()
    assert agreement.kid in page
    assert "kr\xa0350,00" in page
    listing = client.get("/innsamling/givere/", {"q": agreement.kid}).content.decode()
    assert "Ingrid Hansen" in listing


def test_ocr_upload_unmatched_queue_and_manual_match(donor_service: User, association: MemberAssociation) -> None:
    supporter = ff.supporter(association)
    agreement = ff.agreement(supporter)
    data = ff.ocr_file([(agreement.kid, Decimal("350")), ("000000000018", Decimal("200"))]).encode("iso-8859-1")
    client = verified_client(donor_service)
    response = client.post("/innsamling/nets/", {"kind": "ocr", "file": SimpleUploadedFile("ocr.txt", data)})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert OcrImport.objects.get().transaction_count == 2
    again = client.post("/innsamling/nets/", {"kind": "ocr", "file": SimpleUploadedFile("ocr.txt", data)})
    assert again.status_code == 400
    assert "allerede importert" in again.content.decode()
    assert Payment.objects.count() == 2
    broken = client.post(
        "/innsamling/nets/", {"kind": "ocr", "file": SimpleUploadedFile("x.txt", b"NY000010 not a nets file")}
    )
    assert broken.status_code == 400
    queue = client.get("/innsamling/uavstemt/").content.decode()
    assert "kr\xa0200,00" in queue
    payment = Payment.objects.get(status="unmatched")
    wrong = client.post("/innsamling/uavstemt/", {"payment": payment.pk, "kid": "999999999999"})
    assert wrong.status_code == 400
    matched = client.post("/innsamling/uavstemt/", {"payment": payment.pk, "donor_number": supporter.donor_number})
    assert matched.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "manual"
    assert "Alle innbetalinger er avstemt" in client.get("/innsamling/uavstemt/").content.decode()


def test_claim_run_page_and_file(donor_service: User, association: MemberAssociation) -> None:
    supporter = ff.supporter(association)
    ff.agreement(supporter, state="active")
    client = verified_client(donor_service)
    period = (dt.date.today().replace(day=1) + dt.timedelta(days=40)).replace(day=1)
    form = {"method": "avtalegiro", "period": period.strftime("%d.%m.%Y")}
    response = client.post("/innsamling/trekk/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    run = ClaimRun.objects.get()
    assert run.claim_count == 1
    again = client.post("/innsamling/trekk/", form)
    assert again.status_code == 302
    assert ClaimRun.objects.get().claim_count == 1  # nobody charged twice
    download = client.get(f"/innsamling/trekk/{run.pk}/fil/")
    assert download.status_code == 200
    assert download.content.startswith(b"NY000010")


def test_giro_invoices_for_the_month(donor_service: User, association: MemberAssociation) -> None:
    giro_payer = ff.supporter(association, first_name="Gunnhild", last_name="Giro")
    giro = ff.agreement(giro_payer, state="active", method="giro", amount="350.00")
    ff.agreement(ff.supporter(association), state="active")  # AvtaleGiro: not invoiced
    client = verified_client(donor_service)
    period = (dt.date.today().replace(day=1) + dt.timedelta(days=40)).replace(day=1)
    form = {"method": "giro", "period": period.strftime("%d.%m.%Y")}
    assert client.post("/innsamling/trekk/", form).status_code == 302
    assert client.post("/innsamling/trekk/", form).status_code == 302
    run = ClaimRun.objects.get(method="giro")
    assert (run.claim_count, run.total_amount) == (1, Decimal("350.00"))
    download = client.get(f"/innsamling/trekk/{run.pk}/fil/")
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(download.content)
    assert giro.kid in text
    assert "kr 350,00" in text
    assert "Gunnhild Giro" in text


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PROGRAMME_DIRECTOR, Role.ME_ADVISOR, Role.AUDITOR])
def test_only_donor_service_reaches_the_pages(role: Role, association: MemberAssociation) -> None:
    supporter = ff.supporter(association)
    client = verified_client(make_persona(role))
    for url in (
        "/innsamling/givere/",
        f"/innsamling/givere/{supporter.pk}/",
        "/innsamling/nets/",
        "/innsamling/uavstemt/",
        "/innsamling/trekk/",
    ):
        assert client.get(url).status_code == 404, url


def test_donor_service_of_another_association_sees_nothing(
    other_association: MemberAssociation, association: MemberAssociation, client: Client
) -> None:
    from barneby.accounts.roles import ScopeKind

    supporter = ff.supporter(association, first_name="Skjult")
    other = verified_client(
        make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(other_association.pk))
    )
    assert other.get(f"/innsamling/givere/{supporter.pk}/").status_code == 404
    assert "Skjult" not in other.get("/innsamling/givere/").content.decode()


def test_a_running_claim_run_shows_its_progress_and_polls(donor_service: User, association: MemberAssociation) -> None:
    period = (dt.date.today().replace(day=1) + dt.timedelta(days=40)).replace(day=1)
    ClaimRun.objects.create(
        association=association,
        method="avtalegiro",
        period=period,
        due_date=period.replace(day=20),
        progress_done=3000,
        progress_total=7000,
    )
    client = verified_client(donor_service)
    page = client.get("/innsamling/trekk/").content.decode()
    assert '<progress max="7000" value="3000">' in page
    assert 'hx-trigger="every 2s"' in page
    fragment = client.get("/innsamling/trekk/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="runs"')
    assert "3000/7000" in fragment
    # Starting the same month again resumes it (the task runs at once in tests) and finishes it.
    form = {"method": "avtalegiro", "period": period.strftime("%d.%m.%Y")}
    assert client.post("/innsamling/trekk/", form).status_code == 302
    run = ClaimRun.objects.get()
    assert run.status == "complete"
    assert 'hx-trigger="every 2s"' not in client.get("/innsamling/trekk/").content.decode()


@pytest.mark.parametrize("odd", ["¹", "²³", "①", "1²", "9" * 40])
def test_supporter_search_and_merge_lookup_answer_odd_digits_without_500(
    donor_service: User, association: MemberAssociation, odd: str
) -> None:
    supporter = ff.supporter(association, first_name="Ingrid", last_name="Hansen")
    client = verified_client(donor_service)
    listing = client.get("/innsamling/givere/", {"q": odd})
    assert listing.status_code == 200
    assert "Ingrid Hansen" not in listing.content.decode()
    assert client.get(f"/innsamling/givere/{supporter.pk}/slaa-sammen/", {"duplikat": odd}).status_code == 200
    merge = client.post(f"/innsamling/givere/{supporter.pk}/slaa-sammen/", {"duplicate": odd})
    assert merge.status_code in {200, 400}


def test_agreement_and_gift_forms_refuse_implausible_dates_with_a_message(
    donor_service: User, association: MemberAssociation
) -> None:
    supporter = ff.supporter(association)
    client = verified_client(donor_service)
    for start in ("31.12.9999", "01.01.1900"):
        response = client.post(
            f"/innsamling/givere/{supporter.pk}/avtale/",
            {"method": "avtalegiro", "monthly_amount": "350", "start_date": start},
        )
        assert response.status_code == 400
        assert "Startdatoen må ligge mellom" in response.content.decode()
    ahead = (dt.date.today() + dt.timedelta(days=30)).strftime("%d.%m.%Y")
    gift = client.post(
        f"/innsamling/givere/{supporter.pk}/gave/", {"amount": "500", "date": ahead, "channel": "bank_transfer"}
    )
    assert gift.status_code == 400
    assert "En gave kan ikke dateres fram i tid." in gift.content.decode()
    assert not PaymentAgreement.objects.exists()
    assert not supporter.gifts.exists()


def test_agreements_file_deviations_are_listed_after_the_import_and_later(
    donor_service: User, association: MemberAssociation
) -> None:
    donor = ff.supporter(association)
    pending = ff.agreement(donor, state="pending")
    cancelled = ff.agreement(donor, state="cancelled")
    unknown = "000000000018"
    data = ff.agreements_file([(pending.kid, 1, False), (unknown, 1, False), (cancelled.kid, 1, False)])
    client = verified_client(donor_service)
    response = client.post(
        "/innsamling/nets/", {"kind": "agreements", "file": SimpleUploadedFile("fbo.txt", data.encode("ascii"))}
    )
    assert response.status_code == 302
    record = OcrImport.objects.get()
    assert response["Location"] == f"/innsamling/nets/?vis={record.pk}#import-{record.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "2 avvik" in page
    assert "<details open>" in page
    assert f"KID {unknown}: Ukjent KID; ingen avtale er opprettet." in page
    assert f"KID {cancelled.kid}: Avtalen er avsluttet hos oss; ikke aktivert på nytt." in page
    later = client.get("/innsamling/nets/").content.decode()  # the list stays with the import
    assert f"KID {unknown}: Ukjent KID" in later
    assert "<details open>" not in later
