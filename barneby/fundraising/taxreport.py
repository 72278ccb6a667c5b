"""The yearly tax-deduction report for gifts (skatteloven § 6-50; RF-1310, FUNDRAISING.md §3).

Per donor, the money received in the income year: matched payments (AvtaleGiro,
giro, Vipps — a payment to the donor's gift KID is also a payment, and its
``Gift`` row points at it, so it is counted once) plus gifts registered by hand
without a payment. Bank reversals are negative payments and reduce the sum.
Records merged into another (``Supporter.merged_into``) count for the record
that survives the merge, however long the chain.

A donor is reported when the sum is at least ``FUNDRAISING_TAX_DEDUCTION_MIN``
and they have a valid fødselsnummer/D-nummer (persons) or organisasjonsnummer
(companies); the amount reported is the sum in whole kroner (rounded down: we
never report more than was given), capped at the year's maximum from
``FUNDRAISING_TAX_DEDUCTION_MAX``. Everybody else is listed in the validation
report with the reason they were left out.

Built for 130,000 donors: two grouped queries for the sums, one query over the
association's supporters (the encrypted identity numbers fetched as ciphertext)
and one decryption per donor who can be reported at all.

Outputs: the JSON body of Skatteetaten's API "Innrapportering gaver til
frivillige" (``POST /v1/{inntektsaar}``), the XML ``gavefrivilligorganisasjon``
v2 for manual upload, and CSV.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from barneby.core.fields import decrypt_value
from barneby.core.formatting import format_amount
from barneby.core.identity import organisation_number_error, person_number_error
from barneby.fundraising.models import Gift, Payment, PaymentStatus, Supporter, SupporterKind, TaxReporter
from barneby.organisation.models import MemberAssociation

XML_NAMESPACE = "urn:ske:fastsetting:innsamling:gavefrivilligorganisasjon:v2"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NAME = "gavefrivilligorganisasjon_v2_0.xsd"
SOURCE_SYSTEM = "Barneby"
CONTACT_FIELDS = ("navn", "telefonnummer", "varselEpostadresse", "varselSmsMobilnummer")
RECEIVED = (PaymentStatus.MATCHED, PaymentStatus.MANUAL)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class LeftOutReason(models.TextChoices):
    """Why a donor with money received in the year is not in the report."""

    ANONYMISED = "anonymised", gettext_lazy("Anonymisert")
    UNDER_MINIMUM = "under_minimum", gettext_lazy("Under minstebeløpet")
    MISSING_IDENTITY = "missing_identity", gettext_lazy("Mangler fødselsnummer/organisasjonsnummer")
    INVALID_IDENTITY = "invalid_identity", gettext_lazy("Ugyldig fødselsnummer/organisasjonsnummer")
    UNREADABLE_IDENTITY = "unreadable_identity", gettext_lazy("Fødselsnummeret kan ikke dekrypteres")


@dataclass(frozen=True, slots=True)
class Donor:
    """One surviving supporter record and the money received from it and the records merged into it."""

    supporter_id: int
    donor_number: int
    kind: str
    name: str
    total: Decimal
    merged_ids: tuple[int, ...]

    @property
    def is_company(self) -> bool:
        return self.kind == SupporterKind.COMPANY


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One donor in the report: an ``oppgave``."""

    donor: Donor
    identifier: str  # fødselsnummer/D-nummer or organisasjonsnummer, compact
    amount: int  # whole kroner reported
    capped: bool


@dataclass(frozen=True, slots=True)
class LeftOut:
    """One donor not in the report, and why."""

    donor: Donor
    reason: LeftOutReason
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ValidationRow:
    """A row of the validation report: a donor left out, or a donor reported with a capped amount."""

    donor_number: int
    supporter_id: int
    name: str
    total: Decimal
    amount: int | None
    outcome: str
    detail: str


