"""Giro invoices: the monthly payment slips for supporters who pay by giro or online bank with their KID.

A giro agreement has no bank mandate, so nothing is drawn: each month the
run makes a claim per due agreement (the same idempotent claims as
AvtaleGiro, unique per agreement and month, resumable) and prints one
invoice page per claim into a PDF for post, with the amount, the due date,
the account and the agreement's KID. The payment comes back in the OCR file
like any other KID payment and settles the claim.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _
from stdnum.no import kontonr

from barneby.core.formatting import format_amount, format_date
from barneby.core.pdf import Letter
from barneby.fundraising.claims import Progress, claim_run_execute, claim_run_prepare, partial_path, run_complete
from barneby.fundraising.models import Claim, ClaimRun, PaymentMethod
from barneby.organisation.models import MemberAssociation


def invoice_file_path(run: ClaimRun) -> Path:
    return Path(settings.FUNDRAISING_FILES_DIR) / "invoices" / f"giro-{run.association.code}-{run.period:%Y-%m}.pdf"


def invoices_pdf(run: ClaimRun) -> bytes:
    """One page per claim of the run, in donor-number order."""
    organisation = run.association.name
    account = kontonr.format(settings.FUNDRAISING_NETS_ACCOUNT)
    letter = Letter(title=_("Giro for {month}").format(month=run.period.strftime("%m.%Y")), author=organisation)
    claims = (
        Claim.objects.filter(claim_run=run)
        .select_related("agreement__supporter")
        .order_by("agreement__supporter__donor_number", "agreement__sequence")
    )
    for claim in claims.iterator(chunk_size=2_000):
        supporter = claim.agreement.supporter
        letter.page(organisation)
        address = " ".join(part for part in (supporter.postcode, supporter.city) if part)
        letter.address([str(supporter.display_name), supporter.street_address, address])
        letter.heading(_("Giro for {month}").format(month=run.period.strftime("%m.%Y")))
        letter.rows(
            [
                (_("Beløp"), format_amount(claim.amount)),
                (_("Forfallsdato"), format_date(claim.due_date)),
                (_("Til konto"), account),
                (_("KID"), claim.agreement.kid),
                (_("Givernummer"), str(supporter.donor_number)),
            ]
        )
        letter.paragraph(
            _(
                "Takk for at du gir fast hver måned. Betal i nettbanken med KID-nummeret over, så kommer "
                "gaven riktig fram. Vil du heller betale med AvtaleGiro eller Vipps, kontakt giverservice."
            )
        )
    return letter.output()


def finish_giro_run(*, actor: Any, run: ClaimRun) -> ClaimRun:
    """Print the run's invoices into one PDF and close the run."""
    claims = Claim.objects.filter(claim_run=run)
    count = claims.count()
    total = claims.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    path = invoice_file_path(run)
    partial, digest = None, ""
    if count:
        content = invoices_pdf(run)
        partial = partial_path(path)  # its own file: a second process finishing the run cannot overwrite it
        partial.write_bytes(content)
        digest = hashlib.sha256(content).hexdigest()
    return run_complete(
        actor=actor,
        run=run,
        count=count,
        total=total,
        path=path,
        partial=partial,
        digest=digest,
        detail=f"giro invoices: {count}, {total} NOK",
    )


def giro_invoice_run_start(
    *,
    actor: Any,
    association: MemberAssociation,
    period: dt.date,
    due_date: dt.date | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ClaimRun:
    """Make (or resume) the month's giro claims and their invoices in one go; a finished month is left as it is."""
    run = claim_run_prepare(
        actor=actor, association=association, method=PaymentMethod.GIRO, period=period, due_date=due_date, now=now
    )
    return claim_run_execute(actor=actor, run=run, finish=finish_giro_run, progress=progress)


def invoices_read(run: ClaimRun) -> bytes:
    """The run's invoice PDF as written, checked against its checksum."""
    if run.method != PaymentMethod.GIRO or not run.file_name:
        raise ValidationError(_("Kjøringen har ingen giroer."))
    content = Path(run.file_name).read_bytes()
    if hashlib.sha256(content).hexdigest() != run.file_sha256:
        raise ValidationError(_("Girofilen er endret etter at den ble laget; lag den på nytt."))
    return content
