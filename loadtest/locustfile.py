"""Barneby under a realistic staff and public mix (Locust): caseworkers, donor service, a batch run, visitors.

The mix is four times an assumed national peak (``sizing.py`` beside this file:
10 caseworkers, 3 donor-service staff and 25 visitors at once), so 40, 12 and
100, plus one donor-service user who starts the month's AvtaleGiro claim run (run by
the database-backed task worker) and imports an OCR giro file, then watches the
run's progress page.

* caseworkers sign in with password and second factor, open their child list,
  read child pages (each read is audit-logged) and now and then save a child's
  edit form (a write with its optimistic-locking version); each load user edits
  only its own share of the children, so no edit meets a concurrent one;
* donor service searches supporters by name and opens one of the results;
* visitors read the public website (home page, the pages the sitemap lists, a search).

Settings come from the environment (``bench/scale.py`` sets them):
``BARNEBY_LOADTEST_USERS`` is a JSON file with the load-test logins and their
authenticator keys (hex), the OCR file and the claim month. The authenticator
codes are made here (RFC 6238), as a phone would.

Run on its own: locust -f loadtest/locustfile.py --headless -u 153 -r 5 -t 90s --host http://127.0.0.1:8000
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from locust import HttpUser, between, task
from sizing import CASEWORKERS, DONOR_SERVICE, VISITORS

SEARCHES = ("Hansen", "Olsen", "Berg", "Johansen", "Larsen", "Nilsen", "Dahl", "Lie", "Haugen", "Bakke")
# Which page or record a simulated user picks: no security meaning.
RNG = random.Random()  # noqa: S311
PUBLIC_FALLBACK = ("/", "/sok/?q=barnebyer", "/informasjonskapsler/")

_CONFIG: dict[str, Any] | None = None
_LOCK = threading.Lock()
_COUNTERS: dict[str, itertools.count[int]] = {}
_SITE: dict[str, list[str]] = {}


def config() -> dict[str, Any]:
    global _CONFIG
    if _CONFIG is None:
        path = os.environ.get("BARNEBY_LOADTEST_USERS", "")
        _CONFIG = json.loads(Path(path).read_text()) if path else {}
    return _CONFIG


def _next(kind: str) -> int:
    """0, 1, 2 … per kind of user: which login a new simulated user takes."""
    with _LOCK:
        return next(_COUNTERS.setdefault(kind, itertools.count()))


def totp(key_hex: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The authenticator code for ``key_hex`` now (RFC 6238, SHA-1, as django-otp checks it)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


class _Forms(HTMLParser):
    """The POST forms of a page: their action and the values a browser would send unchanged.

    Values are lists, as a browser sends them: a ticked checkbox or a selected
    option each add one; a single select with nothing marked sends its first option,
    a multiple select with nothing marked sends nothing.
    """

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: tuple[str, bool, list[str]] | None = None  # name, multiple, options seen
        self._textarea: str | None = None

    def _fields(self) -> dict[str, list[str]]:
        fields: dict[str, list[str]] = self.forms[-1]["fields"]
        return fields

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": {}})
            return
        if not self.forms:
            return
        if tag == "option" and self._select is not None:
            name, _multiple, seen = self._select
            seen.append(a.get("value", ""))
            if "selected" in a:
                self._fields().setdefault(name, []).append(a.get("value", ""))
            return
        name = a.get("name", "")
        if not name or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._fields().setdefault(name, []).append(a.get("value", "on"))
            elif kind not in {"submit", "button", "file", "reset", "image"}:
                self._fields().setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = (name, "multiple" in a, [])
        elif tag == "textarea":
            self._textarea = name
            self._fields().setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            name, multiple, seen = self._select
            if not multiple and name not in self._fields() and seen:
                self._fields()[name] = [seen[0]]
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self._fields()[self._textarea][-1] += data


def post_form(html: str) -> dict[str, Any] | None:
    """The page's main POST form: the one with the most fields (the header's language and sign-out forms have one)."""
    parser = _Forms()
    parser.feed(html)
    posts = [f for f in parser.forms if f["method"] == "post" and "csrfmiddlewaretoken" in f["fields"]]
    return max(posts, key=lambda f: len(f["fields"]), default=None)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


class StaffUser(HttpUser):
    """Signs in through the real form and the second factor, as the login of ``kind`` it is given."""

    abstract = True
    kind = ""

    def on_start(self) -> None:
        logins = config().get(self.kind, [])
        self.index = _next(self.kind)
        self.login = logins[self.index % len(logins)] if logins else None
        if self.login is None:
            raise RuntimeError(f"no load-test login of kind {self.kind!r} (BARNEBY_LOADTEST_USERS)")
        self.sign_in()

    def sign_in(self) -> None:
        assert self.login is not None
        page = self.client.get("/konto/logg-inn/", name="sign in (form)")
        with self.client.post(
            "/konto/logg-inn/",
            data={
                "csrfmiddlewaretoken": csrf_of(page.text),
                "username": self.login["email"],
                "password": self.login["password"],
            },
            name="sign in (password)",
            catch_response=True,
        ) as answer:
            if "/konto/tofaktor/" not in answer.url:
                answer.failure(f"no second-factor step after the password: {answer.url}")
                return
        # A code is accepted once per 30-second step; a user signing in again waits for the next one.
        with self.client.post(
            answer.url,
            data={"csrfmiddlewaretoken": csrf_of(answer.text), "token": totp(self.login["totp_key"])},
            name="sign in (second factor)",
            catch_response=True,
        ) as verified:
            if "/konto/" in urlparse(verified.url).path:
                verified.failure(f"the second factor was not accepted: {verified.url}")


class Caseworker(StaffUser):
    """Reads child pages most of the time, and saves a child's edit form about one time in six."""

    kind = "caseworkers"
    fixed_count = CASEWORKERS
    wait_time = between(10, 30)  # a child's page is read, not glanced at

    def on_start(self) -> None:
        super().on_start()
        self.children: list[int] = []
        self.list_children()

    @task(2)
    def list_children(self) -> None:
        answer = self.client.get("/omsorg/barn/", name="/omsorg/barn/ (list)")
        found = sorted({int(pk) for pk in re.findall(r'href="/omsorg/barn/(\d+)/"', answer.text)})
        if found:
            self.children = found

    @task(8)
    def read_child(self) -> None:
        if self.children:
            self.client.get(f"/omsorg/barn/{RNG.choice(self.children)}/", name="/omsorg/barn/[id]/ (read)")

    @task(2)
    def edit_child(self) -> None:
        total = len(config().get(self.kind, [])) or 1
        mine = [pk for pk in self.children if pk % total == self.index % total]
        if not mine:
            return
        pk = RNG.choice(mine)
        url = f"/omsorg/barn/{pk}/endre/"
        page = self.client.get(url, name="/omsorg/barn/[id]/endre/ (form)")
        form = post_form(page.text)
        if form is None:
            return
        fields: dict[str, list[str]] = dict(form["fields"])
        if "languages" in fields:
            fields["languages"] = ["norsk" if fields["languages"] != ["norsk"] else "norsk, engelsk"]
        with self.client.post(url, data=fields, name="/omsorg/barn/[id]/endre/ (save)", catch_response=True) as saved:
            if urlparse(saved.url).path != f"/omsorg/barn/{pk}/":
                problems = re.findall(r'class="[^"]*(?:error|feil)[^"]*"[^>]*>\s*([^<\s][^<]{2,160})', saved.text)
                saved.failure(f"the edit was not saved (answered {saved.status_code}): {problems[:3]}")


