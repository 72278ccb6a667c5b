"""Writes: service returns (typed in or imported), annual accounts, targets and the status report's text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib  # type: ignore[import-untyped]
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.organisation.models import MemberAssociation, Municipality, Programme
from barneby.results.models import SERVICE_TYPES, AnnualAccounts, IncomeLine, ServiceReturn, StatusReportText, Target

# A month's participants more than this share above or below the month before is implausible
# without a comment (from at least JUMP_MIN_BASE participants, where small numbers jump naturally).
JUMP_RATIO = Decimal("0.5")
JUMP_MIN_BASE = 10


def _results_setting(name: str, default: Any) -> Any:
    return getattr(settings, "RESULTS", {}).get(name, default)


def implausible_jump(previous: int | None, participants: int) -> bool:
    """True when ``participants`` differs from last month's ``previous`` by more than the allowed share."""
    base = int(_results_setting("JUMP_MIN_BASE", JUMP_MIN_BASE))
    ratio = Decimal(str(_results_setting("JUMP_RATIO", JUMP_RATIO)))
    if previous is None or max(previous, participants) < base:
        return False
    return abs(participants - previous) > ratio * max(previous, 1)


def _previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def service_return_errors(
    programme: Programme, month: dt.date, values: dict[str, Any], *, previous: int | None = None
) -> dict[str, str]:
    """What is wrong with one month's figures (field → message); empty when they may be saved."""
    errors: dict[str, str] = {}
    if programme.type not in SERVICE_TYPES:
        errors["programme"] = _(
            "Tjenesterapporter gjelder barnehager, skoler, yrkesopplæringssentre og medisinske sentre."
        )
    if month.day != 1:
        errors["month"] = _("Oppgi måneden som den første dagen i måneden.")
    elif month > dt.date.today().replace(day=1):
        errors["month"] = _("Måneden kan ikke være fram i tid.")
    participants = values.get("participants")
    if participants is None or participants < 0:
        errors["participants"] = _("Oppgi antall deltakere (0 eller mer).")
        return errors
    for name in ("female", "with_disability"):
        part = values.get(name)
        if part is not None and (part < 0 or part > participants):
            errors[name] = _("Kan ikke være flere enn deltakerne.")
    if previous is None:
        previous = (
            ServiceReturn.objects.filter(programme=programme, month=_previous_month(month))
            .values_list("participants", flat=True)
            .first()
        )
    if implausible_jump(previous, participants) and not str(values.get("comment") or "").strip():
        errors["comment"] = _(
            "Antallet endret seg mye fra forrige måned ({previous} → {now}); forklar endringen i en kommentar."
        ).format(previous=previous, now=participants)
    return errors


def service_return_save(*, actor: Any, programme: Programme, month: dt.date, values: dict[str, Any]) -> ServiceReturn:
    """Save (or replace) one month's figures; ``ValidationError`` with the field messages otherwise."""
    errors = service_return_errors(programme, month, values)
    if errors:
        raise ValidationError(errors)
    fields = {k: values.get(k) for k in ("participants", "female", "with_disability", "new_participants", "contacts")}
    row, _created = ServiceReturn.objects.update_or_create(
        programme=programme,
        month=month,
        defaults={**fields, "comment": str(values.get("comment") or "").strip(), "entered_by": actor},
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=row, detail="service return")
    return row


# --- import -------------------------------------------------------------------------------------

IMPORT_COLUMNS = (
    "programme",
    "month",
    "participants",
    "female",
    "with_disability",
    "new_participants",
    "contacts",
    "comment",
)
HEADER_ALIASES = {
    "program": "programme",
    "programkode": "programme",
    "programme": "programme",
    "måned": "month",
    "maned": "month",
    "month": "month",
    "deltakere": "participants",
    "participants": "participants",
    "jenter": "female",
    "female": "female",
    "funksjonsnedsettelse": "with_disability",
    "with_disability": "with_disability",
    "nye": "new_participants",
    "new_participants": "new_participants",
    "konsultasjoner": "contacts",
    "contacts": "contacts",
    "kommentar": "comment",
    "comment": "comment",
}


@dataclass
class ImportRow:
    line: int
    programme_code: str
    month: dt.date | None
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    programme: Programme | None = None


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    errors: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def valid(self) -> bool:
        return not self.errors and all(not r.errors for r in self.rows)