@dataclass
class TaxReport:
    association: MemberAssociation
    year: int
    minimum: int
    maximum: int
    lines: list[ReportLine] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    generated_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def reported_count(self) -> int:
        return len(self.lines)

    @property
    def total_amount(self) -> int:
        """Sum of the amounts reported (whole kroner): ``sumBeloep``."""
        return sum(line.amount for line in self.lines)

    @property
    def total_received(self) -> Decimal:
        """All money received in the year from every donor, reported or not."""
        return sum((line.donor.total for line in self.lines), Decimal(0)) + sum(
            (item.donor.total for item in self.left_out), Decimal(0)
        )

    @property
    def capped(self) -> list[ReportLine]:
        return [line for line in self.lines if line.capped]

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.left_out

    def left_out_by_reason(self) -> list[tuple[LeftOutReason, int]]:
        """(reason, number of donors) for every reason that occurs, in the order of ``LeftOutReason``."""
        counts = Counter(item.reason for item in self.left_out)
        return [(reason, counts[reason]) for reason in LeftOutReason if counts[reason]]

    def validation_rows(self) -> list[ValidationRow]:
        """Everyone left out (by reason, then donor number), then the capped donors."""
        order = {reason: index for index, reason in enumerate(LeftOutReason)}
        rows = [
            ValidationRow(
                donor_number=item.donor.donor_number,
                supporter_id=item.donor.supporter_id,
                name=item.donor.name,
                total=item.donor.total,
                amount=None,
                outcome=str(item.reason.label),
                detail=item.detail,
            )
            for item in sorted(self.left_out, key=lambda i: (order[i.reason], i.donor.donor_number))
        ]
        rows.extend(
            ValidationRow(
                donor_number=line.donor.donor_number,
                supporter_id=line.donor.supporter_id,
                name=line.donor.name,
                total=line.donor.total,
                amount=line.amount,
                outcome=_("Begrenset til maksimalt fradrag"),
                detail=_("Innbetalt {total}, innrapportert {amount}.").format(
                    total=format_amount(line.donor.total), amount=format_amount(line.amount, decimals=0)
                ),
            )
            for line in self.capped
        )
        return rows


def deduction_limits(year: int) -> tuple[int, int]:
    """(minimum, maximum) for the income year; a year missing from the table is refused."""
    table: dict[int, int] = dict(getattr(settings, "FUNDRAISING_TAX_DEDUCTION_MAX", {}))
    if year not in table:
        known = ", ".join(str(y) for y in sorted(table)) or "–"
        raise ValidationError(
            {
                "year": _(
                    "Maksimalt fradrag for inntektsåret {year} er ikke satt opp (kjente år: {known}). "
                    "Legg det inn i BARNEBY_TAX_DEDUCTION_MAX når Skatteetaten har publisert satsen."
                ).format(year=year, known=known)
            }
        )
    return int(settings.FUNDRAISING_TAX_DEDUCTION_MIN), int(table[year])


def known_years() -> list[int]:
    return sorted(getattr(settings, "FUNDRAISING_TAX_DEDUCTION_MAX", {}), reverse=True)


