"""Who sees a case: the focal points of its association (a global one only when escalated); a focal point
named in the case does not; directors see counts only; everyone else gets 404, not even that it exists.
Every read is audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditEvent
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.tests import factories as org
from barneby.safeguarding import selectors, services
from barneby.safeguarding.models import InvolvedRole
from barneby.safeguarding.tests.conftest import PDF, SgWorld, public_case, staff_case

pytestmark = pytest.mark.django_db


def _detail(pk: int) -> str:
    return reverse("safeguarding:case-detail", args=[pk])


def test_only_the_focal_points_of_the_association_see_a_case(sg: SgWorld) -> None:
    concern = staff_case(sg)
    assert verified_client(sg.focal_a).get(_detail(concern.pk)).status_code == 200
    for user in (sg.focal_b, sg.focal_global, sg.director_a, sg.caseworker_a, sg.reporter):
        assert verified_client(user).get(_detail(concern.pk)).status_code == 404, user
    admin = make_persona(Role.SYSTEM_ADMIN)
    assert verified_client(admin).get(_detail(concern.pk)).status_code == 404
    assert verified_client(admin).get(reverse("safeguarding:case-list")).status_code == 404


def test_a_global_focal_point_sees_escalated_cases_only(sg: SgWorld) -> None:
    concern = staff_case(sg)
    client = verified_client(sg.focal_global)
    assert client.get(_detail(concern.pk)).status_code == 404
    services.concern_escalate(actor=sg.focal_a, concern=concern, reason="Gjelder en leder.")
    assert client.get(_detail(concern.pk)).status_code == 200
    assert verified_client(sg.focal_a).get(_detail(concern.pk)).status_code == 200


def test_a_focal_point_named_in_the_case_gets_404(sg: SgWorld) -> None:
    by_account = staff_case(sg)
    services.involved_add(
        actor=sg.focal_global, concern=by_account, person=services.Person(role=InvolvedRole.STAFF, user=sg.focal_a)
    )
    by_staff_record = staff_case(sg)
    record = org.staff(sg.a, email=sg.focal_a.email.upper())
    services.involved_add(
        actor=sg.focal_global,
        concern=by_staff_record,
        person=services.Person(role=InvolvedRole.STAFF, staff_member=record),
    )
    client = verified_client(sg.focal_a)
    for concern in (by_account, by_staff_record):
        assert client.get(_detail(concern.pk)).status_code == 404
        assert client.post(reverse("safeguarding:case-acknowledge", args=[concern.pk])).status_code == 404
    listing = client.get(reverse("safeguarding:case-list")).content.decode()
    assert by_account.code not in listing
    assert by_staff_record.code not in listing
    # Another focal point of the association still handles it.
    colleague = make_persona(Role.SAFEGUARDING_FOCAL_POINT, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(sg.a.pk))
    assert verified_client(colleague).get(_detail(by_account.pk)).status_code == 200


def test_the_staff_reporter_sees_only_their_receipt(sg: SgWorld) -> None:
    client = verified_client(sg.reporter)
    form = client.get(reverse("safeguarding:report-staff"))
    assert form.status_code == 200
    response = client.post(
        reverse("safeguarding:report-staff"),
        {
            "association": sg.a.pk,
            "category": "physical",
            "details": "Så et barn bli slått.",
            "concerns_child": "yes",
            "severity": "high",
            "person_role": "child",
            "person_description": "Gutt, ca. 8 år",
        },
    )
    assert response.status_code == 302
    concern = selectors.own_reports(user=sg.reporter).get()
    mine = client.get(reverse("safeguarding:my-reports")).content.decode()
    assert concern.code in mine
    assert "Mottatt" in mine
    assert "Så et barn bli slått" not in mine
    assert client.get(_detail(concern.pk)).status_code == 404
    assert concern.people.get().description == "Gutt, ca. 8 år"


def test_every_staff_page_links_to_the_report_form(sg: SgWorld) -> None:
    html = verified_client(sg.caseworker_a).get(reverse("core:dashboard")).content.decode()
    assert reverse("safeguarding:report-staff") in html


def test_every_read_is_audited(sg: SgWorld) -> None:
    concern = staff_case(sg, attachment=services.CheckedFile("a.pdf", "application/pdf", PDF))
    client = verified_client(sg.focal_a)
    before = AuditEvent.objects.filter(object_type="safeguarding.concern", action="view").count()
    client.get(reverse("safeguarding:case-list"))
    client.get(_detail(concern.pk))
    download = client.get(reverse("safeguarding:attachment-download", args=[concern.attachments.get().pk]))
    assert download.status_code == 200
    assert download.content == PDF
    views = AuditEvent.objects.filter(object_type="safeguarding.concern", action="view", actor=sg.focal_a)
    assert views.count() - before == 3
    assert set(views.values_list("object_id", flat=True)) == {str(concern.pk)}


def test_a_focal_point_acknowledges_and_asks_the_reporter(sg: SgWorld) -> None:
    concern, _secret = public_case(sg)
    client = verified_client(sg.focal_a)
    assert (
        client.post(reverse("safeguarding:case-acknowledge", args=[concern.pk]), {"step-note": ""}).status_code == 302
    )
    asked = client.post(reverse("safeguarding:case-message", args=[concern.pk]), {"message-text": "Hvor skjedde det?"})
    assert asked.status_code == 302
    concern.refresh_from_db()
    assert concern.status == "acknowledged"
    # Taking the same step twice is a conflict shown on the case page.
    again = client.post(reverse("safeguarding:case-acknowledge", args=[concern.pk]), {"step-note": ""})
    assert again.status_code == 409


def test_directors_see_counts_only(sg: SgWorld) -> None:
    staff_case(sg)
    client = verified_client(sg.director_a)
    assert client.get(reverse("safeguarding:statistics")).status_code == 200
    assert client.get(reverse("safeguarding:case-list")).status_code == 404


def test_the_api_serves_focal_points_and_refuses_everyone_else(sg: SgWorld) -> None:
    from barneby.accounts.services import api_token_create

    concern = staff_case(sg)
    other = staff_case(sg, association=sg.b)

    def headers_for(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_token_create(user=user, name='t').secret}"}

    client = Client()
    headers = headers_for(sg.focal_a)
    listing = client.get("/api/v1/safeguarding/cases", headers=headers).json()
    assert [item["id"] for item in listing["items"]] == [concern.pk]
    assert client.get(f"/api/v1/safeguarding/cases/{other.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/safeguarding/cases/{concern.pk}", headers=headers).status_code == 200
    headers = headers_for(sg.director_a)
    assert client.get(f"/api/v1/safeguarding/cases/{concern.pk}", headers=headers).status_code == 404
    assert client.get("/api/v1/safeguarding/cases", headers=headers).json()["items"] == []
