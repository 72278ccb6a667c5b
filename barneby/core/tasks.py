"""Background tasks through Django's task API (the django-tasks backport).

With the default ``immediate`` backend a task runs at once, inside the
request; with ``BARNEBY_TASKS_BACKEND=database`` it is queued and run by
``manage.py db_worker``. Task arguments must be JSON: pass ids and strings,
never model instances.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email_task(
    subject: str, body: str, to: list[str], from_email: str | None = None, html_body: str | None = None
) -> int:
    """Send one e-mail (plain text, with an optional HTML alternative); returns the number sent (0 or 1).

    A failure raises, so the backend records the task as failed and logs it;
    the request that queued the e-mail has long since answered.
    """
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    if html_body is not None:
        message.attach_alternative(html_body, "text/html")
    return message.send()


@task()
def backup_task() -> str:
    """The scheduled backup: a dated, encrypted archive in BARNEBY_BACKUP_DIR (see barneby/core/backup.py)."""
    from barneby.core.backup import scheduled_backup

    return str(scheduled_backup())
