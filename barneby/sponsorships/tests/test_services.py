"""Sponsorship services: the state machine, amounts, targets, profiles, consents and transfers."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image
from pytest_django import Settings

from barneby.audit.models import AuditEvent
from barneby.care import services as care_services
from barneby.care.models import ChildStatus
from barneby.core.tests.pdfs import pdf_text
from barneby.sponsorships import letters, services
from barneby.sponsorships.models import (
    EndReason,
    EventKind,
    ProfileStatus,
    Sponsorship,
    SponsorshipProfile,
    SponsorshipState,
    TargetKind,
    TransferReason,
    TransferResolution,
    TransferStatus,
    TransferTask,
)
from barneby.sponsorships.tests.factories import TODAY, World, approved_profile, child

pytestmark = pytest.mark.django_db


def image_bytes(kind: str = "JPEG", *, size: tuple[int, int] = (8, 6), gps: bool = False) -> bytes:
    """A small real picture; with ``gps``, EXIF naming a camera and a position as a phone writes it."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "Telefonprodusent"  # Make
        exif[0x0132] = "2026:05:17 12:00:00"  # DateTime
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1], gps_ifd[2] = "N", (60.0, 23.0, 31.0)  # latitude ref and latitude
        gps_ifd[3], gps_ifd[4] = "E", (5.0, 19.0, 27.0)  # longitude ref and longitude
    out = io.BytesIO()
    image.save(out, format=kind, exif=exif.tobytes() if gps else b"")
    return out.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes()


def village_sponsorship(w: World, **kw: Any) -> Sponsorship:
    fields: dict[str, Any] = {"target_kind": TargetKind.VILLAGE, "village": w.village, "monthly_amount": 300}
    return services.sponsorship_create(actor=w.donor_service, supporter=w.supporter, **{**fields, **kw})


# --- the state machine ------------------------------------------------------------------------


def test_allowed_transitions_are_recorded_in_the_history(w: World) -> None:
    s = village_sponsorship(w)
    assert s.state == SponsorshipState.PENDING
    services.sponsorship_transition(actor=w.donor_service, sponsorship=s, to_state=SponsorshipState.ACTIVE)
    services.sponsorship_transition(actor=w.donor_service, sponsorship=s, to_state=SponsorshipState.PAUSED)
    services.sponsorship_transition(actor=w.donor_service, sponsorship=s, to_state=SponsorshipState.ACTIVE)
    services.sponsorship_transition(
        actor=w.donor_service, sponsorship=s, to_state=SponsorshipState.ENDED, end_reason=EndReason.SPONSOR_REQUEST
    )
    s.refresh_from_db()
    assert (s.state, s.end_reason, s.ended_on) == ("ended", "sponsor_request", TODAY)
    history = list(s.events.values_list("kind", "from_state", "to_state", "actor_id"))
    assert history == [
        (EventKind.CREATED, "", "pending", w.donor_service.pk),
        (EventKind.STATE, "pending", "active", w.donor_service.pk),
        (EventKind.STATE, "active", "paused", w.donor_service.pk),
        (EventKind.STATE, "paused", "active", w.donor_service.pk),
        (EventKind.STATE, "active", "ended", w.donor_service.pk),
    ]
    assert AuditEvent.objects.filter(object_type="sponsorships.sponsorship", object_id=str(s.pk)).count() == 5


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], SponsorshipState.PAUSED),  # pending cannot pause
        ([SponsorshipState.ACTIVE], SponsorshipState.ACTIVE),  # already active
        ([SponsorshipState.ACTIVE, SponsorshipState.PAUSED], SponsorshipState.PAUSED),
    ],
)
def test_refused_transitions_change_nothing(w: World, path: list[str], refused: str) -> None:
    s = village_sponsorship(w)
    for state in path:
        services.sponsorship_transition(actor=w.donor_service, sponsorship=s, to_state=state)
    events = s.events.count()
    with pytest.raises(ValidationError) as exc:
        services.sponsorship_transition(actor=w.donor_service, sponsorship=s, to_state=refused)
    assert "kan ikke gå fra" in exc.value.message_dict["state"][0]
    assert s.events.count() == events


