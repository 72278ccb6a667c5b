"""The payments core of the fundraising back office (C8): supporters, agreements, claims, payments, gifts.

Money is ``Decimal`` NOK with two decimals (Nets files carry øre). Invariants that
protect money are database constraints, not just form checks:

* one claim per agreement and month (``Claim``: agreement + period) — the claim run
  can be repeated or resumed without charging anyone twice;
* one row per Nets transmission (``OcrImport``: data transmitter + transmission
  number) and per transaction in it (``Payment``: import + transaction number) —
  the same file imported twice adds nothing;
* positive monthly amounts, positive gifts, positive manual payments.

Supporters are scoped to a member association; donor service sees only its own.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.accounts.scoping import ScopePaths
from barneby.core.fields import EncryptedTextField
from barneby.core.identity import organisation_number_error, person_number_error
from barneby.core.models import BaseModel

POSTCODE = RegexValidator(r"^\d{4}$", _("Postnummer har fire sifre."))
DIGITS_7 = RegexValidator(r"^\d{7}$", _("Sju sifre."))
DIGITS_8 = RegexValidator(r"^\d{8}$", _("Åtte sifre."))


def normalise_phone(value: str) -> str:
    """A phone number reduced to digits for duplicate detection: spaces gone, a Norwegian +47/0047 prefix dropped.

    ``"+47 912 34 567"``, ``"0047 91234567"`` and ``"912 34 567"`` all give ``"91234567"``;
    foreign numbers keep their country code (``"+46 70 123 45 67"`` → ``"46701234567"``).
    """
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    if digits.startswith("00"):
        digits = digits[2:]
    return digits[2:] if digits.startswith("47") and len(digits) == 10 else digits


class SupporterKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Bedrift")


class Supporter(BaseModel):
    """A person or company that gives: a sponsor (fadder), a donor or a corporate partner."""

    SCOPE_PATHS = ScopePaths(association="association_id")

    association = models.ForeignKey(
        "organisation.MemberAssociation",
        on_delete=models.PROTECT,
        related_name="supporters",
        verbose_name=_("medlemsorganisasjon"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=SupporterKind.choices, default=SupporterKind.PERSON)
    donor_number = models.PositiveIntegerField(
        _("givernummer"),
        unique=True,
        error_messages={"unique": _("Det finnes allerede en giver med dette givernummeret.")},
    )
    first_name = models.CharField(_("fornavn"), max_length=100, blank=True)
    last_name = models.CharField(_("etternavn"), max_length=100, blank=True)
    company_name = models.CharField(_("firmanavn"), max_length=200, blank=True)
    organisation_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True)
    # Only collected when the donor asks for the tax deduction (personopplysningsloven § 12).
    national_id = EncryptedTextField(_("fødselsnummer"), blank=True, default="")
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    street_address = models.CharField(_("gateadresse"), max_length=200, blank=True)
    postcode = models.CharField(_("postnummer"), max_length=4, blank=True, validators=[POSTCODE])
    city = models.CharField(_("poststed"), max_length=100, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("slått sammen med"),
    )
    merged_at = models.DateTimeField(_("slått sammen den"), null=True, blank=True)
    is_anonymised = models.BooleanField(_("anonymisert"), default=False)
    anonymised_at = models.DateTimeField(_("anonymisert den"), null=True, blank=True)
    # False once merged into another record or anonymised: kept for history, no longer served.
    is_active = models.BooleanField(_("aktiv"), default=True)
    # Digits of the phone number without +47 (see ``normalise_phone``), kept in step by ``save``
    # so duplicate detection can look numbers up with an index.
    phone_key = models.CharField(_("telefon (normalisert)"), max_length=30, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("giver")
        verbose_name_plural = _("givere")
        ordering = ["donor_number"]
        indexes = [
            models.Index(Lower("email"), name="fundraising_supporter_email_ci"),
            models.Index("postcode", Lower("last_name"), name="fundraising_supporter_name_pc"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=SupporterKind.COMPANY) | Q(organisation_number=""),
                name="%(app_label)s_%(class)s_person_has_no_orgnr",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="%(app_label)s_%(class)s_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor_number} {self.display_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_key = normalise_phone(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_key"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        if self.is_anonymised:
            return str(_("Anonymisert giver"))
        if self.kind == SupporterKind.COMPANY:
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == SupporterKind.COMPANY:
            if not self.company_name.strip() and not self.is_anonymised:
                errors["company_name"] = str(_("Oppgi firmanavnet."))
            if self.organisation_number:
                message = organisation_number_error(self.organisation_number)
                if message:
                    errors["organisation_number"] = message
            if self.national_id:
                errors["national_id"] = str(_("En bedrift har ikke fødselsnummer."))
        else:
            if not self.last_name.strip() and not self.is_anonymised:
                errors["last_name"] = str(_("Oppgi etternavnet."))
            if self.organisation_number:
                errors["organisation_number"] = str(_("Bare bedrifter har organisasjonsnummer."))
            if self.national_id:
                message = person_number_error(self.national_id)
                if message:
                    errors["national_id"] = message
        if self.merged_into_id is not None and self.merged_into_id == self.pk:
            errors["merged_into"] = str(_("En giver kan ikke slås sammen med seg selv."))
        if errors:
            raise ValidationError(errors)


class PaymentMethod(models.TextChoices):
    AVTALEGIRO = "avtalegiro", _("AvtaleGiro")
    VIPPS = "vipps", _("Vipps")
    GIRO = "giro", _("Giro")


class AgreementState(models.TextChoices):
    PENDING = "pending", _("Venter på godkjenning")
    ACTIVE = "active", _("Aktiv")
    CANCELLED = "cancelled", _("Avsluttet")


class PaymentAgreement(BaseModel):
    """A supporter's standing agreement to give a monthly amount, with its own KID."""

    SCOPE_PATHS = ScopePaths(association="supporter__association_id")

    supporter = models.ForeignKey(
        Supporter, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("giver")
    )
    # Two digits of the KID after the donor number; 00 is the donor's KID for one-off gifts.
    sequence = models.PositiveSmallIntegerField(_("løpenummer"))
    method = models.CharField(_("betalingsmåte"), max_length=12, choices=PaymentMethod.choices)
    kid = models.CharField(
        _("KID"),
        max_length=25,
        unique=True,
        error_messages={"unique": _("KID-nummeret er allerede i bruk.")},
    )
    monthly_amount = models.DecimalField(_("månedlig beløp"), max_digits=10, decimal_places=2)
    state = models.CharField(
        _("status"), max_length=10, choices=AgreementState.choices, default=AgreementState.PENDING, db_index=True
    )
    notify_by_bank = models.BooleanField(_("varsel fra banken"), default=False)
    vipps_agreement_id = models.CharField(_("Vipps-avtale-ID"), max_length=64, blank=True)
    start_date = models.DateField(_("startdato"), default=timezone.localdate)
    activated_at = models.DateTimeField(_("aktivert"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)

    class Meta:
        verbose_name = _("betalingsavtale")
        verbose_name_plural = _("betalingsavtaler")
        ordering = ["supporter_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["supporter", "sequence"], name="%(app_label)s_%(class)s_unique_sequence"),
            models.UniqueConstraint(
                fields=["vipps_agreement_id"],
                condition=~Q(vipps_agreement_id=""),
                name="%(app_label)s_%(class)s_unique_vipps_id",
            ),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="%(app_label)s_%(class)s_sequence_not_gift"),
            models.CheckConstraint(
                condition=~Q(state=AgreementState.CANCELLED) | Q(cancelled_at__isnull=False),
                name="%(app_label)s_%(class)s_cancelled_has_time",
            ),
        ]
        indexes = [models.Index(fields=["method", "state"], name="fundraising_agreement_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.kid}"

    def clean(self) -> None:
        if self.monthly_amount is not None and self.monthly_amount <= 0:
            raise ValidationError({"monthly_amount": _("Beløpet må være større enn null.")})


class ClaimRunStatus(models.TextChoices):
    RUNNING = "running", _("Pågår")
    COMPLETE = "complete", _("Fullført")


class ClaimRun(BaseModel):
    """One month's collection for one payment method: the claims and, for AvtaleGiro, the file to Nets.

    A run left ``running`` (interrupted) is resumed by starting it again for the same month.
    """

    SCOPE_PATHS = ScopePaths(association="association_id")

    association = models.ForeignKey(
        "organisation.MemberAssociation",
        on_delete=models.PROTECT,
        related_name="claim_runs",
        verbose_name=_("medlemsorganisasjon"),
    )
    method = models.CharField(
        _("betalingsmåte"), max_length=12, choices=PaymentMethod.choices, default=PaymentMethod.AVTALEGIRO
    )
    period = models.DateField(_("måned"), help_text=_("Første dag i måneden."))
    due_date = models.DateField(_("forfallsdato"))
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimRunStatus.choices, default=ClaimRunStatus.RUNNING
    )
    # Our own serial for AvtaleGiro transmissions (7 digits); empty for Vipps runs.
    transmission_number = models.CharField(_("forsendelsesnummer"), max_length=7, blank=True)
    claim_count = models.PositiveIntegerField(_("antall trekk"), default=0)
    total_amount = models.DecimalField(_("totalbeløp"), max_digits=14, decimal_places=2, default=0)
    # While running: agreements handled so far this time, of those due when it (re)started.
    progress_done = models.PositiveIntegerField(_("behandlet"), default=0)
    progress_total = models.PositiveIntegerField(_("å behandle"), default=0)
    file_name = models.CharField(_("filnavn"), max_length=300, blank=True)
    file_sha256 = models.CharField(_("sjekksum (SHA-256)"), max_length=64, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("startet av"),
    )
    completed_at = models.DateTimeField(_("fullført"), null=True, blank=True)

    class Meta:
        verbose_name = _("trekkjøring")
        verbose_name_plural = _("trekkjøringer")
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "method", "period"], name="%(app_label)s_%(class)s_one_per_month"
            ),
            models.UniqueConstraint(
                fields=["transmission_number"],
                condition=~Q(transmission_number=""),
                name="%(app_label)s_%(class)s_unique_transmission",
            ),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="%(app_label)s_%(class)s_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.period:%Y-%m}"


