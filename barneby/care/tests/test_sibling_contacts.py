"""The log of contacts between separated siblings (I13): the planned frequency, the service, the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from barneby.audit.models import AuditEvent
from barneby.care import rules, services
from barneby.care.models import (
    SOS_FAMILY_AND_YOUTH_TYPES,
    Child,
    ContactInterval,
    ContactMode,
    Decision,
    PlacementType,
    SiblingContact,
)
from barneby.care.tests import factories as f
from barneby.care.tests.factories import TODAY
from barneby.core.tests.personas import verified_client

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def w() -> f.World:
    return f.world()


def separation(**kw: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "sibling_separation",
        "separation_reason": "no_home",
        "relationship_assessment": "Nært bånd mellom søsknene.",
        "contact_plan": "Samvær annenhver helg.",
        "contact_times": 2,
        "contact_per": ContactInterval.MONTH,
        "reassess_on": TODAY + 180 * DAY,
    }
    return f.decision(**{**fields, **kw})


def split_pair(w: f.World) -> tuple[Child, Child, Decision]:
    a = f.child(w.programme, w.caseworker, first_name="Ane")
    b = f.child(w.programme, w.caseworker, first_name="Bjørn")
    services.sibling_link(actor=w.caseworker, child=a, other=b, kind="full")
    for kid, home in ((a, w.home_a), (b, w.home_b)):
        f.gatekeep(kid, w.caseworker)
        f.place(kid, home, w.caseworker, TODAY - 60 * DAY)
    decision = services.decision_record(actor=w.caseworker, child=a, **separation(decided_on=TODAY - 50 * DAY))
    return a, b, decision


def test_the_placement_types_of_i32a_are_the_same_in_the_rules_and_the_models() -> None:
    assert {str(t) for t in SOS_FAMILY_AND_YOUTH_TYPES} == rules.SOS_FAMILY_AND_YOUTH
    assert PlacementType.FOSTER not in SOS_FAMILY_AND_YOUTH_TYPES
    assert PlacementType.EMERGENCY not in SOS_FAMILY_AND_YOUTH_TYPES


def test_a_separation_decision_keeps_its_planned_frequency_whole(w: f.World) -> None:
    a, _b, decision = split_pair(w)
    assert (decision.contact_times, decision.contact_per) == (2, "month")
    with pytest.raises(ValidationError) as caught:
        services.decision_record(actor=w.caseworker, child=a, **separation(contact_per=""))
    assert "contact_per" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.decision_record(actor=w.caseworker, child=a, **separation(contact_times=None))
    assert "contact_times" in caught.value.message_dict
    # Editing the decision keeps or clears the frequency as a whole.
    services.decision_update(actor=w.caseworker, decision=decision, contact_times=None, contact_per=None)
    decision.refresh_from_db()
    assert (decision.contact_times, decision.contact_per) == (None, "")


def test_a_contact_is_recorded_under_the_childs_separation_decision_and_audited(w: f.World) -> None:
    a, b, decision = split_pair(w)
    contact = services.sibling_contact_record(
        actor=w.caseworker, child=a, decision=decision, sibling=b, contact_on=TODAY - DAY, form=ContactMode.VIDEO
    )
    assert (contact.child, contact.sibling, contact.recorded_by) == (a, b, w.caseworker)
    event = AuditEvent.objects.filter(object_type="care.child", object_id=str(a.pk)).latest("pk")
    assert event.detail == f"sibling-contact {contact.pk} with {b.pk}"
    assert b.first_name not in event.detail


def test_a_contact_is_refused_when_it_does_not_fit_the_decision(w: f.World) -> None:
    a, b, decision = split_pair(w)
    stranger = f.child(w.programme, w.caseworker, first_name="Fremmed")
    other_kind = Decision.objects.filter(child=a, kind="admission").first()
    assert other_kind is not None
    b_decision = services.decision_record(actor=w.caseworker, child=b, **separation(decided_on=TODAY - 40 * DAY))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"contact_on": TODAY + DAY}, "contact_on"),  # in the future
        ({"contact_on": TODAY - 51 * DAY}, "contact_on"),  # before the decision
        ({"sibling": stranger}, "sibling"),  # not a registered sibling
        ({"sibling": a}, "sibling"),  # the child itself
        ({"decision": other_kind}, "decision"),  # not a separation decision
        ({"decision": b_decision}, "decision"),  # the sibling's decision, not the child's
    ]
    for change, field in cases:
        fields: dict[str, Any] = {
            "decision": decision,
            "sibling": b,
            "contact_on": TODAY - 10 * DAY,
            "form": ContactMode.MEETING,
            **change,
        }
        with pytest.raises(ValidationError) as caught:
            services.sibling_contact_record(actor=w.caseworker, child=a, **fields)
        assert field in caught.value.message_dict, change
    assert not SiblingContact.objects.exists()


def test_the_child_page_lists_the_log_with_an_empty_state_and_pages(w: f.World) -> None:
    a, b, decision = split_pair(w)
    client = verified_client(w.caseworker)
    page = client.get(f"/omsorg/barn/{a.pk}/").content.decode()
    assert 'id="no-sibling-contacts"' in page
    assert f"/omsorg/barn/{a.pk}/soskenkontakt/" in page
    for n in range(12):
        services.sibling_contact_record(
            actor=w.caseworker, child=a, decision=decision, sibling=b, contact_on=TODAY - n * DAY, form="phone"
        )
    first = client.get(f"/omsorg/barn/{a.pk}/").content.decode()
    assert "Side 1 av 2" in first
    assert TODAY.strftime("%d.%m.%Y") in first
    second = client.get(f"/omsorg/barn/{a.pk}/?page=2").content.decode()
    assert (TODAY - 11 * DAY).strftime("%d.%m.%Y") in second
    assert 'id="no-sibling-contacts"' not in second
    # The sibling named in the log is a read of the sibling's record.
    assert AuditEvent.objects.filter(object_id=str(b.pk), detail=f"sibling contact of {a.pk}").exists()


def test_the_form_records_a_contact_and_refuses_a_future_date(w: f.World) -> None:
    a, b, decision = split_pair(w)
    client = verified_client(w.caseworker)
    url = f"/omsorg/barn/{a.pk}/soskenkontakt/"
    assert client.get(url).status_code == 200
    data = {"decision": decision.pk, "sibling": b.pk, "contact_on": TODAY.isoformat(), "form": "meeting"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/omsorg/barn/{a.pk}/#sibling-contacts")
    assert SiblingContact.objects.get().contact_on == TODAY
    future = client.post(url, {**data, "contact_on": (TODAY + DAY).isoformat()})
    assert future.status_code == 400
    assert SiblingContact.objects.count() == 1
    # Another programme's caseworker cannot reach the form; a child without a separation decision is sent back.
    assert verified_client(w.other_caseworker).get(url).status_code == 404
    alone = f.child(w.programme, w.caseworker)
    assert client.get(f"/omsorg/barn/{alone.pk}/soskenkontakt/").status_code == 302


def test_the_api_takes_and_shows_the_planned_frequency(client: Any, w: f.World) -> None:
    from barneby.care.tests.test_apis import auth

    a, _b, _decision = split_pair(w)
    body = {**separation(decided_on=str(TODAY - DAY), reassess_on=str(TODAY + 100 * DAY)), "contact_per": "week"}
    body["contact_times"] = 1
    headers = auth(w.caseworker)
    url = f"/api/v1/care/children/{a.pk}/decisions"
    created = client.post(url, body, content_type="application/json", headers=headers)
    assert created.status_code == 201
    assert (created.json()["contact_times"], created.json()["contact_per"]) == (1, "week")
    half = client.post(url, {**body, "contact_per": ""}, content_type="application/json", headers=headers)
    assert half.status_code == 422
