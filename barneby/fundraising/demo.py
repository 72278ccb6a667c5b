"""Demo data for the fundraising back office (synthetic supporters only; Faker ``no_NO``).

``--scale national``: a few hundred supporters made through the services, with
agreements, this year's AvtaleGiro payments read from one synthetic OCR file a
month by the OCR import, gifts and an unmatched queue.

``--scale global``: on top of that, 130,000 monthly sponsors of the Norwegian
association (AvtaleGiro and Vipps agreements with their KIDs, some with a
synthetic, encrypted fødselsnummer and a tax-deduction consent) and a year of
monthly claims and payments (≈ 1.5 million of each), a Christmas gift from some,
a few missed claims (arrears) and unmatched payments — bulk-inserted in rounds
(``COPY`` on PostgreSQL, ``executemany`` on SQLite) with the care demo's ``Inserter``.

Idempotent: the national part runs once (recognised by its supporters), the global
part once (recognised by its donor numbers).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import netsgiro
from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from faker import Faker
from stdnum.no import orgnr

from barneby.care.demo import birth_for_age, synthetic_person_number
from barneby.care.models import Sex
from barneby.core.demo import DemoContext, Inserter, register, reset_sequences
from barneby.core.fields import encrypt_value
from barneby.fundraising import payments, services
from barneby.fundraising.claims import period_end
from barneby.fundraising.kid import GIFT_SEQUENCE, as_modulus, kid_base, make_kid
from barneby.fundraising.models import (
    AgreementState,
    Claim,
    ClaimRun,
    ClaimRunStatus,
    Consent,
    ConsentPurpose,
    ConsentSource,
    Gift,
    GiftChannel,
    NetsFileKind,
    OcrImport,
    Payment,
    PaymentAgreement,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
    Supporter,
    SupporterKind,
    TaxReporter,
    normalise_phone,
)
from barneby.organisation.models import MemberAssociation

NORWAY_CODE = "NO-SOS"
PEOPLE = 280
ASSIGNMENT = "0000001"  # one assignment per OCR file in the demo (national and global)
COMPANIES = 20


@register("fundraising", order=300, stepped=True)
def seed_fundraising(context: DemoContext) -> None:
    """The national supporters, and at global scale the 130,000 sponsors with a year of payments."""
    association = MemberAssociation.objects.filter(code=NORWAY_CODE).first()
    if association is None:
        return

    def national() -> None:
        if not TaxReporter.objects.filter(association=association).exists():
            # A synthetic number with a valid check digit, so the tax report's JSON and XML can be downloaded.
            number = _organisation_number(random.Random(context.seed + 299))
            services.tax_reporter_set(actor=None, association=association, organisation_number=number)
        if not Supporter.objects.filter(association=association, donor_number__lt=GLOBAL_FIRST_DONOR).exists():
            seed_national(context, association)

    # One step, idempotent by itself (it looks for its supporters); the global part commits in steps.
    context.step("fundraising:national", national, record=False)
    if context.scale == "global":
        seed_global(context, association)
    context.counts["givere"] = Supporter.objects.filter(association=association).count()
    if context.scale == "global":
        context.counts["innbetalinger"] = Payment.objects.filter(association=association).count()


def seed_national(context: DemoContext, association: MemberAssociation) -> None:
    """A few hundred supporters with agreements, this year's payments, gifts and an unmatched queue.

    Half of them asked for the tax deduction: persons with a synthetic identity number (only where
    ``IDENTITY_ALLOW_SYNTHETIC`` is on) and a recorded consent, companies with an organisasjonsnummer.
    """
    rng = random.Random(context.seed + 300)
    fake = Faker("no_NO")
    fake.seed_instance(context.seed + 300)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=settings.FUNDRAISING_CLAIM_DAY)
    presets = [Decimal(p) for p in settings.FUNDRAISING_MONTHLY_PRESETS]
    avtalegiro: dict[dt.date, list[tuple[str, Decimal]]] = defaultdict(list)
    for n in context.progress(range(PEOPLE + COMPANIES), desc="givere"):
        company = n >= PEOPLE
        fields = {
            "kind": SupporterKind.COMPANY if company else SupporterKind.PERSON,
            "email": fake.unique.email(),
            "phone": fake.phone_number(),
            "street_address": fake.street_address(),
            "postcode": fake.postcode(),
            "city": fake.city(),
        }
        wants_deduction = rng.random() < 0.5
        if company:
            fields["company_name"] = fake.company()
            fields["organisation_number"] = _organisation_number(rng)
        else:
            fields["first_name"], fields["last_name"] = fake.first_name(), fake.last_name()
            if wants_deduction and settings.IDENTITY_ALLOW_SYNTHETIC:
                # Synthetic (month + 80) numbers only, and only where the demo may hold them.
                birth = birth_for_age(rng, today, rng.randint(25, 85))
                fields["national_id"] = synthetic_person_number(rng, birth, rng.choice("FM"))
        supporter = services.supporter_create(actor=None, association=association, **fields)
        if wants_deduction and not company:
            services.consent_record(
                actor=None,
                supporter=supporter,
                purpose=ConsentPurpose.TAX_DEDUCTION,
                granted=True,
                source=ConsentSource.FORM,
                text_version="demo-1",
            )
        if company:
            services.gift_create(
                actor=None,
                supporter=supporter,
                amount=Decimal(rng.choice([5000, 10000, 25000])),
                date=today - dt.timedelta(days=rng.randint(10, 300)),
                channel=GiftChannel.BANK_TRANSFER,
                send_receipt=False,  # synthetic donors: no e-mail
            )
            continue
        method = rng.choices([PaymentMethod.AVTALEGIRO, PaymentMethod.VIPPS, PaymentMethod.GIRO], [85, 8, 7])[0]
        amount = rng.choice(presets) if rng.random() < 0.8 else Decimal(rng.randrange(150, 1000, 50))
        agreement = services.agreement_create(
            actor=None,
            supporter=supporter,
            method=method,
            monthly_amount=amount,
            start_date=today - dt.timedelta(days=rng.randint(60, 2000)),
        )
        if method == PaymentMethod.AVTALEGIRO and rng.random() < 0.95:
            agreement.state, agreement.activated_at = AgreementState.ACTIVE, timezone.now()
            agreement.save(update_fields=["state", "activated_at", "updated_at"])
            # This year's claims up to last month, most of them paid (the tax report has something to sum).
            month = max(agreement.start_date, today.replace(month=1, day=1)).replace(day=1)
            while month <= last_month:
                if rng.random() < 0.9:
                    avtalegiro[month.replace(day=settings.FUNDRAISING_CLAIM_DAY)].append((agreement.kid, amount))
                month = (month + dt.timedelta(days=32)).replace(day=1)
        if rng.random() < 0.15:
            services.gift_create(
                actor=None,
                supporter=supporter,
                amount=Decimal(rng.choice([200, 500, 1000])),
                date=today - dt.timedelta(days=rng.randint(5, 200)),
                channel=rng.choice([GiftChannel.VIPPS, GiftChannel.GIRO]),
                send_receipt=False,
            )
    # The AvtaleGiro payments come as the bank sends them: one OCR file a month, read by the import.
    for day, paid in sorted(avtalegiro.items()):
        payments.ocr_import(
            actor=None,
            association=association,
            data=ocr_file(paid, date=day, number=f"8{day:%y%m}01"),
            file_name=f"ocr-demo-{day:%Y-%m}.txt",
        )
    for _ in range(6):  # payments whose KID nobody has: the queue donor service matches by hand
        payments.payment_register(
            actor=None,
            association=association,
            amount=Decimal(rng.choice([250, 350, 500])),
            paid_date=today - dt.timedelta(days=rng.randint(1, 20)),
            kid=str(rng.randrange(10**10, 10**11)),
        )


def ocr_file(
    payments: Iterable[tuple[str, Decimal]],
    *,
    date: dt.date,
    number: str,
    recipient: str | None = None,
    reversed_kids: Iterable[str] = (),
) -> str:
    """An OCR giro transmission as Nets sends it, one AvtaleGiro payment (type 15) per (KID, amount) (synthetic)."""
    reversals = set(reversed_kids)
    transmission = netsgiro.Transmission(
        number=number,
        data_transmitter=netsgiro.NETS_ID,
        data_recipient=recipient or settings.FUNDRAISING_NETS_CUSTOMER_UNIT_ID,
        date=date,
    )
    assignment = transmission.add_assignment(
        service_code=netsgiro.ServiceCode.OCR_GIRO,
        assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
        agreement_id=settings.FUNDRAISING_NETS_AGREEMENT_ID,
        number=ASSIGNMENT,
        account=settings.FUNDRAISING_NETS_ACCOUNT,
        date=date,
    )
    for number_, (kid, amount) in enumerate(payments, start=1):
        assignment.transactions.append(
            netsgiro.Transaction(
                service_code=netsgiro.ServiceCode.OCR_GIRO,
                type=netsgiro.TransactionType.FROM_AVTALEGIRO,
                number=number_,
                date=date,
                amount=Decimal(amount),
                kid=kid,
                reference=f"{number_:09d}",
                text=None,
                centre_id="13",
                day_code=date.day,
                partial_settlement_number=1,
                partial_settlement_serial_number="01464",
                sign="-" if kid in reversals else "0",
                form_number="0000000000",
                bank_date=date,
                debit_account="12345678903",
                filler="0000000",
            )
        )
    return str(transmission.to_ocr()) + "\n"


# --- global scale ------------------------------------------------------------------------------

GLOBAL_SPONSORS = 130_000
GLOBAL_MONTHS = 12
GLOBAL_FIRST_DONOR = 500_001  # far above the national demo's and the hand-made donor numbers
GLOBAL_CHUNK = 5000  # sponsors built and inserted per round: bounds memory
VIPPS_SHARE = 0.12
COMPANY_SHARE = 0.03
IDENTITY_SHARE = 0.6  # persons who asked for the tax deduction and gave their fødselsnummer
MISSED_SHARE = 0.02  # claims the bank could not collect: the arrears list
GIFT_SHARE = 0.08  # sponsors who also gave a Christmas gift to their gift KID
UNMATCHED_PER_MONTH = 40
TAX_CONSENT_TEXT = "skattefradrag-2024-1"
DEMO_EMAIL_DOMAINS = ("example.no", "example.com", "example.net")


@dataclass
class _AddressPool:
    """Names and addresses drawn once from Faker and reused: Faker per row is too slow at global scale."""

    female: list[str]
    male: list[str]
    last: list[str]
    addresses: list[tuple[str, str, str]]
    companies: list[str]

    @classmethod
    def build(cls, fake: Faker, size: int = 600) -> _AddressPool:
        return cls(
            female=sorted({fake.first_name_female() for _ in range(size)}),
            male=sorted({fake.first_name_male() for _ in range(size)}),
            last=sorted({fake.last_name() for _ in range(size)}),
            addresses=[(fake.street_address(), fake.postcode(), fake.city()) for _ in range(size)],
            companies=sorted({fake.company() for _ in range(size // 3)}),
        )


def _months(last: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` months ending with ``last``'s month, oldest first."""
    months = [last.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return months[::-1]


def _email_part(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": "", "-": "", "'": ""})
    return text.lower().translate(table)


def _organisation_number(rng: random.Random) -> str:
    """A 9-digit number with a valid MOD11 check digit (bases whose check digit would be 10 are skipped)."""
    while True:
        base = f"9{rng.randrange(10**7):07d}"
        for digit in "0123456789":
            if orgnr.is_valid(base + digit):
                return base + digit


@dataclass
class _Month:
    period: dt.date
    end: dt.date  # the period's last day
    due: dt.date
    avtalegiro_run: int
    vipps_run: int
    ocr: int


def seed_global(
    context: DemoContext,
    association: MemberAssociation,
    *,
    sponsors: int = GLOBAL_SPONSORS,
    months: int = GLOBAL_MONTHS,
    last_period: dt.date | None = None,
    vipps_share: float = VIPPS_SHARE,
    first_donor: int = GLOBAL_FIRST_DONOR,
) -> bool:
    """``sponsors`` monthly sponsors with agreements and KIDs, and ``months`` of claims and payments.

    Bulk inserts (COPY on PostgreSQL, ``executemany`` on SQLite) in steps of
    ``GLOBAL_CHUNK`` sponsors, each committed as it finishes (``context.step``),
    each with its own random stream, so an interrupted run resumes with the
    next round and makes the same data. Synthetic people only; identity numbers
    are synthetic (month + 80) and stored encrypted like the model does.
    Returns ``False`` (and does nothing) if the global sponsors are already there.
    """
    name = f"fundraising:global:{first_donor}"
    if context.step_done(f"{name}:end"):
        return False
    in_range = Supporter.objects.filter(donor_number__gte=first_donor, donor_number__lt=first_donor + sponsors)
    if not context.step_done(f"{name}:calendar") and in_range.exists():
        return False  # seeded by a run that did not record its steps
    fake = Faker("no_NO")
    fake.seed_instance(context.seed + 301)
    pool = _AddressPool.build(fake)
    length = int(settings.FUNDRAISING_KID_LENGTH)
    modulus = as_modulus(settings.FUNDRAISING_KID_MODULUS)
    presets = [Decimal(p) for p in settings.FUNDRAISING_MONTHLY_PRESETS]
    today = timezone.localdate()
    last = last_period or (today.replace(day=1) - dt.timedelta(days=1))
    periods = _months(last, months)
    now = timezone.now()
    ocr_numbers = [f"{9_000_000 + (first_donor // 1000) % 1000 * 100 + n:07d}" for n in range(len(periods))]

    def make_calendar() -> None:
        runs, imports = Inserter(ClaimRun), Inserter(OcrImport)
        top = max(
            (
                int(n)
                for n in ClaimRun.objects.exclude(transmission_number="").values_list("transmission_number", flat=True)
            ),
            default=0,
        )
        for n, period in enumerate(periods):
            due = period.replace(day=int(settings.FUNDRAISING_CLAIM_DAY))
            for method in (PaymentMethod.AVTALEGIRO, PaymentMethod.VIPPS):
                runs.add(
                    association_id=association.pk,
                    method=method,
                    period=period,
                    due_date=due,
                    status=ClaimRunStatus.COMPLETE,
                    transmission_number=f"{top + n + 1:07d}" if method == PaymentMethod.AVTALEGIRO else "",
                    completed_at=now,
                )
            imports.add(
                association_id=association.pk,
                kind=NetsFileKind.OCR,
                transmission_number=ocr_numbers[n],
                data_transmitter=netsgiro.NETS_ID,
                data_recipient=settings.FUNDRAISING_NETS_CUSTOMER_UNIT_ID,
                nets_date=due,
                file_name=f"ocr-{period:%Y-%m}.txt",
            )
        runs.flush()
        imports.flush()
        reset_sequences([runs, imports])

    context.step(f"{name}:calendar", make_calendar)
    # The months' runs and imports, as the calendar step made them (this run or an earlier one).
    run_ids = {
        (method, period): pk
        for pk, method, period in ClaimRun.objects.filter(association=association, period__in=periods).values_list(
            "pk", "method", "period"
        )
    }
    ocr_ids = dict(
        OcrImport.objects.filter(data_transmitter=netsgiro.NETS_ID, transmission_number__in=ocr_numbers).values_list(
            "transmission_number", "pk"
        )
    )
    calendar = [
        _Month(
            period=period,
            end=period_end(period),
            due=period.replace(day=int(settings.FUNDRAISING_CLAIM_DAY)),
            avtalegiro_run=run_ids[(PaymentMethod.AVTALEGIRO, period)],
            vipps_run=run_ids[(PaymentMethod.VIPPS, period)],
            ocr=ocr_ids[ocr_numbers[n]],
        )
        for n, period in enumerate(periods)
    ]

    def next_transaction_numbers() -> list[int]:
        # One file at a time: the highest number is then read from the end of the unique index
        # (a grouped maximum over the twelve files reads every payment in them, each round).
        return [
            Payment.objects.filter(ocr_import_id=m.ocr, assignment_number=ASSIGNMENT).aggregate(
                top=models.Max("transaction_number")
            )["top"]
            or 0
            for m in calendar
        ]

    def one_round(round_: int) -> None:
        rng = random.Random(f"{context.seed}:301:{round_}")
        supporters, agreements = Inserter(Supporter), Inserter(PaymentAgreement)
        consents, claims, payments, gifts = Inserter(Consent), Inserter(Claim), Inserter(Payment), Inserter(Gift)
        transaction_numbers = next_transaction_numbers()
        start = first_donor + round_ * GLOBAL_CHUNK
        for donor in range(start, min(start + GLOBAL_CHUNK, first_donor + sponsors)):
            company = rng.random() < COMPANY_SHARE
            street, postcode, city = rng.choice(pool.addresses)
            phone = f"+47 {rng.choice('49')}{donor % 10_000_000:07d}"
            fields: dict[str, Any] = {
                "association_id": association.pk,
                "donor_number": donor,
                "phone": phone,
                "phone_key": normalise_phone(phone),
                "street_address": street,
                "postcode": postcode,
                "city": city,
            }
            with_identity = False
            if company:
                name = rng.choice(pool.companies)
                fields.update(
                    kind=SupporterKind.COMPANY,
                    company_name=name,
                    organisation_number=_organisation_number(rng),
                    email=f"post{donor}@{rng.choice(DEMO_EMAIL_DOMAINS)}",
                )
            else:
                sex = rng.choice([Sex.FEMALE, Sex.MALE])
                first = rng.choice(pool.female if sex == Sex.FEMALE else pool.male)
                last_name = rng.choice(pool.last)
                fields.update(
                    kind=SupporterKind.PERSON,
                    first_name=first,
                    last_name=last_name,
                    email=f"{_email_part(first)}.{_email_part(last_name)}{donor % 1000}@{rng.choice(DEMO_EMAIL_DOMAINS)}",
                )
                if rng.random() < IDENTITY_SHARE:
                    number = synthetic_person_number(rng, birth_for_age(rng, today, rng.randint(20, 85)), sex)
                    if number:
                        fields["national_id"] = encrypt_value(number)  # as EncryptedTextField stores it
                        with_identity = True
            supporter = supporters.add(**fields)
            if with_identity:
                consents.add(
                    supporter_id=supporter,
                    purpose=ConsentPurpose.TAX_DEDUCTION,
                    granted=True,
                    source=ConsentSource.FORM,
                    text_version=TAX_CONSENT_TEXT,
                    recorded_at=now,
                )
            vipps = rng.random() < vipps_share
            amount = rng.choice(presets) if rng.random() < 0.8 else Decimal(rng.randrange(150, 1000, 50))
            if company:
                amount *= 4
            started = periods[0] - dt.timedelta(days=rng.randint(-200, 3000))
            kid = make_kid(kid_base(donor, 1, length=length), length=length, modulus=modulus)
            agreement = agreements.add(
                supporter_id=supporter,
                sequence=1,
                method=PaymentMethod.VIPPS if vipps else PaymentMethod.AVTALEGIRO,
                kid=kid,
                monthly_amount=amount,
                state=AgreementState.ACTIVE,
                vipps_agreement_id=f"agr_demo_{donor}" if vipps else "",
                start_date=started,
                activated_at=now,
            )
            for index, month in enumerate(calendar):
                if started > month.end:
                    continue
                run = month.vipps_run if vipps else month.avtalegiro_run
                claim = claims.add(
                    claim_run_id=run,
                    agreement_id=agreement,
                    period=month.period,
                    amount=amount,
                    due_date=month.due,
                    external_id=f"chr_demo_{donor}_{month.period:%Y%m}" if vipps else "",
                )
                if rng.random() < MISSED_SHARE:
                    continue  # not collected: stays open on the arrears list
                values: dict[str, Any] = {}
                if not vipps:
                    transaction_numbers[index] += 1
                    values = {
                        "ocr_import_id": month.ocr,
                        "assignment_number": ASSIGNMENT,
                        "transaction_number": transaction_numbers[index],
                        "transaction_type": int(netsgiro.TransactionType.FROM_AVTALEGIRO),
                    }
                payments.add(
                    association_id=association.pk,
                    source=PaymentSource.VIPPS if vipps else PaymentSource.OCR,
                    kid=kid,
                    amount=amount,
                    paid_date=month.due,
                    bank_date=month.due,
                    status=PaymentStatus.MATCHED,
                    supporter_id=supporter,
                    agreement_id=agreement,
                    claim_id=claim,
                    matched_at=now,
                    **values,
                )
            if rng.random() < GIFT_SHARE:
                # A Christmas gift by giro to the donor's gift KID (sequence 00), in the last December of the year.
                index = max((i for i, m in enumerate(calendar) if m.period.month == 12), default=len(calendar) - 1)
                month = calendar[index]
                gift_kid = make_kid(kid_base(donor, GIFT_SEQUENCE, length=length), length=length, modulus=modulus)
                gift_amount = Decimal(rng.choice([200, 500, 1000, 2500]))
                paid = month.period.replace(day=rng.randint(1, 23))
                transaction_numbers[index] += 1
                payment = payments.add(
                    association_id=association.pk,
                    source=PaymentSource.OCR,
                    ocr_import_id=month.ocr,
                    assignment_number=ASSIGNMENT,
                    transaction_number=transaction_numbers[index],
                    transaction_type=int(netsgiro.TransactionType.FROM_GIRO_DEBITED_ACCOUNT),
                    kid=gift_kid,
                    amount=gift_amount,
                    paid_date=paid,
                    bank_date=paid,
                    status=PaymentStatus.MATCHED,
                    supporter_id=supporter,
                    matched_at=now,
                )
                gifts.add(
                    supporter_id=supporter, amount=gift_amount, date=paid, channel=GiftChannel.GIRO, payment_id=payment
                )
        for table in (supporters, agreements, consents, claims, payments, gifts):
            table.flush()
        reset_sequences([supporters, agreements, consents, claims, payments, gifts])

    rounds = -(-sponsors // GLOBAL_CHUNK)
    context.steps(f"{name}:round", list(range(rounds)), one_round, desc="faddere (global)")

    def finish() -> None:
        rng = random.Random(f"{context.seed}:301:end")
        payments = Inserter(Payment)
        transaction_numbers = next_transaction_numbers()
        # Payments whose KID nobody has: the queue donor service matches by hand.
        for index, month in enumerate(calendar):
            for _ in range(UNMATCHED_PER_MONTH):
                amount = Decimal(rng.choice([100, 250, 350, 500]))
                transaction_numbers[index] += 1
                payments.add(
                    association_id=association.pk,
                    source=PaymentSource.OCR,
                    ocr_import_id=month.ocr,
                    assignment_number=ASSIGNMENT,
                    transaction_number=transaction_numbers[index],
                    transaction_type=int(netsgiro.TransactionType.FROM_GIRO_DEBITED_ACCOUNT),
                    kid=str(rng.randrange(10**10, 10**11)),
                    amount=amount,
                    paid_date=month.due,
                    bank_date=month.due,
                    status=PaymentStatus.UNMATCHED,
                )
        payments.flush()
        reset_sequences([payments])
        # The runs' and files' totals, counted from what the rounds inserted.
        for run, count, total in (
            Claim.objects.filter(claim_run_id__in=run_ids.values())
            .values("claim_run_id")
            .annotate(count=models.Count("pk"), total=models.Sum("amount"))
            .values_list("claim_run_id", "count", "total")
        ):
            ClaimRun.objects.filter(pk=run).update(claim_count=count, total_amount=total)
        for ocr, count, total, matched in (
            Payment.objects.filter(ocr_import_id__in=[m.ocr for m in calendar])
            .values("ocr_import_id")
            .annotate(
                count=models.Count("pk"),
                total=models.Sum("amount"),
                matched=models.Count("pk", filter=models.Q(status=PaymentStatus.MATCHED)),
            )
            .values_list("ocr_import_id", "count", "total", "matched")
        ):
            OcrImport.objects.filter(pk=ocr).update(
                transaction_count=count, total_amount=total, matched_count=matched, unmatched_count=count - matched
            )
        # Fresh planner statistics after a bulk load (PostgreSQL has none until autovacuum runs).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    context.step(f"{name}:end", finish)
    return True
