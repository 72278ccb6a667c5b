"""Background tasks: immediate by default, queued for a worker with the database backend."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from pytest_django import Settings

from barneby.core.mail import send_mail_later

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_backend(settings: Settings) -> None:
    # django-tasks drops its cached backends on setting_changed, so this is enough.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_immediate_backend_sends_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_mail_later(subject="Hei\nder", body="Tekst", to=["a@test.barneby.example"])
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hei der"


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                send_mail_later(subject="x", body="y", to=["a@test.barneby.example"])
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert mail.outbox == []


# The worker closes its database connection after each batch, as a long-running
# process should; that needs a test outside the usual wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_and_the_worker_sends(
    database_backend: None, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        send_mail_later(subject="Kø", body="Tekst", to=["a@test.barneby.example"])
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
