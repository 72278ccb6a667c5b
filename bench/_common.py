"""Shared helpers for the benchmarks: a production-like server on loopback and a bounded load loop.

Every benchmark builds its own data in a temporary directory, starts
gunicorn on 127.0.0.1 with DEBUG off, measures, and stops the server. Load
is bounded in count and time and never leaves the machine.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import operator
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def production_env(var_dir: Path, database_url: str = "") -> dict[str, str]:
    """Environment for a production-like run with throwaway secrets (plain HTTP on loopback)."""
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BARNEBY_", "FIELD_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BARNEBY_VAR_DIR": str(var_dir),
            "BARNEBY_SECURE": "0",
            "BARNEBY_SSL_REDIRECT": "0",
            "BARNEBY_LOG_LEVEL": "WARNING",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def temp_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="barneby-bench-") as name:
        yield Path(name)


@contextlib.contextmanager
def serve(env: dict[str, str], *, workers: int = 2, threads: int = 4) -> Iterator[Server]:
    """Migrate, collect static files and run gunicorn on a free loopback port until the block ends.

    gunicorn runs in its own process group, so the master and its workers
    are all stopped when the block ends, however it ends.
    """
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")
    port = free_port()
    log_path = Path(env["BARNEBY_VAR_DIR"]) / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                GUNICORN,
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_ping(process, port, log_path)
        yield Server(port, process, env)
    finally:
        _stop(process)


@contextlib.contextmanager
def production_server(
    database_url: str = "", *, env: Mapping[str, str] | None = None, workers: int = 2, threads: int = 4
) -> Iterator[Server]:
    """A production-like server on a throwaway directory (and SQLite database, unless ``database_url``).

    ``env`` adds or overrides variables, e.g. ``{"BARNEBY_REQUIRE_2FA": "0"}``
    to measure pages rather than the second factor.
    """
    with temp_dir() as var:
        full_env = production_env(var, database_url)
        full_env.update(env or {})
        with serve(full_env, workers=workers, threads=threads) as server:
            yield server


def _wait_for_ping(process: subprocess.Popen[bytes], port: int, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(log_path)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if get(port, "/ping")[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /ping within {timeout:.0f} s:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # gunicorn's graceful shutdown: the master waits for its workers
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        # A stuck master: stop it and its workers (its own process group) at once.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass(frozen=True)
class Measurement:
    path: str
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0 ≤ q ≤ 1); NaN for no values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = math.ceil(q * len(ordered))
    return ordered[min(len(ordered), max(1, rank)) - 1]


def measure(
    port: int,
    path: str,
    *,
    requests: int = 400,
    concurrency: int = 4,
    warmup: int = 20,
    max_seconds: float = 60,
    headers: dict[str, str] | None = None,
) -> Measurement:
    """``requests`` GETs of ``path`` from ``concurrency`` keep-alive connections; bounded by ``max_seconds``.

    A non-200 answer or a broken connection counts as an error (the
    connection is then reopened); latencies are kept for answered requests.
    """
    for _ in range(warmup):
        get(port, path, headers)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_thread = max(1, requests // concurrency)
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed = 0
        for _ in range(per_thread):
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                failed += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    return Measurement(
        path=path,
        requests=len(latencies),
        rps=len(latencies) / elapsed if elapsed else 0.0,
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        errors=errors,
    )


def measure_urls(
    port: int,
    paths: Sequence[str],
    *,
    session: dict[str, str] | None = None,
    requests: int = 400,
    concurrency: int = 4,
    max_seconds: float = 60,
) -> list[Measurement]:
    """Measure each path in turn, optionally as a signed-in user (``session`` from :func:`sign_in`).

    Each path is first fetched once and must answer 200, so a page that
    redirects to sign-in or fails is reported, not timed as if it were fast.
    """
    results = []
    for path in paths:
        status, _body = get(port, path, session)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}, not 200")
        results.append(
            measure(
                port,
                path,
                requests=requests,
                concurrency=concurrency,
                max_seconds=max_seconds,
                headers=session,
            )
        )
    return results


_COMPARE: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}


def check_targets(
    figures: Mapping[str, float], targets: Mapping[str, tuple[str, float]]
) -> tuple[dict[str, str], bool]:
    """Compare figures with ``{figure: (op, limit)}``; returns the targets as text and whether all are met."""
    text = {name: f"{op} {limit:g}" for name, (op, limit) in targets.items()}
    met = all(_COMPARE[op](figures[name], limit) for name, (op, limit) in targets.items())
    return text, met


def report(name: str, figures: Mapping[str, float], targets: Mapping[str, str], met: bool) -> None:
    """Print the one closing JSON line every benchmark ends with."""
    print(json.dumps({"bench": name, "figures": figures, "targets": targets, "met": met}))


def table(rows: Sequence[Measurement]) -> None:
    print(f"{'path':<40} {'req':>6} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    for row in rows:
        print(f"{row.path:<40} {row.requests:>6} {row.rps:>9.1f} {row.p50_ms:>8.2f} {row.p95_ms:>8.2f} {row.errors:>6}")


def sign_in(port: int, email: str, password: str) -> dict[str, str]:
    """Sign in through the real form and return the Cookie header for later requests."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/konto/logg-inn/")
        page = conn.getresponse()
        html = page.read().decode()
        csrf_cookie = next(
            c.split(";")[0] for c in page.headers.get_all("Set-Cookie") or [] if c.startswith("csrftoken=")
        )
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if match is None:
            raise RuntimeError("no CSRF token on the sign-in page")
        body = urlencode({"csrfmiddlewaretoken": match.group(1), "username": email, "password": password})
        conn.request(
            "POST",
            "/konto/logg-inn/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": csrf_cookie,
                "Referer": f"http://127.0.0.1:{port}/",
            },
        )
        response = conn.getresponse()
        response.read()
        session = next(
            (c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("sessionid=")), None
        )
        if response.status != 302 or session is None:
            raise RuntimeError(f"sign-in failed with {response.status}")
        return {"Cookie": f"{csrf_cookie}; {session}"}
    finally:
        conn.close()


def peak_child_memory_mb() -> float:
    """Peak resident memory of any finished child process so far (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def fresh_postgres_database(name: str) -> str:
    """Drop and create a scratch database on the local server; returns its URL."""
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"
