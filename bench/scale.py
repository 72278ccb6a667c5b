"""Scale-out under load: one app server, two behind HAProxy, and two with one killed halfway (Locust).

Builds everything on loopback: a fresh PostgreSQL database (``scale_bench``,
dropped at the end), the national demo (``seed_demo --scale national``) and
load-test logins with their own authenticators, Redis (127.0.0.1:6379) as the
shared cache, the database-backed task worker (``manage.py db_worker``), two
gunicorn app servers on their own ports with the same settings and secrets, and
HAProxy from Debian's package with ``deploy/haproxy.cfg`` (health checks on
``/ping``; GETs to a dead server retried on the other).

Then three Locust runs of the same mix (``loadtest/locustfile.py``: four times an
assumed national peak, ``loadtest/sizing.py``), each bounded in time, each with a
claim run for a month of its own (run by the worker) and an OCR import:

* ``one``: straight to one app server;
* ``two``: through HAProxy to two app servers;
* ``killed``: through HAProxy to two, and one server's gunicorn (master and
  workers) is killed with SIGKILL halfway. The other carries on; what may be lost
  is only the requests the dead server was working on at that moment, so the
  target is failures ≤ the dead server's threads (workers times threads).

Throughput, p95 and failures of each run, and two/one ratios. The mix is paced by
think times, as real users are, so throughput follows the number of users rather
than the servers' capacity: on this 2-core machine a second server shares the
same cores, and the ratio shows that the balancer loses nothing (target ≥ 0.9),
not that two servers double the capacity. p95 shows the headroom.

Run: .venv/bin/python bench/scale.py [--seconds 60]   (needs haproxy, PostgreSQL and Redis on loopback)
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "loadtest"))

import sizing
from _common import (
    GUNICORN,
    PYTHON,
    ROOT,
    _stop,
    _wait_for_ping,
    check_targets,
    free_port,
    fresh_postgres_database,
    manage,
    production_env,
    report,
    temp_dir,
)

DATABASE = "scale_bench"
LOCUST = str(Path(PYTHON).with_name("locust"))
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
WORKERS, THREADS = 2, 4  # per app server, as `make serve` (and maxconn 8 in deploy/haproxy.cfg)
SPAWN_RATE = 5  # users started per second: the 153 users are all in within about 30 s

SETUP = """
import datetime as dt, json, secrets
from decimal import Decimal
from django.contrib.auth.hashers import make_password
from barneby.accounts.demo import DEMO_DOMAIN
from barneby.accounts.models import AuthenticatorDevice, RoleAssignment, User
from barneby.fundraising.models import AgreementState, PaymentAgreement, PaymentMethod
from barneby.fundraising.tests.factories import ocr_file

password = secrets.token_urlsafe(18)
hashed = make_password(password)
like = {"caseworkers": "saksbehandler", "donor_service": "giverservice", "operators": "giverservice"}
# Logins of their own for each run: an authenticator code is accepted once per 30-second step.
logins = [{} for _ in range(RUNS)]
for kind, count in STAFF.items():
    template = User.objects.get(email=f"{like[kind]}@{DEMO_DOMAIN}")
    roles = list(template.assignments.all())
    for run in range(RUNS):
        logins[run][kind] = []
        for n in range(count):
            email = f"last.{run}.{kind}.{n}@bench.example"
            user = User.objects.create(email=email, full_name=f"Last {run} {kind} {n}", password=hashed)
            RoleAssignment.objects.bulk_create(
                RoleAssignment(user=user, role=r.role, scope_kind=r.scope_kind, scope_key=r.scope_key) for r in roles
            )
            key = secrets.token_hex(20)
            AuthenticatorDevice.objects.create(user=user, name="Last", confirmed=True, key=key)
            logins[run][kind].append({"email": email, "password": password, "totp_key": key})
payments = list(
    PaymentAgreement.objects.filter(method=PaymentMethod.AVTALEGIRO, state=AgreementState.ACTIVE)
    .values_list("kid", "monthly_amount")
)
today = dt.date.today()
runs = []
for n in range(RUNS):
    month = today.replace(day=1)
    for _ in range(n + 1):
        month = (month + dt.timedelta(days=32)).replace(day=1)
    path = OUT / f"ocr-{n}.txt"
    path.write_bytes(ocr_file(payments, date=today, number=f"{7000000 + n:07d}").encode("iso-8859-1"))
    runs.append({"period": month.strftime("%d.%m.%Y"), "ocr_file": str(path), "ocr_payments": len(payments)})
