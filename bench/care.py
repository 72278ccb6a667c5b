"""Care at global scale: seeding, the nightly rule run, and a caseworker's two busiest pages.

Seeds ``--scale global`` (the organisation register, then 82,300 children in
care with their histories and 352,500 people in family strengthening) into a
fresh SQLite file and a fresh PostgreSQL database, times
``alerts.refresh_all()`` over every child, then signs in through the real
forms (password and TOTP) as a caseworker of the busiest programme and
measures, against the bare view in the same run:

* the child list with a name-prefix search and a status filter
  (``/omsorg/barn/?q=<prefix>&status=alternative_care``), and
* the page of the programme's child with the longest history (``/omsorg/barn/<pk>/``).

Run: nice -n 10 .venv/bin/python bench/care.py [--skip-pages]
(``--skip-pages`` times seeding and the rules only, for when the views are not there yet.)
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import re
import secrets
import struct
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    Measurement,
    fresh_postgres_database,
    get,
    manage,
    measure,
    peak_child_memory_mb,
    production_env,
    report,
    serve,
    sign_in,
    table,
    temp_dir,
)

BARE = "/ping"
LIST = "/omsorg/barn/"
TWO_FACTOR = "/konto/tofaktor/"
CHILD_LINK = re.compile(rb'href="/omsorg/barn/(\d+)/"')
EMAIL = "bench.saksbehandler@bench.barneby.example"

TARGETS = {
    "postgresql_list_p95_ms": "<= 100",
    "postgresql_child_p95_ms": "<= 150",
    "refresh_postgresql_s": "<= 60",
    "seed_sqlite_care_s": "<= 180",
    "errors": "== 0",
}

# Run inside ``manage.py shell``: a caseworker of the busiest programme with a confirmed TOTP device,
# a search prefix that finds children there, and the child with the longest history.
SETUP = """
import json
from collections import Counter
from django.db.models import Count
from barneby.accounts.models import AuthenticatorDevice, RoleAssignment, User
from barneby.accounts.roles import Role, ScopeKind
from barneby.care.models import Child

busy = (
    Child.objects.filter(status="alternative_care")
    .values("programme_id").annotate(n=Count("id")).order_by("-n", "programme_id").first()
)
programme = busy["programme_id"]
user = User.objects.create_user({email!r}, {password!r}, full_name="Bench Saksbehandler")
RoleAssignment.objects.create(user=user, role=Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme))
AuthenticatorDevice.objects.create(user=user, name="bench", key={key!r}, confirmed=True)
names = Child.objects.filter(programme_id=programme, status="alternative_care").values_list("last_name", flat=True)
prefix = Counter(name[:2] for name in names).most_common(1)[0][0]
child = (
    Child.objects.filter(programme_id=programme)
    .annotate(p=Count("placements", distinct=True), d=Count("decisions", distinct=True))
    .order_by("-p", "-d", "pk").first()
)
print(json.dumps({{"programme": programme, "children": busy["n"], "prefix": prefix, "child": child.pk,
                  "child_name": child.last_name, "placements": child.p, "decisions": child.d}}))
"""

REFRESH = """
import json, time
from barneby.care import alerts
started = time.perf_counter()
result = alerts.refresh_all()
print(json.dumps({"seconds": time.perf_counter() - started, "children": result.children,
                  "raised": result.raised, "cleared": result.cleared}))
