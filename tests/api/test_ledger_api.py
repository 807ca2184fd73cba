"""The ledger API as an integrator uses it: writes through services, readable errors, paging."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from ledger.models import Application, AuditEvent, Customer, LedgerEntry
from tests.conftest import api_as
from tests.factories import CustomerFactory, EntryFactory, payment

pytestmark = pytest.mark.django_db


def test_create_customer_defaults_currency_and_is_audited(company, manager):
    response = api_as(manager).post(
        "/api/v1/customers/",
        {"company": company.pk, "account_code": "NEW1", "name": "New Customer Ltd",
         "credit_limit": "5000.00"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["currency"] == "GBP"
    assert body["credit_limit"] == "5000.00"
    assert body["balance_lcy"] == "0.00"
    event = AuditEvent.objects.get(model="ledger.customer", object_id=body["id"])
    assert event.action == "create"
    assert event.user == manager
    assert event.source == "api"


def test_duplicate_account_code_is_a_field_error(company, manager, customer):
    response = api_as(manager).post(
        "/api/v1/customers/",
        {"company": company.pk, "account_code": customer.account_code, "name": "Other"},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any("account code" in e["message"] for e in errors)
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"credit_limit": "-1"}, "credit_limit"),
        ({"credit_limit": "abc"}, "credit_limit"),
        ({"debtor_rating": "awful"}, "debtor_rating"),
        ({"currency": "pounds"}, "currency"),
        ({"account_code": ""}, "account_code"),
        ({"payment_terms_days": -3}, "payment_terms_days"),
    ],
)
def test_bad_customer_input_names_the_field_and_writes_nothing(company, manager, payload, field):
    data = {"company": company.pk, "account_code": "B1", "name": "Bad Input Ltd", **payload}
    response = api_as(manager).post("/api/v1/customers/", data, format="json")
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Customer.objects.exists()


def test_customer_balances_are_derived_in_the_company_time_zone(company, customer):
    EntryFactory(customer=customer, amount=Decimal("100.00"), due_date="2026-11-22",
                 document_date="2026-10-23")  # fmt: skip
    EntryFactory(customer=customer, amount=Decimal("50.00"), due_date="2026-11-23",
                 document_date="2026-10-24")  # fmt: skip
    payment(customer, "30.00")
    from tests.factories import user_in

    reader = user_in(company)
    # 23:30 UTC on the 22nd is already the 23rd in Auckland but not in London.
    with time_machine.travel("2026-11-22 23:30:00+00:00", tick=False):
        body = api_as(reader).get(f"/api/v1/customers/{customer.pk}/").json()
        assert body["balance_lcy"] == "120.00"
        assert body["overdue_lcy"] == "0.00"
        company.time_zone = "Pacific/Auckland"
        company.save()
        body = api_as(reader).get(f"/api/v1/customers/{customer.pk}/").json()
        assert body["overdue_lcy"] == "100.00"


def test_sort_customers_by_balance(company, manager):
    small, big = CustomerFactory(company=company), CustomerFactory(company=company)
    EntryFactory(customer=small, amount=Decimal("10.00"))
    EntryFactory(customer=big, amount=Decimal("999.00"))
    body = api_as(manager).get("/api/v1/customers/?ordering=-balance_lcy").json()
    assert [row["id"] for row in body["results"]] == [big.pk, small.pk]


def test_entry_list_filters_open_and_pages_by_cursor(customer, manager):
    for _ in range(5):
        EntryFactory(customer=customer)
    EntryFactory(customer=customer, remaining=Decimal("0.00"))
    client = api_as(manager)
    first = client.get("/api/v1/ledger-entries/?is_open=true&page_size=3").json()
    assert len(first["results"]) == 3
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert second["next"] is None
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 5


def test_list_query_count_does_not_grow_with_rows(company, manager, django_assert_max_num_queries):
    client = api_as(manager)
    for _ in range(3):
        EntryFactory(customer=CustomerFactory(company=company))
    with django_assert_max_num_queries(8):
        client.get("/api/v1/customers/?page_size=100")
    for _ in range(60):
        EntryFactory(customer=CustomerFactory(company=company))
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/customers/?page_size=100")
    assert len(response.json()["results"]) == 63
    with django_assert_max_num_queries(8):
        client.get("/api/v1/ledger-entries/?page_size=100")


def test_create_entry_through_the_api(customer, integrator):
    response = api_as(integrator).post(
        "/api/v1/ledger-entries/",
        {"customer": customer.pk, "entry_type": "invoice", "document_no": "INV-77",
         "document_date": "2026-10-01", "amount": "240.00", "external_ref": "ERP-77"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["remaining"] == "240.00"
    assert body["due_date"] == "2026-10-31"
    assert body["base_currency"] == "GBP"


def test_entry_remaining_beyond_amount_is_refused_with_a_message(customer, integrator):
    entry = EntryFactory(customer=customer, amount=Decimal("100.00"))
    response = api_as(integrator).patch(
        f"/api/v1/ledger-entries/{entry.pk}/", {"remaining": "100.01"}, format="json"
    )
    assert response.status_code == 400
    assert "between zero and the amount" in response.json()["errors"][0]["message"]
    entry.refresh_from_db()
    assert entry.remaining == Decimal("100.00")


def test_application_endpoint_is_idempotent_by_key(customer, integrator):
    invoice = EntryFactory(customer=customer, amount=Decimal("100.00"))
    cash = payment(customer, "100.00")
    client = api_as(integrator)
    payload = {"credit_entry": cash.pk, "debit_entry": invoice.pk, "amount": "60.00"}
    first = client.post("/api/v1/applications/", payload, format="json",
                        HTTP_IDEMPOTENCY_KEY="retry-1")  # fmt: skip
    again = client.post("/api/v1/applications/", payload, format="json",
                        HTTP_IDEMPOTENCY_KEY="retry-1")  # fmt: skip
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    invoice.refresh_from_db()
    assert invoice.remaining == Decimal("40.00")
    assert Application.objects.count() == 1


def test_application_past_zero_is_a_400_naming_the_amount(customer, integrator):
    invoice = EntryFactory(customer=customer, amount=Decimal("100.00"))
    cash = payment(customer, "500.00")
    response = api_as(integrator).post(
        "/api/v1/applications/",
        {"credit_entry": cash.pk, "debit_entry": invoice.pk, "amount": "100.01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "amount"
    assert LedgerEntry.objects.get(pk=invoice.pk).remaining == Decimal("100.00")


def test_malformed_json_is_a_400_not_a_500(manager):
    response = api_as(manager).generic(
        "POST", "/api/v1/customers/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]