def _sums(association: MemberAssociation, year: int) -> dict[int, Decimal]:
    """Money received per supporter record in the year: one grouped query per source."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    totals: dict[int, Decimal] = {}
    payments = (
        Payment.objects.filter(
            association=association, status__in=RECEIVED, supporter__isnull=False, paid_date__range=(start, end)
        )
        .values_list("supporter_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    # Gifts from a payment are already in the payments; only hand-registered gifts are added.
    gifts = (
        Gift.objects.filter(supporter__association=association, payment__isnull=True, date__range=(start, end))
        .values_list("supporter_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for rows in (payments, gifts):
        for supporter_id, total in rows:
            totals[supporter_id] = totals.get(supporter_id, ZERO) + Decimal(total).quantize(CENT)
    return totals


def years_with_money(association: MemberAssociation) -> list[int]:
    """The income years in which the association received money counted by the report, newest first."""
    years = {
        d.year
        for d in Payment.objects.filter(association=association, status__in=RECEIVED, supporter__isnull=False).dates(
            "paid_date", "year"
        )
    }
    years |= {
        d.year
        for d in Gift.objects.filter(supporter__association=association, payment__isnull=True).dates("date", "year")
    }
    return sorted(years, reverse=True)


def default_year(association: MemberAssociation | None) -> int:
    """The year the page opens on: last income year, unless it has no money and an earlier or this year has.

    The report is made in January for the year that just ended; a new installation (or the demo) may have
    money only this year, and opening on an empty year then hides everything.
    """
    today = timezone.localdate()
    previous = today.year - 1
    years = [y for y in years_with_money(association) if y <= today.year] if association is not None else []
    if not years or previous in years:
        return previous
    return years[0]


def _survivor(supporter_id: int, merged_into: Mapping[int, int | None]) -> int:
    """Follow ``merged_into`` to the record that survived; a cycle stops where it closes."""
    seen = {supporter_id}
    current = supporter_id
    while (target := merged_into.get(current)) is not None and target not in seen:
        seen.add(target)
        current = target
    return current


def _whole_kroner(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_DOWN))


CACHE_SECONDS = 600


def _fingerprint(association: MemberAssociation) -> tuple[object, ...]:
    """What the report depends on, cheaply: a change to any payment, gift or supporter changes it."""
    parts: list[object] = []
    for queryset in (
        Payment.objects.filter(association=association),
        Gift.objects.filter(supporter__association=association),
        Supporter.objects.filter(association=association),
    ):
        found = queryset.order_by().aggregate(latest=models.Max("updated_at"), count=models.Count("id"))
        parts.extend((found["latest"], found["count"]))
    return tuple(parts)


def tax_report_cached(*, association: MemberAssociation, year: int) -> TaxReport:
    """:func:`build_tax_report`, kept for a few minutes while nothing it depends on changes.

    Paging through the validation report of 130,000 donors would otherwise
    rebuild it (seconds) on every click.
    """
    key = (
        "taxreport:"
        + hashlib.sha256(
            repr(
                (
                    association.pk,
                    year,
                    deduction_limits(year),  # raises for a year without a maximum, as the report does
                    settings.IDENTITY_ALLOW_SYNTHETIC,
                    get_language(),
                    _fingerprint(association),
                )
            ).encode()
        ).hexdigest()
    )
    report = cache.get(key)
    if not isinstance(report, TaxReport):
        report = build_tax_report(association=association, year=year)
        cache.set(key, report, CACHE_SECONDS)
    return report


def build_tax_report(*, association: MemberAssociation, year: int) -> TaxReport:
    """The tax-deduction report for ``association`` and income ``year``; raises ``ValidationError`` for an unknown year."""
    minimum, maximum = deduction_limits(year)
    report = TaxReport(association=association, year=year, minimum=minimum, maximum=maximum)
    sums = _sums(association, year)
    if not sums:
        return report
    rows = {
        row[0]: row
        for row in Supporter.objects.filter(association=association)
        .annotate(national_id_token=Cast("national_id", output_field=models.TextField()))
        .values_list(
            "id",
            "merged_into_id",
            "donor_number",
            "kind",
            "first_name",
            "last_name",
            "company_name",
            "organisation_number",
            "is_anonymised",
            "national_id_token",
        )
        .order_by()
    }
    merged_into = {pk: row[1] for pk, row in rows.items()}
    anonymous_name = _("Anonymisert giver")
    under_minimum = _("Minstebeløpet er {minimum}.").format(minimum=format_amount(minimum, decimals=0))
    totals: dict[int, Decimal] = {}
    members: dict[int, list[int]] = {}
    for supporter_id, total in sums.items():
        survivor = _survivor(supporter_id, merged_into)
        totals[survivor] = totals.get(survivor, ZERO) + total
        members.setdefault(survivor, []).append(supporter_id)

    for survivor_id in sorted(totals, key=lambda pk: rows[pk][2] if pk in rows else pk):
        row = rows.get(survivor_id)
        if row is None:  # a payment's supporter outside the association: not ours to report
            continue
        _pk, _merged, donor_number, kind, first, last, company, orgnr, anonymised, token = row
        own_name = company if kind == SupporterKind.COMPANY else f"{first} {last}".strip()
        name = anonymous_name if anonymised else own_name
        donor = Donor(
            supporter_id=survivor_id,
            donor_number=donor_number,
            kind=kind,
            name=name,
            total=totals[survivor_id],
            merged_ids=tuple(sorted(pk for pk in members[survivor_id] if pk != survivor_id)),
        )
        if anonymised:
            report.left_out.append(LeftOut(donor, LeftOutReason.ANONYMISED))
            continue
        if donor.total < minimum:
            report.left_out.append(LeftOut(donor, LeftOutReason.UNDER_MINIMUM, under_minimum))
            continue
        if donor.is_company:
            identifier = (orgnr or "").replace(" ", "")
            error = organisation_number_error(identifier) if identifier else None
        else:
            try:
                identifier = decrypt_value(token).replace(" ", "") if token else ""
            except (InvalidToken, UnicodeEncodeError):
                report.left_out.append(LeftOut(donor, LeftOutReason.UNREADABLE_IDENTITY))
                continue
            error = person_number_error(identifier) if identifier else None
        if not identifier:
            report.left_out.append(LeftOut(donor, LeftOutReason.MISSING_IDENTITY))
        elif error:
            report.left_out.append(LeftOut(donor, LeftOutReason.INVALID_IDENTITY, error))
        else:
            whole = _whole_kroner(donor.total)
            report.lines.append(
                ReportLine(donor=donor, identifier=identifier, amount=min(whole, maximum), capped=whole > maximum)
            )
    return report


# --- Output formats ---------------------------------------------------------------------------------


def reporter_number(association: MemberAssociation | None = None) -> str:
    """The reporting organisation's organisasjonsnummer (oppgavegiver), checked; the downloads need it.

    The association's own number (set on the tax report page) comes first; the
    ``BARNEBY_ORGANISATION_NUMBER`` setting is the fallback for an installation with one association.
    """
    own = TaxReporter.objects.filter(association=association).first() if association is not None else None
    if own is not None:
        number = own.organisation_number
        error = organisation_number_error(number)
        if error:
            raise ValidationError(_("Organisasjonsnummeret til organisasjonen er ugyldig: {error}").format(error=error))
        return number
    number = str(getattr(settings, "FUNDRAISING_ORGANISATION_NUMBER", "") or "").replace(" ", "")
    if not number:
        raise ValidationError(
            _(
                "Organisasjonsnummeret til organisasjonen mangler. Registrer det under «Oppgavegiver» på siden for "
                "skattefradrag (eller sett BARNEBY_ORGANISATION_NUMBER i miljøet)."
            ),
            code="reporter_missing",
        )
    error = organisation_number_error(number)
    if error:
        raise ValidationError(_("BARNEBY_ORGANISATION_NUMBER er ugyldig: {error}").format(error=error))
    return number


def _contact() -> dict[str, str]:
    configured: dict[str, str] = dict(getattr(settings, "FUNDRAISING_TAX_CONTACT", {}))
    return {key: str(configured[key]) for key in CONTACT_FIELDS if configured.get(key)}


def delivery_reference(report: TaxReport, reporter: str) -> str:
    """``oppgavegiversLeveranseReferanse``: our own reference for this delivery."""
    return f"barneby-{reporter}-{report.year}-{report.generated_at:%Y%m%d%H%M%S}"


def _task_owner(line: ReportLine) -> dict[str, str]:
    key = "organisasjonsnummer" if line.donor.is_company else "foedselsnummer"
    return {key: line.identifier, "navn": line.donor.name}


def report_json(report: TaxReport) -> dict[str, Any]:
    """The request body of ``POST /v1/{inntektsaar}`` (Innrapportering gaver til frivillige API)."""
    reporter = reporter_number(report.association)
    giver: dict[str, Any] = {"organisasjonsnummer": reporter}
    contact = _contact()
    if contact:
        giver["kontaktinformasjon"] = contact
    return {
        "leveranse": {
            "kildesystem": SOURCE_SYSTEM,
            "oppgavegiver": giver,
            "inntektsaar": str(report.year),
            "oppgavegiversLeveranseReferanse": delivery_reference(report, reporter),
            "leveransetype": "ordinaer",
            "oppgave": [{"oppgaveeier": _task_owner(line), "beloep": str(line.amount)} for line in report.lines],
            "oppgaveoppsummering": {
                "antallOppgaver": str(report.reported_count),
                "sumBeloep": str(report.total_amount),
            },
        }
    }


def report_json_bytes(report: TaxReport) -> bytes:
    return json.dumps(report_json(report), ensure_ascii=False, indent=2).encode("utf-8")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{XML_NAMESPACE}}}{tag}")
    if text is not None:
        element.text = text
    return element


def report_xml(report: TaxReport) -> bytes:
    """The ``gavefrivilligorganisasjon`` v2 file (RF-1301 attachment) for manual upload on skatteetaten.no."""
    reporter = reporter_number(report.association)
    ET.register_namespace("", XML_NAMESPACE)
    ET.register_namespace("xsi", XSI_NAMESPACE)
    root = ET.Element(
        f"{{{XML_NAMESPACE}}}melding",
        {f"{{{XSI_NAMESPACE}}}schemaLocation": f"{XML_NAMESPACE} {XSD_NAME}"},
    )
    delivery = _sub(root, "leveranse")
    _sub(delivery, "kildesystem", SOURCE_SYSTEM)
    giver = _sub(delivery, "oppgavegiver")
    _sub(giver, "organisasjonsnummer", reporter)
    _sub(giver, "organisasjonsnavn", report.association.name)
    contact = _contact()
    if contact:
        info = _sub(giver, "kontaktinformasjon")
        for key, value in contact.items():
            _sub(info, key, value)
    _sub(delivery, "inntektsaar", str(report.year))
    _sub(delivery, "oppgavegiversLeveranseReferanse", delivery_reference(report, reporter))
    _sub(delivery, "leveransetype", "ordinaer")
    for line in report.lines:
        task = _sub(delivery, "oppgave")
        owner = _sub(task, "oppgaveeier")
        for key, value in _task_owner(line).items():
            _sub(owner, key, value)
        _sub(task, "beloep", str(line.amount))
    summary = _sub(delivery, "oppgaveoppsummering")
    _sub(summary, "antallOppgaver", str(report.reported_count))
    _sub(summary, "sumBeloep", str(report.total_amount))
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


CSV_HEADERS = (
    gettext_lazy("Givernummer"),
    gettext_lazy("Type"),
    gettext_lazy("Fødselsnummer/organisasjonsnummer"),
    gettext_lazy("Navn"),
    gettext_lazy("Innbetalt i året"),
    gettext_lazy("Innrapportert beløp"),
    gettext_lazy("Begrenset til maksimum"),
)


def report_csv_rows(report: TaxReport) -> Iterator[tuple[Any, ...]]:
    """One row per reported donor, for ``barneby.core.listing.csv_response``."""
    for line in report.lines:
        yield (
            line.donor.donor_number,
            _("Bedrift") if line.donor.is_company else _("Person"),
            line.identifier,
            line.donor.name,
            line.donor.total,
            line.amount,
            line.capped,
        )
