"""Writes for sponsorship profiles, sponsorships and transfer tasks: validated, audited, atomic.

Services do not check permissions; the views and the API fetch every object
through the scoped selectors first.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.care.models import Child
from barneby.fundraising.models import PaymentAgreement, Supporter
from barneby.fundraising.services import start_date_check
from barneby.organisation.models import Location, LocationKind
from barneby.sponsorships.models import (
    LIVE_STATES,
    STATE_FLOW,
    Continent,
    EndReason,
    EventKind,
    ProfileStatus,
    Sponsorship,
    SponsorshipEvent,
    SponsorshipProfile,
    SponsorshipState,
    TargetKind,
    TransferReason,
    TransferResolution,
    TransferStatus,
    TransferTask,
)
from barneby.sponsorships.selectors import LEAVING_STATUSES

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --- profiles ---------------------------------------------------------------------------------


def photo_error(photo: UploadedFile) -> str | None:
    """Why ``photo`` cannot be stored, or ``None``: it must be a JPEG or PNG (by content) of at most the max size."""
    limit = int(settings.SPONSORSHIP_PHOTO_MAX_BYTES)
    if photo.size is None or photo.size > limit:
        return _("Bildet kan være på høyst {mb} MB.").format(mb=f"{limit / 1024 / 1024:.0f}")
    photo.seek(0)
    head = photo.read(8)
    photo.seek(0)
    if not (head.startswith(JPEG_MAGIC) or head.startswith(PNG_MAGIC)):
        return _("Bildet må være en JPEG- eller PNG-fil.")
    return None


def _check_photo(photo: UploadedFile | None) -> None:
    if photo is not None and (error := photo_error(photo)):
        raise ValidationError({"photo": error})


# A photo larger than this is refused before it is decoded (a small file can unpack to a huge bitmap).
PHOTO_MAX_PIXELS = 40_000_000


def photo_without_metadata(photo: UploadedFile) -> ContentFile[bytes]:
    """The photo decoded and encoded again, so nothing but the pixels is stored.

    A phone's JPEG carries EXIF with the GPS position where it was taken, the camera and the time; a PNG can
    carry text chunks and profiles. Re-encoding keeps none of it. The EXIF orientation is applied to the
    pixels first, so the picture still stands the right way up without it.
    """
    photo.seek(0)
    try:
        with Image.open(photo) as original:
            if original.format not in {"JPEG", "PNG"}:
                raise ValidationError({"photo": _("Bildet må være en JPEG- eller PNG-fil.")})
            if original.width * original.height > PHOTO_MAX_PIXELS:
                raise ValidationError({"photo": _("Bildet har for mange piksler; bruk et mindre bilde.")})
            image = ImageOps.exif_transpose(original)
            out = io.BytesIO()
            if original.format == "JPEG":
                image.convert("RGB").save(out, format="JPEG", quality=90, optimize=True)
                suffix = ".jpg"
            else:
                keep = image if image.mode in {"RGB", "RGBA", "L", "LA", "P"} else image.convert("RGBA")
                keep.save(out, format="PNG", optimize=True)
                suffix = ".png"
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"photo": _("Bildet kunne ikke leses; last opp en hel JPEG- eller PNG-fil.")}) from None
    finally:
        photo.seek(0)
    return ContentFile(out.getvalue(), name=f"photo{suffix}")


def _check_village(village: Location, child: Child) -> None:
    if village.kind != LocationKind.VILLAGE or not village.is_active:
        raise ValidationError({"village": _("Velg en aktiv barneby.")})
    if village.association_id != child.programme.association_id:
        raise ValidationError({"village": _("Barnebyen må høre til samme medlemsorganisasjon som barnets program.")})


def _clean_name(first_name: str) -> str:
    name = " ".join((first_name or "").split())
    if not name:
        raise ValidationError({"first_name": _("Oppgi fornavnet som skal vises for fadderen.")})
    if len(name) > 100:
        raise ValidationError({"first_name": _("Fornavnet kan ha høyst 100 tegn.")})
    return name


@transaction.atomic
def profile_create(
    *,
    actor: Any,
    child: Child,
    village: Location,
    first_name: str = "",
    photo: UploadedFile | None = None,
) -> SponsorshipProfile:
    """A draft profile for ``child``: the first name (copied, editable) and the birth year, never more."""
    if child.status in LEAVING_STATUSES:
        raise ValidationError(_("Barnet er ikke lenger i programmet og kan ikke få fadder."))
    if SponsorshipProfile.objects.filter(child=child).exclude(status=ProfileStatus.WITHDRAWN).exists():
        raise ValidationError(_("Barnet har allerede en fadderprofil."))
    _check_village(village, child)
    _check_photo(photo)
    clean = photo_without_metadata(photo) if photo is not None else None
    profile = SponsorshipProfile(
        child=child,
        first_name=_clean_name(first_name or child.first_name),
        birth_year=child.birth_date.year,
        village=village,
    )
    if clean is not None:
        profile.photo = clean
    profile.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=profile, detail="sponsorship profile")
    return profile


@transaction.atomic
def profile_update(
    *,
    actor: Any,
    profile: SponsorshipProfile,
    first_name: str,
    village: Location,
    photo: UploadedFile | None = None,
    remove_photo: bool = False,
) -> SponsorshipProfile:
    """Change what the sponsor sees; an approved profile goes back to draft and must be approved again."""
    if profile.status == ProfileStatus.WITHDRAWN:
        raise ValidationError(_("En tilbaketrukket profil kan ikke endres."))
    _check_village(village, profile.child)
    _check_photo(photo)
    clean = photo_without_metadata(photo) if photo is not None else None
    name = _clean_name(first_name)
    changed = name != profile.first_name or village.pk != profile.village_id or photo is not None or remove_photo
    if not changed:
        return profile
    profile.first_name, profile.village = name, village
    if remove_photo and profile.photo:
        profile.photo.delete(save=False)
        profile.photo = ""
    if clean is not None:
        if profile.photo:
            profile.photo.delete(save=False)
        profile.photo = clean
    if profile.status == ProfileStatus.APPROVED:
        profile.status, profile.approved_at, profile.approved_by = ProfileStatus.DRAFT, None, None
    profile.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=profile, detail="sponsorship profile")
    return profile


def needs_child_consent(profile: SponsorshipProfile) -> bool:
    """A child old enough to be heard (CARE_RULES R16) must consent; for younger children the guardian decides."""
    minimum = settings.CARE_RULES["R16_VOICE_MIN_AGE"]
    return profile.age() >= (minimum if isinstance(minimum, int) else 7)


@transaction.atomic
def profile_record_consents(
    *,
    actor: Any,
    profile: SponsorshipProfile,
    child_consent: bool,
    child_consent_on: dt.date | None,
    guardian_consent: bool,
    guardian_consent_on: dt.date | None,
) -> SponsorshipProfile:
    """Record the child's and the guardian's consent; withdrawing one withdraws an approved profile."""
    if profile.status == ProfileStatus.WITHDRAWN:
        raise ValidationError(_("En tilbaketrukket profil kan ikke endres."))
    today = timezone.localdate()
    errors: dict[str, str] = {}
    for name, given, on in (
        ("child_consent_on", child_consent, child_consent_on),
        ("guardian_consent_on", guardian_consent, guardian_consent_on),
    ):
        if given and on is None:
            errors[name] = _("Oppgi datoen samtykket ble gitt.")
        elif on is not None and on > today:
            errors[name] = _("Datoen kan ikke være fram i tid.")
    if errors:
        raise ValidationError(errors)
    if child_consent != profile.child_consent or child_consent_on != profile.child_consent_on:
        profile.child_consent = child_consent
        profile.child_consent_on = child_consent_on if child_consent else None
        profile.child_consent_by = actor if child_consent and getattr(actor, "pk", None) else None
    if guardian_consent != profile.guardian_consent or guardian_consent_on != profile.guardian_consent_on:
        profile.guardian_consent = guardian_consent
        profile.guardian_consent_on = guardian_consent_on if guardian_consent else None
        profile.guardian_consent_by = actor if guardian_consent and getattr(actor, "pk", None) else None
    withdrawn = profile.status == ProfileStatus.APPROVED and (
        not profile.guardian_consent or (needs_child_consent(profile) and not profile.child_consent)
    )
    if withdrawn:  # the database allows no approved profile without consent
        profile.status, profile.withdrawn_at = ProfileStatus.WITHDRAWN, timezone.now()
    profile.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=profile,
        detail=f"consents child={profile.child_consent} guardian={profile.guardian_consent}"
        + (" (profile withdrawn)" if withdrawn else ""),
    )
    if withdrawn:
        transfer_tasks_open(actor=actor, profile=profile, reason=TransferReason.PROFILE_WITHDRAWN)
    return profile


@transaction.atomic
def profile_approve(*, actor: Any, profile: SponsorshipProfile) -> SponsorshipProfile:
    """Approve a draft: both consents recorded (the child's from the age it is heard), the child still here."""
    if profile.status != ProfileStatus.DRAFT:
        raise ValidationError(_("Bare et utkast kan godkjennes."))
    if profile.child.status in LEAVING_STATUSES:
        raise ValidationError(_("Barnet er ikke lenger i programmet og kan ikke få fadder."))
    missing = []
    if not profile.guardian_consent:
        missing.append(_("Foresattes samtykke er ikke registrert."))
    if needs_child_consent(profile) and not profile.child_consent:
        missing.append(_("Barnets samtykke er ikke registrert."))
    if missing:
        raise ValidationError(missing)
    profile.status, profile.approved_at = ProfileStatus.APPROVED, timezone.now()
    profile.approved_by = actor if getattr(actor, "pk", None) else None
    profile.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=profile, detail="sponsorship profile approved")
    return profile


