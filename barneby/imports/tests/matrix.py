"""The import pages' part of the URL allow list and the persona matrix (see core/tests/app_matrix.py)."""

from __future__ import annotations

import json
import re

from barneby.core.access import AccessRule
from barneby.core.tests.app_matrix import WorldContext
from barneby.imports.models import ImportKind, Upload
from barneby.imports.permissions import CHILD_IMPORTERS, IMPORTERS, SUPPORTER_IMPORTERS

EXPECTED: dict[str, AccessRule] = {
    "imports:index": AccessRule(roles=IMPORTERS),
    "imports:children": AccessRule(roles=CHILD_IMPORTERS),
    "imports:children-template": AccessRule(roles=CHILD_IMPORTERS, personal_data=False),
    "imports:supporters": AccessRule(roles=SUPPORTER_IMPORTERS, hidden=True),
    "imports:supporters-template": AccessRule(roles=SUPPORTER_IMPORTERS, personal_data=False, hidden=True),
    "imports:preview": AccessRule(roles=IMPORTERS),
    "imports:confirm": AccessRule(roles=IMPORTERS),
    "imports:discard": AccessRule(roles=IMPORTERS),
}

PK_KINDS: dict[str, str] = dict.fromkeys(("imports:preview", "imports:confirm", "imports:discard"), "upload")

PARAM_VALUES: dict[str, dict[str, str | int]] = {
    "imports:children-template": {"fmt": "xlsx"},
    "imports:supporters-template": {"fmt": "csv"},
}

_EVERYONE = frozenset(IMPORTERS)
DENIED_IN_SCOPE = (
    (
        re.compile(r"^imports:(preview|confirm|discard)$"),
        _EVERYONE,
        frozenset({"GET", "POST"}),
        "an upload's rows are its uploader's alone; the world's uploads are the builder's (tests/test_imports.py "
        "shows the uploader's own pages)",
    ),
)


def build(context: WorldContext) -> None:
    """An upload of each kind by the world's builder in every variant: nobody else may open them."""
    for variant in ("a1", "a2", "b"):
        for kind in (ImportKind.CHILDREN, ImportKind.SUPPORTERS):
            upload = Upload.objects.create(
                kind=kind,
                uploaded_by=context.builder,
                file_name="matrise.csv",
                row_count=0,
                rows=json.dumps({"headers": [], "rows": []}),
            )
            if kind == ImportKind.CHILDREN:
                context.put("upload", variant, upload.pk)
