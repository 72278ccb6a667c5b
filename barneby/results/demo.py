"""Demo data for results: monthly service returns and annual accounts, last year and this year.

At the global scale the figures are sized so the key figures come out as in
seed 002: 23,100 kindergarten children, 107,700 pupils, 16,600 vocational
trainees (the last reported month of each year, summed) and 82 % of the costs
to the purpose. Idempotent: programmes and associations that already have
figures keep them, and the rest make up the difference to the totals.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Max, Sum
from django.utils import timezone

from barneby.core.demo import DemoContext, register
from barneby.organisation.models import MemberAssociation, Programme, ProgrammeType
from barneby.results.models import AnnualAccounts, IncomeLine, IncomeSource, ServiceReturn, Target

GLOBAL_TOTALS = {
    ProgrammeType.KINDERGARTEN: 23_100,
    ProgrammeType.SCHOOL: 107_700,
    ProgrammeType.VOCATIONAL: 16_600,
}
NATIONAL_SIZE = {ProgrammeType.KINDERGARTEN: 90, ProgrammeType.SCHOOL: 450, ProgrammeType.VOCATIONAL: 160}
PURPOSE_SHARE = Decimal("0.82")
SERVICE_KINDS = (*GLOBAL_TOTALS, ProgrammeType.MEDICAL)


def _months(year: int, today: dt.date) -> list[dt.date]:
    last = 12 if year < today.year else today.month
    return [dt.date(year, m, 1) for m in range(1, last + 1)]


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` in whole parts proportional to ``weights`` (largest remainders)."""
    if not weights:
        return []
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def seed_service_returns(context: DemoContext, rng: random.Random, today: dt.date) -> int:
    made = 0
    for year in (today.year - 1, today.year):
        months = _months(year, today)
        for kind in SERVICE_KINDS:
            programmes = list(Programme.objects.filter(type=kind, start_date__lte=months[-1]).order_by("pk"))
            reported = set(
                ServiceReturn.objects.filter(programme__in=programmes, month__year=year).values_list(
                    "programme_id", flat=True
                )
            )
            fresh = [p for p in programmes if p.pk not in reported]
            if not fresh:
                continue
            if kind == ProgrammeType.MEDICAL:
                finals = [rng.randint(300, 3000) for _p in fresh]
            elif context.scale == "global":
                last = ServiceReturn.objects.filter(programme__in=programmes, month__year=year).values("programme_id")
                latest = last.annotate(m=Max("month"))
                existing = sum(
                    ServiceReturn.objects.filter(programme_id=row["programme_id"], month=row["m"]).aggregate(
                        n=Sum("participants")
                    )["n"]
                    or 0
                    for row in latest
                )
                finals = _split(max(0, GLOBAL_TOTALS[kind] - existing), [rng.uniform(0.5, 1.5) for _p in fresh])
            else:
                finals = [round(NATIONAL_SIZE[kind] * rng.uniform(0.7, 1.3)) for _p in fresh]
            rows = []
            for programme, final in zip(fresh, finals, strict=True):
                growth = rng.uniform(0.0, 0.12)  # a little more during the year, never an implausible jump
                for n, month in enumerate(months):
                    share = 1 - growth * (len(months) - 1 - n) / max(1, len(months) - 1)
                    participants = final if month == months[-1] else max(0, round(final * share))
                    rows.append(
                        ServiceReturn(
                            programme=programme,
                            month=month,
                            participants=participants,
                            female=round(participants * rng.uniform(0.45, 0.55)),
                            new_participants=round(participants * rng.uniform(0.0, 0.05)),
                            contacts=participants * rng.randint(2, 5) if kind == ProgrammeType.MEDICAL else None,
                        )
                    )
            ServiceReturn.objects.bulk_create(rows, batch_size=2000)
            made += len(rows)
    return made


def seed_accounts(rng: random.Random, today: dt.date) -> int:
    made = 0
    associations = list(MemberAssociation.objects.order_by("pk"))
    for year in (today.year - 1, today.year):
        have = set(AnnualAccounts.objects.filter(year=year).values_list("association_id", flat=True))
        fresh = [a for a in associations if a.pk not in have]
        if not fresh:
            continue
        totals = [Decimal(rng.randrange(20_000_000, 900_000_000, 100_000)) for _a in fresh]
        shares = [Decimal(str(round(rng.uniform(0.76, 0.88), 3))) for _a in fresh]
        purposes = [(t * s).quantize(Decimal("1")) for t, s in zip(totals, shares, strict=True)]
        # The largest association absorbs the difference, so the whole comes out at the key figure.
        before = AnnualAccounts.objects.filter(year=year).aggregate(
            p=Sum("programme_costs"), f=Sum("fundraising_costs"), a=Sum("administration_costs")
        )
        all_total = sum(totals) + sum((before[k] or Decimal(0)) for k in ("p", "f", "a"))
        wanted = (all_total * PURPOSE_SHARE).quantize(Decimal("1")) - (before["p"] or Decimal(0))
        biggest = max(range(len(fresh)), key=lambda i: totals[i])
        purposes[biggest] += wanted - sum(purposes)
        purposes[biggest] = min(max(purposes[biggest], Decimal(0)), totals[biggest])
        for association, total, purpose in zip(fresh, totals, purposes, strict=True):
            rest = total - purpose
            fundraising = (rest * Decimal(str(round(rng.uniform(0.5, 0.7), 2)))).quantize(Decimal("1"))
            accounts = AnnualAccounts.objects.create(
                association=association,
                year=year,
                programme_costs=purpose,
                fundraising_costs=fundraising,
                administration_costs=rest - fundraising,
            )
            income = total * Decimal(str(round(rng.uniform(1.0, 1.05), 3)))
            weights = [rng.uniform(0.3, 0.6), rng.uniform(0.1, 0.25), rng.uniform(0.05, 0.15), rng.uniform(0.0, 0.1)]
            sources = [
                IncomeSource.SPONSORSHIPS,
                IncomeSource.DONATIONS,
                IncomeSource.CORPORATE,
                IncomeSource.INSTITUTIONAL,
            ]
            scale = income / Decimal(str(sum(weights)))
            IncomeLine.objects.bulk_create(
                [
                    IncomeLine(accounts=accounts, source=s, amount=(Decimal(str(w)) * scale).quantize(Decimal("1")))
                    for s, w in zip(sources, weights, strict=True)
                ]
            )
            made += 1
    return made


DEMO_TARGETS = {
    "I11": "75",
    "I12": "100",
    "I14": "85",
    "I15": "90",
    "I16": "95",
    "I21": "100",
    "I30": "80",
    "I34": "90",
}


def seed_targets(today: dt.date) -> None:
    for year in (today.year - 1, today.year):
        for code, value in DEMO_TARGETS.items():
            Target.objects.get_or_create(code=code, unit="global", period=str(year), defaults={"value": Decimal(value)})


@register("results", order=250)
def seed_results(context: DemoContext) -> None:
    rng = random.Random(context.seed + 1400)
    today = timezone.localdate()
    returns = seed_service_returns(context, rng, today)
    accounts = seed_accounts(rng, today)
    seed_targets(today)
    context.counts["tjenesterapporter"] = ServiceReturn.objects.count()
    context.counts["årsregnskap"] = AnnualAccounts.objects.count()
    context.extra["results"] = {"returns": returns, "accounts": accounts}
