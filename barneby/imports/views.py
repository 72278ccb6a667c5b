"""Import pages: choose a kind, upload, see each row's outcome, then import all or discard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from barneby.accounts.scoping import scope_for
from barneby.core.access import staff
from barneby.imports import selectors, services
from barneby.imports.forms import UploadForm
from barneby.imports.models import ImportKind
from barneby.imports.permissions import CHILD_IMPORTERS, IMPORTERS, SUPPORTER_IMPORTERS
from barneby.imports.resources import CHILD_COLUMNS, SUPPORTER_COLUMNS

TITLES = {ImportKind.CHILDREN: gettext_lazy("Importer barn"), ImportKind.SUPPORTERS: gettext_lazy("Importer givere")}
PREVIEW_ROWS = 500  # rows listed on the preview page besides every row with a problem


@staff(IMPORTERS)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    context = {
        "children": scope.has_any_role(CHILD_IMPORTERS),
        "supporters": scope.has_any_role(SUPPORTER_IMPORTERS),
    }
    return render(request, "imports/index.html", context)


def _upload(request: HttpRequest, kind: ImportKind) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            preview = services.upload_create(actor=request.user, kind=kind, name=file.name, content=file.read())
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("imports:preview", pk=preview.upload.pk)
    context = {
        "form": form,
        "kind": kind,
        "title": TITLES[kind],
        "columns": CHILD_COLUMNS if kind == ImportKind.CHILDREN else SUPPORTER_COLUMNS,
        "template_url": "imports:children-template" if kind == ImportKind.CHILDREN else "imports:supporters-template",
    }
    return render(request, "imports/upload.html", context, status=400 if form.errors else 200)


@staff(CHILD_IMPORTERS)
@require_http_methods(["GET", "HEAD", "POST"])
def children(request: HttpRequest) -> HttpResponse:
    return _upload(request, ImportKind.CHILDREN)


@staff(SUPPORTER_IMPORTERS, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def supporters(request: HttpRequest) -> HttpResponse:
    return _upload(request, ImportKind.SUPPORTERS)


def _template(kind: ImportKind, fmt: str) -> HttpResponse:
    if fmt not in services.FORMATS:
        raise Http404
    response = HttpResponse(services.template_file(kind, fmt), content_type=services.FORMATS[fmt])
    name = "barn" if kind == ImportKind.CHILDREN else "givere"
    response["Content-Disposition"] = f'attachment; filename="mal-{name}.{fmt}"'
    return response


@staff(CHILD_IMPORTERS, personal_data=False)
@require_safe
def children_template(request: HttpRequest, fmt: str) -> HttpResponse:
    return _template(ImportKind.CHILDREN, fmt)


@staff(SUPPORTER_IMPORTERS, personal_data=False, hidden=True)
@require_safe
def supporters_template(request: HttpRequest, fmt: str) -> HttpResponse:
    return _template(ImportKind.SUPPORTERS, fmt)


@staff(IMPORTERS)
@require_safe
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.upload_get_for(user=request.user, pk=pk)
    result = services.preview_of(upload)
    problems = [(n, o) for n, o in result.outcomes if o.status != "new"]
    shown = problems + [(n, o) for n, o in result.outcomes if o.status == "new"][:PREVIEW_ROWS]
    shown.sort(key=lambda item: item[0])
    context = {
        "upload": upload,
        "preview": result,
        "counts": result.counts,
        "rows": shown,
        "hidden_rows": len(result.outcomes) - len(shown),
        "title": TITLES[ImportKind(upload.kind)],
        "back": "imports:children" if upload.kind == ImportKind.CHILDREN else "imports:supporters",
    }
    return render(request, "imports/preview.html", context)


@staff(IMPORTERS)
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.upload_get_for(user=request.user, pk=pk)
    back = "imports:children" if upload.kind == ImportKind.CHILDREN else "imports:supporters"
    if not services.preview_of(upload).can_import:
        messages.error(request, _("Filen har feil. Rett dem og last opp filen på nytt; ingenting er lagret."))
        return redirect("imports:preview", pk=upload.pk)
    result = services.upload_import(actor=request.user, upload=upload)
    if not result.can_import:
        messages.error(request, _("Noen rader kunne ikke lagres nå; ingenting er lagret. Se radene under."))
        return redirect("imports:preview", pk=upload.pk)
    messages.success(
        request,
        _("Importert: {new} nye, {duplicates} hoppet over som dubletter.").format(
            new=result.counts["new"], duplicates=result.counts["duplicate"]
        ),
    )
    return redirect(back)


@staff(IMPORTERS)
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.upload_get_for(user=request.user, pk=pk)
    back = "imports:children" if upload.kind == ImportKind.CHILDREN else "imports:supporters"
    services.upload_discard(upload=upload)
    messages.info(request, _("Opplastingen er forkastet; ingenting er lagret."))
    return redirect(back)
