"""Outgoing e-mail goes through a background task, queued when the transaction commits."""

from __future__ import annotations

from django.db import transaction

from barneby.core.tasks import send_email_task


def send_mail_later(
    *, subject: str, body: str, to: list[str], from_email: str | None = None, html_body: str | None = None
) -> None:
    """Queue an e-mail; nothing is sent if the surrounding transaction rolls back.

    Render the text before calling, in the request's language: the worker
    has no request and no active language. ``from_email=None`` means
    ``DEFAULT_FROM_EMAIL``.
    """
    # A header must not contain newlines (Django raises BadHeaderError).
    subject = " ".join(subject.splitlines()).strip()
    # robust: the data is committed by then, so a queue that cannot take the
    # task is logged rather than turned into an error page for work already done.
    transaction.on_commit(
        lambda: send_email_task.enqueue(subject, body, to, from_email, html_body),
        robust=True,
    )
