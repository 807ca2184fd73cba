"""The communications API: record, amend, complete, update the selected entries, call actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User

from communications.models import (
    CallAction,
    Communication,
    Dispute,
    EntryNote,
    EntryStatus,
    Notification,
    Promise,
    ToDo,
    ToDoKind,
)
from ledger.models import AuditEvent
from tests.conftest import api_as
from tests.factories import (
    CustomerFactory,
    EntryFactory,
    action_type,
    outcome,
    payment,
    status_code,
)

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)
URL = "/api/v1/communications/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def invoices(customer):
    return [
        EntryFactory(customer=customer, amount=Decimal("100.00")),
        EntryFactory(customer=customer, amount=Decimal("250.50")),
    ]


def call(client, customer, **fields):
    body = {"customer": customer.pk, "communication_type": "telephone",
            "contact_type": "telephone_made", "subject": "Overdue invoices", **fields}  # fmt: skip
    return client.post(URL, body, format="json")


def fields_of(response):
    return {e["field"] for e in response.json()["errors"]}


def test_recording_a_call_stores_the_balance_and_links_the_entries(controller, customer, invoices):
    payment(customer, "50.00")
    response = call(api_as(controller), customer, entries=[e.pk for e in invoices])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["balance_lcy"] == "300.50"
    assert body["base_currency"] == "GBP"
    assert sorted(body["entries"]) == sorted(e.pk for e in invoices)
    assert body["our_contact"] == controller.pk
    assert body["occurred_at"] == "2026-03-10T10:00:00Z"
    assert body["is_live"] is True
    assert body["source"] == "api"
    event = AuditEvent.objects.get(model="communications.communication", object_id=body["id"])
    assert event.source == "api"


def test_recorded_balance_is_kept_when_the_ledger_moves_on(controller, customer, invoices):
    body = call(api_as(controller), customer).json()
    EntryFactory(customer=customer, amount=Decimal("999.00"))
    again = api_as(controller).get(f"{URL}{body['id']}/").json()
    assert again["balance_lcy"] == "350.50"


def test_follow_up_date_raises_the_follow_up_todo(controller, customer):
    body = call(api_as(controller), customer, follow_up_on="2026-03-17").json()
    todo = ToDo.objects.get(communication_id=body["id"])
    assert todo.description == "Follow up call from 10 Mar 2026"
    assert todo.due_on == dt.date(2026, 3, 17)


def test_payment_promised_outcome_records_the_promise(controller, customer, invoices):
    response = call(
        api_as(controller), customer, outcome=outcome("Payment promised").pk,
        entries=[invoices[0].pk], promise={"amount": "60.00", "promised_on": "2026-03-20"},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    promise = Promise.objects.get(communication_id=response.json()["id"])
    assert promise.amount == Decimal("60.00")
    assert list(promise.entries.all()) == [invoices[0]]
    assert ToDo.objects.filter(promise=promise, kind=ToDoKind.PROMISE_CHECK).exists()


def test_payment_promised_without_the_promise_is_refused(controller, customer, invoices):
    response = call(api_as(controller), customer, outcome=outcome("Payment promised").pk)
    assert response.status_code == 400
    assert "promised_on" in fields_of(response)
    assert not Communication.objects.exists()


def test_promise_above_the_selection_is_refused_and_nothing_is_written(
    controller, customer, invoices
):
    response = call(
        api_as(controller), customer, outcome=outcome("Payment promised").pk,
        entries=[invoices[0].pk], promise={"amount": "100.01", "promised_on": "2026-03-20"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "amount" in fields_of(response)
    assert "more than the 100.00 GBP" in response.json()["errors"][0]["message"]
    assert not Communication.objects.exists()
    assert not Promise.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"communication_type": "fax"}, "communication_type"),
        ({"contact_type": "meeting"}, "contact_type"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2026-03-12T10:00:00+00:00"}, "occurred_at"),
        ({"occurred_at": "9999-12-31T23:59:59-12:00"}, "occurred_at"),
        ({"follow_up_on": "2026-02-30"}, "follow_up_on"),
        ({"follow_up_on": "2026-03-09"}, "follow_up_on"),
        ({"follow_up_on": "2030-01-01"}, "follow_up_on"),
        ({"follow_up_time": "10:00"}, "__all__"),
        ({"location": "Their office"}, "__all__"),
        ({"entries": ["abc"]}, "entries"),
        ({"entries": [999999]}, "entries"),
        ({"outcome": "payment promised"}, "outcome"),
        ({"outcome": 999999}, "outcome"),
        ({"our_contact": 999999}, "our_contact"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"subject": ""}, "subject"),
        ({"promise": {"amount": "lots", "promised_on": "2026-03-20"}}, "promise.amount"),
    ],
)
def test_bad_communication_input_names_the_field_and_writes_nothing(
    controller, customer, fields, field
):
    response = call(api_as(controller), customer, **fields)
    assert response.status_code == 400, response.content
    names = fields_of(response)
    assert field in names or (field == "__all__" and "" in names), response.json()
    assert not Communication.objects.exists()


def test_entries_of_another_customer_are_refused_by_number(controller, customer, company):
    stranger = EntryFactory(customer=CustomerFactory(company=company))
    response = call(api_as(controller), customer, entries=[stranger.pk])
    assert response.status_code == 400
    assert str(stranger.pk) in response.json()["errors"][0]["message"]
    assert not Communication.objects.exists()


def test_customer_of_another_company_is_not_found(controller, other_company):
    foreign = CustomerFactory(company=other_company)
    response = call(api_as(controller), foreign)
    assert response.status_code == 400
    assert fields_of(response) == {"customer"}
    assert "is visible to you" in response.json()["errors"][0]["message"]


def test_amending_changes_the_fields_but_not_the_recorded_balance(controller, customer, invoices):
    client = api_as(controller)
    body = call(client, customer).json()
    EntryFactory(customer=customer, amount=Decimal("1.00"))
    response = client.patch(f"{URL}{body['id']}/", {"subject": "Spoke to AP", "notes": "Paying"},
                            format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["subject"] == "Spoke to AP"
    assert response.json()["balance_lcy"] == "350.50"


def test_amending_with_bad_input_keeps_the_communication(controller, customer):
    client = api_as(controller)
    body = call(client, customer).json()
    response = client.patch(f"{URL}{body['id']}/", {"contact_type": "letter_sent"}, format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"contact_type"}
    assert Communication.objects.get().contact_type == "telephone_made"


def test_put_is_not_offered(controller, customer):
    body = call(api_as(controller), customer).json()
    assert api_as(controller).put(f"{URL}{body['id']}/", {}, format="json").status_code == 405


def test_complete_takes_the_communication_out_of_live_and_twice_is_harmless(controller, customer):
    client = api_as(controller)
    body = call(client, customer, follow_up_on="2026-03-17").json()
    first = client.post(f"{URL}{body['id']}/complete/")
    assert first.status_code == 200
    assert first.json()["is_live"] is False
    assert first.json()["completed_by"] == controller.pk
    again = client.post(f"{URL}{body['id']}/complete/")
    assert again.status_code == 200
    assert again.json()["completed_at"] == first.json()["completed_at"]
    assert not ToDo.objects.open().filter(communication_id=body["id"]).exists()
    live = client.get(URL, {"live": "true"}).json()["results"]
    assert live == []


def test_reopen_makes_it_live_again(controller, customer):
    client = api_as(controller)
    body = call(client, customer).json()
    client.post(f"{URL}{body['id']}/complete/")
    response = client.post(f"{URL}{body['id']}/reopen/")
    assert response.status_code == 200
    assert response.json()["is_live"] is True
    assert [c["id"] for c in client.get(URL, {"live": "true"}).json()["results"]] == [body["id"]]


def test_list_filters_by_customer_type_and_entry(controller, customer, company, invoices):
    client = api_as(controller)
    mine = call(client, customer, entries=[invoices[0].pk]).json()
    meeting = call(client, customer, communication_type="meeting", contact_type="meeting",
                   location="Their office").json()  # fmt: skip
    other = call(client, CustomerFactory(company=company)).json()
    ids = lambda **q: {c["id"] for c in client.get(URL, q).json()["results"]}  # noqa: E731
    assert ids(customer=customer.pk) == {mine["id"], meeting["id"]}
    assert ids(communication_type="meeting") == {meeting["id"]}
    assert ids(entry=invoices[0].pk) == {mine["id"]}
    assert other["id"] in ids()
    assert client.get(URL, {"communication_type": "fax"}).status_code == 400


def test_list_pages_by_cursor(controller, customer):
    client = api_as(controller)
    made = {call(client, customer).json()["id"] for _ in range(3)}
    first = client.get(URL, {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    seen = [c["id"] for c in first["results"] + second["results"]]
    assert sorted(seen) == sorted(made)
    assert "count" not in first


# --- update-entries ----------------------------------------------------------------------


def test_update_entries_with_a_promised_code_records_one_promise(controller, customer, invoices):
    client = api_as(controller)
    c = call(client, customer, entries=[e.pk for e in invoices]).json()
    response = client.post(
        f"{URL}{c['id']}/update-entries/",
        {"entries": [e.pk for e in invoices], "status_code": status_code("PROM").pk,
         "promise": {"full_amount": True, "promised_on": "2026-03-31"}, "note": "Paying Friday"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["promise"]["amount"] == "350.50"
    assert body["promise"]["full_amount"] is True
    assert body["promise"]["communication"] == c["id"]
    assert {s["status_code_label"] for s in body["statuses"]} == {"PROM"}
    assert EntryNote.objects.filter(text="Paying Friday").count() == 2


def test_update_entries_with_a_queried_code_defaults_target_and_owner(
    controller, customer, invoices
):
    client = api_as(controller)
    c = call(client, customer).json()
    response = client.post(
        f"{URL}{c['id']}/update-entries/",
        {"entries": [invoices[0].pk], "status_code": status_code("QRY").pk}, format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    status = EntryStatus.objects.get(entry=invoices[0])
    assert status.query_target_on == TODAY
    assert status.query_owner == controller


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status_code": "PROM-as-text"}, "status_code"),
        ({"status_code": 999999}, "status_code"),
        ({}, "status_code"),
        ({"entries": []}, "entries"),
        ({"entries": "1,2"}, "entries"),
        ({"status_code": "QRY", "query_target_on": "2026-03-09"}, "query_target_on"),
        ({"status_code": "QRY", "query_target_on": "not a date"}, "query_target_on"),
        ({"status_code": "PROM"}, "promised_on"),
        ({"status_code": "PROM", "promise": {"amount": "0", "promised_on": "2026-03-20"}},
         "amount"),
        ({"status_code": "PROM", "promise": {"amount": "-5", "promised_on": "2026-03-20"}},
         "amount"),
        ({"status_code": "PROM", "promise": {"amount": "5", "promised_on": "2028-01-01"}},
         "promised_on"),
        ({"status_code": "PROM", "promise": {"amount": "5", "promised_on": "2026-03-01"}},
         "promised_on"),
    ],
)  # fmt: skip
def test_bad_update_of_entries_names_the_field_and_writes_nothing(
    controller, customer, invoices, body, field
):
    client = api_as(controller)
    c = call(client, customer).json()
    payload = {"entries": [invoices[0].pk], "note": "Should not be kept", **body}
    if payload.get("status_code") in ("PROM", "QRY"):
        payload["status_code"] = status_code(payload["status_code"]).pk
    elif payload.get("status_code") == "PROM-as-text":
        payload["status_code"] = "PROM"
    if body == {}:
        payload.pop("note")
    response = client.post(f"{URL}{c['id']}/update-entries/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in fields_of(response), response.json()
    assert not EntryStatus.objects.exists()
    assert not EntryNote.objects.exists()
    assert not Promise.objects.exists()


def test_update_entries_refuses_entries_of_another_customer(controller, customer, company):
    client = api_as(controller)
    c = call(client, customer).json()
    own = EntryFactory(customer=customer)
    stranger = EntryFactory(customer=CustomerFactory(company=company))
    response = client.post(
        f"{URL}{c['id']}/update-entries/",
        {"entries": [own.pk, stranger.pk], "note": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert fields_of(response) == {"entries"}
    assert not EntryNote.objects.exists()


# --- call actions -----------------------------------------------------------------------


def test_alert_notifies_the_managers(controller, manager, customer):
    client = api_as(controller)
    c = call(client, customer).json()
    response = client.post("/api/v1/call-actions/", {"communication": c["id"],
                           "action_type": action_type("Alert").pk, "notes": "Going under?"},
                           format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    note = Notification.objects.get()
    assert note.user == manager
    assert "Going under?" in note.text
    listed = api_as(manager).get("/api/v1/notifications/").json()["results"]
    assert [n["id"] for n in listed] == [note.pk]
    assert api_as(controller).get("/api/v1/notifications/").json()["results"] == []


def test_partial_dispute_action_opens_a_dispute(controller, customer, invoices):
    client = api_as(controller)
    c = call(client, customer).json()
    response = client.post(
        "/api/v1/call-actions/",
        {
            "communication": c["id"],
            "action_type": action_type("Partial dispute").pk,
            "entry": invoices[0].pk,
            "amount": "40.00",
            "notes": "Short delivery",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    dispute = Dispute.objects.get()
    assert body["dispute"] == dispute.pk
    assert body["currency"] == "GBP"
    assert dispute.amount == Decimal("40.00")


def test_exclude_action_sets_the_customer_exclusion(controller, customer):
    client = api_as(controller)
    c = call(client, customer).json()
    response = client.post("/api/v1/call-actions/", {
        "communication": c["id"], "action_type": action_type("Exclude from follow-ups").pk},
        format="json")  # fmt: skip
    assert response.status_code == 201
    customer.refresh_from_db()
    assert customer.exclude_from_followups is True
    assert client.get("/api/v1/call-actions/", {"communication": c["id"]}).json()["results"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action_type": "Alert"}, "action_type"),
        ({"action_type": 999999}, "action_type"),
        ({"dispute": True}, "entry"),
        ({"dispute": True, "entry": "own", "amount": "500.00"}, "amount"),
        ({"dispute": True, "entry": "own", "amount": "abc"}, "amount"),
        ({"dispute": True, "entry": "stranger", "amount": "5.00"}, "entries"),
    ],
)
def test_bad_call_action_names_the_field_and_writes_nothing(
    controller, customer, company, invoices, body, field
):
    client = api_as(controller)
    c = call(client, customer).json()
    payload = {"communication": c["id"], "action_type": body.get("action_type")}
    if body.get("dispute"):
        payload["action_type"] = action_type("Partial dispute").pk
    if body.get("entry") == "own":
        payload["entry"] = invoices[0].pk
    elif body.get("entry") == "stranger":
        payload["entry"] = EntryFactory(customer=CustomerFactory(company=company)).pk
    if "amount" in body:
        payload["amount"] = body["amount"]
    response = client.post("/api/v1/call-actions/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in fields_of(response), response.json()
    assert not CallAction.objects.exists()
    assert not Dispute.objects.exists()


# --- access and idempotency --------------------------------------------------------------


@pytest.fixture
def recorded(controller, customer, invoices):
    return call(api_as(controller), customer, entries=[invoices[0].pk]).json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("patch", ""),
        ("post", "complete/"),
        ("post", "reopen/"),
        ("post", "update-entries/"),
    ],
)
def test_outsider_gets_404_for_another_companys_communication(recorded, outsider, method, path):
    response = getattr(api_as(outsider), method)(f"{URL}{recorded['id']}/{path}", {},
                                                 format="json")  # fmt: skip
    assert response.status_code == 404
    assert Communication.objects.get().is_live


def test_outsider_lists_no_communications_or_call_actions(recorded, outsider):
    assert api_as(outsider).get(URL).json()["results"] == []
    assert api_as(outsider).get("/api/v1/call-actions/").json()["results"] == []


def test_outsider_cannot_record_on_another_companys_communication(recorded, outsider):
    response = api_as(outsider).post(
        "/api/v1/call-actions/",
        {"communication": recorded["id"], "action_type": action_type("Call").pk},
        format="json",
    )
    assert response.status_code == 400
    assert fields_of(response) == {"communication"}


def test_integrator_reads_but_cannot_write(recorded, integrator, customer):
    client = api_as(integrator)
    assert client.get(f"{URL}{recorded['id']}/").status_code == 200
    assert call(client, customer).status_code == 403
    assert client.post(f"{URL}{recorded['id']}/complete/").status_code == 403
    assert (
        client.patch(f"{URL}{recorded['id']}/", {"subject": "x"}, format="json").status_code == 403
    )
    assert Communication.objects.count() == 1


def test_user_without_a_role_is_refused(recorded, company):
    nobody = User.objects.create_user("nobody", password="x-pass-12345")
    company.members.add(nobody)
    assert api_as(nobody).get(URL).status_code == 403
    assert api_as(nobody).get(f"{URL}{recorded['id']}/").status_code == 403


def test_anonymous_is_refused(recorded, api):
    assert api.get(URL).status_code == 401


def test_retry_with_the_same_idempotency_key_writes_once(controller, customer, invoices):
    client = api_as(controller)
    payload = {"customer": customer.pk, "communication_type": "telephone",
               "contact_type": "telephone_made", "subject": "Retry", "follow_up_on": "2026-03-17",
               "entries": [invoices[0].pk]}  # fmt: skip
    first = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="comm-1")
    again = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="comm-1")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Communication.objects.count() == 1
    assert ToDo.objects.count() == 1
    other = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="comm-2")
    assert other.status_code == 201
    assert Communication.objects.count() == 2


def test_same_key_with_a_different_body_is_refused(controller, customer):
    client = api_as(controller)
    payload = {"customer": customer.pk, "communication_type": "telephone",
               "contact_type": "telephone_made", "subject": "First"}  # fmt: skip
    client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = client.post(URL, {**payload, "subject": "Second"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    assert response.status_code == 400
    assert fields_of(response) == {"Idempotency-Key"}
    assert Communication.objects.count() == 1


def test_a_refused_create_does_not_use_up_the_key(controller, customer):
    client = api_as(controller)
    payload = {"customer": customer.pk, "communication_type": "telephone",
               "contact_type": "email_sent", "subject": "Oops"}  # fmt: skip
    assert client.post(URL, payload, format="json",
                       HTTP_IDEMPOTENCY_KEY="k-2").status_code == 400  # fmt: skip
    payload["contact_type"] = "telephone_made"
    response = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 201


def test_keys_are_per_user(controller, manager, customer):
    payload = {"customer": customer.pk, "communication_type": "telephone",
               "contact_type": "telephone_made", "subject": "Shared key"}  # fmt: skip
    a = api_as(controller).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="same")
    b = api_as(manager).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_retries_sent_at_once_with_one_key_write_once(controller, customer):
    import threading

    from django.db import connection

    payload = {"customer": customer.pk, "communication_type": "telephone",
               "contact_type": "telephone_made", "subject": "Sent twice"}  # fmt: skip
    start = threading.Barrier(2)
    statuses: list[int] = []

    def send() -> None:
        start.wait()
        try:
            response = api_as(controller).post(URL, payload, format="json",
                                               HTTP_IDEMPOTENCY_KEY="race-1")  # fmt: skip
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 201]
    assert Communication.objects.count() == 1


def test_the_communication_names_the_promise_made_on_it(controller, customer, invoices):
    response = call(
        api_as(controller), customer, outcome=outcome("Payment promised").pk,
        promise={"full_amount": True, "promised_on": "2026-03-20"},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["promises"] == [Promise.objects.get().pk]
    assert Promise.objects.get().amount == Decimal("350.50")  # every open invoice
