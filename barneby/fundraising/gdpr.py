"""GDPR for supporters: export everything we hold (art. 15 and 20) and erasure by anonymisation (art. 17).

**Export.** Everything that points at the supporter is found through
``Supporter._meta.related_objects`` — consents, agreements (and their claims),
payments, gifts, records merged into this one, and whatever other apps add
later (sponsorships, newsletter subscriptions …) — and written as JSON and as
PDF. Related rows of other apps are listed field by field; links to other
records appear as ids only, so no one else's data (e.g. a child's case) is
pulled in. The fødselsnummer is shown masked except its last five digits
(``******12345``): the data subject already knows the number, the masked form
proves which one we hold, and a file that is sent by e-mail or post then never
carries a full fødselsnummer (Datatilsynet's advice; FUNDRAISING.md §4). Both
downloads are audit-logged.

**Erasure.** The person is anonymised, not deleted: names, address, e-mail,
phone, fødselsnummer and organisasjonsnummer are cleared, every consent still
granted is withdrawn in the log, gift notes are cleared, and the record is
marked anonymised and inactive — also for records merged into it. Accounting
records stay as they are (payments, claims, agreements, gifts with amounts and
dates): bokføringsloven requires the primary documentation to be kept for five
years, and it overrides erasure (FUNDRAISING.md §4).

**The tax-report rule** (FUNDRAISING.md §3.2): gifts are reported to
Skatteetaten per donor and income year by 31 January of the following year,
with the donor's fødselsnummer or organisasjonsnummer. Erasure is therefore
refused while a donor with an identity number has at least the deduction
minimum (``FUNDRAISING_TAX_DEDUCTION_MIN``) in payments and gifts in an income year whose
report is not yet due — the current year, and in January also the previous
year. It is possible from 1 February after the last such year. Erasure is also
refused while a payment agreement is still pending or active (the bank would go
on charging an anonymous record): end the agreements first.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.fields import EncryptedTextField
from barneby.core.formatting import format_amount, format_date
from barneby.core.pdf import pdf_text
from barneby.fundraising.models import (
    AgreementState,
    Claim,
    Consent,
    ConsentSource,
    Gift,
    Payment,
    PaymentAgreement,
    PaymentStatus,
    Supporter,
)
from barneby.fundraising.services import CONSENT_DEFAULTS, consent_current
from barneby.organisation.models import MemberAssociation

ERASURE_TEXT_VERSION = "GDPR art. 17: sletting"
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "organisation_number",
    "national_id",
    "email",
    "phone",
    "phone_key",
    "street_address",
    "postcode",
    "city",
)
# Never part of an export: internal keys that say nothing about the person.
HIDDEN_FIELDS = {"phone_key"}

# Other apps clear their own personal data about a supporter on erasure:
# ``gdpr.ERASERS.append(fn)`` in their AppConfig.ready, ``fn(*, actor, supporter, merged) -> None``,
# called before the supporter (and ``merged``, the records merged into it) are anonymised.
ERASERS: list[Callable[..., None]] = []


def mask_identity_number(value: str) -> str:
    """``15108695088`` → ``******95088``; empty stays empty."""
    value = (value or "").strip()
    if not value:
        return ""
    return "*" * max(len(value) - 5, 0) + value[-5:]


# --- Export --------------------------------------------------------------------------------------


def _json_value(field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(field, EncryptedTextField):
        return mask_identity_number(value or "")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, int | float | bool | str) or value is None:
        return value
    return str(value)


def _text_value(field: models.Field[Any, Any], obj: models.Model, value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(field, EncryptedTextField):
        return mask_identity_number(value)
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if field.is_relation and field.related_model in {Supporter, MemberAssociation}:
        # The supporter's own links read as names; links to anything else stay ids, so no one
        # else's data is pulled into the export.
        return str(getattr(obj, field.name))
    if isinstance(value, bool):
        return _("ja") if value else _("nei")
    if isinstance(field, models.DecimalField):
        return format_amount(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


def _fields(obj: models.Model, skip: Iterable[str] = ()) -> list[models.Field[Any, Any]]:
    skipped = set(skip) | HIDDEN_FIELDS
    return [f for f in obj._meta.concrete_fields if f.name not in skipped]


def _record(obj: models.Model, skip: Iterable[str] = ()) -> dict[str, Any]:
    return {f.attname: _json_value(f, getattr(obj, f.attname)) for f in _fields(obj, skip)}


def _lines(obj: models.Model, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    return [(str(f.verbose_name), _text_value(f, obj, getattr(obj, f.attname))) for f in _fields(obj, skip)]


def _sections(supporter: Supporter) -> list[tuple[str, str, list[models.Model]]]:
    """(key, title, rows) for everything about the supporter, known models first, then any other app's."""
    agreements = list(PaymentAgreement._base_manager.filter(supporter=supporter).order_by("sequence"))
    sections: list[tuple[str, str, list[models.Model]]] = [
        (
            "consents",
            _("Samtykker"),
            list(Consent._base_manager.filter(supporter=supporter).order_by("recorded_at", "id")),
        ),
        ("agreements", _("Betalingsavtaler"), list(agreements)),
        (
            "claims",
            _("Trekk"),
            list(Claim._base_manager.filter(agreement__supporter=supporter).order_by("period", "id")),
        ),
        (
            "payments",
            _("Innbetalinger"),
            list(Payment._base_manager.filter(supporter=supporter).order_by("paid_date", "id")),
        ),
        ("gifts", _("Gaver"), list(Gift._base_manager.filter(supporter=supporter).order_by("date", "id"))),
        (
            "merged_records",
            _("Poster slått sammen med denne"),
            list(Supporter._base_manager.filter(merged_into=supporter).order_by("donor_number")),
        ),
    ]
    known = {Consent, PaymentAgreement, Payment, Gift, Supporter}
    for rel in Supporter._meta.related_objects:
        model = rel.related_model
        if model in known or rel.many_to_many:
            continue
        assert isinstance(model, type)
        rows = list(model._base_manager.filter(**{rel.field.name: supporter}).order_by("pk"))
        if rows:
            sections.append((model._meta.label_lower, str(model._meta.verbose_name_plural).capitalize(), rows))
    return sections


