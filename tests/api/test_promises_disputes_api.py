"""Promises and disputes through the API: the money a customer promises or contests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from communications.models import Dispute, Promise, PromiseStatus, ToDo, ToDoKind
from communications.promises import promises_settle
from ledger.models import AuditEvent, EntryType
from ledger.services import application_apply
from tests.conftest import api_as
from tests.factories import CommunicationFactory, CustomerFactory, EntryFactory, payment

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)
PROMISES = "/api/v1/promises/"
DISPUTES = "/api/v1/disputes/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def invoices(customer):
    return [
        EntryFactory(customer=customer, amount=Decimal("100.00")),
        EntryFactory(customer=customer, amount=Decimal("50.00")),
    ]


def fields_of(response):
    return {e["field"] for e in response.json()["errors"]}


def promise(client, customer, entries, /, **fields):
    body = {"customer": customer.pk, "entries": [e.pk for e in entries],
            "promised_on": "2026-03-20", **fields}  # fmt: skip
    return client.post(PROMISES, body, format="json")


# --- promises ---------------------------------------------------------------------------


def test_full_promise_covers_the_remaining_amount_and_raises_the_check_todo(
    controller, customer, invoices
):
    response = promise(api_as(controller), customer, invoices, full_amount=True)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["currency"], body["full_amount"]) == ("150.00", "GBP", True)
    assert (body["amount_lcy"], body["base_currency"]) == ("150.00", "GBP")
    assert body["status"] == "open"
    assert sorted(body["entries"]) == sorted(e.pk for e in invoices)
    todo = ToDo.objects.get(promise_id=body["id"])
    assert todo.description == "Check promised payment has been received"
    assert todo.due_on == dt.date(2026, 3, 20)


def test_partial_promise_in_a_foreign_currency_has_its_lcy_amount(controller, company):
    euro = CustomerFactory(company=company, currency="EUR")
    entry = EntryFactory(customer=euro, amount=Decimal("200.00"), exchange_rate=Decimal("0.85"))
    response = promise(api_as(controller), euro, [entry], amount="100.00")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["currency"]) == ("100.00", "EUR")
    assert (body["amount_lcy"], body["base_currency"]) == ("85.00", "GBP")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "150.01"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-10"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({}, "amount"),
        ({"amount": "10", "full_amount": True}, "amount"),
        ({"amount": "10", "promised_on": "2026-03-09"}, "promised_on"),
        ({"amount": "10", "promised_on": "2027-03-12"}, "promised_on"),
        ({"amount": "10", "promised_on": "20/03/2026"}, "promised_on"),
        ({"amount": "10", "promised_on": None}, "promised_on"),
        ({"amount": "10", "entries": []}, "entries"),
        ({"amount": "10", "entries": [0]}, "entries"),
        ({"amount": "10", "customer": "ACC001"}, "customer"),
        ({"amount": "10", "communication": 999999}, "communication"),
    ],
)
def test_bad_promise_names_the_field_and_writes_nothing(
    controller, customer, invoices, fields, field
):
    response = promise(api_as(controller), customer, invoices, **fields)
    assert response.status_code == 400, response.content
    assert field in fields_of(response), response.json()
    assert not Promise.objects.exists()
    assert not ToDo.objects.exists()


def test_promise_on_entries_of_another_customer_is_refused(controller, customer, company):
    stranger = EntryFactory(customer=CustomerFactory(company=company))
    response = promise(api_as(controller), customer, [stranger], full_amount=True)
    assert response.status_code == 400
    assert fields_of(response) == {"entries"}
    assert not Promise.objects.exists()


def test_promise_on_entries_of_another_company_is_refused(controller, customer, other_company):
    foreign = EntryFactory(customer=CustomerFactory(company=other_company))
    response = promise(api_as(controller), customer, [foreign], full_amount=True)
    assert response.status_code == 400
    assert str(foreign.pk) in response.json()["errors"][0]["message"]


def test_promise_with_a_communication_of_another_customer_is_refused(
    controller, customer, company, invoices
):
    elsewhere = CommunicationFactory(customer=CustomerFactory(company=company))
    response = promise(api_as(controller), customer, invoices, full_amount=True,
                       communication=elsewhere.pk)  # fmt: skip
    assert response.status_code == 400
    assert fields_of(response) == {"communication"}


def test_second_open_promise_on_the_same_entry_is_refused(controller, customer, invoices):
    client = api_as(controller)
    assert promise(client, customer, invoices[:1], full_amount=True).status_code == 201
    response = promise(client, customer, invoices, amount="20.00")
    assert response.status_code == 400
    assert "already carries an open promise" in response.json()["errors"][0]["message"]


def test_cancel_closes_the_promise_and_its_check_todo(controller, customer, invoices):
    client = api_as(controller)
    body = promise(client, customer, invoices, full_amount=True).json()
    response = client.post(f"{PROMISES}{body['id']}/cancel/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["resolved_on"]) == (
        "cancelled",
        "2026-03-10",
    )
    assert not ToDo.objects.open().filter(promise_id=body["id"]).exists()
    again = client.post(f"{PROMISES}{body['id']}/cancel/")
    assert again.status_code == 400
    assert "already cancelled" in again.json()["errors"][0]["message"]


def test_promise_kept_when_payment_covers_it_by_the_date(controller, manager, customer, invoices):
    body = promise(api_as(controller), customer, invoices[:1], amount="60.00").json()
    cash = payment(customer, "60.00")
    with time_machine.travel(dt.datetime(2026, 3, 15, 9, tzinfo=dt.UTC), tick=False):
        application_apply(user=manager, credit_entry=cash, debit_entry=invoices[0],
                          amount=Decimal("60.00"))  # fmt: skip
    read = api_as(controller).get(f"{PROMISES}{body['id']}/").json()
    assert read["status"] == PromiseStatus.KEPT


def test_promise_broken_after_its_date_shows_as_broken_with_a_todo(controller, customer, invoices):
    body = promise(api_as(controller), customer, invoices[:1], amount="60.00").json()
    promises_settle(company=customer.company, as_of=dt.date(2026, 3, 21))
    client = api_as(controller)
    assert client.get(f"{PROMISES}{body['id']}/").json()["status"] == "broken"
    assert [p["id"] for p in client.get(PROMISES, {"status": "broken"}).json()["results"]] == [
        body["id"]
    ]
    assert client.get(PROMISES, {"status": "open"}).json()["results"] == []
    broken = client.get("/api/v1/todos/", {"kind": ToDoKind.PROMISE_BROKEN}).json()["results"]
    assert len(broken) == 1


def test_promises_filter_by_customer_entry_and_date(controller, customer, company, invoices):
    client = api_as(controller)
    first = promise(client, customer, invoices[:1], amount="10.00").json()
    second = promise(
        client, customer, invoices[1:], amount="10.00", promised_on="2026-04-20"
    ).json()
    other_customer = CustomerFactory(company=company)
    promise(client, other_customer, [EntryFactory(customer=other_customer)], full_amount=True)
    ids = lambda **q: {p["id"] for p in client.get(PROMISES, q).json()["results"]}  # noqa: E731
    assert ids(customer=customer.pk) == {first["id"], second["id"]}
    assert ids(entry=invoices[1].pk) == {second["id"]}
    assert ids(promised_to="2026-03-31") >= {first["id"]}
    assert second["id"] not in ids(promised_to="2026-03-31")
    assert client.get(PROMISES, {"promised_to": "soon"}).status_code == 400
    assert client.get(PROMISES, {"status": "maybe"}).status_code == 400


# --- disputes ---------------------------------------------------------------------------


def dispute(client, entry, /, **fields):
    body = {"entry": entry.pk, "amount": "30.00", "reason": "Short delivery", **fields}
    return client.post(DISPUTES, body, format="json")


def test_dispute_is_opened_with_owner_defaulting_to_the_user(controller, customer, invoices):
    response = dispute(api_as(controller), invoices[0])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["currency"], body["is_open"]) == ("30.00", "GBP", True)
    assert body["owner"] == controller.pk
    assert body["customer"] == customer.pk
    assert body["opened_on"] == "2026-03-10"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "100.01"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "thirty"}, "amount"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"owner": 999999}, "owner"),
        ({"entry": "DOC1"}, "entry"),
        ({"entry": 999999}, "entry"),
    ],
)
def test_bad_dispute_names_the_field_and_writes_nothing(controller, invoices, fields, field):
    response = dispute(api_as(controller), invoices[0], **fields)
    assert response.status_code == 400, response.content
    assert field in fields_of(response), response.json()
    assert not Dispute.objects.exists()


def test_dispute_above_the_undisputed_remaining_is_refused(controller, manager, customer, invoices):
    cash = payment(customer, "80.00")
    application_apply(user=manager, credit_entry=cash, debit_entry=invoices[0],
                      amount=Decimal("80.00"))  # fmt: skip
    response = dispute(api_as(controller), invoices[0], amount="20.01")
    assert response.status_code == 400
    assert "20.00 GBP still open" in response.json()["errors"][0]["message"]


def test_dispute_on_a_payment_is_refused(controller, customer):
    cash = payment(customer, "10.00")
    response = dispute(api_as(controller), cash, amount="5.00")
    assert response.status_code == 400
    assert fields_of(response) == {"entry"}


def test_a_second_dispute_on_an_entry_points_to_the_open_one(controller, invoices):
    client = api_as(controller)
    first = dispute(client, invoices[0]).json()
    response = dispute(client, invoices[0], amount="10.00")
    assert response.status_code == 400
    assert f"/api/v1/disputes/{first['id']}/" in response.json()["errors"][0]["message"]
    assert Dispute.objects.count() == 1


def test_dispute_of_another_company_entry_is_not_found(controller, other_company):
    foreign = EntryFactory(customer=CustomerFactory(company=other_company))
    response = dispute(api_as(controller), foreign)
    assert response.status_code == 400
    assert fields_of(response) == {"entry"}


def test_changing_the_amount_is_kept_in_the_history(controller, manager, invoices):
    client = api_as(controller)
    body = dispute(client, invoices[0]).json()
    response = client.patch(f"{DISPUTES}{body['id']}/", {"amount": "45.00", "owner": manager.pk},
                            format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert (response.json()["amount"], response.json()["owner"]) == ("45.00", manager.pk)
    events = AuditEvent.objects.filter(model="communications.dispute", object_id=body["id"])
    assert [e.action for e in events.order_by("id")] == ["create", "update"]
    assert events.order_by("id").last().after["amount"] == "45.00"


def test_patching_above_the_remaining_is_refused(controller, invoices):
    client = api_as(controller)
    body = dispute(client, invoices[0]).json()
    response = client.patch(f"{DISPUTES}{body['id']}/", {"amount": "101"}, format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"amount"}
    assert Dispute.objects.get().amount == Decimal("30.00")


def test_amount_zero_ends_the_dispute(controller, invoices):
    client = api_as(controller)
    body = dispute(client, invoices[0]).json()
    response = client.patch(f"{DISPUTES}{body['id']}/", {"amount": "0"}, format="json")
    assert response.status_code == 200
    assert (response.json()["is_open"], response.json()["amount"]) == (False, "0.00")
    assert response.json()["ended_on"] == "2026-03-10"
    again = client.patch(f"{DISPUTES}{body['id']}/", {"amount": "5"}, format="json")
    assert again.status_code == 400


def test_delete_ends_the_dispute_and_keeps_the_row(controller, invoices):
    client = api_as(controller)
    body = dispute(client, invoices[0]).json()
    assert client.delete(f"{DISPUTES}{body['id']}/").status_code == 204
    assert client.delete(f"{DISPUTES}{body['id']}/").status_code == 204  # harmless twice
    ended = Dispute.objects.get()
    assert (ended.is_open, ended.amount) == (False, Decimal("0.00"))
    assert client.get(DISPUTES, {"is_open": "true"}).json()["results"] == []
    assert [d["id"] for d in client.get(DISPUTES, {"is_open": "false"}).json()["results"]] == [
        body["id"]
    ]
    assert dispute(client, invoices[0], amount="5.00").status_code == 201


def test_disputes_filter_by_customer_and_entry(controller, customer, company, invoices):
    client = api_as(controller)
    first = dispute(client, invoices[0]).json()
    dispute(client, invoices[1], amount="5.00")
    other = EntryFactory(customer=CustomerFactory(company=company))
    dispute(client, other, amount="5.00")
    assert [d["id"] for d in client.get(DISPUTES, {"entry": invoices[0].pk}).json()["results"]] == [
        first["id"]
    ]
    assert len(client.get(DISPUTES, {"customer": customer.pk}).json()["results"]) == 2
    assert client.get(DISPUTES, {"entry": "x"}).status_code == 400


# --- access and idempotency --------------------------------------------------------------


def test_outsider_gets_404_on_promises_and_disputes(controller, outsider, customer, invoices):
    client = api_as(controller)
    p = promise(client, customer, invoices[:1], full_amount=True).json()
    d = dispute(client, invoices[1], amount="5.00").json()
    intruder = api_as(outsider)
    assert intruder.get(f"{PROMISES}{p['id']}/").status_code == 404
    assert intruder.post(f"{PROMISES}{p['id']}/cancel/").status_code == 404
    assert intruder.get(f"{DISPUTES}{d['id']}/").status_code == 404
    assert (
        intruder.patch(f"{DISPUTES}{d['id']}/", {"amount": "1"}, format="json").status_code == 404
    )
    assert intruder.delete(f"{DISPUTES}{d['id']}/").status_code == 404
    assert intruder.get(PROMISES).json()["results"] == []
    assert intruder.get(DISPUTES).json()["results"] == []
    assert Promise.objects.get().status == "open"
    assert Dispute.objects.get().is_open


def test_outsider_cannot_promise_or_dispute_on_another_companys_customer(
    outsider, customer, invoices
):
    client = api_as(outsider)
    assert promise(client, customer, invoices, full_amount=True).status_code == 400
    assert dispute(client, invoices[0]).status_code == 400
    assert not Promise.objects.exists()
    assert not Dispute.objects.exists()


def test_integrator_reads_promises_and_disputes_but_cannot_write(
    controller, integrator, customer, invoices
):
    p = promise(api_as(controller), customer, invoices[:1], full_amount=True).json()
    d = dispute(api_as(controller), invoices[1], amount="5.00").json()
    client = api_as(integrator)
    assert client.get(f"{PROMISES}{p['id']}/").status_code == 200
    assert client.get(f"{DISPUTES}{d['id']}/").status_code == 200
    assert promise(client, customer, invoices[1:], full_amount=True).status_code == 403
    assert client.post(f"{PROMISES}{p['id']}/cancel/").status_code == 403
    assert client.patch(f"{DISPUTES}{d['id']}/", {"amount": "1"}, format="json").status_code == 403
    assert client.delete(f"{DISPUTES}{d['id']}/").status_code == 403


def test_promise_retry_with_the_same_key_writes_once(controller, customer, invoices):
    client = api_as(controller)
    body = {"customer": customer.pk, "entries": [invoices[0].pk], "amount": "40.00",
            "promised_on": "2026-03-20"}  # fmt: skip
    first = client.post(PROMISES, body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    again = client.post(PROMISES, body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Promise.objects.count() == 1
    assert ToDo.objects.count() == 1


def test_dispute_retry_with_the_same_key_writes_once(controller, invoices):
    client = api_as(controller)
    body = {"entry": invoices[0].pk, "amount": "30.00", "reason": "Damaged"}
    first = client.post(DISPUTES, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    again = client.post(DISPUTES, body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Dispute.objects.count() == 1


def test_an_overlong_idempotency_key_is_refused(controller, invoices):
    client = api_as(controller)
    body = {"entry": invoices[1].pk, "amount": "1.00", "reason": "x"}
    response = client.post(DISPUTES, body, format="json", HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert response.status_code == 400
    assert fields_of(response) == {"Idempotency-Key"}


def test_credit_note_cannot_carry_a_promise(controller, customer):
    credit = EntryFactory(customer=customer, entry_type=EntryType.CREDIT_NOTE, amount=Decimal("-5"))
    response = promise(api_as(controller), customer, [credit], full_amount=True)
    assert response.status_code == 400
    assert fields_of(response) == {"entries"}
