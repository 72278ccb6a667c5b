"""The anonymous report and follow-up: nothing about the visitor stored, code + secret open one case only,
five wrong secrets lock the code, attachments checked by content and size, bots and floods refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from barneby.audit.models import AuditEvent
from barneby.safeguarding import forms, services
from barneby.safeguarding.models import (
    Attachment,
    CaseEvent,
    Channel,
    Concern,
    RateCount,
    ReporterLock,
)
from barneby.safeguarding.tests.conftest import PDF, PNG, SgWorld, public_case

pytestmark = pytest.mark.django_db

REPORT = "/varsling/meld/"
ACCESS = "/varsling/min-sak/"
REPLY = "/varsling/min-sak/svar/"
IP = "203.0.113.77"
UA = "Mozilla/5.0 (Sporbar Nettleser 1.0)"


def _stamp(seconds_ago: int = 60) -> str:
    return signing.dumps(timezone.now().timestamp() - seconds_ago, salt=forms.FORM_SALT)


def _form(world: SgWorld, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "association": world.a.pk,
        "category": "sexual",
        "details": "En voksen tok bilder av barna i dusjen.",
        "place": "Svømmehallen",
        "concerns_child": "yes",
        "stamp": _stamp(),
        "website": "",
    }
    data.update(extra)
    return data


def _post(client: Client, data: dict[str, Any]) -> Any:
    return client.post(REPORT, data, REMOTE_ADDR=IP, HTTP_USER_AGENT=UA, HTTP_X_FORWARDED_FOR=IP)


def _all_text_in(tables: list[str]) -> str:
    """Every value of every row of these tables, as text."""
    found = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            found += [str(v) for row in cursor.fetchall() for v in row]
    return "\n".join(found)


def test_the_form_is_open_to_anyone_in_norwegian_and_english(sg: SgWorld) -> None:
    client = Client()
    nb = client.get(REPORT)
    assert nb.status_code == 200
    assert "Si fra om en bekymring" in nb.content.decode()
    client.cookies["django_language"] = "en"
    en = client.get(REPORT)
    assert en.status_code == 200
    assert 'lang="en"' in en.content.decode()


def test_an_anonymous_report_stores_no_address_agent_or_session(sg: SgWorld) -> None:
    client = Client()
    response = _post(client, _form(sg, attachment=SimpleUploadedFile("bilde.png", PNG, "image/png")))
    assert response.status_code == 200, response.content.decode()[:2000]
    concern = Concern.objects.get()
    assert concern.channel == Channel.PUBLIC
    assert concern.reported_by is None
    code, secret = response.context["code"], response.context["secret"]
    assert concern.code == code
    assert secret not in concern.secret_hash
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    # Re-encoded: the picture stays, the metadata naming its author is gone.
    assert services.attachment_bytes(attachment).startswith(b"\x89PNG")
    assert b"Ola Nordmann" not in services.attachment_bytes(attachment)
    assert b"Ola Nordmann" in PNG
    # Read the rows themselves: neither the address nor the browser is anywhere in safeguarding or audit.
    tables = [
        "safeguarding_concern",
        "safeguarding_caseevent",
        "safeguarding_attachment",
        "safeguarding_ratecount",
        "safeguarding_ratesalt",
        "audit_auditevent",
    ]
    stored = _all_text_in(tables)
    assert IP not in stored
    assert "Sporbar" not in stored
    assert not AuditEvent.objects.exclude(ip_address=None).exists()
    assert set(AuditEvent.objects.values_list("user_agent", flat=True)) == {""}
    # No session was opened and no cookie set but the CSRF one.
    assert set(response.cookies) <= {"csrftoken"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_session")
        assert cursor.fetchone()[0] == 0
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_code_and_secret_open_that_case_only_and_the_reporter_can_answer(sg: SgWorld) -> None:
    mine, secret = public_case(sg)
    other, other_secret = public_case(sg, details="En annen sak.")
    services.concern_ask_reporter(actor=sg.focal_a, concern=mine, text="Når skjedde det?")
    services.concern_note(actor=sg.focal_a, concern=mine, text="Internt notat som ikke skal vises.")
    client = Client()
    page = client.post(ACCESS, {"code": mine.code.lower().replace("-", " "), "secret": secret})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Når skjedde det?" in html
    assert "Internt notat" not in html
    assert "En annen sak" not in html
    # The other case's secret does not open this case.
    assert client.post(ACCESS, {"code": mine.code, "secret": other_secret}).status_code == 400
    token = page.context["form"]["token"].value()
    answer = client.post(REPLY, {"token": token, "text": "I går kveld."})
    assert answer.status_code == 200
    assert "I går kveld." in answer.content.decode()
    reply = CaseEvent.objects.get(concern=mine, kind="reporter")
    assert reply.actor is None
    assert reply.shared_with_reporter
    assert not CaseEvent.objects.filter(concern=other, kind="reporter").exists()
    # A forged token opens nothing.
    forged = client.post(REPLY, {"token": token[:-2] + "xx", "text": "Hei"})
    assert forged.status_code == 400
    assert CaseEvent.objects.filter(kind="reporter").count() == 1


def test_a_staff_case_code_cannot_be_opened_as_anonymous(sg: SgWorld) -> None:
    from barneby.safeguarding.tests.conftest import staff_case

    concern = staff_case(sg)
    assert Client().post(ACCESS, {"code": concern.code, "secret": "x"}).status_code == 400


def test_five_wrong_secrets_lock_the_code_for_a_while(sg: SgWorld, settings: Any) -> None:
    concern, secret = public_case(sg)
    client = Client()
    for _attempt in range(4):
        assert client.post(ACCESS, {"code": concern.code, "secret": "FEIL"}).status_code == 400
    assert ReporterLock.objects.get(concern=concern).failures == 4
    fifth = client.post(ACCESS, {"code": concern.code, "secret": "FEIL"})
    assert fifth.status_code == 429
    assert "sperret" in fifth.content.decode()
    # Locked: even the right secret is refused now.
    assert client.post(ACCESS, {"code": concern.code, "secret": secret}).status_code == 429
    # After the lock time it opens again.
    later = timezone.now() + dt.timedelta(minutes=services.DEFAULT_LOCK_MINUTES + 1)
    assert services.reporter_open(code=concern.code, secret=secret, now=later) == concern


def test_an_oversized_attachment_is_refused_with_a_clear_message_and_nothing_saved(sg: SgWorld, settings: Any) -> None:
    settings.SAFEGUARDING_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("stor.pdf", PDF + b"0" * 2048, "application/pdf")
    response = _post(Client(), _form(sg, attachment=big))
    assert response.status_code == 400
    assert "Vedlegget er for stort" in response.content.decode()
    assert not Concern.objects.exists()
    assert not Attachment.objects.exists()


def test_a_wrong_type_attachment_is_refused_by_its_content_not_its_name(sg: SgWorld) -> None:
    disguised = SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00 this is an exe", "application/pdf")
    response = _post(Client(), _form(sg, attachment=disguised))
    assert response.status_code == 400
    assert "PDF, et JPEG-bilde eller et PNG-bilde" in response.content.decode()
    assert not Concern.objects.exists()
    assert not Attachment.objects.exists()


def test_the_honeypot_and_the_time_check_stop_bots(sg: SgWorld) -> None:
    assert _post(Client(), _form(sg, website="http://spam.example")).status_code == 400
    assert _post(Client(), _form(sg, stamp=_stamp(seconds_ago=0))).status_code == 400
    assert _post(Client(), _form(sg, stamp="forged")).status_code == 400
    assert not Concern.objects.exists()


def test_submissions_are_rate_limited_by_a_hashed_address(sg: SgWorld, settings: Any) -> None:
    settings.SAFEGUARDING_RATE_LIMIT_PER_HOUR = 2
    client = Client()
    assert _post(client, _form(sg)).status_code == 200
    assert _post(client, _form(sg)).status_code == 200
    third = _post(client, _form(sg))
    assert third.status_code == 429
    assert Concern.objects.count() == 2
    keys = list(RateCount.objects.values_list("key", flat=True))
    assert len(keys) == 1
    assert IP not in keys[0]
    assert len(keys[0]) == 64
    # Another address is not held back.
    other = Client().post(REPORT, _form(sg), REMOTE_ADDR="198.51.100.5")
    assert other.status_code == 200


def test_the_reporter_cannot_add_to_a_closed_case(sg: SgWorld) -> None:
    from django.core.exceptions import ValidationError

    from barneby.safeguarding.models import Outcome, Severity

    concern, _secret = public_case(sg)
    focal = sg.focal_a
    concern = services.concern_acknowledge(actor=focal, concern=concern)
    concern = services.concern_assess(actor=focal, concern=concern, risk_level=Severity.LOW, child_at_risk=False)
    concern = services.concern_investigate(actor=focal, concern=concern, investigator=focal, plan="p")
    concern = services.concern_conclude(actor=focal, concern=concern, outcome=Outcome.NOT_SUBSTANTIATED)
    concern = services.concern_close(actor=focal, concern=concern, actions=[], lessons="l")
    with pytest.raises(ValidationError):
        services.reporter_add(concern=concern, text="Mer")


def test_an_empty_post_is_answered_with_form_errors(sg: SgWorld) -> None:
    assert Client().post(REPORT, {}).status_code == 400
    assert Client().post(ACCESS, {}).status_code == 400
    assert not Concern.objects.exists()


def test_a_file_that_only_starts_like_an_image_is_refused(sg: SgWorld) -> None:
    fake = SimpleUploadedFile("bilde.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    response = _post(Client(), _form(sg, attachment=fake))
    assert response.status_code == 400
    assert "Bildet kunne ikke leses" in response.content.decode()
    assert not Concern.objects.exists()
