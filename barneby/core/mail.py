"""Outgoing e-mail goes through a background task, queued when the transaction commits."""

from __future__ import annotations

from django.db import transaction

from barneby.core.tasks import send_email_task


def send_mail_later(*, subject: str, body: str, to: list[str], from_email: str | None = None) -> None:
    """Queue an e-mail; nothing is sent if the surrounding transaction rolls back."""
    subject = " ".join(subject.splitlines()).strip()
    transaction.on_commit(lambda: send_email_task.enqueue(subject, body, to, from_email))
