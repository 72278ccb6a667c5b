"""Background tasks: immediate by default, queued for a worker with the database backend."""

from __future__ import annotations

import io
import logging
import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django_tasks import TaskResultStatus, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from barneby.accounts.forms import QueuedPasswordResetForm
from barneby.core.mail import send_mail_later
from barneby.core.tests.personas import make_user

pytestmark = pytest.mark.django_db
TO = ["a@test.barneby.example"]
RESET_URL = "/konto/glemt-passord/"


class BrokenEmailBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def database_backend(settings: Settings) -> None:
    # django-tasks clears its cached backends on setting_changed (its
    # signals.clear_tasks_handlers), both here and when the fixture undoes
    # the override; the assertion keeps us honest if that ever changes.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert isinstance(task_backends["default"], DatabaseBackend)


@pytest.fixture
def run_worker() -> Iterator[Callable[[], str]]:
    """Run ``db_worker`` until the queue is empty; returns its output.

    The command installs its own SIGINT/SIGTERM handlers and sets its
    loggers' levels for the life of the process; both are put back so the
    rest of the test session keeps pytest's Ctrl-C and our logging.
    """
    signals = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)) if s is not None]
    handlers = {s: signal.getsignal(s) for s in signals}
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django.tasks", "django_tasks_db")]
    levels = {log: log.level for log in loggers}

    def run() -> str:
        out = io.StringIO()
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, verbosity=0)
        return out.getvalue()

    try:
        yield run
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for log, level in levels.items():
            log.setLevel(level)


def test_the_default_backend_in_tests_is_immediate() -> None:
    assert isinstance(task_backends["default"], ImmediateBackend)


def test_immediate_backend_sends_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_mail_later(subject="Hei\nder", body="Tekst", to=TO)
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.subject, sent.body, sent.to) == ("Hei der", "Tekst", TO)
    assert sent.from_email == "Barneby <ikke-svar@barneby.example>"


def test_html_body_is_sent_as_an_alternative(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_mail_later(subject="s", body="tekst", to=TO, html_body="<p>tekst</p>", from_email="x@barneby.example")
    sent = mail.outbox[0]
    assert isinstance(sent, EmailMultiAlternatives)
    assert sent.alternatives == [("<p>tekst</p>", "text/html")]
    assert sent.from_email == "x@barneby.example"


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        send_mail_later(subject="x", body="y", to=TO)
        raise RuntimeError("rollback")
    assert mail.outbox == []


def test_a_failing_mail_server_does_not_break_the_password_reset_page(
    settings: Settings, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Django's own reset form logs and swallows send errors, so the answer
    # never reveals whether the address has an account; ours must too.
    settings.EMAIL_BACKEND = f"{__name__}.BrokenEmailBackend"
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(RESET_URL, {"email": user.email})
    assert response.status_code == 302
    assert any(record.levelno == logging.ERROR and "FAILED" in record.getMessage() for record in caplog.records)


def test_password_reset_mail_goes_through_the_task(django_capture_on_commit_callbacks: Any) -> None:
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = Client().post(RESET_URL, {"email": user.email})
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [user.email]
    assert sent.subject == "Nytt passord i Barneby"
    assert "/konto/glemt-passord/" in sent.body


def test_password_reset_for_an_unknown_address_queues_nothing(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = Client().post(RESET_URL, {"email": "ingen@test.barneby.example"})
    assert response.status_code == 302
    assert callbacks == []
    assert mail.outbox == []


def test_the_reset_form_sends_an_html_alternative_when_asked(django_capture_on_commit_callbacks: Any) -> None:
    # Our view sends plain text only; the form still honours Django's whole contract.
    user = make_user()
    context = {"user": user, "protocol": "https", "domain": "barneby.example", "uid": "MQ", "token": "abc-123"}
    with django_capture_on_commit_callbacks(execute=True):
        QueuedPasswordResetForm().send_mail(
            "accounts/password_reset_subject.txt",
            "accounts/password_reset_email.txt",
            context,
            None,
            user.email,
            html_email_template_name="accounts/password_reset_email.txt",
        )
    sent = mail.outbox[0]
    assert isinstance(sent, EmailMultiAlternatives)
    assert "https://barneby.example/konto/glemt-passord/MQ/abc-123/" in sent.body
    assert sent.alternatives == [(sent.body, "text/html")]


# The worker closes its database connection after each batch, as a long-running
# process should; that needs a test outside the usual wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_and_the_worker_sends(
    database_backend: None, run_worker: Callable[[], str], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_mail_later(subject="Kø", body="Tekst", to=TO)
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == "barneby.core.tasks.send_email_task"
    run_worker()
    assert [m.subject for m in mail.outbox] == ["Kø"]
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert queued.return_value == 1


@pytest.mark.django_db(transaction=True)
def test_password_reset_with_the_database_backend_waits_for_the_worker(
    database_backend: None, run_worker: Callable[[], str]
) -> None:
    user = make_user()
    # No wrapping transaction here, so on_commit runs as soon as the request's writes commit.
    assert Client().post(RESET_URL, {"email": user.email}).status_code == 302
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    run_worker()
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_recorded_on_the_task(
    settings: Settings, database_backend: None, run_worker: Callable[[], str]
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.BrokenEmailBackend"
    with transaction.atomic():
        send_mail_later(subject="x", body="y", to=TO)
    run_worker()
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.FAILED
    assert "ConnectionRefusedError" in result.exception_class_path
