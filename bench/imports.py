"""Import of 10,000 rows: the preview (a trial run of every row) and the import itself, children and supporters.

On a fresh SQLite file and a fresh PostgreSQL database (``imports_bench``, or the name
in ``DATABASE_URL`` when that is a PostgreSQL URL), each
phase in a process of its own: a file of 10,000 supporters (a few duplicates of
existing supporters and of earlier rows) and a file of 10,000 children (valid
identity numbers for a third, sibling groups of two), uploaded, previewed and
imported through ``barneby.imports.services`` as a user would through the pages.

Besides the wall time (the target), each phase's CPU seconds in the measuring process
(``*_cpu_s``: on SQLite nearly all the work, on PostgreSQL without the server's part)
and the load average at the start of each database's run: on a shared machine the
wall time waits for the cores, the CPU seconds much less.

Run: .venv/bin/python bench/imports.py [--rows N] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, ROOT, fresh_postgres_database, manage, production_env, report, temp_dir

TARGETS = {
    "preview_s": "<= 120 per 10,000 rows (each kind, each database)",
    "import_s": "<= 120 per 10,000 rows (each kind, each database)",
}
LIMIT_S = 120.0


def _supporter_csv(rows: int) -> bytes:
    lines = ["type;fornavn;etternavn;firmanavn;organisasjonsnummer;e-post;telefon;gateadresse;postnummer;poststed"]
    for n in range(rows):
        if n % 500 == 7:
            lines.append(f"person;Kari;Eksisterende;;;kari{n % 20}@eksempel.no;;;;")  # an existing supporter
        elif n % 500 == 8:
            lines.append(f"person;Ola;Rad{n - 8};;;rad{n - 8}@eksempel.no;;;;")  # the same as an earlier row
        else:
            lines.append(f"person;Ola;Rad{n};;;rad{n}@eksempel.no;+47 4{n:07d};Storgata {n % 90 + 1};0150;Oslo")
    return ("\n".join(lines) + "\n").encode()


def _child_csv(rows: int, code: str) -> bytes:
    import datetime as dt

    from stdnum.no import fodselsnummer

    lines = ["program;fornavn;etternavn;fødselsdato;kjønn;målgruppe;fødselsnummer;statsborgerskap;språk;søskengruppe"]
    for n in range(rows):
        birth = dt.date(2008, 1, 1) + dt.timedelta(days=n % 5000)
        number = ""
        if n % 3 == 0:
            for individual in range(500, 1000):
                candidate = next(
                    (
                        f"{birth:%d%m%y}{individual:03d}{t:02d}"
                        for t in range(100)
                        if fodselsnummer.is_valid(f"{birth:%d%m%y}{individual:03d}{t:02d}")
                    ),
                    None,
                )
                if candidate:
                    number = candidate
                    break
        group = f"g{n // 2}" if n % 10 < 2 else ""
        sex = "jente" if n % 2 else "gutt"
        lines.append(f"{code};Barn{n};Etternavn{n // 2};{birth:%d.%m.%Y};{sex};uten omsorg;{number};NO;norsk;{group}")
    return ("\n".join(lines) + "\n").encode()


def inner(rows: int) -> None:
    """In the measured process: set up the users, then time the preview and the import of each kind."""
    import django

    django.setup()
    from barneby.accounts.models import RoleAssignment, User
    from barneby.accounts.roles import Role, ScopeKind
    from barneby.care.models import Child
    from barneby.fundraising.models import Supporter
    from barneby.imports import services
    from barneby.imports.models import ImportKind
    from barneby.organisation.models import Location, LocationKind, MemberAssociation, Programme

    assoc = MemberAssociation.objects.create(name="SOS Bench", code="BENCH", country="NO")
    place = Location.objects.create(
        association=assoc, kind=LocationKind.VILLAGE, name="Benchbyen", country="NO", latitude=60, longitude=5
    )
    programme = Programme.objects.create(
        association=assoc, location=place, name="Bench", code="BENCH-1", type="sibling_foster", start_date="2020-01-01"
    )
    caseworker = User.objects.create_user(email="saks@bench.example", password=None, full_name="Saks")
    RoleAssignment.objects.create(
        user=caseworker, role=Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme.pk)
    )
    donor = User.objects.create_user(email="giver@bench.example", password=None, full_name="Giver")
    RoleAssignment.objects.create(
        user=donor, role=Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(assoc.pk)
    )
    for n in range(20):
        Supporter.objects.create(
            association=assoc,
            donor_number=900_000 + n,
            first_name="Kari",
            last_name="Eksisterende",
            email=f"kari{n}@eksempel.no",
        )
    figures: dict[str, Any] = {}
    for label, kind, actor, content, model in (
        ("supporters", ImportKind.SUPPORTERS, donor, _supporter_csv(rows), Supporter),
        ("children", ImportKind.CHILDREN, caseworker, _child_csv(rows, programme.code), Child),
    ):
        before = model.objects.count()
        started, cpu = time.perf_counter(), time.process_time()
        preview = services.upload_create(actor=actor, kind=kind, name=f"{label}.csv", content=content)
        figures[f"{label}_preview_s"] = round(time.perf_counter() - started, 1)
        figures[f"{label}_preview_cpu_s"] = round(time.process_time() - cpu, 1)
        figures[f"{label}_rows"] = len(preview.outcomes)
        figures.update({f"{label}_{status}": count for status, count in preview.counts.items()})
        if not preview.can_import:
            raise RuntimeError(
                f"{label}: {preview.problems} {[o for o in preview.outcomes if o[1].status == 'error'][:3]}"
            )
        started, cpu = time.perf_counter(), time.process_time()
        result = services.upload_import(actor=actor, upload=preview.upload)
        figures[f"{label}_import_s"] = round(time.perf_counter() - started, 1)
        figures[f"{label}_import_cpu_s"] = round(time.process_time() - cpu, 1)
        figures[f"{label}_saved"] = model.objects.count() - before
        if figures[f"{label}_saved"] != result.counts["new"]:
            raise RuntimeError(f"{label}: saved {figures[f'{label}_saved']}, expected {result.counts['new']}")
    print(json.dumps(figures))


def run(label: str, database_url: str, rows: int, figures: dict[str, Any]) -> None:
    with temp_dir() as var:
        env = production_env(var, database_url)
        manage(env, "migrate", "--no-input")
        load_1m = os.getloadavg()[0]
        done = subprocess.run(
            [PYTHON, __file__, "--inner", "--rows", str(rows)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        figures[f"{label}_load_avg_1m"] = round(load_1m, 2)
        for name, value in json.loads(done.stdout.strip().splitlines()[-1]).items():
            figures[f"{label}_{name}"] = value
        print(label, {k: v for k, v in figures.items() if k.startswith(label)}, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--inner", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    if args.inner:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(ROOT))
        inner(args.rows)
        return
    figures: dict[str, Any] = {"rows": args.rows}
    run("sqlite", "", args.rows, figures)
    if not args.sqlite_only:
        # DATABASE_URL=postgres://…/NAME picks the scratch database's name (dropped and made afresh).
        named = os.environ.get("DATABASE_URL", "")
        name = urlparse(named).path.lstrip("/") if named.startswith("postgres") else ""
        run("postgresql", fresh_postgres_database(name or "imports_bench"), args.rows, figures)
    scale = 10_000 / args.rows
    times = [v * scale for k, v in figures.items() if k.endswith(("_preview_s", "_import_s"))]
    met = all(t <= LIMIT_S for t in times)
    report("imports", figures, TARGETS, met)


if __name__ == "__main__":
    main()
