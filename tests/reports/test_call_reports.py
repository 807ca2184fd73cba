"""Collector call history and Call actions: periods read in the company's time zone,
counts per collector and per action type, CSV and API agreeing with the page, access and
query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from communications.models import CallAction
from creditcontrol.csv_export import CsvLines
from tests.conftest import api_as
from tests.factories import (
    CommunicationFactory,
    CustomerFactory,
    EntryFactory,
    action_type,
    response,
    user_in,
)

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
D = Decimal
HISTORY = reverse("reports:call-history")
ACTIONS = reverse("reports:call-actions")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def as_written(cells: list) -> list[str]:
    """Cells as the one CSV writer writes them (it formats dates and moments)."""
    return next(csv.reader(io.StringIO(CsvLines().writerow(cells))))


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def calls(company, other_company, controller):
    """Around the end of March in London (summer time from 29 March, UTC+1): carol's call
    at 00:30 on 31/03, her email at 23:30 on 31/03 and her call at 00:30 on 01/04; colin's
    meeting on 31/03 at 10:00, completed; another company's call on 31/03."""
    colin = user_in(company, username="colin", first_name="Colin", last_name="Baker")
    customer = CustomerFactory(company=company, account_code="BOLT", name="Bolt & Nut Ltd")
    made = {
        "early": CommunicationFactory(
            customer=customer, our_contact=controller, occurred_at=utc(2026, 3, 30, 23, 30)
        ),
        "late": CommunicationFactory(
            customer=customer,
            our_contact=controller,
            communication_type="correspondence",
            contact_type="email_sent",
            occurred_at=utc(2026, 3, 31, 22, 30),
            balance_lcy=D("1234.50"),
        ),
        "april": CommunicationFactory(
            customer=customer, our_contact=controller, occurred_at=utc(2026, 3, 31, 23, 30)
        ),
        "meeting": CommunicationFactory(
            customer=customer,
            our_contact=colin,
            communication_type="meeting",
            contact_type="meeting",
            occurred_at=utc(2026, 3, 31, 9, 0),
            completed_at=utc(2026, 4, 2, 9, 0),
        ),
    }
    CommunicationFactory(customer=CustomerFactory(company=other_company),
                         occurred_at=utc(2026, 3, 31, 10, 0))  # fmt: skip
    return {"colin": colin, "customer": customer, **made}


def test_call_history_reads_the_period_in_the_company_time_zone(client, calls, manager):
    client.force_login(manager)
    response = client.get(HISTORY, {"occurred_from": "2026-03-31", "occurred_to": "2026-03-31"})
    rows = response.context["page"].rows
    when = response.context["report"].columns[0]
    # Newest first, times shown in London time (the page's one date-and-time format).
    assert [(when.display(r["occurred"]), r["collector_name"]) for r in rows] == [
        ("31 Mar 2026 23:30", "carol"),
        ("31 Mar 2026 10:00", "Colin Baker"),
        ("31 Mar 2026 00:30", "carol"),
    ]  # fmt: skip
    html = response.content.decode()
    assert "31 Mar 2026 23:30" in html and "31 Mar 2026 00:30" in html
    assert rows[0]["balance_lcy"] == D("1234.50")


def test_call_history_counts_per_collector(client, calls, manager, controller):
    client.force_login(manager)
    response = client.get(HISTORY)
    per = {row["name"]: row for row in response.context["per_collector"]}
    assert (per["carol"]["total"], per["carol"]["live"]) == (3, 3)
    assert (per["carol"]["telephone_made"], per["carol"]["email_sent"]) == (2, 1)
    assert (per["Colin Baker"]["total"], per["Colin Baker"]["live"], per["Colin Baker"]["meeting"]) == (1, 0, 1)  # fmt: skip
    assert "By collector" in response.content.decode()


@pytest.mark.parametrize(("params", "keys"), [
    ({"status": "completed"}, ["meeting"]),
    ({"communication_type": "correspondence"}, ["late"]),
    ({"contact_type": "telephone_made", "occurred_from": "2026-04-01"}, ["april"]),
])  # fmt: skip
def test_call_history_filters(client, calls, manager, params, keys):
    client.force_login(manager)
    rows = client.get(HISTORY, params).context["page"].rows
    assert [r["id"] for r in rows] == [calls[k].pk for k in keys]


def test_call_history_collector_filter_is_who_made_the_contact(client, calls, manager):
    client.force_login(manager)
    calls["customer"].controller = manager  # the customer's controller is someone else
    calls["customer"].save()
    rows = client.get(HISTORY, {"controller": calls["colin"].pk}).context["page"].rows
    assert [r["id"] for r in rows] == [calls["meeting"].pk]


def test_call_history_csv_and_api_agree_with_the_page(client, calls, manager):
    client.force_login(manager)
    page = client.get(HISTORY)
    report = page.context["report"]
    lines = csv_rows(client.get(reverse("reports:call-history-csv")))
    assert lines[0][:3] == ["When", "Collector", "Account"]
    assert lines[1:] == [
        as_written([c.text(c.get(r)) for c in report.columns]) for r in page.context["page"].rows
    ]
    body = api_as(manager).get("/api/v1/reports/call-history/").json()
    # The API gives each moment in ISO 8601 with its offset: the same instants as the page.
    assert [dt.datetime.fromisoformat(r["occurred"]) for r in body["results"]] == [
        r["occurred"] for r in page.context["page"].rows
    ]
    assert body["results"][1]["balance_lcy"] == "1234.50"