def test_ended_is_final_and_ending_needs_a_reason(w: World) -> None:
    s = village_sponsorship(w)
    with pytest.raises(ValidationError) as exc:
        services.sponsorship_transition(actor=w.donor_service, sponsorship=s, to_state=SponsorshipState.ENDED)
    assert exc.value.message_dict["end_reason"] == ["Oppgi hvorfor fadderskapet avsluttes."]
    s.refresh_from_db()
    assert s.state == SponsorshipState.PENDING
    with pytest.raises(ValidationError):
        services.sponsorship_transition(
            actor=w.donor_service, sponsorship=s, to_state=SponsorshipState.ACTIVE, end_reason="other"
        )
    services.sponsorship_transition(
        actor=w.donor_service, sponsorship=s, to_state=SponsorshipState.ENDED, end_reason=EndReason.OTHER
    )
    with pytest.raises(ValidationError):
        services.sponsorship_transition(actor=w.donor_service, sponsorship=s, to_state=SponsorshipState.ACTIVE)
    with pytest.raises(ValidationError):
        services.sponsorship_change_amount(actor=w.donor_service, sponsorship=s, monthly_amount=500)


def test_the_database_refuses_an_ended_sponsorship_without_reason(w: World) -> None:
    s = village_sponsorship(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sponsorship.objects.filter(pk=s.pk).update(state="ended", ended_on=TODAY)


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["99.99", "50000.01", "0", "-250", "250.005", "abc"])
def test_amounts_outside_the_limits_are_refused(w: World, amount: str) -> None:
    with pytest.raises(ValidationError) as exc:
        village_sponsorship(w, monthly_amount=amount)
    assert "monthly_amount" in exc.value.message_dict
    assert not Sponsorship.objects.exists()


@pytest.mark.parametrize("amount", ["100", "250", "10000", "333.50"])
def test_amounts_within_the_limits_are_kept(w: World, amount: str) -> None:
    assert village_sponsorship(w, monthly_amount=amount).monthly_amount == Decimal(amount)


def test_limits_come_from_settings(w: World, settings: Settings) -> None:
    settings.FUNDRAISING_MONTHLY_MIN, settings.FUNDRAISING_MONTHLY_MAX = 200, 400
    with pytest.raises(ValidationError) as exc:
        village_sponsorship(w, monthly_amount=150)
    assert exc.value.message_dict["monthly_amount"] == ["Månedlig beløp må være mellom 200 og 400 kroner."]
    s = village_sponsorship(w, monthly_amount=400)
    with pytest.raises(ValidationError):
        services.sponsorship_change_amount(actor=w.donor_service, sponsorship=s, monthly_amount=401)
    services.sponsorship_change_amount(actor=w.donor_service, sponsorship=s, monthly_amount=250)
    event = s.events.get(kind=EventKind.AMOUNT)
    assert (event.old_amount, event.new_amount) == (Decimal("400.00"), Decimal(250))


# --- targets ----------------------------------------------------------------------------------


