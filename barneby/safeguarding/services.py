"""Writes for safeguarding: reports, each workflow step, notes and messages. Every write appends to the
case history and the audit log in one transaction; nothing is ever changed back or deleted.

Anonymous reports and follow-ups store nothing about where they came from: the audit entries they
write carry no request (so no IP address or user agent), and no session is opened.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.safeguarding import deadlines
from barneby.safeguarding.models import (
    Action,
    Attachment,
    CaseEvent,
    Channel,
    Concern,
    ConcernsChild,
    EventKind,
    InvolvedPerson,
    Outcome,
    Perpetrator,
    RateCount,
    RateSalt,
    ReporterLock,
    Severity,
    Status,
)

# Letters and digits that cannot be mistaken for each other when read aloud or copied by hand.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_SECRET_FAILURES = 5
DEFAULT_LOCK_MINUTES = 30
DEFAULT_RATE_LIMIT = 10  # public submissions per address per hour
# Content signatures of the file types accepted: the bytes decide, never the name.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "PDF"),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def attachment_max_bytes() -> int:
    return _setting("SAFEGUARDING_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)


class ReporterLocked(Exception):
    """Too many wrong secrets for this case code: it is locked for a while."""


class ReporterDenied(Exception):
    """The case code and secret do not open a case (one answer for both, so codes cannot be probed)."""


# --- codes, secrets and attachments --------------------------------------------------------------


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_code() -> str:
    return f"VS-{_random(4)}-{_random(4)}"


def new_secret() -> str:
    """About 100 bits: four groups of five letters and digits."""
    return "-".join(_random(5) for _ in range(4))


def normalise(text: str) -> str:
    """A code or secret as typed: any case, spaces or dashes; compared in one form."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes


def check_attachment(upload: UploadedFile) -> CheckedFile:
    """The file, if it is small enough and its content is a PDF, JPEG or PNG; else a clear error."""
    limit = attachment_max_bytes()
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            _("Vedlegget er for stort ({size} MB). Største tillatte størrelse er {limit} MB.").format(
                size=f"{size / 1_048_576:.1f}".replace(".", ","), limit=f"{limit / 1_048_576:.0f}"
            ),
            code="too_big",
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("Vedlegget er for stort."), code="too_big")
    for signature, content_type, _label in SIGNATURES:
        if data.startswith(signature):
            name = (upload.name or "vedlegg").replace("/", "_").replace("\\", "_")[:200]
            if content_type != "application/pdf":
                data = _image_without_metadata(data)
            return CheckedFile(name=name, content_type=content_type, data=data)
    raise ValidationError(
        _("Vedlegget må være en PDF, et JPEG-bilde eller et PNG-bilde. Innholdet i filen er ikke det."),
        code="wrong_type",
    )


# An image larger than this is refused before it is decoded (a small file can unpack to a huge bitmap).
MAX_PIXELS = 40_000_000


def _image_without_metadata(data: bytes) -> bytes:
    """The image decoded and encoded again, so nothing but the pixels is kept: a phone's photo carries the
    GPS position where it was taken, the camera and the time in EXIF, which could name an anonymous reporter.
    """
    unreadable = ValidationError(
        _("Bildet kunne ikke leses. Legg ved en hel PDF-, JPEG- eller PNG-fil."), code="wrong_type"
    )
    try:
        with Image.open(io.BytesIO(data)) as original:
            if original.format not in {"JPEG", "PNG"}:
                raise unreadable
            if original.width * original.height > MAX_PIXELS:
                raise ValidationError(_("Bildet har for mange piksler. Bruk et mindre bilde."), code="too_big")
            image = ImageOps.exif_transpose(original)
            out = io.BytesIO()
            if original.format == "JPEG":
                image.convert("RGB").save(out, format="JPEG", quality=90)
            else:
                keep = image if image.mode in {"RGB", "RGBA", "L", "LA", "P"} else image.convert("RGBA")
                keep.save(out, format="PNG")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise unreadable from None
    return out.getvalue()