class Claim(BaseModel):
    """One agreement charged for one month (a payment request to Nets, or a Vipps charge)."""

    SCOPE_PATHS = ScopePaths(association="agreement__supporter__association_id")

    claim_run = models.ForeignKey(
        ClaimRun, on_delete=models.PROTECT, related_name="claims", verbose_name=_("trekkjøring")
    )
    agreement = models.ForeignKey(
        PaymentAgreement, on_delete=models.PROTECT, related_name="claims", verbose_name=_("betalingsavtale")
    )
    period = models.DateField(_("måned"))
    amount = models.DecimalField(_("beløp"), max_digits=10, decimal_places=2)
    due_date = models.DateField(_("forfallsdato"))
    # The provider's id for the charge (Vipps); empty for AvtaleGiro.
    external_id = models.CharField(_("ekstern ID"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("trekk")
        verbose_name_plural = _("trekk")
        ordering = ["period", "agreement_id"]
        constraints = [
            # The idempotency guarantee of the claim run: nobody is charged twice for a month.
            models.UniqueConstraint(fields=["agreement", "period"], name="%(app_label)s_%(class)s_once_per_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"),
        ]
        indexes = [models.Index(fields=["due_date"], name="fundraising_claim_due_idx")]

    def __str__(self) -> str:
        return f"{self.agreement.kid} {self.period:%Y-%m}"


def _valid_organisation_number(value: str) -> None:
    if error := organisation_number_error(value):
        raise ValidationError(error)


class TaxReporter(BaseModel):
    """The association as *oppgavegiver* to Skatteetaten: the organisasjonsnummer on its tax-deduction files.

    Each member association reports for itself, so the number belongs to the association; the
    ``BARNEBY_ORGANISATION_NUMBER`` setting is only the fallback for an installation with one association.
    """

    SCOPE_PATHS = ScopePaths(association="association_id")

    association = models.OneToOneField(
        "organisation.MemberAssociation",
        on_delete=models.CASCADE,
        related_name="tax_reporter",
        verbose_name=_("medlemsorganisasjon"),
    )
    organisation_number = models.CharField(
        _("organisasjonsnummer"),
        max_length=9,
        validators=[_valid_organisation_number],
        help_text=_("Ni sifre, som i Enhetsregisteret."),
    )

    class Meta:
        verbose_name = _("oppgavegiver for skattefradrag")
        verbose_name_plural = _("oppgavegivere for skattefradrag")

    def __str__(self) -> str:
        return f"{self.association_id}: {self.organisation_number}"


class NetsFileKind(models.TextChoices):
    OCR = "ocr", _("OCR-innbetalinger")
    AGREEMENTS = "agreements", _("AvtaleGiro-avtaler")


class OcrImport(BaseModel):
    """One file received from Nets: OCR giro payments or AvtaleGiro agreements (FBO).

    Nets numbers its transmissions; the pair (data transmitter, transmission number)
    is unique, so a file cannot be imported twice.
    """

    SCOPE_PATHS = ScopePaths(association="association_id")

    association = models.ForeignKey(
        "organisation.MemberAssociation",
        on_delete=models.PROTECT,
        related_name="nets_imports",
        verbose_name=_("medlemsorganisasjon"),
    )
    kind = models.CharField(_("filtype"), max_length=12, choices=NetsFileKind.choices, default=NetsFileKind.OCR)
    transmission_number = models.CharField(_("forsendelsesnummer"), max_length=7, validators=[DIGITS_7])
    data_transmitter = models.CharField(_("dataavsender"), max_length=8, validators=[DIGITS_8])
    data_recipient = models.CharField(_("datamottaker"), max_length=8, validators=[DIGITS_8])
    nets_date = models.DateField(_("oppgjørsdato"), null=True, blank=True)
    file_name = models.CharField(_("filnavn"), max_length=300, blank=True)
    transaction_count = models.PositiveIntegerField(_("antall transaksjoner"), default=0)
    total_amount = models.DecimalField(_("totalbeløp"), max_digits=14, decimal_places=2, default=0)
    matched_count = models.PositiveIntegerField(_("antall avstemt"), default=0)
    unmatched_count = models.PositiveIntegerField(_("antall ikke avstemt"), default=0)
    # What could not be applied (FBO: unknown or cancelled KIDs), as [{"kid": …, "reason": …}].
    problems = models.JSONField(_("avvik"), default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("importert av"),
    )
    imported_at = models.DateTimeField(_("importert"), default=timezone.now)

    class Meta:
        verbose_name = _("Nets-import")
        verbose_name_plural = _("Nets-importer")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_transmitter", "transmission_number"], name="%(app_label)s_%(class)s_once_per_transmission"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.transmission_number}"


class NetsUploadStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Leses inn")
    DONE = "done", _("Lest inn")
    FAILED = "failed", _("Feilet")


class NetsUpload(BaseModel):
    """A Nets file accepted by the upload form and waiting for (or done with) its import task.

    The form reads and checks the file at once; the bytes are kept here only until the
    task has imported them (or refused them), then cleared.
    """

    SCOPE_PATHS = ScopePaths(association="association_id")
    PENDING = (NetsUploadStatus.QUEUED, NetsUploadStatus.RUNNING)

    association = models.ForeignKey(
        "organisation.MemberAssociation",
        on_delete=models.PROTECT,
        related_name="nets_uploads",
        verbose_name=_("medlemsorganisasjon"),
    )
    kind = models.CharField(_("filtype"), max_length=12, choices=NetsFileKind.choices, default=NetsFileKind.OCR)
    file_name = models.CharField(_("filnavn"), max_length=300, blank=True)
    transmission_number = models.CharField(_("forsendelsesnummer"), max_length=7, blank=True)
    data_transmitter = models.CharField(_("dataavsender"), max_length=8, blank=True)
    data = models.BinaryField(_("filinnhold"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NetsUploadStatus.choices, default=NetsUploadStatus.QUEUED
    )
    error = models.TextField(_("feilmelding"), blank=True)
    result = models.ForeignKey(
        OcrImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lastet opp av"),
    )
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)

    class Meta:
        verbose_name = _("Nets-opplasting")
        verbose_name_plural = _("Nets-opplastinger")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["association", "status"], name="fundraising_netsupload_state")]

    def __str__(self) -> str:
        return f"{self.file_name or self.transmission_number} ({self.get_status_display()})"


