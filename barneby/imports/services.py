"""Uploading a file, its trial run (the preview), and the import itself: all rows or none.

The upload's rows are kept encrypted in the database between the preview and
the confirmation, and deleted when the import is done or discarded, or
``UPLOAD_TTL`` after the upload (``purge_expired``, run on every upload and by
the ``purge_import_uploads`` task).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import tablib  # type: ignore[import-untyped]
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.fundraising.selectors import association_required
from barneby.imports.models import ImportKind, Upload
from barneby.imports.resources import ERROR, BarnebyResource, ChildResource, Outcome, SupporterResource

UPLOAD_TTL = dt.timedelta(hours=2)
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Preview:
    upload: Upload
    outcomes: list[tuple[int, Outcome]]
    problems: list[str]  # problems with the file as a whole

    @property
    def counts(self) -> dict[str, int]:
        counts = {"new": 0, "duplicate": 0, "error": 0}
        for _number, outcome in self.outcomes:
            counts[outcome.status] += 1
        return counts

    @property
    def can_import(self) -> bool:
        return not self.problems and not self.counts["error"] and bool(self.outcomes)


def resource_for(kind: str, actor: Any) -> BarnebyResource:
    if kind == ImportKind.CHILDREN:
        return ChildResource(actor=actor)
    return SupporterResource(actor=actor, association=association_required(user=actor))


def template_file(kind: str, fmt: str) -> bytes:
    """An empty file with the columns of ``kind`` (the first row), as CSV or XLSX."""
    resource = ChildResource if kind == ImportKind.CHILDREN else SupporterResource
    data = tablib.Dataset(headers=resource.headers())
    if fmt == "xlsx":
        return bytes(data.export("xlsx"))
    return str(data.export("csv")).encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def read_file(name: str, content: bytes) -> tablib.Dataset:
    """The file as a dataset with its header row; a ValidationError in Norwegian for what cannot be read."""
    if len(content) > MAX_BYTES:
        raise ValidationError(_("Filen er for stor (høyst 10 MB)."))
    lower = name.lower()
    try:
        if lower.endswith(".xlsx"):
            data = tablib.Dataset().load(content, format="xlsx")
        elif lower.endswith(".csv"):
            text = content.decode("utf-8-sig")
            first = text.split("\n", 1)[0]
            delimiter = ";" if first.count(";") > first.count(",") else ","
            data = tablib.Dataset().load(text, format="csv", delimiter=delimiter)
        else:
            raise ValidationError(_("Last opp en CSV- eller XLSX-fil."))
    except ValidationError:
        raise
    except UnicodeDecodeError as exc:
        raise ValidationError(_("CSV-filen må være lagret som UTF-8.")) from exc
    except Exception as exc:  # tablib and openpyxl raise many kinds for a damaged file
        raise ValidationError(_("Filen kunne ikke leses. Bruk malen og lagre som CSV eller XLSX.")) from exc
    data.headers = [str(h or "").strip().lower() for h in (data.headers or [])]
    # Rows a spreadsheet leaves empty at the end are no rows.
    for index in range(len(data) - 1, -1, -1):
        if all(value in (None, "") for value in data[index]):
            del data[index]
    if not len(data):
        raise ValidationError(_("Filen har ingen rader under overskriftene."))
    if len(data) > MAX_ROWS:
        raise ValidationError(_("Filen har for mange rader (høyst {max}).").format(max=MAX_ROWS))
    return data


def _dataset(upload: Upload) -> tablib.Dataset:
    stored = json.loads(upload.rows)
    data = tablib.Dataset(headers=stored["headers"])
    for row in stored["rows"]:
        data.append(row)
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().strftime("%d.%m.%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if value is None or isinstance(value, (str, int, float)):
        return value
    return str(value)


def upload_create(*, actor: Any, kind: str, name: str, content: bytes) -> Preview:
    """Read the file, try every row without saving anything, and keep the rows (encrypted) for the confirmation."""
    purge_expired()
    data = read_file(name, content)
    resource_for(kind, actor)  # a donor-service user without an association is refused here (404)
    upload = Upload.objects.create(
        kind=kind,
        uploaded_by=actor,
        file_name=name[:200],
        row_count=len(data),
        rows=json.dumps({"headers": data.headers, "rows": [[_jsonable(v) for v in row] for row in data]}),
    )
    return preview_run(upload=upload)


def _run(upload: Upload, *, dry_run: bool) -> tuple[list[tuple[int, Outcome]], list[str], bool]:
    resource = resource_for(upload.kind, upload.uploaded_by)
    data = _dataset(upload)
    result = resource.import_data(
        data, dry_run=dry_run, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
    )
    problems = []
    for error in result.base_errors:
        if isinstance(error.error, ValidationError):
            problems += [str(m) for m in error.error.messages]
        else:
            problems.append(_("Uventet feil: {error}").format(error=error.error))
    outcomes: list[tuple[int, Outcome]] = []
    for number in range(1, len(data) + 1):
        outcome = resource.outcomes.get(number) or Outcome(ERROR)
        if outcome.status == ERROR and not outcome.messages:
            outcome.messages.append(_("Raden kunne ikke leses inn."))
        outcomes.append((number, outcome))
    for line in result.row_errors():
        number, errors = line
        outcome = dict(outcomes)[number]
        outcome.status = ERROR
        outcome.messages.append(_("Uventet feil: {error}").format(error=errors[0].error))
    failed = bool(problems) or result.has_errors() or result.has_validation_errors()
    return outcomes, problems, failed


def preview_run(*, upload: Upload) -> Preview:
    outcomes, problems, _failed = _run(upload, dry_run=True)
    upload.outcomes = json.dumps({"problems": problems, "rows": [[number, o.as_json()] for number, o in outcomes]})
    upload.save(update_fields=["outcomes"])
    return Preview(upload, outcomes, problems)


def preview_of(upload: Upload) -> Preview:
    if not upload.outcomes:
        return preview_run(upload=upload)
    stored = json.loads(upload.outcomes)
    outcomes = [(int(n), Outcome(o["status"], o["label"], list(o["messages"]))) for n, o in stored["rows"]]
    return Preview(upload, outcomes, list(stored["problems"]))


def upload_import(*, actor: Any, upload: Upload) -> Preview:
    """Import every row in one transaction; if any row fails now, nothing is saved and the new preview says why."""
    outcomes, problems, failed = _run(upload, dry_run=False)
    preview = Preview(upload, outcomes, problems)
    if failed:
        upload.outcomes = json.dumps({"problems": problems, "rows": [[n, o.as_json()] for n, o in outcomes]})
        upload.save(update_fields=["outcomes"])
        return preview
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=f"imports.{upload.kind}",
            object_id=upload.pk,
            detail=f"rows={upload.row_count};new={preview.counts['new']};duplicate={preview.counts['duplicate']}",
        )
        upload.delete()
    return preview


def upload_discard(*, upload: Upload) -> None:
    upload.delete()


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete uploads older than ``UPLOAD_TTL``: their rows hold personal data nobody confirmed."""
    cutoff = (now or timezone.now()) - UPLOAD_TTL
    deleted, _per_model = Upload.objects.filter(uploaded_at__lt=cutoff).delete()
    return int(deleted)