def _attach(concern: Concern, event: CaseEvent, file: CheckedFile | None) -> None:
    if file is None:
        return
    Attachment.objects.create(
        concern=concern,
        event=event,
        name=file.name,
        content_type=file.content_type,
        size=len(file.data),
        content=base64.b64encode(file.data).decode("ascii"),
    )


def attachment_bytes(attachment: Attachment) -> bytes:
    return base64.b64decode(attachment.content)


# --- reporting ------------------------------------------------------------------------------------


def _event(
    concern: Concern, kind: str, *, actor: Any = None, text: str = "", shared: bool = False, **data: Any
) -> CaseEvent:
    event = CaseEvent(concern=concern, kind=kind, actor=actor, text=text, shared_with_reporter=shared, data=data)
    event.full_clean()
    event.save()
    return event


def _create(*, concern: Concern, actor: Any, file: CheckedFile | None) -> Concern:
    code = new_code()
    while Concern.objects.filter(code=code).exists():  # 32**8 codes: a clash is rare, never twice
        code = new_code()
    concern.code = code
    concern.full_clean()
    concern.save()
    event = _event(concern, EventKind.RECEIVED, actor=actor)
    _attach(concern, event, file)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=concern, detail="safeguarding report")
    deadlines.refresh([concern])
    return concern


@transaction.atomic
def concern_report_public(
    *,
    association: Any,
    category: str,
    details: str,
    place: str = "",
    concerns_child: str = ConcernsChild.UNKNOWN,
    immediate_risk: bool = False,
    attachment: CheckedFile | None = None,
    reported_at: dt.datetime | None = None,
) -> tuple[Concern, str]:
    """An anonymous report. Returns the case and the reporter's secret (shown once, stored only hashed)."""
    secret = new_secret()
    concern = Concern(
        channel=Channel.PUBLIC,
        association=association,
        category=category,
        details=details,
        place=place,
        concerns_child=concerns_child,
        immediate_risk=immediate_risk,
        severity=Severity.HIGH if immediate_risk else Severity.MEDIUM,
        secret_hash=make_password(normalise(secret)),
        reported_at=reported_at or timezone.now(),
    )
    _create(concern=concern, actor=None, file=attachment)
    return concern, secret


@dataclass(frozen=True)
class Person:
    """Someone involved, as a reporter or focal point names them."""

    role: str
    description: str = ""
    child: Any = None
    staff_member: Any = None
    user: Any = None


@transaction.atomic
def concern_report_staff(
    *,
    actor: Any,
    association: Any,
    category: str,
    details: str,
    programme: Any = None,
    place: str = "",
    concerns_child: str = ConcernsChild.UNKNOWN,
    immediate_risk: bool = False,
    severity: str = Severity.MEDIUM,
    people: Sequence[Person] = (),
    attachment: CheckedFile | None = None,
    reported_at: dt.datetime | None = None,
) -> Concern:
    """A report by a signed-in user (who later sees only that it was received and closed)."""
    if programme is not None and programme.association_id != association.pk:
        raise ValidationError({"programme": _("Programmet hører til en annen medlemsorganisasjon.")})
    concern = Concern(
        channel=Channel.STAFF,
        reported_by=actor,
        association=association,
        programme=programme,
        location=programme.location if programme is not None else None,
        category=category,
        details=details,
        place=place,
        concerns_child=concerns_child,
        immediate_risk=immediate_risk,
        severity=severity,
        reported_at=reported_at or timezone.now(),
    )
    _create(concern=concern, actor=actor, file=attachment)
    for person in people:
        _add_person(concern, person)
    return concern


def _add_person(concern: Concern, person: Person) -> InvolvedPerson:
    row = InvolvedPerson(
        concern=concern,
        role=person.role,
        description=person.description,
        child=person.child,
        staff_member=person.staff_member,
        user=person.user,
    )
    errors = {}
    if person.child is not None and person.child.programme.association_id != concern.association_id:
        errors["child"] = _("Barnet hører til en annen medlemsorganisasjon.")
    if person.staff_member is not None and person.staff_member.association_id != concern.association_id:
        errors["staff_member"] = _("Den ansatte hører til en annen medlemsorganisasjon.")
    if not (person.description or person.child or person.staff_member or person.user):
        errors["description"] = _("Skriv et navn eller en beskrivelse, eller velg en person.")
    if errors:
        raise ValidationError(errors)
    row.full_clean()
    row.save()
    return row