@transaction.atomic
def profile_withdraw(
    *, actor: Any, profile: SponsorshipProfile, reason: str = TransferReason.PROFILE_WITHDRAWN
) -> list[TransferTask]:
    """Withdraw the profile; every live sponsorship of it gets an open transfer task (once)."""
    if profile.status != ProfileStatus.WITHDRAWN:
        profile.status, profile.withdrawn_at = ProfileStatus.WITHDRAWN, timezone.now()
        profile.save(update_fields=["status", "withdrawn_at", "updated_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=profile, detail=f"withdrawn: {reason}")
    return transfer_tasks_open(actor=actor, profile=profile, reason=reason)


@transaction.atomic
def child_left(*, actor: Any, child: Child) -> list[TransferTask]:
    """The child has left the programme (left, reunified, aftercare): withdraw its profiles, open transfer tasks.

    Idempotent: running it again opens no second task for a sponsorship.
    """
    tasks: list[TransferTask] = []
    for profile in SponsorshipProfile.objects.filter(child=child).order_by("pk"):
        tasks += profile_withdraw(actor=actor, profile=profile, reason=TransferReason.CHILD_LEFT)
    return tasks


def transfer_tasks_open(*, actor: Any, profile: SponsorshipProfile, reason: str) -> list[TransferTask]:
    """Open one task per live sponsorship of ``profile`` that has none open."""
    created = []
    live = Sponsorship.objects.select_for_update().filter(profile=profile, state__in=LIVE_STATES).order_by("pk")
    for sponsorship in live:
        if TransferTask.objects.filter(sponsorship=sponsorship, status=TransferStatus.OPEN).exists():
            continue
        task = TransferTask.objects.create(sponsorship=sponsorship, old_profile=profile, reason=reason)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=task, detail=f"transfer task: {reason}")
        created.append(task)
    return created


# --- sponsorships -----------------------------------------------------------------------------


def amount_check(amount: Decimal | int | str | None, field: str = "monthly_amount") -> Decimal:
    """A monthly amount in kroner within FUNDRAISING_MONTHLY_MIN..MAX (presets are just suggestions within it)."""
    try:
        value = Decimal(str(amount))
    except (ArithmeticError, ValueError):
        raise ValidationError({field: _("Oppgi et beløp i kroner.")}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({field: _("Beløpet må være større enn null.")})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Beløpet kan ha høyst to desimaler (øre).")})
    low, high = int(settings.FUNDRAISING_MONTHLY_MIN), int(settings.FUNDRAISING_MONTHLY_MAX)
    if not low <= value <= high:
        raise ValidationError(
            {field: _("Månedlig beløp må være mellom {low} og {high} kroner.").format(low=low, high=high)}
        )
    return value


def _event(sponsorship: Sponsorship, actor: Any, kind: str, **fields: Any) -> SponsorshipEvent:
    return SponsorshipEvent.objects.create(
        sponsorship=sponsorship, kind=kind, actor=actor if getattr(actor, "pk", None) else None, **fields
    )


def _target_fields(
    *,
    supporter: Supporter,
    target_kind: str,
    continent: str,
    country: str,
    village: Location | None,
    profile: SponsorshipProfile | None,
) -> dict[str, Any]:
    """The target columns for ``target_kind``, the others emptied; clear messages for what is missing."""
    fields: dict[str, Any] = {"continent": "", "country": "", "village": None, "profile": None}
    if target_kind == TargetKind.NEED:
        pass  # no place: the organisation chooses where the need is greatest
    elif target_kind == TargetKind.CONTINENT:
        if continent not in Continent.values:
            raise ValidationError({"continent": _("Velg en verdensdel.")})
        fields["continent"] = continent
    elif target_kind == TargetKind.COUNTRY:
        from django_countries import countries

        if not country or country not in dict(countries):
            raise ValidationError({"country": _("Velg et land.")})
        fields["country"] = country
    elif target_kind == TargetKind.VILLAGE:
        if village is None or village.kind != LocationKind.VILLAGE or not village.is_active:
            raise ValidationError({"village": _("Velg en aktiv barneby.")})
        fields["village"] = village
    elif target_kind == TargetKind.CHILD:
        if profile is None or profile.status != ProfileStatus.APPROVED:
            raise ValidationError({"profile": _("Velg et barn med godkjent fadderprofil.")})
        if profile.child.programme.association_id != supporter.association_id:
            raise ValidationError({"profile": _("Barnet hører ikke til giverens medlemsorganisasjon.")})
        fields["profile"] = profile
    else:
        raise ValidationError({"target_kind": _("Velg hva fadderskapet gjelder.")})
    return fields


@transaction.atomic
def sponsorship_create(
    *,
    actor: Any,
    supporter: Supporter,
    target_kind: str,
    monthly_amount: Decimal | int | str,
    continent: str = "",
    country: str = "",
    village: Location | None = None,
    profile: SponsorshipProfile | None = None,
    start_date: dt.date | None = None,
    agreement: PaymentAgreement | None = None,
) -> Sponsorship:
    """A pending sponsorship; it becomes active when donor service activates it (usually once paying)."""
    if supporter.merged_into_id is not None or supporter.is_anonymised:
        raise ValidationError(_("Giveren er slått sammen eller anonymisert og kan ikke få nye fadderskap."))
    amount = amount_check(monthly_amount)
    start_date = start_date_check(start_date)
    targets = _target_fields(
        supporter=supporter,
        target_kind=target_kind,
        continent=continent,
        country=country,
        village=village,
        profile=profile,
    )
    if agreement is not None and agreement.supporter_id != supporter.pk:
        raise ValidationError({"agreement": _("Betalingsavtalen tilhører en annen giver.")})
    sponsorship = Sponsorship(
        supporter=supporter,
        association_id=supporter.association_id,
        target_kind=target_kind,
        monthly_amount=amount,
        start_date=start_date,
        agreement=agreement,
        **targets,
    )
    sponsorship.full_clean()
    sponsorship.save()
    _event(sponsorship, actor, EventKind.CREATED, to_state=sponsorship.state, new_amount=amount)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=sponsorship)
    return sponsorship


@transaction.atomic
def sponsorship_transition(
    *, actor: Any, sponsorship: Sponsorship, to_state: str, end_reason: str = "", on: dt.date | None = None
) -> Sponsorship:
    """Move along pending → active → paused → ended; ending needs a reason. Other moves are refused."""
    current = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
    if to_state not in SponsorshipState.values:
        raise ValidationError({"state": _("Ukjent status.")})
    if to_state not in STATE_FLOW[current.state]:
        raise ValidationError(
            {
                "state": _("Fadderskapet kan ikke gå fra «{old}» til «{new}».").format(
                    old=SponsorshipState(current.state).label, new=SponsorshipState(to_state).label
                )
            }
        )
    if to_state == SponsorshipState.ENDED:
        if end_reason not in EndReason.values:
            raise ValidationError({"end_reason": _("Oppgi hvorfor fadderskapet avsluttes.")})
        current.end_reason, current.ended_on = end_reason, on or timezone.localdate()
    elif end_reason:
        raise ValidationError({"end_reason": _("Årsak oppgis bare når fadderskapet avsluttes.")})
    old = current.state
    current.state = to_state
    current.save(update_fields=["state", "end_reason", "ended_on", "updated_at"])
    _event(current, actor, EventKind.STATE, from_state=old, to_state=to_state, detail=end_reason)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, detail=f"state {old}->{to_state}")
    sponsorship.state, sponsorship.end_reason, sponsorship.ended_on = (
        current.state,
        current.end_reason,
        current.ended_on,
    )
    if to_state == SponsorshipState.ENDED:
        TransferTask.objects.filter(sponsorship=current, status=TransferStatus.OPEN).update(
            status=TransferStatus.RESOLVED,
            resolution=TransferResolution.ENDED,
            resolved_at=timezone.now(),
            resolved_by=actor if getattr(actor, "pk", None) else None,
        )
    return sponsorship