"""


def shell_json(env: dict[str, str], code: str) -> dict[str, Any]:
    """Run ``code`` in ``manage.py shell`` and return the JSON object it printed last."""
    out = manage(env, "shell", "--verbosity", "0", "--command", code).stdout
    line = next(line for line in reversed(out.splitlines()) if line.startswith("{"))
    value: dict[str, Any] = json.loads(line)
    return value


def totp(key_hex: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code for ``key_hex`` (what accounts.AuthenticatorDevice checks with its defaults)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def sign_in_with_totp(port: int, email: str, password: str, key_hex: str) -> dict[str, str]:
    """The password form (shared helper), then the second factor, as a caseworker would."""
    session = sign_in(port, email, password)
    status, body = get(port, TWO_FACTOR, session)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or match is None:
        raise RuntimeError(f"the second-factor page answered {status} without a form")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            TWO_FACTOR,
            body=urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "token": totp(key_hex)}),
            headers={
                **session,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}{TWO_FACTOR}",
            },
        )
        response = conn.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"the second factor was refused ({response.status})")
        renewed = next(
            (c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("sessionid=")), None
        )
    finally:
        conn.close()
    if renewed:
        csrf = session["Cookie"].split("; ")[0]
        session = {"Cookie": f"{csrf}; {renewed}"}
    return session


def measure_page(port: int, path: str, cookie: dict[str, str], *, must_show: bytes = b"") -> tuple[Measurement, int]:
    """Check the page first (200 and real content), then measure it with two simultaneous users."""
    status, body = get(port, path, cookie)
    shown = len(set(CHILD_LINK.findall(body)))
    if status != 200:
        raise RuntimeError(f"{path} answered {status}, not 200")
    if must_show and must_show not in body:
        raise RuntimeError(f"{path} does not show {must_show!r}")
    if path.startswith(LIST) and "?" in path and shown == 0:
        raise RuntimeError(f"{path} lists no children")
    # Two simultaneous users on this 2-core machine; the load generator shares the cores.
    return measure(port, path, requests=200, concurrency=2, headers=cookie), shown


def run(label: str, database_url: str, figures: dict[str, float], *, pages: bool) -> None:
    with temp_dir() as var:
        env = production_env(var, database_url)
        manage(env, "migrate", "--no-input")
        started = time.perf_counter()
        manage(env, "seed_demo", "--scale", "global", "--seed", "1", "--only", "organisation", "--verbosity", "0")
        figures[f"seed_{label}_organisation_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        seeded = manage(env, "seed_demo", "--scale", "global", "--seed", "1", "--only", "care", "--verbosity", "1")
        figures[f"seed_{label}_care_s"] = round(time.perf_counter() - started, 1)
        figures[f"seed_{label}_peak_mb"] = round(peak_child_memory_mb(), 1)
        for name, rows in re.findall(r"^  (\S+): (\d+)$", seeded.stdout, flags=re.M):
            figures[f"{label}_rows_{name}"] = int(rows)
        print(f"{label}: seeded care in {figures[f'seed_{label}_care_s']} s", flush=True)

        refreshed = shell_json(env, REFRESH)
        figures[f"refresh_{label}_s"] = round(refreshed["seconds"], 1)
        figures[f"refresh_{label}_children_per_s"] = round(refreshed["children"] / refreshed["seconds"])
        print(
            f"{label}: refresh_all over {refreshed['children']} children in {refreshed['seconds']:.1f} s "
            f"({figures[f'refresh_{label}_children_per_s']:.0f} children/s)",
            flush=True,
        )
        if not pages:
            return

        password, key = secrets.token_urlsafe(16), secrets.token_hex(20)
        found = shell_json(env, SETUP.format(email=EMAIL, password=password, key=key))
        figures[f"{label}_programme_children"] = found["children"]
        figures[f"{label}_child_placements"] = found["placements"]
        list_path = f"{LIST}?{urlencode({'q': found['prefix'], 'status': 'alternative_care'})}"
        child_path = f"{LIST}{found['child']}/"
        with serve(env) as server:
            cookie = sign_in_with_totp(server.port, EMAIL, password, key)
            bare = measure(server.port, BARE, requests=600)
            rows = [bare]
            for name, path, must_show in (
                ("list", list_path, b""),
                ("child", child_path, found["child_name"].encode()),
            ):
                result, shown = measure_page(server.port, path, cookie, must_show=must_show)
                rows.append(result)
                if name == "list":
                    figures[f"{label}_list_rows"] = shown
                figures[f"{label}_{name}_p50_ms"] = round(result.p50_ms, 1)
                figures[f"{label}_{name}_p95_ms"] = round(result.p95_ms, 1)
                figures[f"{label}_{name}_p95_ratio"] = round(result.p95_ms / bare.p95_ms, 1)
                figures["errors"] = figures.get("errors", 0) + result.errors
        print(f"\n{label}")
        table(rows)


def main() -> None:
    pages = "--skip-pages" not in sys.argv[1:]
    figures: dict[str, float] = {"errors": 0}
    run("sqlite", "", figures, pages=pages)
    run("postgresql", fresh_postgres_database("barneby_bench_care"), figures, pages=pages)
    met = (
        figures["refresh_postgresql_s"] <= 60
        and figures["seed_sqlite_care_s"] <= 180
        and figures.get("postgresql_list_p95_ms", float("inf")) <= 100
        and figures.get("postgresql_child_p95_ms", float("inf")) <= 150
        and figures["errors"] == 0
    )
    report("care", figures, TARGETS, met)


if __name__ == "__main__":
    main()
