"""The letter to a sponsor whose child has left: a one-page PDF in Norwegian, with profile data only.

It names the child by first name and the village, never why the child left
(that is case data), and offers another child in the village or the village.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from barneby.core.formatting import format_amount, format_date
from barneby.core.pdf import pdf_text
from barneby.sponsorships.models import TransferReason, TransferResolution, TransferStatus, TransferTask


def letter_paragraphs(task: TransferTask) -> list[str]:
    """The body of the letter, paragraph by paragraph."""
    old = task.old_profile
    village = old.village.name
    sponsorship = task.sponsorship
    if task.reason == TransferReason.CHILD_LEFT:
        opening = _("{name} bor ikke lenger i {village}, og fadderskapet ditt kan derfor ikke fortsette som før.")
    else:
        opening = _("Fadderskapet ditt for {name} i {village} kan dessverre ikke fortsette som før.")
    paragraphs = [opening.format(name=old.first_name, village=village)]
    paragraphs.append(
        _("Takk for at du har fulgt {name} med {amount} i måneden. Støtten din har gjort en forskjell.").format(
            name=old.first_name, amount=format_amount(sponsorship.monthly_amount)
        )
    )
    if task.status == TransferStatus.OPEN:
        paragraphs.append(
            _(
                "Vi håper du vil fortsette som fadder. Du kan bli fadder for et annet barn i {village}, "
                "eller for hele barnebyen {village}. Gi oss beskjed om hva du ønsker, så ordner vi resten. "
                "Hører vi ikke fra deg, fortsetter støtten din til barnebyen."
            ).format(village=village)
        )
    elif task.resolution == TransferResolution.NEW_CHILD and task.new_profile is not None:
        new = task.new_profile
        paragraphs.append(
            _("Fra nå av er du fadder for {name}, som er {age} år og bor i {village}.").format(
                name=new.first_name, age=new.age(), village=new.village.name
            )
        )
    elif task.resolution == TransferResolution.VILLAGE:
        paragraphs.append(
            _("Fra nå av går fadderskapet ditt til barnebyen {village} og alle barna som bor der.").format(
                village=village
            )
        )
    else:
        paragraphs.append(_("Som du ønsket, er fadderskapet ditt avsluttet. Takk for alt du har gitt."))
    paragraphs.append(_("Har du spørsmål, er du velkommen til å kontakte giverservice."))
    return paragraphs


def transfer_letter_pdf(task: TransferTask) -> bytes:
    sponsorship = task.sponsorship
    supporter = sponsorship.supporter
    organisation = sponsorship.association.name
    pdf = FPDF(format="A4")
    pdf.set_title(pdf_text(_("Brev om fadderskapet ditt")))
    pdf.set_author(pdf_text(organisation))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, pdf_text(organisation), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 11)
    pdf.ln(4)
    address = " ".join(part for part in (supporter.postcode, supporter.city) if part)
    for line in (str(supporter), supporter.street_address, address):
        if line:
            pdf.cell(0, 6, pdf_text(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.cell(0, 6, pdf_text(format_date(timezone.localdate())), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(
        0,
        6,
        pdf_text(_("Givernummer: {number}").format(number=supporter.donor_number)),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, pdf_text(_("Om fadderskapet ditt")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 11)
    greeting = supporter.first_name or str(supporter)
    pdf.ln(2)
    pdf.multi_cell(0, 6, pdf_text(_("Kjære {name}!").format(name=greeting)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for paragraph in letter_paragraphs(task):
        pdf.ln(3)
        pdf.multi_cell(0, 6, pdf_text(paragraph), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.multi_cell(0, 6, pdf_text(_("Vennlig hilsen\nGiverservice, {organisation}").format(organisation=organisation)))
    return bytes(pdf.output())
