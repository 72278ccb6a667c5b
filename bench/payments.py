"""Payments at national scale: the monthly AvtaleGiro claim file, a 130,000-payment OCR import, the tax report.

Builds the data with the global fundraising demo's generator (130,000 sponsors with
active AvtaleGiro agreements, synthetic encrypted identity numbers for most persons,
and last calendar year's monthly claims and payments — about 1.5 million of each) on
a fresh SQLite file and a fresh PostgreSQL database, then measures, each phase in its
own process so that its peak resident memory is its own:

* the seed itself (bulk inserts: ``executemany`` on SQLite, ``COPY`` on PostgreSQL);
* the claim run for a month (claims in chunks + the file for Nets), target ≤ 15 s;
* importing an OCR giro file of 130,000 payments (made with netsgiro) with KID
  matching and claim settlement, target ≤ 30 s;
* the tax-deduction report for last year (``build_tax_report`` and its JSON and
  XML), target ≤ 30 s;
* peak memory of each, target ≤ 1 GB;
* the claim file and the OCR import as a ratio to netsgiro's own time for the same
  file (building and writing the claim file; parsing the OCR file), measured in the
  same pass on the same data.

Run: .venv/bin/python bench/payments.py (``nice -n 10`` on a shared machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, ROOT, fresh_postgres_database, manage, production_env, temp_dir

AGREEMENTS = 130_000
BENCH_CODE = "NO-BENCH"
TARGETS: dict[str, str] = {
    "claims_s": "<= 15 (each database)",
    "ocr_import_s": "<= 30 (each database)",
    "tax_report_s": "<= 30 (each database)",
    "peak_mb": "<= 1024 (every measured phase)",
}
CLAIMS_MAX_S, OCR_MAX_S, TAX_MAX_S, PEAK_MAX_MB = 15.0, 30.0, 30.0, 1024.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kB


def _period() -> dt.date:
    """A month far enough ahead that Nets would accept its due date."""
    return (dt.date.today() + dt.timedelta(days=62)).replace(day=1)


def _tax_year() -> int:
    """Last calendar year: the seed's year of payments, and the income year reported."""
    return dt.date.today().year - 1


def _organisation_number() -> str:
    """A synthetic organisasjonsnummer with a valid check digit, for the tax report's oppgavegiver."""
    from stdnum.no import orgnr

    return next(f"99999999{d}" for d in "0123456789" if orgnr.is_valid(f"99999999{d}"))


def _agreement_rows() -> list[tuple[str, Decimal]]:
    """(KID, monthly amount) of every active AvtaleGiro agreement, in claim order."""
    from barneby.fundraising.models import AgreementState, PaymentAgreement, PaymentMethod

    return list(
        PaymentAgreement.objects.filter(
            supporter__association__code=BENCH_CODE, method=PaymentMethod.AVTALEGIRO, state=AgreementState.ACTIVE
        )
        .order_by("pk")
        .values_list("kid", "monthly_amount")
    )


# --- Phases: each runs in its own process and prints one JSON line -----------------------------


def phase_seed(_var: Path) -> dict[str, float]:
    """The global demo's sponsors and a year of claims and payments, all AvtaleGiro (one transaction)."""
    from django.db import transaction

    from barneby.core.demo import DemoContext
    from barneby.fundraising.demo import seed_global
    from barneby.fundraising.models import Claim, Payment, PaymentAgreement
    from barneby.organisation.models import MemberAssociation

    context = DemoContext(scale="global", seed=6, progress=lambda items, **_kw: iter(items))
    started = time.perf_counter()
    with transaction.atomic():
        association = MemberAssociation.objects.create(name="SOS-barnebyer Norge (benk)", code=BENCH_CODE, country="NO")
        seed_global(
            context,
            association,
            sponsors=AGREEMENTS,
            months=12,
            last_period=dt.date(_tax_year(), 12, 1),
            vipps_share=0.0,
        )
    return {
        "seconds": time.perf_counter() - started,
        "agreements": PaymentAgreement.objects.count(),
        "claims": Claim.objects.count(),
        "payments": Payment.objects.count(),
    }


