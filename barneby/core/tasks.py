"""Background tasks through Django's task API (the django-tasks backport).

With the default ``immediate`` backend a task runs at once, inside the
request; with ``BARNEBY_TASKS_BACKEND=database`` it is queued and run by
``manage.py db_worker``. Task arguments must be JSON: pass ids and strings,
never model instances.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django_tasks import task


@task()
def send_email_task(subject: str, body: str, to: list[str], from_email: str | None = None) -> int:
    """Send one plain-text e-mail; returns the number of messages sent (0 or 1)."""
    return EmailMessage(subject=subject, body=body, to=to, from_email=from_email).send()
