from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.htmx import render_page
from barneby.core.listing import export_response, paginate, sort_by
from barneby.organisation import selectors, services
from barneby.organisation.forms import (
    AssociationForm,
    HomeFilterForm,
    HomeForm,
    LocationFilterForm,
    LocationForm,
    ProgrammeCreateForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    StaffFilterForm,
    StaffForm,
    TrainingFilterForm,
    TrainingForm,
)
from barneby.organisation.models import (
    Home,
    HomeKind,
    Location,
    LocationKind,
    ProgrammeStatus,
    ProgrammeType,
    StaffMember,
    StaffRole,
    Training,
)
from barneby.organisation.permissions import PROGRAMME_CREATORS, REGISTER_READERS, REGISTER_WRITERS

PROGRAMME_COLUMNS = {
    "name": "name",
    "code": "code",
    "country": ("location__country", "name"),
    "type": ("type", "name"),
    "status": ("status", "name"),
    "start": "start_date",
    "capacity": "capacity",
}


def _programmes(request: HttpRequest) -> tuple[ProgrammeFilterForm, Any]:
    form = ProgrammeFilterForm(request.GET or None)
    filters = form.filters()
    programmes = selectors.programme_list_for(
        user=request.user,
        country=filters.get("country", ""),
        type=filters.get("type", ""),
        status=filters.get("status", ""),
        search=filters.get("search", ""),
    )
    return form, programmes


@staff(REGISTER_READERS)
@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    form, programmes = _programmes(request)
    programmes, sorting = sort_by(programmes, request, PROGRAMME_COLUMNS, "name")
    page = paginate(request, programmes)
    # Labels resolved once per page: get_FOO_display() re-translates every choice for every row.
    types = {value: str(label) for value, label in ProgrammeType.choices}
    statuses = {value: str(label) for value, label in ProgrammeStatus.choices}
    rows = [(p, types[p.type], statuses[p.status]) for p in page.object_list]
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "sorting": sorting,
        "hx_target": "#results",
        "can_create": selectors.user_roles(request.user) & PROGRAMME_CREATORS,
    }
    return render_page(request, "organisation/programme_list.html", context, partial="results")


def _export(
    request: HttpRequest, queryset: Any, *, name: str, object_type: str, headers: list[str], row: Any
) -> HttpResponse | StreamingHttpResponse:
    """Stream what the list shows (same scope and filters) as CSV or XLSX, and audit the export."""
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            object_type=object_type,
            request=request,
            detail=f"{fmt}; {queryset.count()} rows; {request.GET.urlencode()}"[:500],
        )
    return export_response(fmt, name, headers, (row(obj) for obj in queryset.iterator(chunk_size=1000)))


@staff(REGISTER_READERS)
@require_safe
def programme_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _form, programmes = _programmes(request)
    programmes, _sorting = sort_by(programmes, request, PROGRAMME_COLUMNS, "name")
    headers = [
        _("Kode"),
        _("Navn"),
        _("Type"),
        _("Status"),
        _("Land"),
        _("Sted"),
        _("Start"),
        _("Slutt"),
        _("Kapasitet"),
        _("Budsjett (NOK)"),
    ]
    return _export(
        request,
        programmes,
        name="programmer",
        object_type="organisation.programme",
        headers=headers,
        row=lambda p: [
            p.code,
            p.name,
            p.get_type_display(),
            p.get_status_display(),
            p.location.country.name,
            p.location.name,
            p.start_date,
            p.end_date,
            p.capacity,
            p.budget_nok,
        ],
    )


@staff(REGISTER_READERS)
@require_safe
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for(user=request.user, pk=pk)
    homes = selectors.home_list_for(user=request.user, programme_id=programme.pk)
    context = {
        "programme": programme,
        "homes": homes,
        "can_write": selectors.can_write(user=request.user, obj=programme),
    }
    return render(request, "organisation/programme_detail.html", context)


