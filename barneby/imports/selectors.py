"""An upload is its uploader's alone: nobody else may see its rows, whatever their roles."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from barneby.accounts.scoping import scope_for
from barneby.imports.models import Upload
from barneby.imports.permissions import roles_for


def upload_get_for(*, user: Any, pk: int) -> Upload:
    """The user's own upload, still within its time, of a kind their roles may import; otherwise 404."""
    from barneby.imports.services import purge_expired

    purge_expired()
    upload = Upload.objects.filter(pk=pk, uploaded_by_id=user.pk).select_related("uploaded_by").first()
    if upload is None or not scope_for(user).has_any_role(roles_for(upload.kind)):
        raise Http404
    return upload
