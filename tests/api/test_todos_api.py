"""To-dos through the API: created by hand, changed, closed and reopened, filtered by day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User

from communications.models import ToDo
from creditcontrol import roles
from ledger.services import application_apply
from tests.conftest import api_as
from tests.factories import CustomerFactory, EntryFactory, ToDoFactory, payment, user_in

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
URL = "/api/v1/todos/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def fields_of(response):
    return {e["field"] for e in response.json()["errors"]}


def todo(client, customer, /, **fields):
    body = {"customer": customer.pk, "description": "Ask for remittance",
            "due_on": "2026-03-12", **fields}  # fmt: skip
    return client.post(URL, body, format="json")


def test_todo_by_hand_defaults_its_owner_to_the_customers_controller(controller, manager, customer):
    customer.controller = controller
    customer.save()
    response = todo(api_as(manager), customer)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["owner"], body["kind"], body["status"]) == (controller.pk, "manual", "open")
    assert body["created_by"] == manager.pk


def test_todo_owner_defaults_to_the_user_without_a_controller(controller, customer):
    body = todo(api_as(controller), customer).json()
    assert body["owner"] == controller.pk


def test_todo_with_entries_closes_when_they_are_paid(controller, manager, customer):
    invoice = EntryFactory(customer=customer, amount=Decimal("100.00"))
    body = todo(api_as(controller), customer, entries=[invoice.pk]).json()
    assert body["entries"] == [invoice.pk]
    application_apply(user=manager, credit_entry=payment(customer, "100.00"), debit_entry=invoice,
                      amount=Decimal("100.00"))  # fmt: skip
    read = api_as(controller).get(f"{URL}{body['id']}/").json()
    assert read["status"] == "closed"
    assert read["close_reason"] == "Every entry it concerns is paid."


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 301}, "description"),
        ({"due_on": "2026-03-09"}, "due_on"),
        ({"due_on": "2028-03-11"}, "due_on"),
        ({"due_on": "tomorrow"}, "due_on"),
        ({"due_on": None}, "due_on"),
        ({"owner": 999999}, "owner"),
        ({"owner": "carol"}, "owner"),
        ({"entries": [999999]}, "entries"),
        ({"entries": [-1]}, "entries"),
        ({"customer": 999999}, "customer"),
    ],
)
def test_bad_todo_names_the_field_and_writes_nothing(controller, customer, fields, field):
    response = todo(api_as(controller), customer, **fields)
    assert response.status_code == 400, response.content
    assert field in fields_of(response), response.json()
    assert not ToDo.objects.exists()


def test_owner_must_work_on_the_company(controller, customer, company, other_company):
    integrator = user_in(company, roles.INTEGRATOR, username="ivan")
    stranger = user_in(other_company, roles.CONTROLLER, username="sam")
    client = api_as(controller)
    refused = todo(client, customer, owner=integrator.pk)
    assert refused.status_code == 400
    assert "does not work on" in refused.json()["errors"][0]["message"]
    hidden = todo(client, customer, owner=stranger.pk)
    assert hidden.status_code == 400
    assert fields_of(hidden) == {"owner"}
    assert not ToDo.objects.exists()


def test_patch_changes_description_date_owner_and_notes(controller, manager, customer):
    client = api_as(controller)
    body = todo(client, customer).json()
    response = client.patch(
        f"{URL}{body['id']}/",
        {
            "description": "Chase AP",
            "due_on": "2026-03-20",
            "owner": manager.pk,
            "notes": "Ask Ann",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    got = response.json()
    assert (got["description"], got["due_on"], got["owner"], got["notes"]) == (
        "Chase AP", "2026-03-20", manager.pk, "Ask Ann"
    )  # fmt: skip


def test_patch_with_a_bad_date_keeps_the_todo(controller, customer):
    client = api_as(controller)
    body = todo(client, customer).json()
    response = client.patch(f"{URL}{body['id']}/", {"due_on": "2030-01-01"}, format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"due_on"}
    assert ToDo.objects.get().due_on == dt.date(2026, 3, 12)


def test_close_and_reopen_are_verbs_and_twice_is_harmless(controller, customer):
    client = api_as(controller)
    body = todo(client, customer).json()
    closed = client.post(f"{URL}{body['id']}/close/", {"reason": "Remittance in"}, format="json")
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["close_reason"]) == ("closed", "Remittance in")
    assert closed.json()["closed_by"] == controller.pk
    again = client.post(f"{URL}{body['id']}/close/")
    assert again.json()["closed_at"] == closed.json()["closed_at"]
    reopened = client.post(f"{URL}{body['id']}/reopen/")
    assert (reopened.json()["status"], reopened.json()["closed_at"]) == ("open", None)
    assert client.post(f"{URL}{body['id']}/reopen/").json()["status"] == "open"


def test_close_without_a_reason_says_by_hand(controller, customer):
    client = api_as(controller)
    body = todo(client, customer).json()
    assert client.post(f"{URL}{body['id']}/close/").json()["close_reason"] == "Closed by hand."


def test_show_filters_open_closed_mine_due_today_and_overdue(controller, manager, customer):
    make = lambda **kw: ToDoFactory(customer=customer, **kw).pk  # noqa: E731
    today = make(owner=controller, due_on=dt.date(2026, 3, 10))
    overdue = make(owner=manager, due_on=dt.date(2026, 3, 9))
    later = make(owner=controller, due_on=dt.date(2026, 3, 20))
    closed = make(owner=controller, due_on=dt.date(2026, 3, 1), status="closed", closed_at=NOW)
    client = api_as(controller)
    ids = lambda **q: {t["id"] for t in client.get(URL, q).json()["results"]}  # noqa: E731
    assert ids(show="open") == {today, overdue, later}
    assert ids(show="closed") == {closed}
    assert ids(show="mine") == {today, later}
    assert ids(show="due_today") == {today}
    assert ids(show="overdue") == {overdue}
    assert ids(owner=manager.pk) == {overdue}
    assert ids(due_from="2026-03-10", due_to="2026-03-31", status="open") == {today, later}
    assert client.get(URL, {"show": "someday"}).status_code == 400


def test_due_today_is_decided_in_the_companys_time_zone(other_company):
    berlin_controller = user_in(other_company, roles.CONTROLLER, username="berta")
    berliner = CustomerFactory(company=other_company)
    # 23:30 UTC on the 10th is already the 11th in Berlin.
    due = ToDoFactory(customer=berliner, owner=berlin_controller, due_on=dt.date(2026, 3, 11)).pk
    with time_machine.travel(dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False):
        listed = api_as(berlin_controller).get(URL, {"show": "due_today"}).json()["results"]
    assert [t["id"] for t in listed] == [due]


def test_todos_order_by_due_date_with_a_stable_cursor(controller, customer):
    for day in (15, 11, 13):
        ToDoFactory(customer=customer, owner=controller, due_on=dt.date(2026, 3, day))
    client = api_as(controller)
    first = client.get(URL, {"ordering": "due_on", "page_size": 2}).json()
    second = client.get(first["next"]).json()
    days = [t["due_on"] for t in first["results"] + second["results"]]
    assert days == ["2026-03-11", "2026-03-13", "2026-03-15"]


def test_outsider_gets_404_for_another_companys_todo(controller, outsider, customer):
    body = todo(api_as(controller), customer).json()
    client = api_as(outsider)
    assert client.get(f"{URL}{body['id']}/").status_code == 404
    assert client.patch(f"{URL}{body['id']}/", {"notes": "x"}, format="json").status_code == 404
    assert client.post(f"{URL}{body['id']}/close/").status_code == 404
    assert client.post(f"{URL}{body['id']}/reopen/").status_code == 404
    assert client.get(URL).json()["results"] == []
    assert todo(client, customer).status_code == 400
    assert ToDo.objects.get().status == "open"


def test_integrator_reads_todos_but_cannot_write(controller, integrator, customer):
    body = todo(api_as(controller), customer).json()
    client = api_as(integrator)
    assert client.get(f"{URL}{body['id']}/").status_code == 200
    assert todo(client, customer).status_code == 403
    assert client.post(f"{URL}{body['id']}/close/").status_code == 403
    assert client.patch(f"{URL}{body['id']}/", {"notes": "x"}, format="json").status_code == 403


def test_user_without_a_role_is_refused(company, customer):
    nobody = User.objects.create_user("nobody", password="x-pass-12345")
    company.members.add(nobody)
    assert api_as(nobody).get(URL).status_code == 403


def test_retry_with_the_same_key_creates_one_todo(controller, customer):
    client = api_as(controller)
    body = {"customer": customer.pk, "description": "Once", "due_on": "2026-03-12"}
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert ToDo.objects.count() == 1


def test_a_key_older_than_a_day_creates_anew(controller, customer):
    client = api_as(controller)
    body = {"customer": customer.pk, "description": "Daily", "due_on": "2026-03-12"}
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="t-2")
    with time_machine.travel(NOW + dt.timedelta(hours=25), tick=False):
        again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="t-2")
    assert (first.status_code, again.status_code) == (201, 201)
    assert ToDo.objects.count() == 2
