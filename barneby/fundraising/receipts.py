"""E-mail receipts for one-off gifts, with a PDF (fpdf2).

A receipt goes out when a gift is registered (``services.gift_create``) or a
payment is matched to a donor as a gift (the unmatched-payments page), and again
when donor service presses "send receipt again". It is sent only after the
transaction commits (``transaction.on_commit``), so a rolled-back gift never
gets a receipt, and only to a supporter with an e-mail address who is not
anonymised. A receipt is a transactional message about the donor's own gift,
not marketing, so it needs no e-mail consent (markedsføringsloven § 15 covers
marketing). The identity number is never printed (FUNDRAISING.md §4).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.formatting import format_amount, format_date
from barneby.core.pdf import Letter
from barneby.fundraising.models import Gift, OcrImport, Supporter, SupporterKind

log = logging.getLogger(__name__)


def can_receive(supporter: Supporter) -> bool:
    return bool(supporter.email) and not supporter.is_anonymised


def tax_note(gift: Gift) -> str:
    """What the receipt says about the tax deduction (skatteloven § 6-50; FUNDRAISING.md §3.1)."""
    supporter = gift.supporter
    minimum = format_amount(settings.FUNDRAISING_TAX_DEDUCTION_MIN, decimals=0)
    maximum = settings.FUNDRAISING_TAX_DEDUCTION_MAX.get(gift.date.year)
    text = _("Gaver på til sammen minst {minimum} i løpet av et år gir rett til skattefradrag").format(minimum=minimum)
    if maximum:
        text += _(" (inntil {maximum} for {year})").format(
            maximum=format_amount(maximum, decimals=0), year=gift.date.year
        )
    text += ". "
    has_id = supporter.organisation_number if supporter.kind == SupporterKind.COMPANY else supporter.national_id
    if has_id:
        text += _(
            "Vi rapporterer gavene dine til Skatteetaten innen 31. januar året etter, så fradraget kommer ferdig utfylt i skattemeldingen."
        )
    elif supporter.kind == SupporterKind.COMPANY:
        text += _("Vil bedriften ha fradrag, trenger vi organisasjonsnummeret.")
    else:
        text += _("Vil du ha fradrag, trenger vi fødselsnummeret ditt. Kontakt oss, så registrerer vi det.")
    return text


def receipt_pdf(gift: Gift) -> bytes:
    """The receipt as a one-page PDF."""
    supporter = gift.supporter
    organisation = supporter.association.name
    letter = Letter(title=_("Kvittering for gave {number}").format(number=gift.receipt_number), author=organisation)
    letter.page(organisation)
    letter.heading(_("Kvittering for gave"), size=14)
    address = " ".join(part for part in (supporter.postcode, supporter.city) if part)
    letter.address([str(supporter.display_name), supporter.street_address, address])
    letter.rows(
        [
            (_("Kvitteringsnummer"), gift.receipt_number),
            (_("Givernummer"), str(supporter.donor_number)),
            (_("Dato"), format_date(gift.date)),
            (_("Beløp"), format_amount(gift.amount)),
            (_("Betalt med"), str(gift.get_channel_display())),
        ]
    )
    letter.paragraph(_("Tusen takk for gaven!"))
    letter.paragraph(tax_note(gift))
    return letter.output()


def gift_receipt_send(gift: Gift) -> bool:
    """Send the receipt now (normally called after commit); ``False`` if the donor cannot receive one."""
    supporter = gift.supporter
    if not can_receive(supporter):
        return False
    organisation = supporter.association.name
    body = "\n\n".join(
        (
            _("Hei {name},").format(name=supporter.display_name),
            _("Tusen takk for gaven på {amount} den {date}. Kvitteringen ligger vedlagt.").format(
                amount=format_amount(gift.amount), date=format_date(gift.date)
            ),
            tax_note(gift),
            _("Vennlig hilsen\n{organisation}").format(organisation=organisation),
        )
    )
    message = EmailMessage(
        subject=_("Kvittering for gaven din ({number})").format(number=gift.receipt_number),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[supporter.email],
    )
    message.attach(f"kvittering-{gift.receipt_number}.pdf", receipt_pdf(gift), "application/pdf")
    message.send()
    Gift.objects.filter(pk=gift.pk).update(receipt_sent_at=timezone.now())
    return True


def _send_after_commit(gift_id: int) -> None:
    gift = Gift.objects.select_related("supporter", "supporter__association").filter(pk=gift_id).first()
    if gift is not None:
        gift_receipt_send(gift)


def gift_receipt_schedule(gift: Gift) -> bool:
    """Send the receipt once the current transaction commits; ``False`` (nothing scheduled) without e-mail."""
    if not can_receive(gift.supporter):
        return False
    gift_id = gift.pk
    # robust: a mail server that is down is logged, and does not turn a saved gift into an error page.
    transaction.on_commit(lambda: _send_after_commit(gift_id), robust=True)
    return True


@transaction.atomic
def gift_receipt_resend(*, actor: Any, gift: Gift) -> None:
    """Donor service's "send receipt again": audited, refused without an address or for an anonymised donor."""
    supporter = gift.supporter
    if supporter.is_anonymised:
        raise ValidationError(_("Giveren er anonymisert; det sendes ingen kvitteringer."))
    if not supporter.email:
        raise ValidationError(_("Giveren har ingen e-postadresse. Registrer en adresse først."))
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=gift, detail=f"receipt {gift.receipt_number} resent")
    gift_receipt_schedule(gift)


def gift_receipts_for_import(ocr_import: OcrImport) -> int:
    """Schedule receipts for the gifts an OCR import created (for payments.py to call); returns how many."""
    gifts = Gift.objects.select_related("supporter", "supporter__association").filter(
        payment__ocr_import=ocr_import, receipt_sent_at__isnull=True
    )
    return sum(gift_receipt_schedule(gift) for gift in gifts)
