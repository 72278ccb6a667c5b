"""Payments at national scale: the monthly AvtaleGiro claim file and a 130,000-payment OCR import.

Builds 130,000 active AvtaleGiro sponsorship agreements (bulk inserts) on a fresh
SQLite file and a fresh PostgreSQL database, then measures, each phase in its
own process so that its peak resident memory is its own:

* the claim run for a month (claims in chunks + the file for Nets), target ≤ 15 s;
* importing an OCR giro file of 130,000 payments (made with netsgiro) with KID
  matching and claim settlement, target ≤ 30 s;
* peak memory of each, target ≤ 1 GB;
* each as a ratio to netsgiro's own time for the same file (building and
  writing the claim file; parsing the OCR file), measured in the same run.

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
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, ROOT, fresh_postgres_database, manage, production_env, temp_dir

AGREEMENTS = 130_000
AMOUNTS = (Decimal(250), Decimal(350), Decimal(500), Decimal(300))
FIRST_DONOR = 100_001
TARGETS: dict[str, str] = {
    "claims_s": "<= 15 (each database)",
    "ocr_import_s": "<= 30 (each database)",
    "peak_mb": "<= 1024 (every phase)",
    "tax_report_s": "not measured yet: added with the tax report",
}
CLAIMS_MAX_S, OCR_MAX_S, PEAK_MAX_MB = 15.0, 30.0, 1024.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kB


def _period() -> dt.date:
    """A month far enough ahead that Nets would accept its due date."""
    return (dt.date.today() + dt.timedelta(days=62)).replace(day=1)


def _agreement_rows() -> list[tuple[int, str, Decimal]]:
    """(donor number, KID, monthly amount) of every synthetic agreement; the same in every phase."""
    from django.conf import settings

    from barneby.fundraising.kid import kid_base, make_kid

    length = int(settings.FUNDRAISING_KID_LENGTH)
    return [
        (donor, make_kid(kid_base(donor, 1, length=length), length=length), AMOUNTS[i % len(AMOUNTS)])
        for i, donor in enumerate(range(FIRST_DONOR, FIRST_DONOR + AGREEMENTS))
    ]


# --- Phases: each runs in its own process and prints one JSON line -----------------------------


def phase_seed(_var: Path) -> dict[str, float]:
    from faker import Faker

    from barneby.fundraising.models import AgreementState, PaymentAgreement, PaymentMethod, Supporter
    from barneby.organisation.models import MemberAssociation

    fake = Faker("no_NO")  # Faker names its Norwegian (bokmål) locale no_NO
    fake.seed_instance(6)
    names = [(fake.first_name(), fake.last_name(), fake.postcode(), fake.city()) for _ in range(997)]
    started = time.perf_counter()
    association = MemberAssociation.objects.create(name="SOS-barnebyer Norge (benk)", code="NO-BENCH", country="NO")
    rows = _agreement_rows()
    supporters = [
        Supporter(
            association=association,
            donor_number=donor,
            first_name=names[i % len(names)][0],
            last_name=names[i % len(names)][1],
            postcode=names[i % len(names)][2],
            city=names[i % len(names)][3],
        )
        for i, (donor, _kid, _amount) in enumerate(rows)
    ]
    Supporter.objects.bulk_create(supporters, batch_size=5000)
    ids = dict(Supporter.objects.values_list("donor_number", "id"))
    PaymentAgreement.objects.bulk_create(
        [
            PaymentAgreement(
                supporter_id=ids[donor],
                sequence=1,
                method=PaymentMethod.AVTALEGIRO,
                kid=kid,
                monthly_amount=amount,
                state=AgreementState.ACTIVE,
                start_date=dt.date(2024, 1, 1),
            )
            for donor, kid, amount in rows
        ],
        batch_size=5000,
    )
    return {"seconds": time.perf_counter() - started, "agreements": PaymentAgreement.objects.count()}


def phase_netsgiro(var: Path) -> dict[str, float]:
    """netsgiro alone: write the claim file, write the OCR file (kept for the import), parse it."""
    import netsgiro
    from django.conf import settings

    from barneby.fundraising.tests.factories import ocr_file

    rows = _agreement_rows()
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
    for _donor, kid, amount in rows:
        assignment.add_payment_request(kid=kid, due_date=due, amount=amount)
    claim_text = transmission.to_ocr()
    claims_write_s = time.perf_counter() - started
    del transmission, assignment, claim_text

    started = time.perf_counter()
    ocr_text = ocr_file([(kid, amount) for _donor, kid, amount in rows], date=due, number="0000042")
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

    association = MemberAssociation.objects.get(code="NO-BENCH")
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

    association = MemberAssociation.objects.get(code="NO-BENCH")
    data = (var / "ocr-130k.txt").read_bytes()
    started = time.perf_counter()
    record = ocr_import(actor=None, association=association, data=data, file_name="ocr-130k.txt")
    seconds = time.perf_counter() - started
    settled = Payment.objects.filter(ocr_import=record, claim__isnull=False).count()
    if record.matched_count != AGREEMENTS or settled != AGREEMENTS:
        raise RuntimeError(f"matched {record.matched_count} and settled {settled} of {AGREEMENTS} payments")
    return {"seconds": seconds, "matched": record.matched_count, "settled": settled}


PHASES = {"seed": phase_seed, "netsgiro": phase_netsgiro, "claims": phase_claims, "ocr": phase_ocr}


def run_phase(name: str, var: Path) -> None:
    """Inside the child: set up Django from the environment, run one phase, print its figures."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    figures = PHASES[name](var)
    figures["peak_mb"] = _peak_mb()
    print(json.dumps(figures))