class PaymentStatus(models.TextChoices):
    MATCHED = "matched", _("Avstemt")
    UNMATCHED = "unmatched", _("Ikke avstemt")
    MANUAL = "manual", _("Avstemt manuelt")
    # Seen before in another transmission (same KID, amount, date and archive reference): waits for a person.
    HELD = "held", _("Holdt tilbake (mulig dublett)")
    DISCARDED = "discarded", _("Forkastet som dublett")


# Payments that are not (or not yet) money from a supporter: no supporter, agreement or claim.
UNASSIGNED_STATUSES = (PaymentStatus.UNMATCHED, PaymentStatus.HELD, PaymentStatus.DISCARDED)


class PaymentSource(models.TextChoices):
    OCR = "ocr", _("OCR-fil fra Nets")
    MANUAL = "manual", _("Registrert manuelt")
    VIPPS = "vipps", _("Vipps")


class Payment(BaseModel):
    """Money received. Matched by KID to an agreement (and its oldest open claim) or a donor's gift KID."""

    SCOPE_PATHS = ScopePaths(association="association_id")

    association = models.ForeignKey(
        "organisation.MemberAssociation",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("medlemsorganisasjon"),
    )
    source = models.CharField(_("kilde"), max_length=10, choices=PaymentSource.choices, default=PaymentSource.OCR)
    ocr_import = models.ForeignKey(
        OcrImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("Nets-import"),
    )
    # Nets numbers transactions per assignment, and a transmission may hold several assignments.
    assignment_number = models.CharField(_("oppdragsnummer"), max_length=7, blank=True)
    transaction_number = models.PositiveIntegerField(_("transaksjonsnummer"), null=True, blank=True)
    transaction_type = models.PositiveSmallIntegerField(_("transaksjonstype"), null=True, blank=True)
    kid = models.CharField(_("KID"), max_length=25, blank=True, db_index=True)
    amount = models.DecimalField(_("beløp"), max_digits=12, decimal_places=2)
    paid_date = models.DateField(_("betalingsdato"))
    bank_date = models.DateField(_("bankdato"), null=True, blank=True)
    debit_account = models.CharField(_("belastet konto"), max_length=11, blank=True)
    archive_reference = models.CharField(_("arkivreferanse"), max_length=9, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.UNMATCHED, db_index=True
    )
    supporter = models.ForeignKey(
        Supporter, on_delete=models.PROTECT, null=True, blank=True, related_name="payments", verbose_name=_("giver")
    )
    agreement = models.ForeignKey(
        PaymentAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("betalingsavtale"),
    )
    claim = models.OneToOneField(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="payment", verbose_name=_("trekk")
    )
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avstemt av"),
    )
    matched_at = models.DateTimeField(_("avstemt"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mulig dublett av"),
    )

    class Meta:
        verbose_name = _("innbetaling")
        verbose_name_plural = _("innbetalinger")
        ordering = ["-paid_date", "id"]
        indexes = [
            # The unmatched queue, oldest first: a handful of rows among millions.
            models.Index(
                fields=["association", "paid_date", "id"],
                condition=Q(status="unmatched"),
                name="fundraising_payment_unmatched",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ocr_import", "assignment_number", "transaction_number"],
                name="%(app_label)s_%(class)s_once_per_transaction",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="%(app_label)s_%(class)s_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(source=PaymentSource.OCR) | Q(amount__gt=0),
                name="%(app_label)s_%(class)s_manual_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(source=PaymentSource.OCR, ocr_import__isnull=False, transaction_number__isnull=False)
                | (~Q(source=PaymentSource.OCR) & Q(ocr_import__isnull=True)),
                name="%(app_label)s_%(class)s_ocr_has_import",
            ),
            models.CheckConstraint(
                condition=Q(status__in=UNASSIGNED_STATUSES, supporter__isnull=True, agreement__isnull=True)
                | (~Q(status__in=UNASSIGNED_STATUSES) & Q(supporter__isnull=False)),
                name="%(app_label)s_%(class)s_matched_has_supporter",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[PaymentStatus.HELD, PaymentStatus.DISCARDED], duplicate_of__isnull=False)
                | ~Q(status__in=[PaymentStatus.HELD, PaymentStatus.DISCARDED]),
                name="%(app_label)s_%(class)s_held_names_its_original",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paid_date} {self.amount} {self.kid}"


class GiftChannel(models.TextChoices):
    GIRO = "giro", _("Giro / nettbank (KID)")
    VIPPS = "vipps", _("Vipps")
    BANK_TRANSFER = "bank_transfer", _("Bankoverføring")
    CARD = "card", _("Kort")
    CASH = "cash", _("Kontant")


class Gift(BaseModel):
    """A one-off gift, from a payment to the donor's gift KID or registered by hand."""

    SCOPE_PATHS = ScopePaths(association="supporter__association_id")

    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="gifts", verbose_name=_("giver"))
    amount = models.DecimalField(_("beløp"), max_digits=12, decimal_places=2)
    date = models.DateField(_("dato"))
    channel = models.CharField(_("kanal"), max_length=16, choices=GiftChannel.choices)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="gift", verbose_name=_("innbetaling")
    )
    note = models.CharField(_("merknad"), max_length=200, blank=True)
    # When the last e-mail receipt went out (``receipts.py``); empty if none was sent.
    receipt_sent_at = models.DateTimeField(_("kvittering sendt"), null=True, blank=True)

    class Meta:
        verbose_name = _("gave")
        verbose_name_plural = _("gaver")
        ordering = ["-date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"

    def clean(self) -> None:
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("Beløpet må være større enn null.")})

    @property
    def receipt_number(self) -> str:
        """The number printed on the receipt: the gift's year and its id, e.g. ``2026-000123``."""
        return f"{self.date:%Y}-{self.pk:06d}"


