"""Shared state across app servers (issue 17): two processes, one database and one Redis, behave as one.

Each "server" is a separate Python process running the application (Django's test client
against the real URL configuration and middleware) on the same database. A lockout earned on
one counts on the other (django-axes keeps its counters in the database), and a report cached
by one is served by the other when REDIS_URL is set; with the per-process memory cache it is not,
which is why production sets REDIS_URL (or BARNEBY_CACHE=database).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from barneby.core import backup

BASE_DIR = Path(django_settings.BASE_DIR)
REDIS_URL = os.environ.get("BARNEBY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

SERVER = """
import json
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from barneby.accounts.models import User

email, password, key = "ops.shared@test.barneby.example", "riktig-passord-1234", "report:key-figures:2026"
client = Client(REMOTE_ADDR="203.0.113.7")
out = {{"cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1], "pid": __import__("os").getpid()}}
if "{step}" == "first":
    User.objects.create_user(email=email, password=password, full_name="Delt Tilstand")
    out["failures"] = [
        client.post("/konto/logg-inn/", {{"username": email, "password": "feil-passord-0000"}}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    cache.set(key, {{"children": 1234, "villages": 570}}, 300)
else:
    out["sign_in"] = client.post("/konto/logg-inn/", {{"username": email, "password": password}}).status_code
    out["cached"] = cache.get(key)
print(json.dumps(out))
"""


@pytest.fixture
def shared_database(tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL of a copy of the migrated test database that several processes open at once."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = tmp_path / "shared.sqlite3"
        # The tests that use this run outside a transaction (transaction=True): SQLite cannot back up a
        # database while a connection holds a write transaction on it (the backup waits forever).
        raw = connection.connection
        assert isinstance(raw, sqlite3.Connection)
        copy = sqlite3.connect(str(target))
        try:
            raw.backup(copy)
        finally:
            copy.close()
        yield f"sqlite:///{target}"
        return
    params = connection.settings_dict
    name = f"ops_shared_{uuid.uuid4().hex[:10]}"
    admin_info = psycopg.conninfo.make_conninfo(
        host=params["HOST"] or "", port=str(params["PORT"] or ""), user=params["USER"] or "", dbname="postgres"
    )
    with psycopg.connect(admin_info, autocommit=True, password=params["PASSWORD"] or None) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    dump = tmp_path / "schema.pgdump"
    env = backup._pg_env(connection)
    backup._run(["pg_dump", "--format=custom", f"--file={dump}"], env, "copy the test database")
    backup._run(["pg_restore", "--no-owner", "--no-privileges", f"--dbname={name}", str(dump)], env, "load the copy")
    user = params["USER"] or "postgres"
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    yield f"postgres://{user}{password}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    with psycopg.connect(admin_info, autocommit=True, password=params["PASSWORD"] or None) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """The Redis server on 127.0.0.1:6379, or else a private one started for the test (Debian's redis-server)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        if shutil.which("redis-server") is None:
            pytest.skip(f"no Redis server at {REDIS_URL} and no redis-server to start (Debian: redis-server)")
    else:
        yield REDIS_URL
        return
    sock = tmp_path / "redis.sock"
    server = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"],  # noqa: S607
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.1)
        yield f"unix://{sock}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own, so it never meets another installation's or test's keys."""
    return f"ops-test-{uuid.uuid4().hex[:12]}"


def _server(step: str, env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", SERVER.format(step=step)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_lockout_and_a_cached_report_are_the_same_on_every_server(
    shared_database: str, redis_url: str, redis_prefix: str
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": shared_database,
        "REDIS_URL": redis_url,
        "BARNEBY_CACHE_PREFIX": redis_prefix,
        "DJANGO_DEBUG": "0",
    }
    first = _server("first", env)
    second = _server("second", env)
    assert first["pid"] != second["pid"]
    assert first["cache"] == second["cache"] == "RedisCache"
    # Locked out on the first server after the limit; the second refuses the right password too.
    assert first["failures"][-1] == 429
    assert second["sign_in"] == 429
    assert second["cached"] == {"children": 1234, "villages": 570}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_without_redis_each_process_has_its_own_cache_but_shares_the_lockout(shared_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": shared_database, "DJANGO_DEBUG": "0"}
    env.pop("REDIS_URL", None)
    env.pop("BARNEBY_CACHE", None)
    first = _server("first", env)
    second = _server("second", env)
    assert first["cache"] == second["cache"] == "LocMemCache"
    assert second["sign_in"] == 429  # the database holds the lockout whatever the cache
    assert second["cached"] is None  # one process's memory is not shared: never use it with several servers


def test_the_cache_follows_the_environment() -> None:
    """REDIS_URL selects RedisCache, BARNEBY_CACHE=database the database cache, else local memory."""
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    cases = {
        (("REDIS_URL", "redis://127.0.0.1:6379/1"),): "django.core.cache.backends.redis.RedisCache",
        (("BARNEBY_CACHE", "database"),): "django.core.cache.backends.db.DatabaseCache",
        (): "django.core.cache.backends.locmem.LocMemCache",
    }
    for extra, expected in cases.items():
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "BARNEBY_CACHE"}}
        env.update(dict(extra))
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", f"import django; django.setup(); {script}"],
            cwd=BASE_DIR,
            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.stdout.strip() == expected, result.stderr[-2000:]