def phase(name: str, env: dict[str, str], var: Path) -> dict[str, float]:
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
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- The parent: one fresh database each, figures and targets ----------------------------------


def measure(
    label: str, database_url: str, figures: dict[str, float | None], baseline: dict[str, float], ocr_source: Path
) -> None:
    with temp_dir() as var:
        env = production_env(var, database_url)
        manage(env, "migrate", "--no-input")
        (var / "ocr-130k.txt").write_bytes(ocr_source.read_bytes())
        seed = phase("seed", env, var)
        figures[f"{label}_seed_s"] = round(seed["seconds"], 1)
        figures[f"{label}_seed_peak_mb"] = round(seed["peak_mb"], 1)
        claims = phase("claims", env, var)
        figures[f"{label}_claims_s"] = round(claims["seconds"], 2)
        figures[f"{label}_claims_peak_mb"] = round(claims["peak_mb"], 1)
        figures[f"{label}_claims_ratio"] = round(claims["seconds"] / baseline["claims_write_s"], 2)
        ocr = phase("ocr", env, var)
        figures[f"{label}_ocr_import_s"] = round(ocr["seconds"], 2)
        figures[f"{label}_ocr_peak_mb"] = round(ocr["peak_mb"], 1)
        figures[f"{label}_ocr_ratio"] = round(ocr["seconds"] / baseline["ocr_parse_s"], 2)
        # Placeholder for the annual tax report timing, added with that report (not measured here).
        figures[f"{label}_tax_report_s"] = None
        print(
            f"{label:<11} seed {seed['seconds']:6.1f} s | claims {claims['seconds']:6.2f} s, "
            f"{claims['peak_mb']:6.0f} MB, ×{figures[f'{label}_claims_ratio']} netsgiro | "
            f"OCR import {ocr['seconds']:6.2f} s, {ocr['peak_mb']:6.0f} MB, ×{figures[f'{label}_ocr_ratio']} netsgiro"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--var", type=Path)
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, args.var)
        return

    figures: dict[str, float | None] = {"agreements": AGREEMENTS}
    with temp_dir() as shared:
        baseline = phase("netsgiro", production_env(shared), shared)
        figures["netsgiro_claims_write_s"] = round(baseline["claims_write_s"], 2)
        figures["netsgiro_ocr_write_s"] = round(baseline["ocr_write_s"], 2)
        figures["netsgiro_ocr_parse_s"] = round(baseline["ocr_parse_s"], 2)
        figures["netsgiro_peak_mb"] = round(baseline["peak_mb"], 1)
        figures["ocr_file_mb"] = round(baseline["ocr_bytes"] / 1e6, 1)
        print(
            f"netsgiro    claim file {baseline['claims_write_s']:.2f} s | OCR write {baseline['ocr_write_s']:.2f} s, "
            f"parse {baseline['ocr_parse_s']:.2f} s"
        )
        ocr_source = shared / "ocr-130k.txt"
        measure("sqlite", "", figures, baseline, ocr_source)
        measure("postgresql", fresh_postgres_database("barneby_bench_payments"), figures, baseline, ocr_source)

    def value(name: str) -> float:
        found = figures[name]
        assert found is not None
        return found

    peaks = [value(k) for k in figures if k.endswith("peak_mb")]
    met = (
        all(value(f"{db}_claims_s") <= CLAIMS_MAX_S for db in ("sqlite", "postgresql"))
        and all(value(f"{db}_ocr_import_s") <= OCR_MAX_S for db in ("sqlite", "postgresql"))
        and max(peaks) <= PEAK_MAX_MB
    )
    print(json.dumps({"bench": "payments", "figures": figures, "targets": TARGETS, "met": met}))


if __name__ == "__main__":
    main()
