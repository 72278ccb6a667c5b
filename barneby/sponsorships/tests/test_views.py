"""Sponsorship pages: who reaches which, what they show, and the forms behind them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from barneby.accounts.roles import Role, ScopeKind
from barneby.care import services as care_services
from barneby.care.models import ChildStatus
from barneby.core.tests.pdfs import pdf_text
from barneby.core.tests.personas import make_persona, make_user, verified_client
from barneby.sponsorships import services
from barneby.sponsorships.models import (
    EventKind,
    ProfileStatus,
    Sponsorship,
    SponsorshipProfile,
    SponsorshipState,
    TargetKind,
    TransferTask,
)
from barneby.sponsorships.tests.factories import TODAY, World, approved_profile, child
from barneby.sponsorships.tests.test_services import JPEG

pytestmark = pytest.mark.django_db


def sponsorship(w: World, profile: SponsorshipProfile | None = None, **kw: Any) -> Sponsorship:
    target: dict[str, Any] = (
        {"target_kind": TargetKind.CHILD, "profile": profile}
        if profile is not None
        else {"target_kind": TargetKind.VILLAGE, "village": w.village}
    )
    return services.sponsorship_create(
        actor=w.donor_service, supporter=w.supporter, monthly_amount=kw.pop("monthly_amount", 300), **target, **kw
    )


def photo_bytes(client: Client, profile: SponsorshipProfile) -> bytes:
    response = client.get(f"/fadderskap/profiler/{profile.pk}/bilde/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def donor_urls(w: World) -> list[str]:
    profile = approved_profile(w)
    s = sponsorship(w, profile)
    [task] = services.profile_withdraw(actor=w.caseworker, profile=profile)
    return [
        "/fadderskap/",
        f"/fadderskap/giver/{w.supporter.pk}/ny/",
        f"/fadderskap/{s.pk}/",
        f"/fadderskap/{s.pk}/status/aktiver/",
        f"/fadderskap/{s.pk}/belop/",
        "/fadderskap/barn/",
        "/fadderskap/overforinger/",
        f"/fadderskap/overforinger/{task.pk}/",
        f"/fadderskap/overforinger/{task.pk}/brev/",
    ]


def care_urls(w: World) -> list[str]:
    profile = services.profile_create(actor=w.caseworker, child=child(w), village=w.village)
    return [
        "/fadderskap/profiler/",
        "/fadderskap/profiler/ny/",
        f"/fadderskap/profiler/{profile.pk}/",
        f"/fadderskap/profiler/{profile.pk}/endre/",
        f"/fadderskap/profiler/{profile.pk}/samtykke/",
        f"/fadderskap/profiler/{profile.pk}/godkjenn/",
        f"/fadderskap/profiler/{profile.pk}/trekk-tilbake/",
    ]


# --- personas ---------------------------------------------------------------------------------


def test_donor_service_reaches_its_pages_and_no_care_page(w: World) -> None:
    client = verified_client(w.donor_service)
    for url in donor_urls(w):
        assert client.get(url).status_code == 200, url
    for url in care_urls(w):
        assert client.get(url).status_code == 403, url


def test_caseworkers_reach_the_profile_pages_and_no_donor_page(w: World) -> None:
    care = care_urls(w)
    donor = donor_urls(w)
    for user in (
        w.caseworker,
        make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(w.programme.pk)),
    ):
        client = verified_client(user)
        for url in care:
            assert client.get(url).status_code == 200, url
        for url in donor:
            assert client.get(url).status_code == 404, url  # the back office is hidden, not forbidden


@pytest.mark.parametrize(
    "role",
    [
        Role.NATIONAL_DIRECTOR,
        Role.CAREGIVER,
        Role.AUDITOR,
        Role.ME_ADVISOR,
        Role.SYSTEM_ADMIN,
        Role.MUNICIPALITY_CONTACT,
    ],
)
def test_other_roles_reach_nothing(w: World, role: Role) -> None:
    client = verified_client(make_persona(role))
    for url in donor_urls(w):
        assert client.get(url).status_code == 404, (role, url)
    for url in care_urls(w):
        assert client.get(url).status_code == 403, (role, url)


def test_anonymous_visitors_are_sent_to_sign_in(w: World, client: Client) -> None:
    for url in donor_urls(w) + care_urls(w):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/konto/logg-inn/"), url


def test_a_user_without_roles_is_refused(w: World) -> None:
    client = Client()
    client.force_login(make_user())
    assert client.get("/fadderskap/").status_code == 404
    assert client.get("/fadderskap/profiler/").status_code == 403


# --- scope ------------------------------------------------------------------------------------


def test_another_programmes_caseworker_gets_404(w: World) -> None:
    profile = approved_profile(w)
    client = verified_client(w.other_caseworker)
    for suffix in ("", "endre/", "samtykke/", "godkjenn/", "trekk-tilbake/"):
        assert client.get(f"/fadderskap/profiler/{profile.pk}/{suffix}").status_code == 404, suffix
    assert client.post(f"/fadderskap/profiler/{profile.pk}/trekk-tilbake/", {"confirm": "on"}).status_code == 404
    profile.refresh_from_db()
    assert profile.status == ProfileStatus.APPROVED
    listing = client.get("/fadderskap/profiler/")
    assert "Maren" not in listing.content.decode()
    # Nor can they make a profile for a child outside their programmes.
    response = client.post("/fadderskap/profiler/ny/", {"child": child(w).pk, "village": w.village.pk})
    assert response.status_code == 400
    assert not SponsorshipProfile.objects.filter(status="draft").exists()


def test_donor_service_of_another_association_gets_404(w: World) -> None:
    profile = approved_profile(w, first_name="Sara")
    s = sponsorship(w, profile)
    client = verified_client(w.other_donor_service)
    assert client.get(f"/fadderskap/{s.pk}/").status_code == 404
    assert client.get(f"/fadderskap/giver/{w.supporter.pk}/ny/").status_code == 404
    assert "Sara" not in client.get("/fadderskap/barn/").content.decode()
    assert str(w.supporter.donor_number) not in client.get("/fadderskap/").content.decode()
    [task] = services.profile_withdraw(actor=w.caseworker, profile=profile)
    assert client.get(f"/fadderskap/overforinger/{task.pk}/brev/").status_code == 404


# --- what donor service sees ------------------------------------------------------------------


def test_donor_service_sees_the_profile_never_surname_or_birth_date(w: World) -> None:
    kid = child(w, first_name="Maren", last_name="Hemmeligsen", national_id="")
    profile = approved_profile(w, kid)
    s = sponsorship(w, profile)
    client = verified_client(w.donor_service)
    birth = kid.birth_date.strftime("%d.%m.%Y")
    for url in ("/fadderskap/barn/", f"/fadderskap/{s.pk}/", "/fadderskap/", f"/fadderskap/giver/{w.supporter.pk}/ny/"):
        page = client.get(url).content.decode()
        assert "Maren" in page, url
        assert "Hemmeligsen" not in page, url
        assert birth not in page, url
        assert kid.birth_date.isoformat() not in page, url
        assert w.programme.name not in page, url
    assert f"{profile.age()} år" in client.get("/fadderskap/barn/").content.decode()


def test_donor_service_cannot_open_the_child_or_the_care_pages(w: World) -> None:
    kid = child(w)
    approved_profile(w, kid)
    client = verified_client(w.donor_service)
    assert client.get(f"/omsorg/barn/{kid.pk}/").status_code in {403, 404}
    assert client.get("/fadderskap/profiler/").status_code == 403


def test_a_draft_profile_is_not_offered_to_donor_service(w: World) -> None:
    services.profile_create(actor=w.caseworker, child=child(w, first_name="Utkastine"), village=w.village)
    page = verified_client(w.donor_service).get("/fadderskap/barn/").content.decode()
    assert "Utkastine" not in page
    assert "Ingen godkjente fadderprofiler." in page


# --- caseworker pages -------------------------------------------------------------------------


def test_caseworker_makes_records_consents_and_approves_a_profile(w: World) -> None:
    kid = child(w, first_name="Maren")
    client = verified_client(w.caseworker)
    form = client.get(f"/fadderskap/profiler/ny/?barn={kid.pk}")
    assert 'value="Maren"' in form.content.decode()
    photo = SimpleUploadedFile("maren.jpg", JPEG, content_type="image/jpeg")
    response = client.post(
        "/fadderskap/profiler/ny/", {"child": kid.pk, "first_name": "", "village": w.village.pk, "photo": photo}
    )
    assert response.status_code == 302
    profile = SponsorshipProfile.objects.get()
    assert (profile.first_name, profile.status) == ("Maren", "draft")
    assert photo_bytes(client, profile) == profile.photo.read()
    assert verified_client(w.donor_service).get(f"/fadderskap/profiler/{profile.pk}/bilde/").status_code == 404
    refused = client.post(f"/fadderskap/profiler/{profile.pk}/godkjenn/", {"confirm": "on"})
    assert refused.status_code == 400
    assert "Foresattes samtykke er ikke registrert." in refused.content.decode()
    day = TODAY.isoformat()
    consents = {"child_consent": "on", "child_consent_on": day, "guardian_consent": "on", "guardian_consent_on": day}
    assert client.post(f"/fadderskap/profiler/{profile.pk}/samtykke/", consents).status_code == 302
    assert client.post(f"/fadderskap/profiler/{profile.pk}/godkjenn/").status_code == 400  # not confirmed
    assert client.post(f"/fadderskap/profiler/{profile.pk}/godkjenn/", {"confirm": "on"}).status_code == 302
    profile.refresh_from_db()
    assert (profile.status, profile.approved_by) == ("approved", w.caseworker)
    assert photo_bytes(verified_client(w.donor_service), profile).startswith(b"\xff\xd8\xff")
    detail = client.get(f"/fadderskap/profiler/{profile.pk}/").content.decode()
    assert "Godkjent" in detail
    assert "Hemmeligsen" not in detail


def test_a_bad_photo_is_refused_with_a_message(w: World) -> None:
    kid = child(w)
    client = verified_client(w.caseworker)
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00" + b"\x00" * 40, content_type="image/png")
    response = client.post("/fadderskap/profiler/ny/", {"child": kid.pk, "village": w.village.pk, "photo": fake})
    assert response.status_code == 400
    assert "Bildet må være en JPEG- eller PNG-fil." in response.content.decode()
    assert not SponsorshipProfile.objects.exists()


def test_caseworker_withdraws_a_profile_after_confirming(w: World) -> None:
    profile = approved_profile(w)
    sponsorship(w, profile)
    client = verified_client(w.caseworker)
    assert "Trekke tilbake" in client.get(f"/fadderskap/profiler/{profile.pk}/trekk-tilbake/").content.decode()
    assert client.post(f"/fadderskap/profiler/{profile.pk}/trekk-tilbake/", {}).status_code == 400
    assert client.post(f"/fadderskap/profiler/{profile.pk}/trekk-tilbake/", {"confirm": "on"}).status_code == 302
    profile.refresh_from_db()
    assert profile.status == ProfileStatus.WITHDRAWN
    assert TransferTask.objects.filter(old_profile=profile, status="open").count() == 1


def test_profile_list_filters_by_status(w: World) -> None:
    approved_profile(w, first_name="Godkjentine")
    services.profile_create(actor=w.caseworker, child=child(w, first_name="Utkastine"), village=w.village)
    client = verified_client(w.caseworker)
    page = client.get("/fadderskap/profiler/?status=approved").content.decode()
    assert "Godkjentine" in page
    assert "Utkastine" not in page


# --- donor service pages ----------------------------------------------------------------------


def test_donor_service_creates_a_sponsorship_with_a_preset_or_free_amount(w: World) -> None:
    profile = approved_profile(w)
    client = verified_client(w.donor_service)
    url = f"/fadderskap/giver/{w.supporter.pk}/ny/"
    base = {"target_kind": "child", "profile": profile.pk, "start_date": TODAY.isoformat()}
    assert client.post(url, {**base, "amount_preset": "350"}).status_code == 302
    first = Sponsorship.objects.get()
    assert (first.monthly_amount, first.profile, first.state) == (Decimal(350), profile, "pending")
    too_low = client.post(url, {**base, "amount_preset": "other", "amount_other": "50"})
    assert too_low.status_code == 400
    assert "Månedlig beløp må være mellom 100 og 50000 kroner." in too_low.content.decode()
    missing = client.post(url, {**base, "amount_preset": "other"})
    assert missing.status_code == 400
    no_target = client.post(url, {**base, "target_kind": "village", "amount_preset": "250"})
    assert "Velg en aktiv barneby." in no_target.content.decode()
    village = {"target_kind": "village", "village": w.village.pk, "start_date": TODAY.isoformat()}
    assert client.post(url, {**village, "amount_preset": "other", "amount_other": "750"}).status_code == 302
    assert Sponsorship.objects.filter(target_kind="village", monthly_amount=750).count() == 1


def test_state_actions_ask_for_confirmation_and_ending_needs_a_reason(w: World) -> None:
    s = sponsorship(w)
    client = verified_client(w.donor_service)
    detail = client.get(f"/fadderskap/{s.pk}/").content.decode()
    assert f"/fadderskap/{s.pk}/status/aktiver/" in detail
    assert f"/fadderskap/{s.pk}/status/pause/" not in detail  # a pending sponsorship cannot pause
    assert client.post(f"/fadderskap/{s.pk}/status/aktiver/", {}).status_code == 400
    assert client.post(f"/fadderskap/{s.pk}/status/aktiver/", {"confirm": "on"}).status_code == 302
    refused = client.post(f"/fadderskap/{s.pk}/status/gjenoppta/", {"confirm": "on"})
    assert refused.status_code == 400
    assert client.post(f"/fadderskap/{s.pk}/status/pause/", {"confirm": "on"}).status_code == 302
    no_reason = client.post(f"/fadderskap/{s.pk}/status/avslutt/", {"confirm": "on"})
    assert no_reason.status_code == 400
    ended = client.post(f"/fadderskap/{s.pk}/status/avslutt/", {"confirm": "on", "end_reason": "sponsor_request"})
    assert ended.status_code == 302
    s.refresh_from_db()
    assert (s.state, s.end_reason) == (SponsorshipState.ENDED, "sponsor_request")
    assert client.get(f"/fadderskap/{s.pk}/status/tull/").status_code == 404
    history = client.get(f"/fadderskap/{s.pk}/").content.decode()
    assert "Fadderen ønsket å avslutte" in history
    assert history.count("Statusendring") == 3


def test_changing_the_amount_is_in_the_history(w: World) -> None:
    s = sponsorship(w)
    client = verified_client(w.donor_service)
    assert client.post(f"/fadderskap/{s.pk}/belop/", {"monthly_amount": "60000"}).status_code == 400
    assert client.post(f"/fadderskap/{s.pk}/belop/", {"monthly_amount": "450"}).status_code == 302
    assert s.events.filter(kind=EventKind.AMOUNT, new_amount=450).exists()


def test_sponsorship_list_filters_searches_and_answers_htmx(w: World) -> None:
    profile = approved_profile(w)
    sponsorship(w, profile)
    village = sponsorship(w)
    services.sponsorship_transition(actor=w.donor_service, sponsorship=village, to_state="active")
    client = verified_client(w.donor_service)
    assert client.get("/fadderskap/?state=active").content.decode().count("/fadderskap/") >= 1
    active = client.get("/fadderskap/?state=active&target=child").content.decode()
    assert "Ingen fadderskap funnet." in active
    found = client.get(f"/fadderskap/?q={w.supporter.donor_number}").content.decode()
    assert found.count(f"/fadderskap/{village.pk}/") == 1
    assert "Ingen fadderskap funnet." in client.get("/fadderskap/?q=Nobodysen").content.decode()
    partial = client.get("/fadderskap/?q=Giversen", headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body


def test_transfer_task_is_resolved_and_the_letter_downloaded(w: World) -> None:
    kid = child(w, first_name="Maren")
    old = approved_profile(w, kid)
    approved_profile(w, first_name="Jonas")
    s = sponsorship(w, old)
    care_services.child_set_status(actor=w.caseworker, child=kid, status=ChildStatus.LEFT)
    task = TransferTask.objects.get()
    client = verified_client(w.donor_service)
    listing = client.get("/fadderskap/overforinger/").content.decode()
    assert "Barnet har forlatt programmet" in listing
    page = client.get(f"/fadderskap/overforinger/{task.pk}/").content.decode()
    assert "Jonas" in page
    assert "Hemmeligsen" not in page
    offer = client.get(f"/fadderskap/overforinger/{task.pk}/brev/")
    assert offer["Content-Type"] == "application/pdf"
    assert offer.content.startswith(b"%PDF")
    assert "Maren" in pdf_text(offer.content)
    assert client.post(f"/fadderskap/overforinger/{task.pk}/", {"resolution": "new_child"}).status_code == 400
    jonas = SponsorshipProfile.objects.get(first_name="Jonas")
    done = client.post(f"/fadderskap/overforinger/{task.pk}/", {"resolution": "new_child", "new_profile": jonas.pk})
    assert done.status_code == 302
    s.refresh_from_db()
    assert s.profile == jonas
    letter = client.get(f"/fadderskap/overforinger/{task.pk}/brev/")
    assert "Jonas" in pdf_text(letter.content)
    assert "Ingen overføringer." in client.get("/fadderskap/overforinger/").content.decode()


def test_the_supporter_page_lists_the_sponsorships(w: World) -> None:
    s = sponsorship(w, monthly_amount=450)
    page = verified_client(w.donor_service).get(f"/innsamling/givere/{w.supporter.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"/fadderskap/{s.pk}/" in body
    assert f"/fadderskap/giver/{w.supporter.pk}/ny/" in body


# Characters that str.isdigit() accepts but int() refuses, and a number too long for the database's integer.
ODD_NUMBERS = ["¹", "²³", "①", "٣", "1²", "9" * 40]


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_every_search_and_number_parameter_answers_odd_digits_without_500(w: World, odd: str) -> None:
    sponsorship(w)
    donor = verified_client(w.donor_service)
    for url, params in [
        ("/fadderskap/", {"q": odd}),
        ("/fadderskap/barn/", {"q": odd, "village": odd}),
        (f"/fadderskap/giver/{w.supporter.pk}/ny/", {"barn": odd}),
    ]:
        response = donor.get(url, params)
        assert response.status_code == 200, (url, odd)
    care = verified_client(w.caseworker)
    for url, params in [("/fadderskap/profiler/", {"q": odd}), ("/fadderskap/profiler/ny/", {"barn": odd})]:
        assert care.get(url, params).status_code == 200, (url, odd)


def test_sponsorship_form_refuses_an_implausible_start_date_with_a_message(w: World) -> None:
    client = verified_client(w.donor_service)
    url = f"/fadderskap/giver/{w.supporter.pk}/ny/"
    for start in ("9999-12-31", "1900-01-01"):
        response = client.post(
            url, {"target_kind": "village", "village": w.village.pk, "start_date": start, "amount_preset": "350"}
        )
        assert response.status_code == 400
        assert "Startdatoen må ligge mellom" in response.content.decode()
    assert not Sponsorship.objects.exists()


def test_every_read_of_a_profile_photo_is_audited(w: World) -> None:
    from barneby.audit.models import AuditEvent

    profile = approved_profile(w)
    profile.photo.save("maren.jpg", SimpleUploadedFile("maren.jpg", JPEG), save=True)
    before = AuditEvent.objects.filter(action="view", object_type="sponsorships.sponsorshipprofile").count()
    photo_bytes(verified_client(w.caseworker), profile)
    photo_bytes(verified_client(w.donor_service), profile)
    reads = AuditEvent.objects.filter(
        action="view", object_type="sponsorships.sponsorshipprofile", object_id=str(profile.pk), detail="photo"
    )
    assert reads.count() - before == 2
    assert set(reads.values_list("actor", flat=True)) == {w.caseworker.pk, w.donor_service.pk}