def test_each_target_kind_needs_its_own_target(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        village_sponsorship(w, target_kind=TargetKind.CONTINENT, village=None)
    assert "continent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        village_sponsorship(w, target_kind=TargetKind.COUNTRY, village=None, country="XX")
    assert "country" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        village_sponsorship(w, target_kind=TargetKind.CHILD, village=None)
    assert "profile" in exc.value.message_dict
    continent = village_sponsorship(w, target_kind=TargetKind.CONTINENT, continent="africa", village=w.village)
    assert (continent.continent, continent.village) == ("africa", None)  # the other targets are emptied
    country = village_sponsorship(w, target_kind=TargetKind.COUNTRY, country="KE", village=None)
    assert (country.target_kind, str(country.country)) == ("country", "KE")
    assert country.target_label == "Kenya"


def test_the_database_allows_exactly_one_target_of_the_chosen_kind(w: World) -> None:
    s = village_sponsorship(w)
    for change in ({"continent": "asia"}, {"village": None}, {"target_kind": "country"}, {"country": "KE"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Sponsorship.objects.filter(pk=s.pk).update(**change)


def test_a_child_target_needs_an_approved_profile_of_the_same_association(w: World) -> None:
    draft = services.profile_create(actor=w.caseworker, child=child(w), village=w.village)
    with pytest.raises(ValidationError):
        village_sponsorship(w, target_kind=TargetKind.CHILD, village=None, profile=draft)
    from barneby.fundraising.tests import factories as fund
    from barneby.organisation.tests import factories as org

    foreign = fund.supporter(org.association(name="SOS Danmark", country="DK"))
    profile = approved_profile(w, first_name="Sara")
    with pytest.raises(ValidationError) as exc:
        services.sponsorship_create(
            actor=w.donor_service, supporter=foreign, target_kind="child", profile=profile, monthly_amount=300
        )
    assert "profile" in exc.value.message_dict
    ok = village_sponsorship(w, target_kind=TargetKind.CHILD, village=None, profile=profile)
    assert ok.target_label == f"Sara ({w.village.name})"


# --- profiles ---------------------------------------------------------------------------------


def test_a_profile_copies_first_name_and_birth_year_only(w: World) -> None:
    kid = child(w, first_name="Maren", last_name="Hemmeligsen")
    profile = services.profile_create(actor=w.caseworker, child=kid, village=w.village)
    assert (profile.first_name, profile.birth_year, profile.status) == ("Maren", kid.birth_date.year, "draft")
    field_names = {f.name for f in SponsorshipProfile._meta.get_fields()}
    assert not field_names & {"last_name", "birth_date", "national_id", "latitude", "longitude", "home"}
    with pytest.raises(ValidationError, match="allerede en fadderprofil"):
        services.profile_create(actor=w.caseworker, child=kid, village=w.village)


def test_approval_needs_the_consents(w: World) -> None:
    profile = services.profile_create(actor=w.caseworker, child=child(w), village=w.village)
    with pytest.raises(ValidationError) as exc:
        services.profile_approve(actor=w.caseworker, profile=profile)
    assert exc.value.messages == ["Foresattes samtykke er ikke registrert.", "Barnets samtykke er ikke registrert."]
    with pytest.raises(ValidationError) as exc:
        services.profile_record_consents(
            actor=w.caseworker,
            profile=profile,
            child_consent=True,
            child_consent_on=None,
            guardian_consent=False,
            guardian_consent_on=None,
        )
    assert "child_consent_on" in exc.value.message_dict
    services.profile_record_consents(
        actor=w.caseworker,
        profile=profile,
        child_consent=True,
        child_consent_on=TODAY,
        guardian_consent=True,
        guardian_consent_on=TODAY,
    )
    assert profile.guardian_consent_by == w.caseworker
    services.profile_approve(actor=w.caseworker, profile=profile)
    profile.refresh_from_db()
    assert (profile.status, profile.approved_by) == ("approved", w.caseworker)


def test_a_small_child_needs_only_the_guardians_consent(w: World) -> None:
    profile = services.profile_create(
        actor=w.caseworker, child=child(w, birth_date=TODAY.replace(year=TODAY.year - 3)), village=w.village
    )
    services.profile_record_consents(
        actor=w.caseworker,
        profile=profile,
        child_consent=False,
        child_consent_on=None,
        guardian_consent=True,
        guardian_consent_on=TODAY,
    )
    assert services.profile_approve(actor=w.caseworker, profile=profile).status == "approved"


def test_editing_an_approved_profile_needs_a_new_approval(w: World) -> None:
    profile = approved_profile(w)
    services.profile_update(actor=w.caseworker, profile=profile, first_name="Mari", village=w.village)
    profile.refresh_from_db()
    assert (profile.first_name, profile.status, profile.approved_at) == ("Mari", "draft", None)


def test_photos_must_be_small_jpeg_or_png(w: World, settings: Settings) -> None:
    kid = child(w)
    fake = SimpleUploadedFile("bilde.jpg", b"GIF89a" + b"\x00" * 20, content_type="image/jpeg")
    with pytest.raises(ValidationError, match="JPEG- eller PNG"):
        services.profile_create(actor=w.caseworker, child=kid, village=w.village, photo=fake)
    settings.SPONSORSHIP_PHOTO_MAX_BYTES = len(PNG) - 1
    big = SimpleUploadedFile("bilde.png", PNG, content_type="image/png")
    with pytest.raises(ValidationError, match="høyst"):
        services.profile_create(actor=w.caseworker, child=kid, village=w.village, photo=big)
    settings.SPONSORSHIP_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    assert not SponsorshipProfile.objects.exists()
    profile = services.profile_create(
        actor=w.caseworker, child=kid, village=w.village, photo=SimpleUploadedFile("x.jpg", JPEG)
    )
    assert profile.photo.name.endswith(".jpg")
    with Image.open(profile.photo) as stored:
        assert (stored.format, stored.size) == ("JPEG", (8, 6))


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_photo_is_stored_without_exif_or_gps(w: World, kind: str) -> None:
    sent = image_bytes(kind, gps=True)
    with Image.open(io.BytesIO(sent)) as original:
        assert original.getexif().get_ifd(0x8825)  # the test picture really carries a GPS position
    upload = SimpleUploadedFile(f"telefon.{kind.lower()}", sent)
    profile = services.profile_create(actor=w.caseworker, child=child(w), village=w.village, photo=upload)
    stored_bytes = profile.photo.read()
    with Image.open(io.BytesIO(stored_bytes)) as stored:
        assert stored.format == kind
        assert stored.size == (8, 6)
        assert not stored.getexif()
        assert "exif" not in stored.info
    assert b"Exif" not in stored_bytes
    assert b"Telefonprodusent" not in stored_bytes
    replaced = SimpleUploadedFile(f"ny.{kind.lower()}", image_bytes(kind, size=(4, 4), gps=True))
    services.profile_update(actor=w.caseworker, profile=profile, first_name="Mari", village=w.village, photo=replaced)
    profile.refresh_from_db()
    with profile.photo.open("rb") as handle:
        data = handle.read()
    assert b"Telefonprodusent" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.size == (4, 4)
        assert not stored.getexif()


def test_a_truncated_or_gigantic_photo_is_refused_with_a_message(w: World) -> None:
    kid = child(w)
    broken = SimpleUploadedFile("halv.jpg", JPEG[: len(JPEG) // 3])
    with pytest.raises(ValidationError, match="kunne ikke leses"):
        services.profile_create(actor=w.caseworker, child=kid, village=w.village, photo=broken)
    huge = io.BytesIO()
    Image.new("L", (8000, 6000)).save(huge, format="PNG")
    with pytest.raises(ValidationError, match="for mange piksler"):
        services.profile_create(
            actor=w.caseworker, child=kid, village=w.village, photo=SimpleUploadedFile("stor.png", huge.getvalue())
        )
    assert not SponsorshipProfile.objects.exists()


def test_the_village_must_be_a_village_of_the_childs_association(w: World) -> None:
    from barneby.organisation.models import LocationKind
    from barneby.organisation.tests import factories as org

    community = org.location(w.association, kind=LocationKind.COMMUNITY)
    with pytest.raises(ValidationError) as exc:
        services.profile_create(actor=w.caseworker, child=child(w), village=community)
    assert "village" in exc.value.message_dict


# --- transfers --------------------------------------------------------------------------------


def test_a_child_leaving_opens_one_transfer_task_and_a_letter(w: World) -> None:
    kid = child(w, first_name="Åse")
    profile = approved_profile(w, kid)
    live = village_sponsorship(w, target_kind=TargetKind.CHILD, village=None, profile=profile)
    services.sponsorship_transition(actor=w.donor_service, sponsorship=live, to_state=SponsorshipState.ACTIVE)
    ended = village_sponsorship(w, target_kind=TargetKind.CHILD, village=None, profile=profile)
    services.sponsorship_transition(
        actor=w.donor_service, sponsorship=ended, to_state=SponsorshipState.ENDED, end_reason=EndReason.OTHER
    )
    care_services.child_set_status(actor=w.caseworker, child=kid, status=ChildStatus.LEFT)
    task = TransferTask.objects.get()
    assert (task.sponsorship, task.reason, task.status) == (live, TransferReason.CHILD_LEFT, TransferStatus.OPEN)
    profile.refresh_from_db()
    assert profile.status == ProfileStatus.WITHDRAWN
    # Saving the child again, or running the service again, opens no second task.
    kid.refresh_from_db()
    kid.save()
    assert services.child_left(actor=None, child=kid) == []
    assert TransferTask.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferTask.objects.create(sponsorship=live, old_profile=profile, reason=TransferReason.CHILD_LEFT)
    data = letters.transfer_letter_pdf(task)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Åse" in text
    assert w.village.name in text
    assert "Hemmeligsen" not in text


def test_reunified_and_aftercare_also_count_as_leaving(w: World) -> None:
    from barneby.sponsorships.signals import child_saved

    kid = child(w)
    profile = approved_profile(w, kid)
    village_sponsorship(w, target_kind=TargetKind.CHILD, village=None, profile=profile)
    kid.status = ChildStatus.REUNIFIED
    child_saved(type(kid), kid, update_fields=frozenset({"status"}))
    assert TransferTask.objects.filter(old_profile=profile).count() == 1


def test_resolving_with_another_child_in_the_village(w: World) -> None:
    old = approved_profile(w, first_name="Maren")
    new = approved_profile(w, first_name="Jonas")
    s = village_sponsorship(w, target_kind=TargetKind.CHILD, village=None, profile=old)
    [task] = services.profile_withdraw(actor=w.caseworker, profile=old)
    assert task.reason == TransferReason.PROFILE_WITHDRAWN
    with pytest.raises(ValidationError):
        services.transfer_resolve(actor=w.donor_service, task=task, resolution=TransferResolution.NEW_CHILD)
    resolved = services.transfer_resolve(
        actor=w.donor_service, task=task, resolution=TransferResolution.NEW_CHILD, new_profile=new
    )
    s.refresh_from_db()
    assert (s.profile, s.target_kind, resolved.status, resolved.resolved_by) == (
        new,
        "child",
        "resolved",
        w.donor_service,
    )
    assert s.events.filter(kind=EventKind.TRANSFER).count() == 1
    assert "Jonas" in pdf_text(letters.transfer_letter_pdf(resolved))
    with pytest.raises(ValidationError, match="allerede løst"):
        services.transfer_resolve(actor=w.donor_service, task=task, resolution=TransferResolution.VILLAGE)


def test_resolving_with_the_village_or_by_ending(w: World) -> None:
    profile = approved_profile(w)
    to_village = village_sponsorship(w, target_kind=TargetKind.CHILD, village=None, profile=profile)
    to_end = village_sponsorship(w, target_kind=TargetKind.CHILD, village=None, profile=profile)
    tasks = services.profile_withdraw(actor=w.caseworker, profile=profile)
    assert len(tasks) == 2
    services.transfer_resolve(actor=w.donor_service, task=tasks[0], resolution=TransferResolution.VILLAGE)
    services.transfer_resolve(actor=w.donor_service, task=tasks[1], resolution=TransferResolution.ENDED)
    to_village.refresh_from_db()
    to_end.refresh_from_db()
    assert (to_village.target_kind, to_village.village, to_village.profile) == ("village", w.village, None)
    assert (to_end.state, to_end.end_reason) == ("ended", EndReason.CHILD_LEFT)
    assert TransferTask.objects.filter(status="open").count() == 0
    tasks[1].refresh_from_db()
    assert "avsluttet" in pdf_text(letters.transfer_letter_pdf(tasks[1]))


def test_withdrawing_a_consent_withdraws_the_approved_profile(w: World) -> None:
    profile = approved_profile(w)
    village_sponsorship(w, target_kind=TargetKind.CHILD, village=None, profile=profile)
    services.profile_record_consents(
        actor=w.caseworker,
        profile=profile,
        child_consent=True,
        child_consent_on=TODAY,
        guardian_consent=False,
        guardian_consent_on=None,
    )
    profile.refresh_from_db()
    assert profile.status == ProfileStatus.WITHDRAWN
    assert TransferTask.objects.filter(old_profile=profile, status="open").count() == 1


@pytest.mark.parametrize("start", ["9999-12-31", "1900-01-01"])
def test_a_sponsorship_cannot_start_at_an_implausible_date(w: World, start: str) -> None:
    import datetime as dt

    with pytest.raises(ValidationError) as error:
        services.sponsorship_create(
            actor=w.donor_service,
            supporter=w.supporter,
            target_kind=TargetKind.VILLAGE,
            village=w.village,
            monthly_amount=300,
            start_date=dt.date.fromisoformat(start),
        )
    assert "Startdatoen må ligge mellom" in error.value.message_dict["start_date"][0]
    assert not Sponsorship.objects.exists()
