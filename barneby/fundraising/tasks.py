"""Background tasks: the monthly claim run and OCR imports (immediate in the embedded default, a worker in production)."""

from __future__ import annotations

from django_tasks import task

from barneby.accounts.models import User
from barneby.fundraising import claims, invoices, payments, receipts
from barneby.fundraising.models import ClaimRun, NetsUploadStatus, PaymentMethod


@task()
def run_claims(run_id: int, actor_id: int | None = None) -> dict[str, object]:
    """Make (or resume) a run's claims and write its file; progress is kept on the run as it goes."""
    run = ClaimRun.objects.select_related("association").get(pk=run_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    finish = invoices.finish_giro_run if run.method == PaymentMethod.GIRO else None
    run = claims.claim_run_execute(actor=actor, run=run, finish=finish)
    return {"run": run.pk, "status": run.status, "claims": run.claim_count}


@task()
def import_ocr_upload(upload_id: int) -> dict[str, object]:
    """Import an uploaded OCR file and schedule its gifts' receipts; the outcome is kept on the upload."""
    upload = payments.ocr_upload_import(upload_id=upload_id)
    if upload is None:
        return {"upload": upload_id, "status": "skipped"}
    if upload.status == NetsUploadStatus.DONE and upload.result is not None:
        receipts.gift_receipts_for_import(upload.result)
    return {"upload": upload.pk, "status": upload.status, "import": upload.result_id}