# --- the workflow ----------------------------------------------------------------------------------


def _expect(concern: Concern, *statuses: str) -> None:
    if concern.status not in statuses:
        raise ValidationError(
            _("Saken står på «{status}», og dette steget kan ikke tas nå.").format(status=Status(concern.status).label),
            code="wrong_step",
        )


def _lock(concern: Concern) -> Concern:
    """The case read again under a row lock, so two focal points cannot take the same step at once."""
    return Concern.objects.select_for_update().get(pk=concern.pk)


def _step(concern: Concern, status: str, stamp: str, now: dt.datetime, **fields: Any) -> None:
    concern.status = status
    setattr(concern, stamp, now)
    for name, value in fields.items():
        setattr(concern, name, value)
    concern.full_clean()
    concern.save()


def _done(actor: Any, concern: Concern, what: str) -> None:
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=concern, detail=what)
    deadlines.refresh([concern])


@transaction.atomic
def concern_acknowledge(*, actor: Any, concern: Concern, note: str = "") -> Concern:
    concern = _lock(concern)
    _expect(concern, Status.RECEIVED)
    now = timezone.now()
    _step(concern, Status.ACKNOWLEDGED, "acknowledged_at", now)
    _event(concern, EventKind.ACKNOWLEDGED, actor=actor, text=note)
    _done(actor, concern, "acknowledged")
    return concern


@transaction.atomic
def concern_assess(
    *,
    actor: Any,
    concern: Concern,
    risk_level: str,
    child_at_risk: bool,
    referred_police_on: dt.date | None = None,
    referred_child_welfare_on: dt.date | None = None,
    note: str = "",
) -> Concern:
    """The assessment: how great the risk is, whether a child is at risk, and any referral with its date."""
    concern = _lock(concern)
    _expect(concern, Status.ACKNOWLEDGED)
    today = timezone.localdate()
    errors = {}
    for name, value in (
        ("referred_police_on", referred_police_on),
        ("referred_child_welfare_on", referred_child_welfare_on),
    ):
        if value is not None and value > today:
            errors[name] = _("Datoen kan ikke være fram i tid.")
        if value is not None and value < concern.reported_at.date() - dt.timedelta(days=1):
            errors[name] = _("Datoen kan ikke være før saken ble meldt.")
    if errors:
        raise ValidationError(errors)
    _step(
        concern,
        Status.ASSESSED,
        "assessed_at",
        timezone.now(),
        risk_level=risk_level,
        child_at_risk=child_at_risk,
        referred_police_on=referred_police_on,
        referred_child_welfare_on=referred_child_welfare_on,
    )
    _event(
        concern,
        EventKind.ASSESSED,
        actor=actor,
        text=note,
        risk_level=risk_level,
        child_at_risk=child_at_risk,
        referred_police_on=referred_police_on.isoformat() if referred_police_on else None,
        referred_child_welfare_on=referred_child_welfare_on.isoformat() if referred_child_welfare_on else None,
    )
    _done(actor, concern, "assessed")
    return concern


@transaction.atomic
def concern_investigate(*, actor: Any, concern: Concern, investigator: Any, plan: str, summary: str = "") -> Concern:
    """The investigation done: who investigated, the plan followed and what was found (interviews are notes)."""
    concern = _lock(concern)
    _expect(concern, Status.ASSESSED)
    if not plan.strip():
        raise ValidationError({"plan": _("Beskriv planen for undersøkelsen.")})
    _step(concern, Status.INVESTIGATED, "investigated_at", timezone.now(), investigator=investigator)
    text = plan if not summary.strip() else f"{plan}\n\n{summary}"
    _event(concern, EventKind.INVESTIGATED, actor=actor, text=text, investigator=str(investigator))
    _done(actor, concern, "investigated")
    return concern


