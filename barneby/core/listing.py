"""Building blocks for list pages: sorting, pagination and CSV/XLSX export.

Every list page works the same way: a filter form narrows a scoped
queryset, ``sort_by`` orders it by a whitelisted column, ``paginate`` cuts
one page, and the export views stream the same filtered rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise

M = TypeVar("M", bound=Model)

PER_PAGE = 25
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Sorting:
    key: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def sort_by(
    queryset: QuerySet[M], request: HttpRequest, columns: Mapping[str, str | Sequence[str]], default: str
) -> tuple[QuerySet[M], Sorting]:
    """Order by the ``sort`` parameter if it names a whitelisted column, else by ``default``.

    ``columns`` maps the public key (``name``) to ORM fields (``"name"`` or
    ``("country", "name")``); ``-name`` sorts descending. The primary key is
    always the last tie-breaker so pages never overlap.
    """
    raw = request.GET.get("sort", "") or default
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in columns:
        descending = default.startswith("-")
        key = default.lstrip("-")
    fields = columns[key]
    names = [fields] if isinstance(fields, str) else list(fields)
    order = [f"-{n}" if descending else n for n in names]
    return queryset.order_by(*order, "-pk" if descending else "pk"), Sorting(key, descending)


def paginate(request: HttpRequest, queryset: QuerySet[M], *, per_page: int = PER_PAGE) -> Any:
    """One page of ``queryset``; a page number out of range gives the last page."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


# The largest primary key a database holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(value: str | None) -> int | None:
    """``value`` as an object id, or None when it could be no id at all (missing, not ASCII digits, or beyond
    64 bits: the database would refuse such a number with an error, not answer that nothing matches)."""
    if not value or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def query_id(request: HttpRequest, name: str) -> int | None:
    """The object id in query parameter ``name`` (see ``parse_id``)."""
    return parse_id(request.GET.get(name))


# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe before what would start a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Promise | str):
        return neutralise_formula(str(value))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, Decimal | int | float):
        return value
    return neutralise_formula(str(value))


def _xlsx_cell(value: Any) -> Any:
    # Excel has no time zones: write local wall-clock time. Dates stay dates.
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    return _cell(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, headers: Sequence[str | Promise], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """Stream rows as CSV for Norwegian spreadsheets: UTF-8 with BOM, semicolons, decimal commas."""
    writer = csv.writer(_Echo(), delimiter=";")

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow([str(h) for h in headers])
        for row in rows:
            cells = [_cell(v) for v in row]
            yield writer.writerow([str(c).replace(".", ",") if isinstance(c, Decimal | float) else c for c in cells])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, headers: Sequence[str | Promise], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """Write rows to an XLSX workbook in write-only (streaming) mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=filename[:31])
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(
    fmt: str, filename: str, headers: Sequence[str | Promise], rows: Iterable[Sequence[Any]]
) -> HttpResponse | StreamingHttpResponse:
    if fmt == "xlsx":
        return xlsx_response(filename, headers, rows)
    return csv_response(filename, headers, rows)
