"""Builders for fundraising test data (synthetic), and Nets files made with netsgiro."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from itertools import count
from typing import Any

import netsgiro
from django.conf import settings
from django.utils import timezone

from barneby.fundraising.demo import ocr_file as demo_ocr_file
from barneby.fundraising.kid import kid_base, make_kid
from barneby.fundraising.models import AgreementState, PaymentAgreement, PaymentMethod, Supporter
from barneby.organisation.models import MemberAssociation

_donors = count(200001)
_transmissions = count(1)


def supporter(assoc: MemberAssociation, **kw: Any) -> Supporter:
    defaults: dict[str, Any] = {"donor_number": next(_donors), "first_name": "Kari", "last_name": "Testesen"}
    return Supporter.objects.create(association=assoc, **{**defaults, **kw})


def agreement_kid(donor_number: int, sequence: int = 1) -> str:
    length = int(settings.FUNDRAISING_KID_LENGTH)
    return make_kid(kid_base(donor_number, sequence, length=length), length=length)


def agreement(
    sup: Supporter,
    *,
    method: str = PaymentMethod.AVTALEGIRO,
    state: str = AgreementState.ACTIVE,
    amount: Decimal | str = "350.00",
    sequence: int | None = None,
    **kw: Any,
) -> PaymentAgreement:
    sequence = sequence or (sup.agreements.count() + 1)
    defaults: dict[str, Any] = {
        "kid": agreement_kid(sup.donor_number, sequence),
        "start_date": dt.date(2020, 1, 1),
        "activated_at": timezone.now() if state == AgreementState.ACTIVE else None,
        "cancelled_at": timezone.now() if state == AgreementState.CANCELLED else None,
    }
    return PaymentAgreement.objects.create(
        supporter=sup,
        sequence=sequence,
        method=method,
        state=state,
        monthly_amount=Decimal(amount),
        **{**defaults, **kw},
    )


def transmission_number() -> str:
    return f"{next(_transmissions) + 4000000:07d}"


def ocr_file(
    payments: Iterable[tuple[str, Decimal]],
    *,
    date: dt.date = dt.date(2026, 1, 20),
    number: str | None = None,
    recipient: str | None = None,
    reversed_kids: Iterable[str] = (),
) -> str:
    """An OCR giro transmission from Nets with one AvtaleGiro payment (type 15) per (KID, amount)."""
    return demo_ocr_file(
        payments, date=date, number=number or transmission_number(), recipient=recipient, reversed_kids=reversed_kids
    )


def agreements_file(
    registrations: Iterable[tuple[str, int, bool]], *, number: str | None = None, date: dt.date = dt.date(2026, 1, 5)
) -> str:
    """An AvtaleGiro agreements (FBO) transmission: (KID, registration type 0/1/2, notify) per line."""
    transmission = netsgiro.Transmission(
        number=number or transmission_number(),
        data_transmitter=netsgiro.NETS_ID,
        data_recipient=settings.FUNDRAISING_NETS_CUSTOMER_UNIT_ID,
        date=date,
    )
    assignment = transmission.add_assignment(
        service_code=netsgiro.ServiceCode.AVTALEGIRO,
        assignment_type=netsgiro.AssignmentType.AVTALEGIRO_AGREEMENTS,
        number="0000002",
        account=settings.FUNDRAISING_NETS_ACCOUNT,
    )
    for serial, (kid, registration, notify) in enumerate(registrations, start=1):
        assignment.transactions.append(
            netsgiro.Agreement(
                service_code=netsgiro.ServiceCode.AVTALEGIRO,
                number=serial,
                registration_type=registration,
                kid=kid,
                notify=notify,
            )
        )
    return str(transmission.to_ocr()) + "\n"