def test_call_history_outsider_and_query_cap(client, calls, outsider, manager, controller,
                                             django_assert_max_num_queries):  # fmt: skip
    client.force_login(outsider)
    rows = client.get(HISTORY).context["page"].rows
    assert len(rows) == 1 and rows[0]["customer__account_code"] != "BOLT"
    assert client.get(HISTORY, {"controller": controller.pk}).context["run"].errors
    client.force_login(manager)
    for minute in range(30):
        CommunicationFactory(customer=calls["customer"], our_contact=controller,
                             occurred_at=utc(2026, 5, 1, 9, minute))  # fmt: skip
    with django_assert_max_num_queries(14):
        assert len(client.get(HISTORY).context["page"].rows) == 34


# --- Call actions -------------------------------------------------------------------------


@pytest.fixture
def actions(calls, company, controller):
    """A credit memo request of 40.00 USD on a USD invoice, a partial dispute of 15.00 GBP,
    an alert on the customer, all on carol's email, on 20/11 and 22/11."""
    usd = CustomerFactory(company=company, currency="USD", account_code="YANK")
    usd_call = CommunicationFactory(customer=usd, our_contact=controller)
    invoice = EntryFactory(customer=usd, document_no="INV-USD", amount=D("100.00"),
                           exchange_rate=D("0.8"))  # fmt: skip
    gbp_invoice = EntryFactory(customer=calls["customer"], document_no="INV-GBP")

    def record(kind, communication, created_at, **fields):
        action = CallAction.objects.create(company=company, customer=communication.customer,
                                           communication=communication,
                                           action_type=action_type(kind), created_by=controller,
                                           **fields)  # fmt: skip
        CallAction.objects.filter(pk=action.pk).update(created_at=created_at)
        return action

    return {
        "memo": record(
            "Credit memo request",
            usd_call,
            utc(2026, 11, 22, 9, 0),
            entry=invoice,
            amount=D("40.00"),
            notes="Price differs from the quote",
        ),
        "dispute": record(
            "Partial dispute",
            calls["late"],
            utc(2026, 11, 20, 9, 0),
            entry=gbp_invoice,
            amount=D("15.00"),
            response=response("Disputes the amount"),
        ),
        "alert": record("Alert", calls["late"], utc(2026, 11, 20, 23, 30)),
    }


def test_call_actions_list_newest_first_with_amounts_in_their_currency(client, actions, manager):
    client.force_login(manager)
    response = client.get(ACTIONS)
    rows = response.context["page"].rows
    recorded = response.context["report"].columns[0]
    assert [(r["action_type__name"], r["entry__document_no"], r["amount"], r["currency"],
             recorded.display(r["recorded"])) for r in rows] == [
        ("Credit memo request", "INV-USD", D("40.00"), "USD", "22 Nov 2026 09:00"),
        ("Alert", None, None, "GBP", "20 Nov 2026 23:30"),
        ("Partial dispute", "INV-GBP", D("15.00"), "GBP", "20 Nov 2026 09:00"),
    ]  # fmt: skip
    assert rows[2]["response__name"] == "Disputes the amount"


def test_call_actions_count_per_action_type(client, actions, manager):
    client.force_login(manager)
    per_type = {row["name"]: row for row in client.get(ACTIONS).context["per_type"]}
    assert per_type["Credit memo request"]["count"] == 1
    assert per_type["Credit memo request"]["amounts"] == [(D("40.00"), "USD")]
    assert per_type["Credit memo request"]["behaviour"] == "Request a credit memo"
    assert per_type["Alert"]["amounts"] == []


@pytest.mark.parametrize(("params", "keys"), [
    ({"behaviour": "credit_memo"}, ["memo"]),
    ({"created_from": "2026-11-21"}, ["memo"]),
    # 23:30 UTC on 20/11 is still 20/11 in London (no summer time in November).
    ({"created_from": "2026-11-20", "created_to": "2026-11-20"}, ["alert", "dispute"]),
])  # fmt: skip
def test_call_action_filters(client, actions, manager, params, keys):
    client.force_login(manager)
    rows = client.get(ACTIONS, params).context["page"].rows
    assert [r["id"] for r in rows] == [actions[k].pk for k in keys]


def test_call_action_type_filter(client, actions, manager):
    client.force_login(manager)
    rows = client.get(ACTIONS, {"action_type": action_type("Alert").pk}).context["page"].rows
    assert [r["id"] for r in rows] == [actions["alert"].pk]


def test_call_actions_csv_and_api_agree_with_the_page(client, actions, manager):
    client.force_login(manager)
    page = client.get(ACTIONS)
    report = page.context["report"]
    lines = csv_rows(client.get(reverse("reports:call-actions-csv")))
    assert lines[1:] == [
        as_written([c.text(c.get(r)) for c in report.columns]) for r in page.context["page"].rows
    ]
    assert (
        lines[1][report.columns.index(next(c for c in report.columns if c.key == "amount"))]
        == "40.00"
    )
    body = api_as(manager).get("/api/v1/reports/call-actions/", {"behaviour": "credit_memo"}).json()
    assert [(r["amount"], r["currency"]) for r in body["results"]] == [("40.00", "USD")]


def test_call_actions_outsider_and_query_cap(client, actions, outsider, manager, controller,
                                             django_assert_max_num_queries):  # fmt: skip
    client.force_login(outsider)
    assert client.get(ACTIONS).context["page"].rows == []
    assert api_as(outsider).get("/api/v1/reports/call-actions/").json()["results"] == []
    client.force_login(manager)
    communication = actions["alert"].communication
    for _ in range(25):
        CallAction.objects.create(company=communication.company, customer=communication.customer,
                                  communication=communication, action_type=action_type("Call"))  # fmt: skip
    with django_assert_max_num_queries(14):
        assert len(client.get(ACTIONS).context["page"].rows) == 28