def supporter_export(supporter: Supporter) -> dict[str, Any]:
    """Everything about the supporter as plain data (the JSON export)."""
    data: dict[str, Any] = {
        "generated_at": timezone.now().isoformat(),
        "organisation": supporter.association.name,
        "note": _("Fødselsnummeret vises bare med de fem siste sifrene."),
        "supporter": _record(supporter),
    }
    for key, _title, rows in _sections(supporter):
        data[key] = [_record(row) for row in rows]
    return data


def supporter_export_json(*, actor: Any, supporter: Supporter, request: HttpRequest | None = None) -> bytes:
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=supporter, request=request, detail="gdpr export json")
    return json.dumps(supporter_export(supporter), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def supporter_export_pdf(*, actor: Any, supporter: Supporter, request: HttpRequest | None = None) -> bytes:
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=supporter, request=request, detail="gdpr export pdf")
    pdf = FPDF(format="A4")
    pdf.set_title(pdf_text(_("Innsyn for giver {number}").format(number=supporter.donor_number)))
    pdf.set_author(pdf_text(supporter.association.name))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, pdf_text(supporter.association.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 13)
    title = _("Opplysninger vi har om giver {number}").format(number=supporter.donor_number)
    pdf.multi_cell(0, 8, pdf_text(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9)
    generated = _("Laget {date}. Fødselsnummeret vises bare med de fem siste sifrene.").format(
        date=timezone.localtime().strftime("%d.%m.%Y %H:%M")
    )
    pdf.multi_cell(0, 5, pdf_text(generated), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 9)

    def block(pairs: list[tuple[str, str]]) -> None:
        text = "; ".join(f"{label}: {value}" for label, value in pairs)
        pdf.multi_cell(0, 5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    heading(_("Personopplysninger"))
    for label, value in _lines(supporter, skip=("id", "created_at", "updated_at")):
        pdf.multi_cell(0, 5, pdf_text(f"{label}: {value}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for _key, section_title, rows in _sections(supporter):
        heading(f"{section_title} ({len(rows)})")
        if not rows:
            pdf.multi_cell(0, 5, pdf_text(_("Ingen.")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for row in rows:
            block(_lines(row, skip=("supporter", "created_at", "updated_at")))
    return bytes(pdf.output())


# --- Erasure -------------------------------------------------------------------------------------


def tax_reportable_total(supporter: Supporter, year: int) -> Decimal:
    """What counts towards the donor's tax report for ``year``: matched payments, plus gifts registered without one."""
    paid = (
        Payment._base_manager.filter(supporter=supporter, paid_date__year=year)
        .filter(status__in=[PaymentStatus.MATCHED, PaymentStatus.MANUAL])
        .aggregate(total=Sum("amount"))["total"]
    )
    gifts = Gift._base_manager.filter(supporter=supporter, date__year=year, payment__isnull=True).aggregate(
        total=Sum("amount")
    )["total"]
    return (paid or Decimal(0)) + (gifts or Decimal(0))


def erasure_blocked_until(supporter: Supporter, *, today: dt.date | None = None) -> dt.date | None:
    """The first day erasure is allowed if a tax report still needs the identity number, else ``None``."""
    if not (supporter.national_id or supporter.organisation_number):
        return None
    today = today or timezone.localdate()
    for year in (today.year, today.year - 1):
        allowed_from = dt.date(year + 1, 2, 1)  # the report for ``year`` is due 31 January
        if today < allowed_from and tax_reportable_total(supporter, year) >= Decimal(
            settings.FUNDRAISING_TAX_DEDUCTION_MIN
        ):
            return allowed_from
    return None


def erasure_problems(supporter: Supporter, *, today: dt.date | None = None) -> list[str]:
    """Why the supporter cannot be anonymised now (empty when it can)."""
    problems: list[str] = []
    if supporter.merged_into_id is not None:
        problems.append(_("Giveren er slått sammen med en annen; anonymiser den gjenværende giveren."))
    if supporter.is_anonymised:
        problems.append(_("Giveren er allerede anonymisert."))
    open_states = (AgreementState.PENDING, AgreementState.ACTIVE)
    if PaymentAgreement._base_manager.filter(supporter=supporter, state__in=open_states).exists():
        problems.append(_("Giveren har betalingsavtaler som ikke er avsluttet. Avslutt dem først."))
    blocked = erasure_blocked_until(supporter, today=today)
    if blocked is not None:
        problems.append(
            _(
                "Gavene skal rapporteres til Skatteetaten med fødselsnummer eller organisasjonsnummer innen "
                "31. januar. Giveren kan anonymiseres fra {date}."
            ).format(date=format_date(blocked))
        )
    return problems


def _anonymise(supporter: Supporter, now: dt.datetime) -> None:
    for name in PERSONAL_FIELDS:
        setattr(supporter, name, "")
    supporter.is_anonymised = True
    supporter.anonymised_at = now
    supporter.is_active = False
    supporter.save()


@transaction.atomic
def supporter_erase(
    *,
    actor: Any,
    supporter: Supporter,
    confirm_donor_number: str | int,
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> Supporter:
    """Anonymise the supporter (and records merged into it), keeping the accounting records. Audited."""
    locked = Supporter.objects.select_for_update().get(pk=supporter.pk)
    if str(confirm_donor_number).strip() != str(locked.donor_number):
        raise ValidationError(
            {"confirm": _("Skriv givernummeret {number} for å bekrefte.").format(number=locked.donor_number)}
        )
    problems = erasure_problems(locked, today=today)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    withdrawn = []
    for purpose, entry in consent_current(locked).items():
        if (entry.granted if entry is not None else CONSENT_DEFAULTS[purpose]) is True:
            Consent.objects.create(
                supporter=locked,
                purpose=purpose,
                granted=False,
                source=ConsentSource.DONOR_SERVICE,
                text_version=ERASURE_TEXT_VERSION,
                recorded_at=now,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            withdrawn.append(purpose)
    merged = list(Supporter.objects.select_for_update().filter(merged_into=locked))
    # Other apps first, while the e-mail address and name are still there to find their records by.
    for eraser in ERASERS:
        eraser(actor=actor, supporter=locked, merged=merged)
    for record in [locked, *merged]:
        _anonymise(record, now)
        Gift._base_manager.filter(supporter=record).exclude(note="").update(note="")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        request=request,
        detail=f"gdpr erasure: anonymised ({len(merged)} merged records too); consents withdrawn: "
        f"{', '.join(withdrawn) or 'none'}",
    )
    supporter.refresh_from_db()
    return locked