@transaction.atomic
def concern_conclude(*, actor: Any, concern: Concern, outcome: str, perpetrator: str = "", note: str = "") -> Concern:
    concern = _lock(concern)
    _expect(concern, Status.INVESTIGATED)
    if outcome == Outcome.SUBSTANTIATED and perpetrator not in Perpetrator.values:
        raise ValidationError({"perpetrator": _("Velg hvem som utøvde det som ble bekreftet.")})
    _step(concern, Status.CONCLUDED, "concluded_at", timezone.now(), outcome=outcome, perpetrator=perpetrator)
    _event(concern, EventKind.CONCLUDED, actor=actor, text=note, outcome=outcome, perpetrator=perpetrator)
    _done(actor, concern, "concluded")
    return concern


@transaction.atomic
def concern_close(*, actor: Any, concern: Concern, actions: Iterable[str], lessons: str) -> Concern:
    """Closed with the actions taken and the lessons learnt."""
    concern = _lock(concern)
    _expect(concern, Status.CONCLUDED)
    chosen = [a for a in Action.values if a in set(actions)]
    if not lessons.strip():
        raise ValidationError({"lessons": _("Skriv hva organisasjonen lærer av saken.")})
    _step(concern, Status.CLOSED, "closed_at", timezone.now(), actions=chosen)
    _event(concern, EventKind.CLOSED, actor=actor, text=lessons, actions=chosen)
    _done(actor, concern, "closed")
    return concern


@transaction.atomic
def concern_escalate(*, actor: Any, concern: Concern, reason: str) -> Concern:
    """Hand the case up to the global focal points as well (the association's keep it)."""
    concern = _lock(concern)
    if concern.escalated_at is not None:
        raise ValidationError(_("Saken er allerede løftet."), code="escalated")
    if not reason.strip():
        raise ValidationError({"reason": _("Skriv hvorfor saken løftes.")})
    concern.escalated_at = timezone.now()
    concern.full_clean()
    concern.save()
    _event(concern, EventKind.ESCALATED, actor=actor, text=reason)
    _done(actor, concern, "escalated")
    return concern


@transaction.atomic
def concern_note(*, actor: Any, concern: Concern, text: str, kind: str = EventKind.NOTE) -> CaseEvent:
    """A note or an interview record in the history."""
    if kind not in (EventKind.NOTE, EventKind.INTERVIEW):
        raise ValueError(kind)
    if not text.strip():
        raise ValidationError({"text": _("Skriv notatet.")})
    event = _event(concern, kind, actor=actor, text=text)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=concern, detail=f"safeguarding {kind}")
    return event


@transaction.atomic
def concern_ask_reporter(*, actor: Any, concern: Concern, text: str) -> CaseEvent:
    """A question or an answer to the reporter, who reads it with their case code and secret."""
    if concern.channel != Channel.PUBLIC:
        raise ValidationError(_("Den som meldte er ansatt og følges opp direkte, ikke gjennom saksnummeret."))
    if not text.strip():
        raise ValidationError({"text": _("Skriv meldingen.")})
    event = _event(concern, EventKind.QUESTION, actor=actor, text=text, shared=True)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=concern, detail="message to reporter")
    return event


@transaction.atomic
def involved_add(*, actor: Any, concern: Concern, person: Person) -> InvolvedPerson:
    row = _add_person(concern, person)
    _event(concern, EventKind.PERSON, actor=actor, role=person.role)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=concern, detail="person involved added")
    return row


# --- the anonymous reporter -------------------------------------------------------------------------


