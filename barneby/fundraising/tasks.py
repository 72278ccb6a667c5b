"""The monthly claim run as a background task (immediate in the embedded default, a worker in production)."""

from __future__ import annotations

from django_tasks import task

from barneby.accounts.models import User
from barneby.fundraising import claims, invoices
from barneby.fundraising.models import ClaimRun, PaymentMethod


@task()
def run_claims(run_id: int, actor_id: int | None = None) -> dict[str, object]:
    """Make (or resume) a run's claims and write its file; progress is kept on the run as it goes."""
    run = ClaimRun.objects.select_related("association").get(pk=run_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    finish = invoices.finish_giro_run if run.method == PaymentMethod.GIRO else None
    run = claims.claim_run_execute(actor=actor, run=run, finish=finish)
    return {"run": run.pk, "status": run.status, "claims": run.claim_count}
