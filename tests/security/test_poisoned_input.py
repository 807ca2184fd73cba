"""Input that poisons later work (finding 8) is refused at the edge with a field message:
line breaks in names and subjects (every send then failed with BadHeaderError), absurd
exchange rates and dates."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail

from followups.models import OutboxMessage
from followups.outbox import outbox_deliver
from followups.statements import statement_send
from tests.conftest import api_as
from tests.factories import ContactFactory, CustomerFactory, EntryFactory

pytestmark = pytest.mark.django_db

BROKEN = "Evil Ltd\r\nBcc: everyone@example.com"


def _fields(response) -> set[str]:
    return {e["field"].split(".")[-1].split("]")[-1] for e in response.json()["errors"]}


def test_a_line_break_in_a_customer_name_is_refused_by_the_api(company, manager):
    response = api_as(manager).post("/api/v1/customers/", {"company": company.pk,
        "account_code": "E1", "name": BROKEN}, format="json")  # fmt: skip
    assert response.status_code == 400
    assert "name" in _fields(response)


def test_a_line_break_in_a_customer_name_is_refused_by_the_sync(company, integrator):
    response = api_as(integrator).post("/api/v1/customers/sync/", {"company": company.code,
        "rows": [{"external_ref": "E1", "account_code": "E1", "name": BROKEN}]}, format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"


def test_a_line_break_in_a_mass_email_subject_is_refused(company, controller, customer):
    ContactFactory(customer=customer, email="jo@bolt.example", is_credit_contact=True)
    response = api_as(controller).post("/api/v1/mass-emails/", {"batch": str(uuid.uuid4()),
        "customers": [customer.pk], "subject": "Hello\r\nBcc: x@example.com", "body": "Hi"},
        format="json")  # fmt: skip
    assert response.status_code == 400
    assert "subject" in _fields(response)
    assert not OutboxMessage.objects.exists()


def test_a_name_stored_before_with_a_line_break_still_sends(company, controller):
    customer = CustomerFactory(company=company, name=BROKEN, email="ap@evil.example")
    EntryFactory(customer=customer)
    contact = ContactFactory(customer=customer, first_name="Jo\nBcc: x@y.example",
                             email="jo@evil.example", is_credit_contact=True)  # fmt: skip
    assert contact.pk
    statement_send(user=controller, customer=customer)
    assert outbox_deliver() == 1
    assert "\n" not in mail.outbox[0].subject
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


@pytest.mark.parametrize(("field", "value"), [("exchange_rate", "999999999999"),
    ("document_date", "0001-01-01"), ("document_date", "9999-12-31"),
    ("due_date", "9999-12-31")])  # fmt: skip
def test_absurd_rates_and_dates_are_refused_by_the_sync(company, integrator, field, value):
    CustomerFactory(company=company, external_ref="C1")
    row = {"external_ref": "I1", "customer_ref": "C1", "entry_type": "invoice",
           "document_no": "I1", "document_date": "2026-10-01", "amount": "100.00",
           "currency": "USD", "exchange_rate": "0.8", field: value}  # fmt: skip
    response = api_as(integrator).post("/api/v1/ledger-entries/sync/",
                                       {"company": company.code, "rows": [row]}, format="json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field


def test_an_absurd_rate_is_refused_when_an_entry_is_changed_by_the_api(
    company, integrator, customer
):
    entry = EntryFactory(customer=customer)
    response = api_as(integrator).patch(f"/api/v1/ledger-entries/{entry.pk}/",
                                        {"exchange_rate": "999999999999"}, format="json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert "exchange_rate" in _fields(response)


def test_an_unknown_currency_on_an_existing_entry_is_refused(company, integrator, customer):
    customer.external_ref = "C1"
    customer.save()
    EntryFactory(customer=customer, external_ref="I1")
    response = api_as(integrator).post("/api/v1/ledger-entries/sync/", {"company": company.code,
        "rows": [{"external_ref": "I1", "currency": "XYZ", "exchange_rate": "1.1"}]},
        format="json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "currency"


def test_a_contact_name_with_a_line_break_in_a_mass_email_subject_still_sends(
    company, controller, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(company=company)
    ContactFactory(customer=customer, first_name="Jo\nBcc: x@y.example", email="jo@evil.example",
                   is_credit_contact=True)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(controller).post("/api/v1/mass-emails/", {"batch": str(uuid.uuid4()),
            "customers": [customer.pk], "subject": '"First Name", your account', "body": "Hi"},
            format="json")  # fmt: skip
    assert response.status_code in (201, 202), response.content
    outbox_deliver()
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    assert "\n" not in mail.outbox[0].subject