@staff(REGISTER_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for(user=request.user, pk=pk, for_write=True)
    form = ProgrammeForm(request.POST or None, instance=programme)
    form.fields["location"].queryset = selectors.location_list_for(user=request.user).filter(  # type: ignore[attr-defined]
        association=programme.association
    )
    form.initial["partner_municipality_number"] = (
        programme.partner_municipality.number if programme.partner_municipality else ""
    )
    if not selectors.can_write_association_level(user=request.user, association_id=programme.association_id):
        # The partner municipality decides which municipality contact reads the programme.
        form.fields["partner_municipality_number"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            fields = {name: form.cleaned_data[name] for name in ProgrammeForm.Meta.fields}
            fields["partner_municipality"] = services.municipality_by_number(
                form.cleaned_data["partner_municipality_number"]
            )
            selectors.require_partner_municipality_writable(
                user=request.user, programme=programme, municipality=fields["partner_municipality"]
            )
            services.programme_update(
                actor=request.user,
                programme=selectors.programme_get_for(user=request.user, pk=pk, for_write=True),
                **fields,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = "partner_municipality_number" if field in {"municipality", "partner_municipality"} else field
                form.add_error(target if target in form.fields else None, errors)
        else:
            messages.success(request, _("Programmet er lagret."))
            return redirect("organisation:programme-detail", pk=pk)
    return render(request, "organisation/programme_form.html", {"form": form, "programme": programme})


HOME_COLUMNS = {
    "name": "name",
    "programme": ("programme__name", "name"),
    "kind": ("kind", "name"),
    "capacity": "capacity",
}


def _homes(request: HttpRequest) -> tuple[HomeFilterForm, Any, Any]:
    form = HomeFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    homes = selectors.home_list_for(
        user=request.user,
        kind=data.get("kind", ""),
        search=(data.get("q") or "").strip(),
        takes_siblings=bool(data.get("siblings")),
        with_free_places=bool(data.get("free")),
    )
    homes, sorting = sort_by(homes, request, HOME_COLUMNS, "name")
    return form, homes, sorting


@staff(REGISTER_READERS)
@require_safe
def home_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _form, homes, _sorting = _homes(request)
    headers = [_("Navn"), _("Program"), _("Type"), _("Plasser"), _("Ledige plasser"), _("Søskenflokker"), _("Alder")]
    return _export(
        request,
        homes,
        name="hjem",
        object_type="organisation.home",
        headers=headers,
        row=lambda h: [
            h.name,
            h.programme.name,
            h.get_kind_display(),
            h.capacity,
            h.free_places,
            h.max_sibling_group_size if h.takes_sibling_groups else 0,
            f"{h.min_age}–{h.max_age}",
        ],
    )


@staff(REGISTER_READERS)
@require_safe
def home_list(request: HttpRequest) -> HttpResponse:
    form, homes, sorting = _homes(request)
    page = paginate(request, homes)
    kinds = {value: str(label) for value, label in HomeKind.choices}
    rows = [(home, kinds[home.kind]) for home in page.object_list]
    context = {"form": form, "page_obj": page, "rows": rows, "sorting": sorting, "hx_target": "#results"}
    return render_page(request, "organisation/home_list.html", context, partial="results")


@staff(REGISTER_READERS)
@require_safe
def training_expiring_list(request: HttpRequest) -> HttpResponse:
    form = TrainingFilterForm(request.GET or None)
    within = (form.cleaned_data.get("within_days") if form.is_valid() else None) or 60
    trainings = selectors.training_expiring_list_for(user=request.user, within_days=within)
    page = paginate(request, trainings)
    context = {
        "form": form,
        "page_obj": page,
        "trainings": page.object_list,
        "within": within,
        "today": timezone.localdate(),
    }
    return render(request, "organisation/training_expiring.html", context)


def _save_home(request: HttpRequest, form: HomeForm, *, programme: Any, home: Any = None) -> Any:
    """Run the home service from a valid form; put service errors back on the form. Returns the home or None."""
    fields = {
        name: form.cleaned_data[name] for name in HomeForm.Meta.fields if name in form.fields and name != "competences"
    }
    try:
        fields["municipality"] = services.municipality_by_number(form.cleaned_data["municipality_number"])
        competences = list(form.cleaned_data["competences"])
        if home is None:
            return services.home_create(actor=request.user, programme=programme, competences=competences, **fields)
        return services.home_update(actor=request.user, home=home, competences=competences, **fields)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            target = "municipality_number" if field == "municipality" else field
            form.add_error(target if target in form.fields else None, errors)
    return None


def _hide_address_unless_visiting(request: HttpRequest, form: HomeForm, *, programme: Any) -> None:
    """Only those who visit homes (caregivers, caseworkers, programme directors) see or set street addresses."""
    if not selectors.programme_address_visible_to(user=request.user, programme=programme):
        for name in ("street_address", "postcode"):
            form.fields.pop(name, None)


@staff(REGISTER_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def home_create(request: HttpRequest, programme_pk: int) -> HttpResponse:
    programme = selectors.programme_get_for(user=request.user, pk=programme_pk, for_write=True)
    form = HomeForm(request.POST or None, instance=Home(programme=programme))
    _hide_address_unless_visiting(request, form, programme=programme)
    if request.method == "POST" and form.is_valid():
        home = _save_home(request, form, programme=programme)
        if home is not None:
            messages.success(request, _("Hjemmet «{name}» er opprettet.").format(name=home.name))
            return redirect("organisation:programme-detail", pk=programme.pk)
    return render(request, "organisation/home_form.html", {"form": form, "programme": programme, "home": None})


@staff(REGISTER_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def home_edit(request: HttpRequest, pk: int) -> HttpResponse:
    home = selectors.home_get_for(user=request.user, pk=pk, for_write=True)
    form = HomeForm(request.POST or None, instance=selectors.home_get_for(user=request.user, pk=pk, for_write=True))
    _hide_address_unless_visiting(request, form, programme=home.programme)
    if request.method == "GET":
        form.initial["municipality_number"] = home.municipality.number if home.municipality else ""
    if request.method == "POST" and form.is_valid():
        saved = _save_home(request, form, programme=home.programme, home=home)
        if saved is not None:
            messages.success(request, _("Hjemmet er lagret."))
            return redirect("organisation:programme-detail", pk=home.programme_id)
    return render(request, "organisation/home_form.html", {"form": form, "programme": home.programme, "home": home})


@staff(REGISTER_WRITERS)
@require_POST
def home_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    home = selectors.home_get_for(user=request.user, pk=pk, for_write=True)
    services.deactivate(actor=request.user, obj=home)
    messages.success(request, _("Hjemmet «{name}» er deaktivert. Historikken er beholdt.").format(name=home.name))
    return redirect("organisation:programme-detail", pk=home.programme_id)


@staff(PROGRAMME_CREATORS)
@require_http_methods(["GET", "HEAD", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    associations = selectors.association_list_for(user=request.user).filter(is_active=True)
    creatable = [a for a in associations if selectors.can_create_programme_in(user=request.user, association=a)]
    if not creatable:
        return render(request, "organisation/programme_form.html", {"form": None, "programme": None})
    form = ProgrammeCreateForm(request.POST or None, associations=creatable)
    form.fields["location"].queryset = selectors.location_list_for(user=request.user).filter(  # type: ignore[attr-defined]
        association__in=creatable, is_active=True
    )
    if request.method == "POST" and form.is_valid():
        association = form.cleaned_data["association"]
        fields = {name: form.cleaned_data[name] for name in ProgrammeForm.Meta.fields}
        try:
            fields["partner_municipality"] = services.municipality_by_number(
                form.cleaned_data["partner_municipality_number"]
            )
            programme = services.programme_create(actor=request.user, association=association, **fields)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = "partner_municipality_number" if field in {"municipality", "partner_municipality"} else field
                form.add_error(target if target in form.fields else None, errors)
        else:
            messages.success(request, _("Programmet «{name}» er opprettet.").format(name=programme.name))
            return redirect("organisation:programme-detail", pk=programme.pk)
    return render(request, "organisation/programme_form.html", {"form": form, "programme": None})


STAFF_COLUMNS = {
    "name": ("last_name", "first_name"),
    "role": ("role", "last_name"),
    "programme": ("programme__name", "last_name"),
}


def _people(request: HttpRequest) -> tuple[StaffFilterForm, Any, Any]:
    form = StaffFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"q": "", "role": "", "active": "1"}
    active = {"1": True, "0": False}.get(data.get("active") or "") if request.GET else True
    people = selectors.staff_list_for(
        user=request.user, search=(data.get("q") or "").strip(), role=data.get("role") or "", active=active
    )
    people, sorting = sort_by(people, request, STAFF_COLUMNS, "name")
    return form, people, sorting


@staff(REGISTER_READERS)
@require_safe
def staff_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _form, people, _sorting = _people(request)
    headers = [_("Fornavn"), _("Etternavn"), _("Rolle"), _("Program"), _("Hjem"), _("Aktiv")]
    return _export(
        request,
        people,
        name="ansatte",
        object_type="organisation.staffmember",
        headers=headers,
        row=lambda s: [
            s.first_name,
            s.last_name,
            s.get_role_display(),
            s.programme.name if s.programme else "",
            s.home.name if s.home else "",
            s.is_active,
        ],
    )


@staff(REGISTER_READERS)
@require_safe
def staff_list(request: HttpRequest) -> HttpResponse:
    form, people, sorting = _people(request)
    page = paginate(request, people)
    roles = {value: str(label) for value, label in StaffRole.choices}
    rows = [(person, roles[person.role]) for person in page.object_list]
    context = {"form": form, "page_obj": page, "rows": rows, "sorting": sorting, "hx_target": "#results"}
    return render_page(request, "organisation/staffmember_list.html", context, partial="results")


@staff(REGISTER_READERS)
@require_http_methods(["GET", "HEAD", "POST"])
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.staff_get_for(user=request.user, pk=pk)
    can_write = selectors.can_write(user=request.user, obj=person)
    form = TrainingForm(request.POST or None, instance=Training(staff=person)) if can_write else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in TrainingForm.Meta.fields}
            try:
                services.training_add(actor=request.user, staff=person, **fields)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Opplæringen er registrert."))
                return redirect("organisation:staff-detail", pk=pk)
    context = {"person": person, "trainings": person.trainings.all(), "form": form, "today": timezone.localdate()}
    return render(request, "organisation/staffmember_detail.html", context)


@staff(REGISTER_READERS)
@require_safe
def association_list(request: HttpRequest) -> HttpResponse:
    associations, sorting = sort_by(
        selectors.association_list_for(user=request.user).annotate(programme_count=Count("programmes", distinct=True)),
        request,
        {"name": "name", "code": "code", "country": ("country", "name"), "programmes": "programme_count"},
        "name",
    )
    page = paginate(request, associations)
    writable = selectors.writable_ids(user=request.user, objects=page.object_list)
    context = {"page_obj": page, "sorting": sorting, "writable": writable}
    return render(request, "organisation/memberassociation_list.html", context)


@staff(REGISTER_READERS)
@require_safe
def location_list(request: HttpRequest) -> HttpResponse:
    form = LocationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    locations = selectors.location_list_for(user=request.user)
    if data.get("q"):
        locations = locations.filter(name__icontains=data["q"].strip())
    if data.get("country"):
        locations = locations.filter(country=data["country"])
    if data.get("kind"):
        locations = locations.filter(kind=data["kind"])
    locations, sorting = sort_by(
        locations, request, {"name": "name", "country": ("country", "name"), "kind": ("kind", "name")}, "name"
    )
    page = paginate(request, locations)
    kinds = {value: str(label) for value, label in LocationKind.choices}
    rows = [(location, kinds[location.kind]) for location in page.object_list]
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "sorting": sorting,
        "hx_target": "#results",
        "writable": selectors.writable_ids(user=request.user, objects=page.object_list),
    }
    return render_page(request, "organisation/location_list.html", context, partial="results")


def _staff_form(request: HttpRequest, instance: StaffMember) -> StaffForm:
    form = StaffForm(request.POST or None, instance=instance)
    association_id = instance.association_id
    if selectors.can_write_association_level(user=request.user, association_id=association_id):
        programmes = selectors.programme_list_for(user=request.user).filter(association_id=association_id)
    else:
        # Programme-level writers place staff in their own programmes only.
        programmes = selectors.staff_programmes_writable_by(user=request.user, association_id=association_id)
        form.fields["programme"].required = True
    form.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
    form.fields["home"].queryset = selectors.home_list_for(user=request.user).filter(  # type: ignore[attr-defined]
        programme__association_id=instance.association_id, is_active=True
    )
    return form


@staff(REGISTER_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def staff_create(request: HttpRequest, association_pk: int) -> HttpResponse:
    association = selectors.association_get_for(user=request.user, pk=association_pk)
    if (
        not selectors.can_write_association_level(user=request.user, association_id=association.pk)
        and not selectors.staff_programmes_writable_by(user=request.user, association_id=association.pk).exists()
    ):
        raise PermissionDenied
    form = _staff_form(request, StaffMember(association=association))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.staff_create(
                actor=request.user, association=association, **{n: form.cleaned_data[n] for n in StaffForm.Meta.fields}
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("{name} er registrert.").format(name=person))
            return redirect("organisation:staff-detail", pk=person.pk)
    return render(request, "organisation/staffmember_form.html", {"form": form, "person": None})


@staff(REGISTER_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.staff_get_for(user=request.user, pk=pk, for_write=True)
    form = _staff_form(request, selectors.staff_get_for(user=request.user, pk=pk, for_write=True))
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(
                actor=request.user, staff=person, **{n: form.cleaned_data[n] for n in StaffForm.Meta.fields}
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("organisation:staff-detail", pk=pk)
    return render(request, "organisation/staffmember_form.html", {"form": form, "person": person})


@staff(REGISTER_WRITERS)
@require_POST
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.staff_get_for(user=request.user, pk=pk, for_write=True)
    services.deactivate(actor=request.user, obj=person)
    messages.success(request, _("{name} er deaktivert. Historikken er beholdt.").format(name=person))
    return redirect("organisation:staff-detail", pk=pk)


@staff(REGISTER_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    location = selectors.location_get_for(user=request.user, pk=pk, for_write=True)
    form = LocationForm(
        request.POST or None, instance=selectors.location_get_for(user=request.user, pk=pk, for_write=True)
    )
    if request.method == "GET":
        form.initial["municipality_number"] = location.municipality.number if location.municipality else ""
    if request.method == "POST" and form.is_valid():
        try:
            fields = {n: form.cleaned_data[n] for n in LocationForm.Meta.fields}
            fields["municipality"] = services.municipality_by_number(form.cleaned_data["municipality_number"])
            services.location_update(actor=request.user, location=location, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"municipality": "municipality_number"})
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("organisation:location-list")
    return render(request, "organisation/location_form.html", {"form": form, "location": location})


@staff(REGISTER_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def location_create(request: HttpRequest, association_pk: int) -> HttpResponse:
    association = selectors.association_get_for(user=request.user, pk=association_pk, for_write=True)
    form = LocationForm(
        request.POST or None, instance=Location(association=association), initial={"country": association.country}
    )
    if request.method == "POST" and form.is_valid():
        try:
            fields = {n: form.cleaned_data[n] for n in LocationForm.Meta.fields}
            fields["municipality"] = services.municipality_by_number(form.cleaned_data["municipality_number"])
            services.location_create(actor=request.user, association=association, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"municipality": "municipality_number"})
        else:
            messages.success(request, _("Stedet er opprettet."))
            return redirect("organisation:location-list")
    return render(request, "organisation/location_form.html", {"form": form, "location": None})


@staff(REGISTER_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def association_edit(request: HttpRequest, pk: int) -> HttpResponse:
    association = selectors.association_get_for(user=request.user, pk=pk, for_write=True)
    form = AssociationForm(
        request.POST or None, instance=selectors.association_get_for(user=request.user, pk=pk, for_write=True)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.association_update(
                actor=request.user,
                association=association,
                **{n: form.cleaned_data[n] for n in AssociationForm.Meta.fields},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("organisation:association-list")
    return render(request, "organisation/memberassociation_form.html", {"form": form, "association": association})


@staff(REGISTER_WRITERS)
@require_POST
def location_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    location = selectors.location_get_for(user=request.user, pk=pk, for_write=True)
    services.deactivate(actor=request.user, obj=location)
    messages.success(request, _("{name} er deaktivert. Historikken er beholdt.").format(name=location.name))
    return redirect("organisation:location-list")


@staff(REGISTER_READERS)
@require_safe
def location_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    locations = selectors.location_list_for(user=request.user).order_by("name", "pk")
    headers = [_("Navn"), _("Type"), _("Land"), _("Kommune"), _("Breddegrad"), _("Lengdegrad"), _("Aktiv")]
    return _export(
        request,
        locations,
        name="steder",
        object_type="organisation.location",
        headers=headers,
        row=lambda loc: [
            loc.name,
            loc.get_kind_display(),
            loc.country.name,
            loc.municipality.short_name if loc.municipality else "",
            loc.latitude,
            loc.longitude,
            loc.is_active,
        ],
    )


@staff(REGISTER_READERS)
@require_safe
def association_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    associations = selectors.association_list_for(user=request.user).order_by("name", "pk")
    return _export(
        request,
        associations,
        name="medlemsorganisasjoner",
        object_type="organisation.memberassociation",
        headers=[_("Navn"), _("Kode"), _("Land"), _("Aktiv")],
        row=lambda a: [a.name, a.code, a.country.name, a.is_active],
    )