# --- Consents and communication preferences (FUNDRAISING.md §4) -------------------------------


class ConsentPurpose(models.TextChoices):
    """What a supporter agrees to. Channels are for appeals and news; receipts and agreement letters need none."""

    NEWSLETTER = "newsletter", _("Nyhetsbrev")
    EMAIL = "email", _("Henvendelser på e-post")
    SMS = "sms", _("Henvendelser på SMS")
    PHONE = "phone", _("Henvendelser på telefon")
    POST = "post", _("Henvendelser i posten")
    TAX_DEDUCTION = "tax_deduction", _("Skattefradrag (rapportering til Skatteetaten)")


class ConsentSource(models.TextChoices):
    FORM = "form", _("Skjema på nett")
    PHONE = "phone", _("Telefon")
    LETTER = "letter", _("Brev")
    EMAIL = "email", _("E-post")
    IMPORT = "import", _("Import")
    DONOR_SERVICE = "donor_service", _("Giverservice")


class AppendOnlyConsentError(Exception):
    """Raised on an attempt to change or remove a consent entry; record a new entry instead."""


class ConsentQuerySet(models.QuerySet["Consent"]):
    def update(self, **kwargs: Any) -> int:
        # The one change allowed: a merge moves the log to the surviving record, unchanged.
        if set(kwargs) - {"supporter", "supporter_id"}:
            raise AppendOnlyConsentError("consent entries cannot be changed; record a new entry")
        return super().update(**kwargs)

    def delete(self) -> NoReturn:
        raise AppendOnlyConsentError("consent entries cannot be deleted")


