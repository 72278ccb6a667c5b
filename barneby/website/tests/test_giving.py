"""The sponsor sign-up ("Bli SOS-fadder") and the gift form, through the test client: what lands in the back office."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from barneby.fundraising.kid import is_valid_kid
from barneby.fundraising.models import (
    AgreementState,
    Consent,
    ConsentPurpose,
    PaymentAgreement,
    PaymentMethod,
    Supporter,
    WebSignup,
)
from barneby.fundraising.tests import factories as ff
from barneby.organisation.models import Location, MemberAssociation
from barneby.organisation.tests import factories as org
from barneby.sponsorships.models import Sponsorship, SponsorshipState, TargetKind
from barneby.website import abuse
from barneby.website.giving import services

pytestmark = pytest.mark.django_db

SPONSOR = "/bli-fadder/"
GIFT = "/gi-en-gave/"
# A synthetic identity number (Tenor: month + 80), accepted in tests only.
SYNTHETIC_ID = "15908610064"


@pytest.fixture(autouse=True)
def _amounts(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.FUNDRAISING_MONTHLY_PRESETS = [250, 350, 500]
    settings.FUNDRAISING_MONTHLY_MIN = 100
    # The test client goes through the three steps faster than a person; the time check has its own test.
    monkeypatch.setattr(abuse, "MIN_SECONDS", 0)


@pytest.fixture
def village(association: MemberAssociation) -> Location:
    return org.location(association, name="Barneby Nyeri", country="KE")


@pytest.fixture
def closed_village(association: MemberAssociation) -> Location:
    return org.location(association, name="Barneby Stengt", country="KE", is_active=False)


def state_of(response: Any) -> str:
    match = re.search(r'name="state" value="([^"]+)"', response.content.decode())
    assert match, response.content.decode()[:2000]
    return html.unescape(match.group(1))


STEP1 = {"a-amount_choice": "annet", "a-other_amount": "400", "place_kind": "village"}
DETAILS = {
    "first_name": "Ingrid",
    "last_name": "Fjellheim",
    "email": "ingrid.fjellheim@example.org",
    "phone": "912 34 567",
    "street_address": "Storgata 1",
    "postcode": "0155",
    "city": "Oslo",
}


def walk(
    client: Client,
    *,
    step1: dict[str, Any],
    details: dict[str, Any],
    method: str = "avtalegiro",
    path: str = SPONSOR,
) -> Any:
    """Steps 1 to 3; returns the final response (a redirect when it went through)."""
    first = client.post(path, {"step": "1", "state": "", **step1})
    assert first.status_code == 200, first.content.decode()[:3000]
    second = client.post(path, {"step": "2", "state": state_of(first), **details})
    assert second.status_code == 200, second.content.decode()[:3000]
    return client.post(path, {"step": "3", "state": state_of(second), "method": method})


def nothing_saved() -> bool:
    return not (
        Supporter.objects.exists()
        or PaymentAgreement.objects.exists()
        or Sponsorship.objects.exists()
        or Consent.objects.exists()
        or WebSignup.objects.exists()
    )


def test_avtalegiro_sign_up_makes_supporter_agreement_with_kid_pending_sponsorship_consents_and_email(
    client: Client, association: MemberAssociation, village: Location, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = walk(
            client,
            step1={**STEP1, "village": str(village.pk)},
            details={**DETAILS, "consents": ["email"], "tax_deduction": "on", "national_id": SYNTHETIC_ID},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    supporter = Supporter.objects.get()
    assert (supporter.association, supporter.last_name, supporter.postcode) == (association, "Fjellheim", "0155")
    assert supporter.national_id == SYNTHETIC_ID
    agreement = PaymentAgreement.objects.get()
    assert agreement.method == PaymentMethod.AVTALEGIRO
    assert agreement.state == AgreementState.PENDING
    assert str(agreement.monthly_amount) == "400.00"
    assert is_valid_kid(agreement.kid)
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.state == SponsorshipState.PENDING
    assert (sponsorship.target_kind, sponsorship.village, sponsorship.agreement) == (
        TargetKind.VILLAGE,
        village,
        agreement,
    )
    consents = {c.purpose: c for c in Consent.objects.filter(supporter=supporter)}
    assert set(consents) == {ConsentPurpose.EMAIL, ConsentPurpose.TAX_DEDUCTION}
    assert consents[ConsentPurpose.EMAIL].text_version == services.CONSENT_VERSIONS[ConsentPurpose.EMAIL]
    assert consents[ConsentPurpose.TAX_DEDUCTION].text_version.startswith("nettsted-skattefradrag-")
    assert all(c.granted and c.source == "form" for c in consents.values())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ingrid.fjellheim@example.org"]
    assert agreement.kid in message.body
    assert "Barneby Nyeri" in message.body
    assert SYNTHETIC_ID not in message.body  # never an identity number in an e-mail
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert agreement.kid in receipt.content.decode()


def test_giro_and_greatest_need(client: Client, association: MemberAssociation, village: Location) -> None:
    response = walk(
        client,
        step1={"a-amount_choice": "350", "place_kind": "need"},
        details=DETAILS,
        method="giro",
    )
    assert response.status_code == 302
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.target_kind == TargetKind.NEED
    assert str(sponsorship.monthly_amount) == "350.00"
    assert sponsorship.target_label == "Der behovet er størst"
    assert sponsorship.agreement is not None
    assert sponsorship.agreement.method == PaymentMethod.GIRO
    assert not Consent.objects.exists()  # nothing ticked, nothing recorded


def test_continent_and_country_come_from_the_register(
    client: Client, association: MemberAssociation, village: Location
) -> None:
    page = client.get(SPONSOR).content.decode()
    assert 'value="africa"' in page
    assert 'value="KE"' in page
    assert 'value="asia"' not in page  # no open village there
    response = walk(client, step1={"a-amount_choice": "250", "place_kind": "country", "country": "KE"}, details=DETAILS)
    assert response.status_code == 302
    assert Sponsorship.objects.get().country == "KE"


STEP1_ERRORS: list[tuple[dict[str, Any], str]] = [
    ({"a-other_amount": "99"}, "Beløpet må være minst 100 kr."),
    ({"a-other_amount": "femti"}, "Skriv beløpet i hele kroner"),
    ({"a-other_amount": "4" * 10_000}, "12 eller færre tegn"),
    ({"a-amount_choice": "", "a-other_amount": ""}, "Velg et beløp, eller skriv ditt eget."),
    ({"place_kind": ""}, "Velg hvor du vil støtte."),
    ({"village": ""}, "Velg en barneby."),
    ({"village": "9" * 10_000}, "12 eller færre tegn"),
]


@pytest.mark.parametrize(("change", "message"), STEP1_ERRORS)
def test_bad_amount_or_place_gives_a_clear_message_and_saves_nothing(
    client: Client, association: MemberAssociation, village: Location, change: dict[str, Any], message: str
) -> None:
    response = client.post(SPONSOR, {"step": "1", "state": "", **STEP1, "village": str(village.pk), **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert nothing_saved()


def test_a_village_closed_for_sponsorship_is_refused(
    client: Client, association: MemberAssociation, village: Location, closed_village: Location
) -> None:
    page = client.get(SPONSOR).content.decode()
    assert "Barneby Stengt" not in page  # not offered
    response = client.post(SPONSOR, {"step": "1", "state": "", **STEP1, "village": str(closed_village.pk)})
    assert response.status_code == 400
    assert "Barneby Stengt tar ikke imot nye faddere nå" in response.content.decode()
    assert nothing_saved()


def test_a_village_closed_between_the_steps_is_refused_at_the_end(
    client: Client, association: MemberAssociation, village: Location
) -> None:
    first = client.post(SPONSOR, {"step": "1", "state": "", **STEP1, "village": str(village.pk)})
    second = client.post(SPONSOR, {"step": "2", "state": state_of(first), **DETAILS})
    Location.objects.filter(pk=village.pk).update(is_active=False)
    response = client.post(SPONSOR, {"step": "3", "state": state_of(second), "method": "avtalegiro"})
    assert response.status_code == 400
    assert "tar ikke imot nye faddere" in response.content.decode()
    assert nothing_saved()


DETAIL_ERRORS: list[tuple[dict[str, Any], str]] = [
    ({"email": "ingrid.example.org"}, "Skriv en gyldig e-postadresse"),
    ({"email": "ingrid@"}, "Skriv en gyldig e-postadresse"),
    ({"phone": "12 34"}, "Et norsk telefonnummer har åtte sifre"),
    ({"phone": "ring meg"}, "Et telefonnummer har bare sifre"),
    ({"postcode": "155"}, "Postnummeret har fire sifre"),
    ({"postcode": "01A5"}, "Postnummeret har fire sifre"),
    ({"tax_deduction": "on", "national_id": "15108695089"}, "Kontrollsifrene stemmer ikke"),
    ({"tax_deduction": "on", "national_id": "1510869"}, "Fødselsnummer og D-nummer har 11 sifre."),
    ({"tax_deduction": "on", "national_id": ""}, "Skriv fødselsnummeret ditt for å få skattefradrag."),
    ({"first_name": ""}, "Skriv fornavnet ditt."),
    ({"postcode": ""}, "Skriv postnummeret ditt."),
    *[
        ({field: "x" * 10_000}, "eller færre tegn (den har nå 10000)")
        for field in ("first_name", "last_name", "email", "phone", "street_address", "postcode", "city", "national_id")
    ],
]


@pytest.mark.parametrize(("change", "message"), DETAIL_ERRORS)
def test_bad_details_give_a_clear_message_and_save_nothing(
    client: Client, association: MemberAssociation, village: Location, change: dict[str, Any], message: str
) -> None:
    first = client.post(SPONSOR, {"step": "1", "state": "", **STEP1, "village": str(village.pk)})
    response = client.post(SPONSOR, {"step": "2", "state": state_of(first), **DETAILS, **change})
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert nothing_saved()


def test_a_forged_or_missing_state_starts_again_and_saves_nothing(
    client: Client, association: MemberAssociation, village: Location
) -> None:
    response = client.post(SPONSOR, {"step": "3", "state": "not-a-state", "method": "giro"})
    assert response.status_code == 400
    assert "Skjemaet kunne ikke leses" in response.content.decode()
    response = client.post(SPONSOR, {"step": "3", "state": "", "method": "giro"})
    assert response.status_code == 400
    assert nothing_saved()


def test_a_double_submit_makes_one_sponsorship(
    client: Client, association: MemberAssociation, village: Location, django_capture_on_commit_callbacks: Any
) -> None:
    first = client.post(SPONSOR, {"step": "1", "state": "", **STEP1, "village": str(village.pk)})
    second = client.post(SPONSOR, {"step": "2", "state": state_of(first), **DETAILS})
    final = {"step": "3", "state": state_of(second), "method": "avtalegiro"}
    with django_capture_on_commit_callbacks(execute=True):
        one = client.post(SPONSOR, final)
        two = client.post(SPONSOR, final)
    assert one.status_code == two.status_code == 302
    assert one["Location"] == two["Location"]
    assert Sponsorship.objects.count() == 1
    assert PaymentAgreement.objects.count() == 1
    assert Supporter.objects.count() == 1
    assert len(mail.outbox) == 1


def test_completing_the_same_state_twice_in_the_service_makes_one(association: MemberAssociation) -> None:
    state = {
        "token": services.new_token(),
        "amount": "400",
        "place_kind": "need",
        "method": "giro",
        **DETAILS,
    }
    first, made = services.complete_sponsorship(state=state)
    again, made_again = services.complete_sponsorship(state=state)
    assert (made, made_again) == (True, False)
    assert first.pk == again.pk
    assert Sponsorship.objects.count() == 1


def test_an_existing_supporter_is_found_not_duplicated(
    client: Client, association: MemberAssociation, village: Location
) -> None:
    existing = ff.supporter(
        association, first_name="Ingrid", last_name="Fjellheim", email="INGRID.fjellheim@example.org"
    )
    response = walk(client, step1={**STEP1, "village": str(village.pk)}, details=DETAILS)
    assert response.status_code == 302
    assert Supporter.objects.count() == 1
    assert PaymentAgreement.objects.get().supporter == existing
    assert Sponsorship.objects.get().supporter == existing
    # The back office's sequence: the existing supporter's first agreement, KID with its donor number.
    assert str(existing.donor_number) in PaymentAgreement.objects.get().kid


def _vipps_to_provider(client: Client, village: Location) -> tuple[str, str]:
    response = walk(client, step1={**STEP1, "village": str(village.pk)}, details=DETAILS, method="vipps")
    assert response.status_code == 302
    fake = response["Location"]
    assert fake.startswith("/vipps-test/")
    assert nothing_saved()  # nothing before Vipps says yes
    page = client.get(fake)
    assert page.status_code == 200
    assert "Ingen penger blir trukket" in page.content.decode()
    neste = re.search(r'name="neste" value="([^"]+)"', page.content.decode())
    assert neste
    return fake.split("?")[0], html.unescape(neste.group(1))


def test_vipps_approved_makes_an_active_agreement_tied_to_vipps(
    client: Client, association: MemberAssociation, village: Location, django_capture_on_commit_callbacks: Any
) -> None:
    fake, back = _vipps_to_provider(client, village)
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(fake, {"answer": "approve", "neste": back})
        assert answered["Location"] == back
        done = client.get(back)
        again = client.get(back)  # the return opened twice
    assert done.status_code == 302
    assert again["Location"] == done["Location"]
    agreement = PaymentAgreement.objects.get()
    assert agreement.method == PaymentMethod.VIPPS
    assert agreement.state == AgreementState.ACTIVE
    assert agreement.vipps_agreement_id == fake.rstrip("/").rsplit("/", 1)[1]
    assert Sponsorship.objects.get().state == SponsorshipState.PENDING
    assert len(mail.outbox) == 1


def test_vipps_cancelled_saves_nothing_and_leads_back_to_payment(
    client: Client, association: MemberAssociation, village: Location
) -> None:
    fake, back = _vipps_to_provider(client, village)
    client.post(fake, {"answer": "cancel", "neste": back})
    result = client.get(back)
    assert result.status_code == 409
    body = result.content.decode()
    assert "Vipps-avtalen ble ikke godkjent" in body
    assert "Ingenting er registrert" in body
    assert nothing_saved()
    # The way back: the payment step again with the answers kept, and another method goes through.
    again = client.post(SPONSOR, {"state": state_of(result), "show": "3"})
    assert again.status_code == 200
    assert "Fjellheim" in again.content.decode()
    done = client.post(SPONSOR, {"step": "3", "state": state_of(again), "method": "avtalegiro"})
    assert done.status_code == 302
    assert PaymentAgreement.objects.get().method == PaymentMethod.AVTALEGIRO


def test_without_a_vipps_provider_vipps_is_not_offered_and_cannot_be_forced(
    client: Client, association: MemberAssociation, village: Location, settings: Any
) -> None:
    """Production without a provider: the fake one is never used by default (it approves and no bank pays)."""
    settings.WEBSITE_VIPPS_PROVIDER = ""
    settings.WEBSITE_VIPPS_FAKE = False
    response = walk(client, step1={**STEP1, "village": str(village.pk)}, details=DETAILS, method="vipps")
    assert response.status_code == 400  # the payment step again, with the choice refused
    assert 'value="vipps"' not in response.content.decode()
    assert "avtalegiro" in response.content.decode()
    assert nothing_saved()
    assert client.get("/vipps-test/agr_any/").status_code == 404
    assert client.get("/bli-fadder/vipps/", {"s": "x"}).status_code == 400


def test_vipps_needs_a_norwegian_mobile_number(
    client: Client, association: MemberAssociation, village: Location
) -> None:
    response = walk(
        client,
        step1={**STEP1, "village": str(village.pk)},
        details={**DETAILS, "phone": "+46 70 123 45 67"},
        method="vipps",
    )
    assert response.status_code == 400
    assert "Vipps trenger et norsk mobilnummer" in response.content.decode()
    assert nothing_saved()


def test_back_keeps_the_answers(client: Client, association: MemberAssociation, village: Location) -> None:
    first = client.post(SPONSOR, {"step": "1", "state": "", **STEP1, "village": str(village.pk)})
    back = client.post(SPONSOR, {"step": "2", "state": state_of(first), "show": "1"})
    assert back.status_code == 200
    page = back.content.decode()
    assert 'value="400"' in page
    assert f'value="{village.pk}" selected' in page


def test_the_gift_form_gives_the_donors_gift_kid(
    client: Client, association: MemberAssociation, village: Location, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = walk(
            client,
            step1={"a-amount_choice": "annet", "a-other_amount": "750", "place_kind": "country", "country": "KE"},
            details={**DETAILS, "consents": ["sms"]},
            method="giro",
            path=GIFT,
        )
    assert response.status_code == 302
    supporter = Supporter.objects.get()
    kid = services.gift_kid(supporter)
    assert kid is not None
    assert is_valid_kid(kid)
    assert not PaymentAgreement.objects.exists()
    assert not Sponsorship.objects.exists()
    signup = WebSignup.objects.get()
    assert signup.kind == "gift"
    assert signup.purpose == "Kenya"
    assert Consent.objects.get().purpose == ConsentPurpose.SMS
    receipt = client.get(response["Location"]).content.decode()
    assert kid in receipt
    assert kid in mail.outbox[0].body
    assert "750,00" in mail.outbox[0].body


def test_the_gift_amount_has_a_minimum(client: Client, association: MemberAssociation, settings: Any) -> None:
    settings.FUNDRAISING_GIFT_MIN = 100
    response = client.post(
        GIFT, {"step": "1", "state": "", "a-amount_choice": "annet", "a-other_amount": "20", "place_kind": "need"}
    )
    assert response.status_code == 400
    assert "Beløpet må være minst 100 kr." in response.content.decode()
    assert nothing_saved()


@pytest.mark.parametrize("path", [SPONSOR, GIFT, "/en" + SPONSOR, "/en" + GIFT])
def test_the_forms_answer_in_both_languages(client: Client, association: MemberAssociation, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Language"] == ("en" if path.startswith("/en") else "nb")
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_without_a_csrf_token_nothing_is_saved(association: MemberAssociation, village: Location) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(SPONSOR, {"step": "1", "state": "", **STEP1, "village": str(village.pk)})
    assert response.status_code == 403
    assert nothing_saved()


def test_the_fake_vipps_page_refuses_an_outside_return_address(client: Client, association: MemberAssociation) -> None:
    draft = services.vipps_provider().create_agreement(
        phone="91234567", amount_ore=40000, product_name="x", reference="y"
    )
    assert client.get(f"/vipps-test/{draft.agreement_id}/", {"neste": "https://evil.example/"}).status_code == 404
    assert client.get("/vipps-test/agr_unknown/", {"neste": "/"}).status_code == 404


def test_the_vipps_return_without_answers_starts_the_sign_up_and_with_broken_ones_says_so(client: Client) -> None:
    assert client.get("/bli-fadder/vipps/")["Location"] == "/bli-fadder/"
    broken = client.get("/bli-fadder/vipps/", {"s": "ikke-gyldig"})
    assert broken.status_code == 400
    assert nothing_saved()


def test_a_receipt_address_that_is_not_a_sign_up_is_404(client: Client, association: MemberAssociation) -> None:
    assert client.get(f"/bli-fadder/takk/{services.new_token()}/").status_code == 404


@pytest.mark.parametrize(("home_path", "prefix"), [("/", ""), ("/en/", "/en")])
def test_every_page_links_to_the_sign_up_and_the_gift(client: Client, home: Any, home_path: str, prefix: str) -> None:
    page = client.get(home_path).content.decode()
    assert f'href="{prefix}{SPONSOR}"' in page
    assert f'href="{prefix}{GIFT}"' in page


def test_a_filled_honeypot_is_refused_and_nothing_saved(
    client: Client, association: MemberAssociation, village: Location
) -> None:
    first = client.post(SPONSOR, {"step": "1", "state": "", **STEP1, "village": str(village.pk)})
    response = client.post(
        SPONSOR, {"step": "2", "state": state_of(first), **DETAILS, "nettsted": "http://spam.example"}
    )
    assert response.status_code == 400
    assert "Skjemaet kunne ikke sendes" in response.content.decode()
    assert nothing_saved()


def test_three_steps_faster_than_a_person_are_refused(
    client: Client, association: MemberAssociation, village: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(abuse, "MIN_SECONDS", 3600)
    response = walk(client, step1={**STEP1, "village": str(village.pk)}, details=DETAILS)
    assert response.status_code == 400
    assert "Skjemaet kunne ikke sendes" in response.content.decode()
    assert nothing_saved()


def test_too_many_sign_ups_from_one_address_are_refused(
    client: Client, association: MemberAssociation, village: Location, settings: Any
) -> None:
    settings.WEBSITE_FORM_RATE_LIMIT_PER_HOUR = 1
    assert walk(client, step1={**STEP1, "village": str(village.pk)}, details=DETAILS).status_code == 302
    other = {**DETAILS, "email": "noen.andre@example.org", "phone": "99887766", "last_name": "Berg"}
    response = walk(client, step1={**STEP1, "village": str(village.pk)}, details=other)
    assert response.status_code == 429
    assert "for mange skjemaer" in response.content.decode()
    assert Sponsorship.objects.count() == 1


def test_vipps_attach_refuses_what_is_not_a_fresh_vipps_agreement(association: MemberAssociation) -> None:
    from django.core.exceptions import ValidationError

    from barneby.fundraising.services import agreement_create, vipps_agreement_attach

    provider = services.vipps_provider()
    supporter = ff.supporter(association)
    giro = agreement_create(actor=None, supporter=supporter, method="giro", monthly_amount=300)
    with pytest.raises(ValidationError, match="ikke en Vipps-avtale"):
        vipps_agreement_attach(actor=None, agreement=giro, vipps_agreement_id="agr_x", provider=provider)
    draft = provider.create_agreement(phone="91234567", amount_ore=30000, product_name="x", reference="y")
    first = agreement_create(actor=None, supporter=supporter, method="vipps", monthly_amount=300)
    vipps_agreement_attach(actor=None, agreement=first, vipps_agreement_id=draft.agreement_id, provider=provider)
    first.refresh_from_db()
    assert first.vipps_agreement_id == draft.agreement_id
    assert first.state == AgreementState.PENDING  # not approved in the app yet
    second = agreement_create(actor=None, supporter=supporter, method="vipps", monthly_amount=300)
    with pytest.raises(ValidationError, match="allerede knyttet"):
        vipps_agreement_attach(actor=None, agreement=second, vipps_agreement_id=draft.agreement_id, provider=provider)
    with pytest.raises(ValidationError, match="allerede sendt"):
        vipps_agreement_attach(actor=None, agreement=first, vipps_agreement_id="agr_other", provider=provider)


def test_donor_service_sees_a_greatest_need_sponsorship(
    client: Client, association: MemberAssociation, donor_service: Any, settings: Any
) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    state = {"token": services.new_token(), "amount": "400", "place_kind": "need", "method": "avtalegiro", **DETAILS}
    signup, _made = services.complete_sponsorship(state=state)
    sponsorship = Sponsorship.objects.get()
    client.force_login(donor_service)
    for url in (f"/innsamling/givere/{signup.supporter_id}/", f"/fadderskap/{sponsorship.pk}/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Der behovet er størst" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_completions_of_one_form_make_one_sponsorship(association: MemberAssociation) -> None:
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time anyway")
    state = {"token": services.new_token(), "amount": "400", "place_kind": "need", "method": "giro", **DETAILS}
    barrier = threading.Barrier(2)
    made: list[bool] = []
    errors: list[BaseException] = []

    def complete() -> None:
        try:
            barrier.wait()
            made.append(services.complete_sponsorship(state=dict(state))[1])
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(made) == [False, True]
    assert Sponsorship.objects.count() == 1
    assert Supporter.objects.count() == 1


def test_the_whole_sign_up_sets_only_necessary_cookies(
    client: Client, association: MemberAssociation, village: Location
) -> None:
    from barneby.website.consent import NECESSARY_COOKIES

    client.get(SPONSOR)
    response = walk(client, step1={**STEP1, "village": str(village.pk)}, details=DETAILS)
    client.get(response["Location"])
    assert set(client.cookies) <= NECESSARY_COOKIES
    assert "sessionid" not in client.cookies


def test_each_visitor_gets_a_form_token_of_their_own(client: Client, association: MemberAssociation) -> None:
    """The sign-up page is never served from the page cache: a shared token would send one visitor's
    completed form to another visitor's receipt as a 'double submit'."""
    first = services.unpack(state_of(client.get(SPONSOR)))
    second = services.unpack(state_of(Client().get(SPONSOR)))
    assert first["token"] != second["token"]
