"""Exclusions, expected payment dates, the follow-up history and the outbox through the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from communications.models import EntryNote
from followups.execution import proposal_execute, proposal_skip
from followups.models import Document, OutboxMessage
from ledger.models import AuditEvent, LedgerEntry
from tests.conftest import api_as
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    EntryFactory,
    payment,
    proposal_with_lines,
)

TODAY = dt.date(2026, 11, 23)
EXCLUSIONS = "/api/v1/followup-exclusions/"
EXPECTED = "/api/v1/expected-payment-dates/"
HISTORY = "/api/v1/followup-history/"
OUTBOX = "/api/v1/outbox-messages/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def invoice(customer, days_late: int, amount: str = "100.00"):
    due = TODAY - dt.timedelta(days=days_late)
    return EntryFactory(customer=customer, due_date=due, document_date=due - dt.timedelta(days=30),
                        amount=Decimal(amount))  # fmt: skip


def errors(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def excluded(client, **query) -> dict[int, tuple]:
    response = client.get(EXCLUSIONS, query)
    assert response.status_code == 200, response.json()
    return {
        e["entry"]: (e["exclude_forever"], e["exclude_until"]) for e in response.json()["results"]
    }


@pytest.fixture
def invoices(customer):
    return [invoice(customer, 10), invoice(customer, 20)]


@pytest.fixture
def contact(customer):
    return ContactFactory(customer=customer, first_name="Jo", email="jo@bolt.example",
                          is_credit_contact=True)  # fmt: skip


# --- exclusions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "until"),
    [("1w", "2026-11-30"), ("2w", "2026-12-07"), ("1m", "2026-12-23"), ("2m", "2027-01-23"),
     ("forever", None)],
)  # fmt: skip
def test_exclude_entries_for_a_period_from_today(controller, invoices, period, until):
    client = api_as(controller)
    response = client.post(EXCLUSIONS, {"entries": [e.pk for e in invoices], "period": period})
    assert response.status_code == 200, response.json()
    assert [(e["entry"], e["exclude_until"]) for e in response.json()] == [
        (e.pk, until) for e in invoices
    ]
    assert excluded(client) == {e.pk: (period == "forever", until) for e in invoices}
    assert AuditEvent.objects.filter(model="ledger.ledgerentry", object_id=invoices[0].pk).exists()


def test_include_again_and_delete_end_the_exclusion(controller, invoices):
    client = api_as(controller)
    client.post(EXCLUSIONS, {"entries": [e.pk for e in invoices], "period": "forever"})
    response = client.post(f"{EXCLUSIONS}include/", {"entries": [invoices[0].pk]})
    assert response.status_code == 200
    assert response.json()[0]["exclude_forever"] is False
    assert set(excluded(client)) == {invoices[1].pk}
    assert client.get(f"{EXCLUSIONS}{invoices[1].pk}/").json()["exclude_forever"] is True
    assert client.delete(f"{EXCLUSIONS}{invoices[1].pk}/").status_code == 204
    assert excluded(client) == {}
    assert client.get(f"{EXCLUSIONS}{invoices[1].pk}/").status_code == 404  # not excluded now


def test_lapsed_exclusions_are_listed_only_when_asked(controller, customer, company):
    lapsed, running = invoice(customer, 10), invoice(customer, 11)
    LedgerEntry.objects.filter(pk=lapsed.pk).update(exclude_until=TODAY)  # chased again today
    LedgerEntry.objects.filter(pk=running.pk).update(exclude_until=TODAY + dt.timedelta(days=1))
    other = invoice(CustomerFactory(company=company), 5)
    LedgerEntry.objects.filter(pk=other.pk).update(exclude_forever=True)
    client = api_as(controller)
    assert set(excluded(client)) == {running.pk, other.pk}
    assert set(excluded(client, in_effect=False)) == {lapsed.pk}
    assert set(excluded(client, customer=customer.pk)) == {running.pk}
    assert set(excluded(client, forever=True)) == {other.pk}


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [({"period": "3w"}, "period", "valid choice"), ({"period": None}, "period", "null"),
     ({"entries": []}, "entries", "at least one"), ({"entries": [0]}, "entries", "positive"),
     ({"entries": "1,2"}, "entries", "list")],
)  # fmt: skip
def test_bad_exclusions_name_the_field_and_change_nothing(controller, invoices, body, field, words):
    request = {"entries": [e.pk for e in invoices], "period": "1w", **body}
    response = api_as(controller).post(EXCLUSIONS, request)
    assert response.status_code == 400
    assert words in errors(response)[field]
    assert not LedgerEntry.objects.filter(exclude_until__isnull=False).exists()


def test_exclusions_refuse_what_is_not_a_chaseable_entry_of_yours(controller, customer,
                                                                  other_company, invoices):  # fmt: skip
    client = api_as(controller)
    foreign = invoice(CustomerFactory(company=other_company), 10)
    response = client.post(EXCLUSIONS, {"entries": [invoices[0].pk, foreign.pk], "period": "1w"})
    assert response.status_code == 400
    assert str(foreign.pk) in errors(response)["entries"]
    cash = payment(customer, "50.00")
    response = client.post(EXCLUSIONS, {"entries": [invoices[0].pk, cash.pk], "period": "1w"})
    assert "Only open invoices" in errors(response)["entries"]
    assert not LedgerEntry.objects.filter(exclude_until__isnull=False).exists()


def test_outsiders_and_integrators_cannot_exclude(outsider, integrator, invoices):
    ids = [e.pk for e in invoices]
    assert api_as(integrator).post(EXCLUSIONS, {"entries": ids, "period": "1w"}).status_code == 403
    assert api_as(integrator).get(EXCLUSIONS).status_code == 200
    response = api_as(outsider).post(EXCLUSIONS, {"entries": ids, "period": "1w"})
    assert response.status_code == 400
    assert excluded(api_as(outsider), in_effect=False) == {}


# --- expected payment dates ---------------------------------------------------------------------


def test_set_an_expected_payment_date_with_a_note(controller, invoices):
    entry = invoices[0]
    response = api_as(controller).post(
        EXPECTED, {"entry": entry.pk, "date": "2026-12-15", "note": "Cheque run on the 15th"}
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"entry": entry.pk, "document_no": entry.document_no,
                               "expected_payment_date": "2026-12-15"}  # fmt: skip
    entry.refresh_from_db()
    assert entry.expected_payment_date == dt.date(2026, 12, 15)
    assert "Cheque run on the 15th" in EntryNote.objects.get(entry=entry).text
    cleared = api_as(controller).post(EXPECTED, {"entry": entry.pk, "date": None})
    assert cleared.json()["expected_payment_date"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [({"date": "2026-11-22"}, "date"), ({"date": "2028-01-01"}, "date"),
     ({"date": "15/12/2026"}, "date"), ({"entry": 999999}, "entry"), ({"entry": None}, "entry")],
)  # fmt: skip
def test_bad_expected_dates_name_the_field(controller, invoices, body, field):
    response = api_as(controller).post(EXPECTED, {"entry": invoices[0].pk, "date": "2026-12-15",
                                                  **body})  # fmt: skip
    assert response.status_code == 400, response.json()
    assert field in errors(response)
    assert not LedgerEntry.objects.filter(expected_payment_date__isnull=False).exists()


def test_expected_dates_of_others_entries_are_refused(outsider, integrator, invoices):
    body = {"entry": invoices[0].pk, "date": "2026-12-15"}
    assert "visible to you" in errors(api_as(outsider).post(EXPECTED, body))["entry"]
    assert api_as(integrator).post(EXPECTED, body).status_code == 403


# --- history ------------------------------------------------------------------------------------


def test_history_lists_each_action_with_entries_amount_document_and_who(
    controller, customer, contact, invoices, django_capture_on_commit_callbacks
):
    letter = proposal_with_lines(customer, 4, [(invoices[1], 4), (invoices[0], None)])
    with django_capture_on_commit_callbacks(execute=True):
        proposal_execute(user=controller, proposal=letter)  # the worker renders the letter
    document = Document.objects.get()
    body = api_as(controller).get(HISTORY).json()["results"]
    [line] = body
    assert (line["channel"], line["level_sequence"], line["level_name"]) == ("letter", 4,
                                                                            "Formal letter")  # fmt: skip
    assert (line["by"], line["by_name"], line["on"]) == (controller.pk, "carol", "2026-11-23")
    assert (line["total_lcy"], line["base_currency"]) == ("200.00", "GBP")
    assert sorted((e["entry"], e["level"]) for e in line["entries"]) == sorted(
        [(invoices[1].pk, 4), (invoices[0].pk, None)]
    )
    [doc] = line["documents"]
    assert (doc["id"], doc["kind"]) == (document.pk, "letter")
    assert doc["url"] == f"http://testserver/documents/{document.pk}/"
    # The document is the page's download (signed in to the application).
    browser = Client()
    browser.force_login(controller)
    download = browser.get(doc["url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_history_filters_and_stays_in_its_company(controller, manager, outsider, customer,
                                                  contact, company, invoices):  # fmt: skip
    sent = proposal_execute(user=controller, proposal=proposal_with_lines(
        customer, 2, [(invoices[0], 2)]))  # fmt: skip
    other = CustomerFactory(company=company)
    skipped = proposal_skip(user=controller, proposal=proposal_with_lines(
        other, 3, [(invoice(other, 25), 3)]), note="On hold")  # fmt: skip
    client = api_as(controller)
    found = lambda **q: [a["id"] for a in client.get(HISTORY, q).json()["results"]]  # noqa: E731
    assert set(found()) == {sent.pk, skipped.pk}
    assert found(customer=customer.pk) == [sent.pk]
    assert found(channel="skipped") == [skipped.pk]
    assert found(level=2) == [sent.pk]
    assert found(entry=invoices[0].pk) == [sent.pk]
    assert set(found(date_from="2026-11-23", date_to="2026-11-23")) == {sent.pk, skipped.pk}
    assert found(date_to="2026-11-22") == []
    assert client.get(HISTORY, {"channel": "pigeon"}).status_code == 400
    assert api_as(outsider).get(HISTORY).json()["results"] == []
    assert api_as(outsider).get(f"{HISTORY}{sent.pk}/").status_code == 404
    assert api_as(manager).post(HISTORY, {}).status_code == 405  # history is only read
    assert client.post(HISTORY, {}).status_code == 405


# --- outbox -------------------------------------------------------------------------------------


@pytest.fixture
def message(controller, customer, contact, invoices):
    proposal_execute(user=controller, proposal=proposal_with_lines(customer, 2, [(invoices[0], 2)]))
    return OutboxMessage.objects.get()  # not delivered: the test's transaction never commits


def test_outbox_lists_and_filters_messages(manager, message, integrator):
    client = api_as(manager)  # bodies and addresses: managers and integrators only
    [row] = client.get(OUTBOX).json()["results"]
    assert (row["id"], row["status"], row["kind"], row["to"]) == (
        message.pk, "pending", "email", ["jo@bolt.example"],
    )  # fmt: skip
    assert row["entries"] == list(message.entries.values_list("pk", flat=True))
    assert client.get(OUTBOX, {"status": "sent"}).json()["results"] == []
    assert (
        len(
            client.get(OUTBOX, {"status": ["pending", "review"], "kind": "email"}).json()["results"]
        )
        == 1
    )
    assert client.get(OUTBOX, {"kind": "fax"}).status_code == 400
    assert api_as(integrator).get(f"{OUTBOX}{message.pk}/").status_code == 200


def test_managers_cancel_resend_and_mark_sent(manager, message):
    client = api_as(manager)
    cancelled = client.post(f"{OUTBOX}{message.pk}/cancel/")
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["status"] == "cancelled"
    refused = client.post(f"{OUTBOX}{message.pk}/mark-sent/")
    assert refused.status_code == 400
    assert "cannot be marked sent" in refused.json()["errors"][0]["message"]
    resent = client.post(f"{OUTBOX}{message.pk}/resend/")
    assert (resent.status_code, resent.json()["status"]) == (200, "pending")
    OutboxMessage.objects.filter(pk=message.pk).update(status="review")
    marked = client.post(f"{OUTBOX}{message.pk}/mark-sent/")
    assert (marked.json()["status"], marked.json()["sent_at"] is not None) == ("sent", True)
    assert AuditEvent.objects.filter(model="followups.outboxmessage").count() == 3


@pytest.mark.parametrize("verb", ["cancel", "resend", "mark-sent"])
def test_only_managers_of_the_company_decide_on_messages(controller, integrator, outsider,
                                                         message, verb):  # fmt: skip
    for who, code in ((controller, 403), (integrator, 403), (outsider, 404)):
        assert api_as(who).post(f"{OUTBOX}{message.pk}/{verb}/").status_code == code
    message.refresh_from_db()
    assert message.status == "pending"


def test_lists_keep_their_query_count(controller, manager, company,
                                      django_assert_max_num_queries):  # fmt: skip
    def add(n: int) -> None:
        for i in range(n):
            customer = CustomerFactory(company=company)
            ContactFactory(customer=customer, email=f"ap{i}@x.example", is_credit_contact=True)
            entries = [invoice(customer, 40), invoice(customer, 10)]
            proposal_execute(user=controller, proposal=proposal_with_lines(
                customer, 4, [(entries[0], 4), (entries[1], None)]))  # fmt: skip
            LedgerEntry.objects.filter(pk=entries[0].pk).update(exclude_forever=True)

    client = api_as(manager)  # (controllers may not read the outbox)
    add(2)
    for url in (HISTORY, OUTBOX, EXCLUSIONS):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
    add(15)
    for url in (HISTORY, OUTBOX, EXCLUSIONS):
        with django_assert_max_num_queries(8):
            assert len(client.get(url).json()["results"]) == 17