@transaction.atomic
def sponsorship_change_amount(
    *, actor: Any, sponsorship: Sponsorship, monthly_amount: Decimal | int | str
) -> Sponsorship:
    current = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
    if current.state == SponsorshipState.ENDED:
        raise ValidationError(_("Et avsluttet fadderskap kan ikke endres."))
    amount = amount_check(monthly_amount)
    if amount == current.monthly_amount:
        return sponsorship
    old = current.monthly_amount
    current.monthly_amount = amount
    current.save(update_fields=["monthly_amount", "updated_at"])
    _event(current, actor, EventKind.AMOUNT, old_amount=old, new_amount=amount)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, detail=f"amount {old}->{amount}")
    sponsorship.monthly_amount = amount
    return sponsorship


# --- transfers --------------------------------------------------------------------------------


@transaction.atomic
def transfer_resolve(
    *, actor: Any, task: TransferTask, resolution: str, new_profile: SponsorshipProfile | None = None
) -> TransferTask:
    """The sponsor chose: another approved child in the same village, the village itself, or to end."""
    current = TransferTask.objects.select_for_update().select_related("old_profile", "sponsorship").get(pk=task.pk)
    if current.status != TransferStatus.OPEN:
        raise ValidationError(_("Oppgaven er allerede løst."))
    sponsorship = current.sponsorship
    old = current.old_profile
    if resolution == TransferResolution.NEW_CHILD:
        if new_profile is None or new_profile.status != ProfileStatus.APPROVED or new_profile.pk == old.pk:
            raise ValidationError({"new_profile": _("Velg et annet barn med godkjent fadderprofil.")})
        if new_profile.village_id != old.village_id:
            raise ValidationError({"new_profile": _("Det nye barnet må bo i samme barneby.")})
        sponsorship.profile = new_profile
        sponsorship.save(update_fields=["profile", "updated_at"])
        _event(sponsorship, actor, EventKind.TRANSFER, detail=f"profile {old.pk}->{new_profile.pk}")
    elif resolution == TransferResolution.VILLAGE:
        sponsorship.target_kind, sponsorship.profile, sponsorship.village = TargetKind.VILLAGE, None, old.village
        sponsorship.save(update_fields=["target_kind", "profile", "village", "updated_at"])
        _event(sponsorship, actor, EventKind.TRANSFER, detail=f"profile {old.pk}->village {old.village_id}")
    elif resolution == TransferResolution.ENDED:
        if new_profile is not None:
            raise ValidationError({"new_profile": _("Velg ikke barn når fadderen avslutter.")})
        sponsorship_transition(
            actor=actor, sponsorship=sponsorship, to_state=SponsorshipState.ENDED, end_reason=EndReason.CHILD_LEFT
        )
    else:
        raise ValidationError({"resolution": _("Velg hva fadderen ønsker.")})
    current.status, current.resolution = TransferStatus.RESOLVED, resolution
    current.new_profile = new_profile if resolution == TransferResolution.NEW_CHILD else None
    current.resolved_at = timezone.now()
    current.resolved_by = actor if getattr(actor, "pk", None) else None
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, detail=f"transfer resolved: {resolution}")
    return current
