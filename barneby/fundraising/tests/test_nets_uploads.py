"""An OCR file is checked on upload and imported by a background task; the import page shows how it stands."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from barneby.accounts.models import User
from barneby.core.tests.personas import verified_client
from barneby.fundraising import payments, tasks
from barneby.fundraising.models import NetsUpload, NetsUploadStatus, OcrImport, Payment
from barneby.fundraising.tests import factories as f
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db

# A backend that only records what was enqueued, as the database worker would before it picks the task up.
QUEUE_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _ocr(association: MemberAssociation, amount: str = "350") -> bytes:
    agreement = f.agreement(f.supporter(association))
    return f.ocr_file([(agreement.kid, Decimal(amount)), ("000000000018", Decimal("200"))]).encode("iso-8859-1")


def _post(client: Client, data: bytes, name: str = "ocr.txt") -> Any:
    return client.post("/innsamling/nets/", {"kind": "ocr", "file": SimpleUploadedFile(name, data)})


def test_the_upload_is_queued_and_the_worker_imports_it(association: MemberAssociation, donor_service: User) -> None:
    data = _ocr(association)
    client = verified_client(donor_service)
    with override_settings(TASKS=QUEUE_ONLY):
        response = _post(client, data)
        assert response["Location"] == "/innsamling/nets/"
        upload = NetsUpload.objects.get()
        assert upload.data is not None
        assert (upload.status, bytes(upload.data), upload.file_name) == (NetsUploadStatus.QUEUED, data, "ocr.txt")
        assert not OcrImport.objects.exists()
        page = client.get("/innsamling/nets/").content.decode()
        assert "I kø" in page
        assert 'hx-trigger="every 2s"' in page  # the list polls while a file waits
        again = _post(client, data, "again.txt")  # a double submit while the first waits
        assert again.status_code == 400
        assert "venter på innlesing" in again.content.decode()
        assert NetsUpload.objects.count() == 1
    tasks.import_ocr_upload.call(upload.pk)  # the worker runs it
    upload.refresh_from_db()
    record = OcrImport.objects.get()
    assert upload.data is None
    assert (upload.status, upload.result) == (NetsUploadStatus.DONE, record)
    assert upload.finished_at is not None
    assert (record.transaction_count, record.unmatched_count, record.imported_by) == (2, 1, donor_service)
    assert Payment.objects.count() == 2
    tasks.import_ocr_upload.call(upload.pk)  # run twice by mistake: nothing more
    assert (OcrImport.objects.count(), Payment.objects.count()) == (1, 2)
    page = client.get("/innsamling/nets/").content.decode()
    assert "I kø" not in page
    assert 'hx-trigger="every 2s"' not in page
    assert f'id="import-{record.pk}"' in page


def test_the_immediate_backend_imports_while_the_user_waits(
    association: MemberAssociation, donor_service: User
) -> None:
    client = verified_client(donor_service)
    response = _post(client, _ocr(association))
    assert response["Location"] == "/innsamling/nets/"
    page = client.get("/innsamling/nets/").content.decode()
    assert "Importert: 2 innbetalinger, 1 ikke avstemt." in page
    upload = NetsUpload.objects.get()
    assert (upload.status, upload.data, upload.result) == (NetsUploadStatus.DONE, None, OcrImport.objects.get())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"NY000010 not a nets file", None),
        ("wrong recipient", "er adressert til kundeenhet"),
    ],
)
def test_a_bad_file_is_refused_on_the_form_and_nothing_is_stored(
    association: MemberAssociation, donor_service: User, data: bytes | str, message: str | None
) -> None:
    if isinstance(data, str):
        data = f.ocr_file([("000000000018", Decimal(5))], recipient="00001234").encode("iso-8859-1")
    client = verified_client(donor_service)
    response = _post(client, data)
    assert response.status_code == 400
    if message:
        assert message in response.content.decode()
    assert not NetsUpload.objects.exists()
    assert not OcrImport.objects.exists()


def test_a_file_imported_already_is_refused_on_the_form(association: MemberAssociation, donor_service: User) -> None:
    data = _ocr(association)
    client = verified_client(donor_service)
    _post(client, data)
    again = _post(client, data)
    assert again.status_code == 400
    assert "allerede importert" in again.content.decode()
    assert NetsUpload.objects.count() == 1


def test_the_same_file_queued_twice_at_once_is_imported_once(
    association: MemberAssociation, donor_service: User
) -> None:
    data = _ocr(association)
    first = payments.ocr_upload(actor=donor_service, association=association, data=data, file_name="a.txt")
    # The second request checked the file before the first was stored (two app servers at once).
    second = NetsUpload.objects.create(
        association=association,
        file_name="b.txt",
        transmission_number=first.transmission_number,
        data_transmitter=first.data_transmitter,
        data=data,
        uploaded_by=donor_service,
    )
    tasks.import_ocr_upload.call(first.pk)
    tasks.import_ocr_upload.call(second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == NetsUploadStatus.DONE
    assert (second.status, second.data, second.result) == (NetsUploadStatus.FAILED, None, None)
    assert "allerede importert" in second.error
    assert (OcrImport.objects.count(), Payment.objects.count()) == (1, 2)


def test_a_failed_task_shows_its_message_on_the_page(
    association: MemberAssociation, donor_service: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import ValidationError

    def refused(**_kw: object) -> OcrImport:
        raise ValidationError("Sluttposten stemmer ikke med transaksjonene.")

    data = _ocr(association)
    client = verified_client(donor_service)
    with override_settings(TASKS=QUEUE_ONLY):
        _post(client, data)
    monkeypatch.setattr(payments, "ocr_import", refused)
    tasks.import_ocr_upload.call(NetsUpload.objects.get().pk)
    upload = NetsUpload.objects.get()
    assert (upload.status, upload.data) == (NetsUploadStatus.FAILED, None)
    page = client.get("/innsamling/nets/").content.decode()
    assert "Feilet: Sluttposten stemmer ikke med transaksjonene." in page
    assert 'hx-trigger="every 2s"' not in page


def test_an_unexpected_error_marks_the_upload_failed_and_is_raised(
    association: MemberAssociation, donor_service: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_kw: object) -> OcrImport:
        raise RuntimeError("disk full")

    data = _ocr(association)
    upload = payments.ocr_upload(actor=donor_service, association=association, data=data, file_name="a.txt")
    monkeypatch.setattr(payments, "ocr_import", broken)
    with pytest.raises(RuntimeError):
        tasks.import_ocr_upload.call(upload.pk)
    upload.refresh_from_db()
    assert upload.status == NetsUploadStatus.FAILED
    assert "uventet feil" in upload.error
    assert upload.data is None
    assert not OcrImport.objects.exists()


def test_another_associations_uploads_are_not_shown(
    association: MemberAssociation,
    other_association: MemberAssociation,
    donor_service: User,
    other_donor_service: User,
) -> None:
    with override_settings(TASKS=QUEUE_ONLY):
        _post(verified_client(other_donor_service), _ocr(other_association), "theirs.txt")
    upload = NetsUpload.objects.get()
    assert upload.association == other_association
    page = verified_client(donor_service).get("/innsamling/nets/").content.decode()
    assert "theirs.txt" not in page
    assert upload.transmission_number not in page
    assert "I kø" not in page


def test_an_upload_whose_worker_was_lost_is_shown_failed_and_can_be_uploaded_again(
    association: MemberAssociation, donor_service: User
) -> None:
    data = _ocr(association)
    upload = payments.ocr_upload(actor=donor_service, association=association, data=data, file_name="a.txt")
    # A worker took it, then was killed: the import's transaction never committed, the upload stays "running".
    started = timezone.now() - payments.UPLOAD_STALE - dt.timedelta(minutes=1)
    NetsUpload.objects.filter(pk=upload.pk).update(status=NetsUploadStatus.RUNNING, updated_at=started)
    client = verified_client(donor_service)
    page = client.get("/innsamling/nets/").content.decode()
    upload.refresh_from_db()
    assert upload.status == NetsUploadStatus.FAILED
    assert upload.data is None
    assert "avbrutt" in upload.error
    assert "avbrutt" in page
    assert 'hx-trigger="every 2s"' not in page  # nothing waits any more
    with override_settings(TASKS=QUEUE_ONLY):
        again = _post(client, data, "again.txt")  # the same file, uploaded again: accepted this time
    assert again.status_code == 302
    assert NetsUpload.objects.filter(status=NetsUploadStatus.QUEUED, file_name="again.txt").exists()


def test_an_upload_running_for_a_short_while_is_still_running(
    association: MemberAssociation, donor_service: User
) -> None:
    data = _ocr(association)
    upload = payments.ocr_upload(actor=donor_service, association=association, data=data, file_name="a.txt")
    started = timezone.now() - dt.timedelta(minutes=10)
    NetsUpload.objects.filter(pk=upload.pk).update(status=NetsUploadStatus.RUNNING, updated_at=started)
    assert payments.ocr_uploads_interrupted() == 0
    with pytest.raises(ValidationError, match="venter på innlesing"):
        payments.ocr_upload(actor=donor_service, association=association, data=data, file_name="b.txt")
    upload.refresh_from_db()
    assert (upload.status, upload.data is not None) == (NetsUploadStatus.RUNNING, True)