class Consent(models.Model):
    """One entry in a supporter's consent log: granted or withdrawn, for one purpose. Append-only.

    The current state of a purpose is the latest entry (``recorded_at``, then id);
    a withdrawal is a new entry, never an edit, so the log proves what the
    supporter agreed to, when, how and to which text (GDPR art. 7(1)).
    """

    SCOPE_PATHS = ScopePaths(association="supporter__association_id")

    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="consents", verbose_name=_("giver"))
    purpose = models.CharField(_("formål"), max_length=20, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("samtykket"))
    source = models.CharField(_("kilde"), max_length=20, choices=ConsentSource.choices)
    text_version = models.CharField(
        _("tekstversjon"), max_length=100, blank=True, help_text=_("Versjonen av samtykketeksten giveren svarte på.")
    )
    recorded_at = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrert av"),
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["supporter", "purpose", "recorded_at"], name="fundraising_consent_latest")]

    def __str__(self) -> str:
        state = _("samtykket") if self.granted else _("trukket tilbake")
        return f"{self.get_purpose_display()}: {state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyConsentError("consent entries cannot be changed; record a new entry")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyConsentError("consent entries cannot be deleted")


# --- Sign-ups from the public website ----------------------------------------------------------


class WebSignupKind(models.TextChoices):
    SPONSORSHIP = "sponsorship", _("Fadderskap")
    GIFT = "gift", _("Enkeltgave")


class WebSignup(models.Model):
    """One completed sign-up or gift form on the public website, by the token the form carried.

    The token is unique: the same form sent twice (a double click, a reload, a Vipps return
    opened twice) finds the first sign-up instead of making a second supporter, agreement or
    sponsorship.
    """

    SCOPE_PATHS = ScopePaths(association="supporter__association_id")

    token = models.UUIDField(_("skjemanøkkel"), unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=WebSignupKind.choices)
    # Empty only inside the transaction that claims the token and then makes the supporter.
    supporter = models.ForeignKey(
        Supporter, on_delete=models.PROTECT, null=True, blank=True, related_name="web_signups", verbose_name=_("giver")
    )
    agreement = models.ForeignKey(
        PaymentAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="web_signups",
        verbose_name=_("betalingsavtale"),
    )
    gift = models.ForeignKey(
        Gift, on_delete=models.PROTECT, null=True, blank=True, related_name="web_signups", verbose_name=_("gave")
    )
    purpose = models.CharField(_("formål"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("registrert"), default=timezone.now)

    class Meta:
        verbose_name = _("registrering fra nettstedet")
        verbose_name_plural = _("registreringer fra nettstedet")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%d.%m.%Y}"
