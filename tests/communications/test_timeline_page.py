"""The customer card's Timeline tab: everything done on the customer, newest first, so that
another controller can pick the customer up where the last one left off."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communications.promises import dispute_set, promise_create
from communications.services import call_action_record, communication_create
from communications.todos import todo_create
from tests.factories import EntryFactory, UserFactory, action_type, response

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def at(hours: int):
    return time_machine.travel(NOW + dt.timedelta(hours=hours), tick=False)


@pytest.fixture
def history(controller, customer):
    """One of each kind, an hour apart: communication, promise, action, dispute, to-do."""
    invoice = EntryFactory(customer=customer, amount=Decimal("300.00"), document_no="INV1001",
                           document_date=dt.date(2026, 1, 5))  # fmt: skip
    other = EntryFactory(customer=customer, amount=Decimal("80.00"), document_no="INV1002",
                         document_date=dt.date(2026, 1, 6))  # fmt: skip
    with at(0):
        c = communication_create(user=controller, customer=customer,
                                 communication_type="telephone", contact_type="telephone_made",
                                 subject="First chase", occurred_at=NOW)  # fmt: skip
    with at(1):
        promise = promise_create(user=controller, customer=customer, entry_ids=[invoice.pk],
                                 promised_on=dt.date(2026, 3, 20), amount="100.00")  # fmt: skip
    with at(2):
        action = call_action_record(user=controller, communication=c,
                                    action_type=action_type("Call"),
                                    response=response("Agreed to pay"))  # fmt: skip
    with at(3):
        dispute = dispute_set(user=controller, entry=other, amount="30.00",
                              reason="Short delivery")  # fmt: skip
    with at(4):
        todo = todo_create(user=controller, customer=customer, description="Ask for remittance",
                           due_on=dt.date(2026, 3, 12))  # fmt: skip
    return {"communication": c, "promise": promise, "action": action, "dispute": dispute,
            "todo": todo, "invoice": invoice, "other": other}  # fmt: skip


def timeline(client, customer, **params):
    with at(5):
        return client.get(reverse("communications:customer-timeline", args=[customer.pk]), params)


def test_timeline_lists_every_kind_newest_first_with_links(client, controller, customer, history):
    client.force_login(controller)
    response = timeline(client, customer)
    assert response.status_code == 200
    items = response.context["items"]
    # The promise's check to-do was raised with the promise, at hour 1.
    assert [i["kind"] for i in items] == [
        "todo",
        "dispute",
        "action",
        "todo",
        "promise",
        "communication",
    ]
    links = {i["kind"]: i["link"] for i in items}
    c = history["communication"]
    assert links["communication"] == reverse("communications:communication-detail", args=[c.pk])
    assert links["action"].endswith(f"#action-{history['action'].pk}")
    assert links["dispute"] == reverse("communications:entry-detail", args=[history["other"].pk])
    assert links["promise"] == reverse("communications:entry-detail", args=[history["invoice"].pk])
    assert items[0]["link"] == reverse("communications:todo-detail", args=[history["todo"].pk])
    html = response.content.decode()
    for text in ("First chase", "100.00 GBP (part, 1 entry) by 20 Mar 2026", "Call",
                 "Agreed to pay", "30.00 GBP of Invoice INV1002: Short delivery",
                 "Ask for remittance", "Check promised payment has been received",
                 "10 Mar 2026 14:00"):  # fmt: skip
        assert text in html, text


def test_timeline_filters_by_kind(client, controller, customer, history):
    client.force_login(controller)
    items = timeline(client, customer, kind="todo").context["items"]
    assert [i["kind"] for i in items] == ["todo", "todo"]
    assert len(timeline(client, customer, kind="nonsense").context["items"]) == 6


def test_timeline_shows_times_in_the_company_time_zone(client, controller, customer, history):
    customer.company.time_zone = "America/New_York"
    customer.company.save()
    client.force_login(controller)
    html = timeline(client, customer).content.decode()
    assert "10 Mar 2026 06:00" in html  # 10:00 UTC, the first chase (EDT since 8 March)


def test_an_ended_dispute_and_a_completed_communication_show_their_state(
    client, controller, customer, history
):
    from communications.services import communication_complete

    with at(4):
        dispute_set(user=controller, entry=history["other"], amount="0")
        communication_complete(user=controller, communication=history["communication"])
    client.force_login(controller)
    states = {i["kind"]: i["state"] for i in timeline(client, customer).context["items"]}
    assert (states["dispute"], states["communication"]) == ("ended", "complete")


def test_timeline_query_count_does_not_grow_with_rows(client, controller, customer, history):
    client.force_login(controller)
    timeline(client, customer)
    with CaptureQueriesContext(connection) as few:
        timeline(client, customer)
    for n in range(10):
        with at(0):
            c = communication_create(user=controller, customer=customer,
                                     communication_type="telephone",
                                     contact_type="telephone_made", subject=f"Call {n}",
                                     follow_up_on=dt.date(2026, 3, 11))  # fmt: skip
            call_action_record(user=controller, communication=c,
                               action_type=action_type("Call"))  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        response = timeline(client, customer)
    assert len(response.context["items"]) == 36
    assert len(many.captured_queries) == len(few.captured_queries) <= 20


def test_an_empty_timeline_says_so(client, controller, customer):
    client.force_login(controller)
    assert "Nothing recorded for this customer yet." in timeline(client, customer).content.decode()


def test_timeline_swaps_in_place_for_htmx(client, controller, customer):
    client.force_login(controller)
    url = reverse("communications:customer-timeline", args=[customer.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="card-panel"' in html and "<html" not in html


def test_an_outsider_gets_404(client, outsider, customer):
    client.force_login(outsider)
    assert timeline(client, customer).status_code == 404


def test_a_user_without_a_role_gets_403(client, company, customer):
    client.force_login(UserFactory(companies=[company]))
    assert timeline(client, customer).status_code == 403