def _month(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    for fmt in ("%Y-%m", "%m.%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    return None


def _number(value: Any) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation as error:
        raise ValueError(value) from error
    if number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def read_dataset(content: bytes, name: str) -> tablib.Dataset:
    """The file as a table (CSV with ; or , or XLSX), through tablib."""
    if name.lower().endswith(".xlsx"):
        return tablib.Dataset().load(content, format="xlsx")
    text = content.decode("utf-8-sig")
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return tablib.Dataset().load(text, format="csv", delimiter=delimiter)


def preview_import(*, content: bytes, name: str, programmes: dict[str, Programme]) -> ImportPreview:
    """Every row checked (``programmes``: code → programme the user may write); nothing is saved."""
    try:
        data = read_dataset(content, name)
    except Exception:
        return ImportPreview([], [_("Filen kunne ikke leses. Bruk CSV (UTF-8) eller XLSX.")])
    headers = [HEADER_ALIASES.get(str(h or "").strip().lower(), "") for h in (data.headers or [])]
    missing = [c for c in ("programme", "month", "participants") if c not in headers]
    if missing:
        return ImportPreview([], [_("Kolonner mangler: {columns}.").format(columns=", ".join(missing))])
    rows: list[ImportRow] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for index, raw in enumerate(data, start=2):
        cells = {h: raw[i] for i, h in enumerate(headers) if h}
        code = str(cells.get("programme") or "").strip()
        row = ImportRow(index, code, _month(cells.get("month")), {"comment": str(cells.get("comment") or "").strip()})
        for column in ("participants", "female", "with_disability", "new_participants", "contacts"):
            try:
                row.values[column] = _number(cells.get(column))
            except ValueError:
                row.errors.append(
                    _("{column}: «{value}» er ikke et heltall.").format(column=column, value=cells.get(column))
                )
        programme = programmes.get(code)
        if programme is None:
            row.errors.append(
                _("Ukjent program, eller et program du ikke kan rapportere for: «{code}».").format(code=code)
            )
        if row.month is None:
            row.errors.append(
                _("Ugyldig måned: «{value}» (bruk 2025-03 eller 03.2025).").format(value=cells.get("month"))
            )
        if programme is not None and row.month is not None:
            key = (code, row.month)
            if key in seen:
                row.errors.append(_("Samme program og måned som linje {line}.").format(line=seen[key]))
            seen[key] = index
            row.programme = programme
            if not row.errors:
                earlier = next(
                    (
                        r.values.get("participants")
                        for r in rows
                        if r.programme_code == code and r.month == _previous_month(row.month)
                    ),
                    None,
                )
                problems = service_return_errors(programme, row.month, row.values, previous=earlier)
                row.errors.extend(
                    f"{name}: {message}" if name != "comment" else message for name, message in problems.items()
                )
        rows.append(row)
    if not rows:
        return ImportPreview([], [_("Filen har ingen rader.")])
    return ImportPreview(rows)


def import_service_returns(*, actor: Any, preview: ImportPreview) -> int:
    """Save every row of a preview without errors, all or nothing."""
    if not preview.valid:
        raise ValidationError(_("Filen har feil; ingenting er lagret."))
    with transaction.atomic():
        for row in preview.rows:
            assert row.programme is not None
            assert row.month is not None
            ServiceReturn.objects.update_or_create(
                programme=row.programme,
                month=row.month,
                defaults={**row.values, "entered_by": actor},
            )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="results.servicereturn",
        detail=f"import {len(preview.rows)} rows",
    )
    return len(preview.rows)


# --- accounts, targets, texts -------------------------------------------------------------------


def accounts_save(
    *,
    actor: Any,
    association: MemberAssociation,
    year: int,
    costs: dict[str, Decimal],
    income: dict[str, Decimal],
) -> AnnualAccounts:
    """Save an association's accounts for a year (costs by purpose, income by source)."""
    errors = {
        name: _("Beløpet kan ikke være negativt.")
        for name, value in [*costs.items(), *income.items()]
        if value is not None and value < 0
    }
    if not 1949 <= year <= dt.date.today().year:
        errors["year"] = _("Ugyldig år.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        accounts, _created = AnnualAccounts.objects.update_or_create(
            association=association,
            year=year,
            defaults={
                "programme_costs": costs.get("programme_costs") or Decimal(0),
                "fundraising_costs": costs.get("fundraising_costs") or Decimal(0),
                "administration_costs": costs.get("administration_costs") or Decimal(0),
                "entered_by": actor,
            },
        )
        accounts.income.all().delete()
        IncomeLine.objects.bulk_create(
            [IncomeLine(accounts=accounts, source=s, amount=a) for s, a in sorted(income.items()) if a]
        )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=accounts, detail="annual accounts")
    return accounts


def target_save(*, actor: Any, code: str, unit: str, period: str, value: Decimal) -> Target:
    target, _created = Target.objects.update_or_create(
        code=code, unit=unit, period=period, defaults={"value": value, "set_by": actor}
    )
    target.full_clean()
    return target


def report_text_save(*, actor: Any, municipality: Municipality, year: int, text: str) -> StatusReportText:
    text = text.strip()
    if len(text) > 4000:
        raise ValidationError({"text": _("Teksten kan være høyst 4000 tegn.")})
    row, _created = StatusReportText.objects.update_or_create(
        municipality=municipality, year=year, defaults={"text": text, "written_by": actor}
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=row, detail="status report text")
    return row