def phase_netsgiro(var: Path) -> dict[str, float]:
    """netsgiro alone, on this database's agreements: the claim file, the OCR file (kept for the import), parsing it."""
    import netsgiro
    from django.conf import settings

    from barneby.fundraising.tests.factories import ocr_file

    rows = _agreement_rows()
    if len(rows) != AGREEMENTS:
        raise RuntimeError(f"{len(rows)} active AvtaleGiro agreements, not {AGREEMENTS}")
    due = _period().replace(day=int(settings.FUNDRAISING_CLAIM_DAY))
    started = time.perf_counter()
    transmission = netsgiro.Transmission(
        number="0000001", data_transmitter=settings.FUNDRAISING_NETS_CUSTOMER_UNIT_ID, data_recipient=netsgiro.NETS_ID
    )
    assignment = transmission.add_assignment(
        service_code=netsgiro.ServiceCode.AVTALEGIRO,
        assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
        number="0000001",
        account=settings.FUNDRAISING_NETS_ACCOUNT,
    )
    for kid, amount in rows:
        assignment.add_payment_request(kid=kid, due_date=due, amount=amount)
    claim_text = transmission.to_ocr()
    claims_write_s = time.perf_counter() - started
    del transmission, assignment, claim_text

    started = time.perf_counter()
    ocr_text = ocr_file(rows, date=due, number="0000042")
    ocr_write_s = time.perf_counter() - started
    (var / "ocr-130k.txt").write_bytes(ocr_text.encode("iso-8859-1"))

    started = time.perf_counter()
    parsed = netsgiro.parse(ocr_text)
    ocr_parse_s = time.perf_counter() - started
    assert parsed.get_num_transactions() == AGREEMENTS
    return {
        "claims_write_s": claims_write_s,
        "ocr_write_s": ocr_write_s,
        "ocr_parse_s": ocr_parse_s,
        "ocr_bytes": len(ocr_text),
    }


def phase_claims(_var: Path) -> dict[str, float]:
    from barneby.fundraising.claims import claim_run_start
    from barneby.organisation.models import MemberAssociation

    association = MemberAssociation.objects.get(code=BENCH_CODE)
    started = time.perf_counter()
    run = claim_run_start(actor=None, association=association, period=_period())
    seconds = time.perf_counter() - started
    if run.claim_count != AGREEMENTS:
        raise RuntimeError(f"claim run made {run.claim_count} claims, not {AGREEMENTS}")
    return {"seconds": seconds, "claims": run.claim_count, "file_bytes": Path(run.file_name).stat().st_size}


def phase_ocr(var: Path) -> dict[str, float]:
    from barneby.fundraising.models import Payment
    from barneby.fundraising.payments import ocr_import
    from barneby.organisation.models import MemberAssociation

    association = MemberAssociation.objects.get(code=BENCH_CODE)
    data = (var / "ocr-130k.txt").read_bytes()
    started = time.perf_counter()
    record = ocr_import(actor=None, association=association, data=data, file_name="ocr-130k.txt")
    seconds = time.perf_counter() - started
    settled = Payment.objects.filter(ocr_import=record, claim__isnull=False).count()
    if record.matched_count != AGREEMENTS or settled != AGREEMENTS:
        raise RuntimeError(f"matched {record.matched_count} and settled {settled} of {AGREEMENTS} payments")
    return {"seconds": seconds, "matched": record.matched_count, "settled": settled}


def phase_tax(_var: Path) -> dict[str, float | None]:
    """The tax-deduction report for last year: built, and written as the API's JSON and the XML file."""
    try:
        from barneby.fundraising.taxreport import build_tax_report, report_json_bytes, report_xml
    except ImportError:  # the report is not there yet: nothing to measure
        return {"seconds": None, "reported": None, "left_out": None}
    from barneby.organisation.models import MemberAssociation

    association = MemberAssociation.objects.get(code=BENCH_CODE)
    started = time.perf_counter()
    report = build_tax_report(association=association, year=_tax_year())
    built = time.perf_counter() - started
    size = len(report_json_bytes(report)) + len(report_xml(report))
    seconds = time.perf_counter() - started
    if report.reported_count < AGREEMENTS // 3:
        raise RuntimeError(f"the tax report has only {report.reported_count} donors")
    return {
        "seconds": seconds,
        "build_s": built,
        "reported": report.reported_count,
        "left_out": len(report.left_out),
        "files_bytes": size,
    }


PHASES: dict[str, Callable[[Path], dict[str, Any]]] = {
    "seed": phase_seed,
    "netsgiro": phase_netsgiro,
    "claims": phase_claims,
    "ocr": phase_ocr,
    "tax": phase_tax,
}