print(json.dumps({"logins": logins, "runs": runs}))
"""


def shell_json(env: dict[str, str], code: str, *, timeout: float = 600) -> dict[str, Any]:
    out = manage(env, "shell", "--verbosity", "0", "--command", code, timeout=timeout).stdout
    line = next(line for line in reversed(out.splitlines()) if line.startswith("{"))
    value: dict[str, Any] = json.loads(line)
    return value


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process in its own process group (so it and its children can be stopped together)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        _stop(proc)


@contextlib.contextmanager
def app_server(env: dict[str, str], var: Path, name: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    log = var / f"{name}.log"
    args = [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    with process([*args, "--threads", str(THREADS)], env, log) as proc:
        _wait_for_ping(proc, port, log)
        yield port, proc


@contextlib.contextmanager
def balancer(var: Path, ports: list[int]) -> Iterator[int]:
    """HAProxy with deploy/haproxy.cfg in front of ``ports``, in the foreground, until the block ends."""
    haproxy = shutil.which("haproxy")
    if haproxy is None:
        raise SystemExit("haproxy is not installed (apt-get install -y haproxy)")
    config = var / "haproxy.cfg"
    shutil.copy(HAPROXY_CONFIG, config)
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "BARNEBY_LB_BIND": f"127.0.0.1:{port}",
        "BARNEBY_APP1": f"127.0.0.1:{ports[0]}",
        "BARNEBY_APP2": f"127.0.0.1:{ports[1]}",
    }
    subprocess.run([haproxy, "-c", "-q", "-f", str(config)], env=env, check=True)
    log = var / "haproxy.log"
    with process([haproxy, "-db", "-f", str(config)], env, log) as proc:
        _wait_for_ping(proc, port, log)
        yield port


def locust(
    var: Path, label: str, port: int, users_file: Path, seconds: int, env: dict[str, str]
) -> tuple[dict[str, float], subprocess.CompletedProcess[str]]:
    prefix = var / label
    run_env = {**env, "BARNEBY_LOADTEST_USERS": str(users_file)}
    args = [
        LOCUST,
        "-f",
        str(ROOT / "loadtest" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "-u",
        str(sizing.TOTAL_USERS),
        "-r",
        str(SPAWN_RATE),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    done = subprocess.run(args, cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=seconds + 120)
    rows = list(csv.DictReader((var / f"{label}_stats.csv").open()))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    figures = {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": round(float(total["Requests/s"]), 2),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "load_avg_1m": round(os.getloadavg()[0], 2),  # at the end of the run: the machine may be shared
    }
    failures = var / f"{label}_failures.csv"
    if failures.exists():
        for row in csv.DictReader(failures.open()):
            print(f"  {label} failure: {row['Method']} {row['Name']} ×{row['Occurrences']}: {row['Error'][:200]}")
    print(f"{label}: {figures} (load average {load()})", flush=True)
    for row in rows:
        if row["Name"] != "Aggregated":
            print(
                f"  {row['Type']:<5} {row['Name']:<45} {row['Request Count']:>6} req "
                f"{row['Failure Count']:>4} failed  p50 {row['50%']:>6} ms  p95 {row['95%']:>6} ms"
            )
    return figures, done


def users_file(var: Path, made: dict[str, Any], n: int) -> Path:
    path = var / f"users-{n}.json"
    path.write_text(json.dumps({**made["logins"][n], "batch": made["runs"][n]}))
    path.chmod(0o600)
    return path


def claim_runs(env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import json\nfrom barneby.fundraising.models import ClaimRun\n"
        "print(json.dumps({str(r.period): [r.status, r.claim_count] for r in ClaimRun.objects.all()}))"
    )
    return shell_json(env, code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=90, help="length of each Locust run (ramp-up included)")
    args = parser.parse_args()
    seconds = args.seconds
    figures: dict[str, Any] = {"users": sizing.TOTAL_USERS, "seconds_per_run": seconds, "cores": os.cpu_count()}
    started = time.perf_counter()
    database_url = fresh_postgres_database(DATABASE)
    try:
        with temp_dir() as var:
            env = production_env(var, database_url)
            env.update(
                {
                    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                    "BARNEBY_CACHE_PREFIX": f"scale-bench-{os.getpid()}",
                    "BARNEBY_TASKS_BACKEND": "database",
                    "BARNEBY_TRUSTED_PROXY_COUNT": "1",
                    # The demo's identity numbers are synthetic (month + 80): a caseworker re-saving a child's
                    # form must be able to keep them, as in the demo.
                    "BARNEBY_IDENTITY_ALLOW_SYNTHETIC": "1",
                }
            )
            manage(env, "migrate", "--no-input")
            manage(env, "collectstatic", "--no-input")
            began = time.perf_counter()
            manage(env, "seed_demo", "--scale", "national", "--verbosity", "0", timeout=900)
            figures["seed_s"] = round(time.perf_counter() - began, 1)
            out = Path(tempfile.mkdtemp(dir=var))
            staff = json.dumps(sizing.STAFF_LOGINS)
            made = shell_json(
                env, f"import pathlib\nSTAFF = {staff}\nRUNS = 3\nOUT = pathlib.Path({str(out)!r})\n{SETUP}"
            )
            figures["ocr_payments"] = made["runs"][0]["ocr_payments"]
            print(f"setup: demo seeded in {figures['seed_s']} s, load average {load()}", flush=True)
            with (
                process([PYTHON, "manage.py", "db_worker", "--interval", "1"], env, var / "worker.log"),
                app_server(env, var, "app1") as (port1, _app1),
                app_server(env, var, "app2") as (port2, app2),
            ):
                one, _ = locust(var, "one", port1, users_file(var, made, 0), seconds, env)
                with balancer(var, [port1, port2]) as lb:
                    two, _ = locust(var, "two", lb, users_file(var, made, 1), seconds, env)

                    def kill() -> None:
                        time.sleep(seconds / 2)  # after the ramp-up (about 30 s), with every user busy
                        os.killpg(app2.pid, signal.SIGKILL)  # the master and its workers, without warning
                        print(f"killed: app server 2 (gunicorn on port {port2}) at {seconds / 2:.0f} s", flush=True)

                    killer = threading.Thread(target=kill)
                    killer.start()
                    killed, _ = locust(var, "killed", lb, users_file(var, made, 2), seconds, env)
                    killer.join()
                    after = subprocess.run(
                        [
                            PYTHON,
                            "-c",
                            f"import urllib.request as u; print(u.urlopen('http://127.0.0.1:{lb}/ping').status)",
                        ],
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    figures["after_kill_ping_status"] = int(after.stdout.strip() or 0)
                # Give the worker time to finish the last claim run before reading the runs.
                deadline = time.monotonic() + 60
                runs = claim_runs(env)
                while time.monotonic() < deadline and any(s != "complete" for s, _n in runs.values()):
                    time.sleep(2)
                    runs = claim_runs(env)
            figures["claim_runs"] = runs
            figures["claim_runs_complete"] = sum(1 for s, _n in runs.values() if s == "complete")
            print(f"claim runs (period: status, claims): {runs}", flush=True)
    finally:
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    for label, values in (("one", one), ("two", two), ("killed", killed)):
        for name, value in values.items():
            figures[f"{label}_{name}"] = value
    figures["two_over_one_rps"] = round(two["rps"] / one["rps"], 3) if one["rps"] else 0.0
    figures["two_over_one_p95"] = round(two["p95_ms"] / one["p95_ms"], 3) if one["p95_ms"] else 0.0
    # What the killed server could have been working on when it died: every thread of every worker.
    figures["killed_in_flight_bound"] = min(WORKERS * THREADS, sizing.TOTAL_USERS)
    figures["note"] = (
        f"{os.cpu_count()} cores shared by both app servers, the worker, PostgreSQL, Redis, HAProxy and Locust: "
        "a second server adds no cores, so the ratio shows what the balancer costs, not scaling"
    )
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    numeric = {k: float(v) for k, v in figures.items() if isinstance(v, (int, float))}
    targets, met = check_targets(
        numeric,
        {
            "two_failures": ("==", 0),
            "two_over_one_rps": (">=", 0.9),
            "after_kill_ping_status": ("==", 200),
            "claim_runs_complete": ("==", 3),
        },
    )
    lost_ok = figures["killed_failures"] <= figures["killed_in_flight_bound"]
    targets["killed_failures"] = "<= killed_in_flight_bound (the dead server's workers × threads)"
    report("scale", figures, targets, met and lost_ok)


if __name__ == "__main__":
    main()