def reporter_open(*, code: str, secret: str, now: dt.datetime | None = None) -> Concern:
    """The case these give access to. Five wrong secrets lock the code for a while (counted in the database).

    A code that does not exist and a wrong secret get the same answer.
    """
    now = now or timezone.now()
    wanted = normalise(code)
    concern = None
    if len(wanted) == 10 and wanted.startswith("VS"):
        formatted = f"VS-{wanted[2:6]}-{wanted[6:]}"
        concern = Concern.objects.filter(code=formatted, channel=Channel.PUBLIC).first()
    if concern is None:
        # Same work as a real check, so timing does not tell which codes exist.
        make_password(normalise(secret))
        raise ReporterDenied
    with transaction.atomic():
        lock, _created = ReporterLock.objects.select_for_update().get_or_create(concern=concern)
        if lock.locked_until is not None and lock.locked_until > now:
            raise ReporterLocked
        if check_password(normalise(secret), concern.secret_hash):
            if lock.failures or lock.locked_until:
                lock.failures = 0
                lock.locked_until = None
                lock.save(update_fields=["failures", "locked_until"])
            audit_record(actor=None, action=AuditAction.VIEW, obj=concern, detail="reporter with case code")
            return concern
        lock.failures = F("failures") + 1
        lock.save(update_fields=["failures"])
        lock.refresh_from_db()
        if lock.failures >= _setting("SAFEGUARDING_SECRET_FAILURES", DEFAULT_SECRET_FAILURES):
            lock.failures = 0
            lock.locked_until = now + dt.timedelta(minutes=_setting("SAFEGUARDING_LOCK_MINUTES", DEFAULT_LOCK_MINUTES))
            lock.save(update_fields=["failures", "locked_until"])
    if lock.locked_until is not None and lock.locked_until > now:
        raise ReporterLocked
    raise ReporterDenied


def reporter_thread(concern: Concern) -> list[CaseEvent]:
    """What the reporter sees: the messages shared with them, oldest first."""
    return list(concern.events.filter(shared_with_reporter=True).prefetch_related("attachments").order_by("at", "id"))


@transaction.atomic
def reporter_add(*, concern: Concern, text: str, attachment: CheckedFile | None = None) -> CaseEvent:
    """More information or an answer from the anonymous reporter."""
    if concern.status == Status.CLOSED:
        raise ValidationError(_("Saken er avsluttet. Send en ny melding hvis du har noe nytt å fortelle."))
    if not text.strip() and attachment is None:
        raise ValidationError({"text": _("Skriv noe eller legg ved en fil.")})
    event = _event(concern, EventKind.REPORTER, text=text, shared=True)
    _attach(concern, event, attachment)
    audit_record(actor=None, action=AuditAction.CREATE, obj=concern, detail="reporter added information")
    return event


# --- rate limiting by a salted hash of the address --------------------------------------------------


def _salt(day: dt.date) -> str:
    row = RateSalt.objects.filter(day=day).first()
    if row is None:
        try:
            with transaction.atomic():
                row = RateSalt.objects.create(day=day, salt=secrets.token_hex(32))
        except IntegrityError:
            row = RateSalt.objects.get(day=day)
        RateSalt.objects.filter(day__lt=day - dt.timedelta(days=1)).delete()
    return row.salt


def address_key(address: str | None, *, now: dt.datetime) -> str:
    """An HMAC of the address under today's random salt (and the secret key): the address is never stored,
    and once the salt is gone after a day, not even a guess of it can be checked."""
    salt = _salt(now.date())
    message = (address or "unknown").encode("utf-8")
    key = (salt + str(settings.SECRET_KEY)).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def rate_limited(*, address: str | None, now: dt.datetime | None = None, limit: int | None = None) -> bool:
    """Count one public submission from ``address``; True when it is over the hourly limit."""
    now = now or timezone.now()
    limit = limit if limit is not None else _setting("SAFEGUARDING_RATE_LIMIT_PER_HOUR", DEFAULT_RATE_LIMIT)
    window = now.replace(minute=0, second=0, microsecond=0)
    key = address_key(address, now=now)
    with transaction.atomic():
        row, _created = RateCount.objects.select_for_update().get_or_create(key=key, window_start=window)
        row.count = F("count") + 1
        row.save(update_fields=["count"])
        row.refresh_from_db()
    RateCount.objects.filter(window_start__lt=now - dt.timedelta(days=1)).delete()
    return row.count > limit
