"""Fundraising API: supporters, payments and the yearly tax-deduction figures, for donor service only.

The same selectors as the pages, so everything is scoped to the user's member
association: other roles and objects outside the scope get 404. Identity
numbers (fødselsnummer, D-nummer, organisasjonsnummer) are never sent; the
tax-report endpoint gives the figures, the files themselves are downloaded (and
logged) on the page.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from barneby.fundraising import selectors, taxreport
from barneby.fundraising.models import UNASSIGNED_STATUSES, Payment, PaymentStatus, Supporter
from barneby.fundraising.permissions import require_donor_service

router = Router(tags=["innsamling"])


def _guard(request: HttpRequest) -> None:
    """Donor service only: any other role gets 404, like the hidden pages, not an empty list."""
    require_donor_service(request.user)


class SupporterOut(Schema):
    id: int
    donor_number: int
    kind: str
    display_name: str
    first_name: str
    last_name: str
    company_name: str
    email: str
    postcode: str
    city: str


class AgreementOut(Schema):
    id: int
    method: str
    kid: str
    monthly_amount: Decimal
    state: str
    start_date: dt.date


class SupporterDetailOut(SupporterOut):
    phone: str
    street_address: str
    merged_into_id: int | None
    is_anonymised: bool
    has_identity_number: bool = Field(description="Fødselsnummer/D-nummer eller organisasjonsnummer er registrert")
    agreements: list[AgreementOut]

    @staticmethod
    def resolve_has_identity_number(obj: Supporter) -> bool:
        return bool(obj.national_id or obj.organisation_number)

    @staticmethod
    def resolve_agreements(obj: Supporter) -> list[Any]:
        return list(obj.agreements.order_by("sequence"))


class SupporterFilter(Schema):
    q: str = Field("", max_length=100, description="Navn, e-post, givernummer eller KID")


class PaymentOut(Schema):
    id: int
    source: str
    status: str
    kid: str
    amount: Decimal
    paid_date: dt.date
    bank_date: dt.date | None
    transaction_type: int | None
    supporter_id: int | None
    agreement_id: int | None
    claim_id: int | None
    ocr_import_id: int | None
    matched_at: dt.datetime | None


class PaymentFilter(Schema):
    matched: bool | None = Field(None, description="true: avstemt (også manuelt); false: ikke avstemt")
    date_from: dt.date | None = Field(None, description="Betalingsdato fra og med")
    date_to: dt.date | None = Field(None, description="Betalingsdato til og med")
    supporter_id: int | None = None


class LeftOutCount(Schema):
    reason: str
    label: str
    count: int


class TaxReportSummaryOut(Schema):
    year: int
    minimum: int
    maximum: int
    reported_count: int = Field(description="Givere som rapporteres (antallOppgaver)")
    total_amount: int = Field(description="Sum innrapportert i hele kroner (sumBeloep)")
    capped_count: int
    total_received: Decimal = Field(description="Innbetalt i året fra alle givere, rapportert eller ikke")
    left_out_count: int
    left_out: list[LeftOutCount]


@router.get("/supporters", response=list[SupporterOut], summary="Givere")
@paginate(PageNumberPagination)
def supporter_list(request: HttpRequest, filters: Query[SupporterFilter]) -> Any:
    _guard(request)
    return selectors.supporter_list_for(user=request.user, search=filters.q.strip()).order_by("donor_number", "pk")


@router.get("/supporters/{pk}", response=SupporterDetailOut, summary="Én giver")
def supporter_detail(request: HttpRequest, pk: int) -> Supporter:
    _guard(request)
    return selectors.supporter_get_for(user=request.user, pk=pk)


@router.get("/payments", response=list[PaymentOut], summary="Innbetalinger")
@paginate(PageNumberPagination)
def payment_list(request: HttpRequest, filters: Query[PaymentFilter]) -> Any:
    _guard(request)
    payments = selectors.payment_list_for(user=request.user)
    if filters.matched is True:
        payments = payments.filter(status__in=[PaymentStatus.MATCHED, PaymentStatus.MANUAL])
    elif filters.matched is False:
        payments = payments.filter(status__in=UNASSIGNED_STATUSES)
    if filters.date_from is not None:
        payments = payments.filter(paid_date__gte=filters.date_from)
    if filters.date_to is not None:
        payments = payments.filter(paid_date__lte=filters.date_to)
    if filters.supporter_id is not None:
        supporter = selectors.supporter_get_for(user=request.user, pk=filters.supporter_id)
        payments = payments.filter(supporter=supporter)
    return payments.order_by("-paid_date", "-pk")


@router.get("/payments/{pk}", response=PaymentOut, summary="Én innbetaling")
def payment_detail(request: HttpRequest, pk: int) -> Payment:
    _guard(request)
    return selectors.payment_get_for(user=request.user, pk=pk)


@router.get("/tax-reports/{year}", response=TaxReportSummaryOut, summary="Skattefradrag: tall for et inntektsår")
def tax_report_summary(request: HttpRequest, year: int) -> dict[str, Any]:
    _guard(request)
    association = selectors.association_of(user=request.user)
    if association is None:
        raise Http404
    report = taxreport.build_tax_report(association=association, year=year)
    return {
        "year": report.year,
        "minimum": report.minimum,
        "maximum": report.maximum,
        "reported_count": report.reported_count,
        "total_amount": report.total_amount,
        "capped_count": len(report.capped),
        "total_received": report.total_received,
        "left_out_count": len(report.left_out),
        "left_out": [
            {"reason": reason.value, "label": str(reason.label), "count": count}
            for reason, count in report.left_out_by_reason()
        ],
    }