class DonorService(StaffUser):
    """Searches supporters by name and opens one of the results."""

    kind = "donor_service"
    fixed_count = DONOR_SERVICE
    wait_time = between(5, 20)  # a supporter on the phone

    @task(3)
    def search(self) -> None:
        answer = self.client.get(f"/innsamling/givere/?q={RNG.choice(SEARCHES)}", name="/innsamling/givere/?q=")
        found = re.findall(r'href="/innsamling/givere/(\d+)/"', answer.text)
        if found:
            self.client.get(f"/innsamling/givere/{RNG.choice(found)}/", name="/innsamling/givere/[id]/")

    @task(1)
    def browse(self) -> None:
        self.client.get("/innsamling/givere/", name="/innsamling/givere/")


class BatchOperator(StaffUser):
    """Starts the month's claim run (the task worker runs it) and imports an OCR file, then watches the run."""

    kind = "operators"
    fixed_count = 1
    wait_time = between(4, 6)

    def on_start(self) -> None:
        super().on_start()
        settings = config().get("batch", {})
        page = self.client.get("/innsamling/trekk/", name="/innsamling/trekk/")
        with self.client.post(
            "/innsamling/trekk/",
            data={"csrfmiddlewaretoken": csrf_of(page.text), "method": "avtalegiro", "period": settings["period"]},
            name="/innsamling/trekk/ (start claim run)",
            catch_response=True,
        ) as started:
            if urlparse(started.url).path != "/innsamling/trekk/" or started.status_code != 200:
                started.failure(f"claim run not started: {started.status_code}")
        form = self.client.get("/innsamling/nets/", name="/innsamling/nets/")
        with self.client.post(
            "/innsamling/nets/",
            data={"csrfmiddlewaretoken": csrf_of(form.text), "kind": "ocr"},
            files={"file": ("ocr.txt", Path(settings["ocr_file"]).read_bytes(), "text/plain")},
            name="/innsamling/nets/ (OCR import)",
            catch_response=True,
        ) as imported:
            if imported.status_code != 200 or "/innsamling/nets/" not in imported.url:
                imported.failure(f"OCR import answered {imported.status_code}")

    @task
    def watch(self) -> None:
        self.client.get("/innsamling/trekk/", name="/innsamling/trekk/ (progress)")


class Visitor(HttpUser):
    """Anonymous: the home page, the pages the sitemap lists, now and then a search."""

    fixed_count = VISITORS
    wait_time = between(5, 25)

    def on_start(self) -> None:
        self.pages = self.public_pages()

    def public_pages(self) -> list[str]:
        """The site's Norwegian pages from its sitemap, read once per Locust process (visitors do not read it)."""
        with _LOCK:
            if "pages" not in _SITE:
                answer = self.client.get("/sitemap.xml", name="/sitemap.xml")
                pages = [urlparse(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", answer.text)]
                _SITE["pages"] = [p for p in pages if not p.startswith("/en/")] or list(PUBLIC_FALLBACK)
            return list(_SITE["pages"])

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="/ (home)")

    @task(6)
    def page(self) -> None:
        self.client.get(RNG.choice(self.pages), name="public page")

    @task(1)
    def search(self) -> None:
        self.client.get("/sok/?q=fadder", name="/sok/?q=")