def run_phase(name: str, var: Path) -> None:
    """Inside the child: set up Django from the environment, run one phase, print its figures."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    figures = PHASES[name](var)
    figures["peak_mb"] = _peak_mb()
    print(json.dumps(figures))


def phase(name: str, env: dict[str, str], var: Path) -> dict[str, Any]:
    done = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), "--phase", name, "--var", str(var)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"phase {name} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- The parent: one fresh database each, figures and targets ----------------------------------

DATABASES = ("sqlite", "postgresql")
MEASURED = ("claims", "ocr", "tax")  # the phases with targets (the seed and netsgiro are reported only)


def measure(label: str, database_url: str, figures: dict[str, float | None]) -> None:
    with temp_dir() as var:
        env = production_env(var, database_url)
        env.update(
            {
                # Synthetic (month + 80) identity numbers count as valid, as in tests and demos.
                "BARNEBY_IDENTITY_ALLOW_SYNTHETIC": "1",
                "BARNEBY_ORGANISATION_NUMBER": _organisation_number(),
                "BARNEBY_TAX_DEDUCTION_MAX": f"{_tax_year()}:25000",
                "BENCH_PAYMENTS_AGREEMENTS": str(AGREEMENTS),
            }
        )
        manage(env, "migrate", "--no-input")
        seed = phase("seed", env, var)
        figures[f"{label}_seed_s"] = round(seed["seconds"], 1)
        figures[f"{label}_seed_payments"] = seed["payments"]
        figures[f"{label}_seed_peak_mb"] = round(seed["peak_mb"], 1)
        baseline = phase("netsgiro", env, var)
        figures[f"{label}_netsgiro_claims_write_s"] = round(baseline["claims_write_s"], 2)
        figures[f"{label}_netsgiro_ocr_parse_s"] = round(baseline["ocr_parse_s"], 2)
        figures["ocr_file_mb"] = round(baseline["ocr_bytes"] / 1e6, 1)
        claims = phase("claims", env, var)
        figures[f"{label}_claims_s"] = round(claims["seconds"], 2)
        figures[f"{label}_claims_peak_mb"] = round(claims["peak_mb"], 1)
        figures[f"{label}_claims_ratio"] = round(claims["seconds"] / baseline["claims_write_s"], 2)
        ocr = phase("ocr", env, var)
        figures[f"{label}_ocr_import_s"] = round(ocr["seconds"], 2)
        figures[f"{label}_ocr_peak_mb"] = round(ocr["peak_mb"], 1)
        figures[f"{label}_ocr_ratio"] = round(ocr["seconds"] / baseline["ocr_parse_s"], 2)
        tax = phase("tax", env, var)
        measured = tax["seconds"] is not None
        figures[f"{label}_tax_report_s"] = round(tax["seconds"], 2) if measured else None
        figures[f"{label}_tax_report_peak_mb"] = round(tax["peak_mb"], 1) if measured else None
        figures[f"{label}_tax_reported"] = tax["reported"]
        print(
            f"{label:<11} seed {seed['seconds']:6.1f} s ({seed['payments']} payments) | "
            f"claims {claims['seconds']:6.2f} s, {claims['peak_mb']:6.0f} MB, ×{figures[f'{label}_claims_ratio']} "
            f"netsgiro | OCR import {ocr['seconds']:6.2f} s, {ocr['peak_mb']:6.0f} MB, "
            f"×{figures[f'{label}_ocr_ratio']} netsgiro | tax report "
            + (f"{tax['seconds']:6.2f} s, {tax['peak_mb']:6.0f} MB" if measured else "not available"),
            flush=True,
        )


def targets_met(figures: dict[str, float | None]) -> bool:
    """Every target on every database; a figure not measured (None) is not met."""
    limits = {"claims_s": CLAIMS_MAX_S, "ocr_import_s": OCR_MAX_S, "tax_report_s": TAX_MAX_S}
    for db in DATABASES:
        for name, limit in limits.items():
            found = figures.get(f"{db}_{name}")
            if found is None or found > limit:
                return False
        for phase_name in ("claims", "ocr", "tax_report"):
            peak = figures.get(f"{db}_{phase_name}_peak_mb")
            if peak is None or peak > PEAK_MAX_MB:
                return False
    return figures["agreements"] == 130_000


def main() -> None:
    global AGREEMENTS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--var", type=Path)
    parser.add_argument(
        "--agreements", type=int, default=AGREEMENTS, help="fewer for a quick trial; targets count only at 130,000"
    )
    parser.add_argument("--only", choices=DATABASES, help="measure one database (the targets then count as not met)")
    args = parser.parse_args()
    if args.phase:
        AGREEMENTS = int(os.environ.get("BENCH_PAYMENTS_AGREEMENTS", AGREEMENTS))
        run_phase(args.phase, args.var)
        return
    AGREEMENTS = args.agreements

    figures: dict[str, float | None] = {"agreements": AGREEMENTS}
    if args.only != "postgresql":
        measure("sqlite", "", figures)
    if args.only != "sqlite":
        measure("postgresql", fresh_postgres_database("barneby_bench_payments"), figures)
    print(json.dumps({"bench": "payments", "figures": figures, "targets": TARGETS, "met": targets_met(figures)}))


if __name__ == "__main__":
    main()
