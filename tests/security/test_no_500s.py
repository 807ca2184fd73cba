"""Inputs that answered 500 (finding 7), each through the door a person or an integrator
uses: now a clear 4xx or the page, never a server error."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ledger.models import Customer, LedgerEntry
from tests.conftest import api_as
from tests.factories import CustomerFactory, EntryFactory

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/customers/", "/api/v1/contacts/", "/api/v1/ledger-entries/",
         "/api/v1/applications/", "/api/v1/audit-events/", "/api/v1/communications/"]  # fmt: skip


def test_a_new_customer_with_its_currency_by_sync(company, integrator):
    response = api_as(integrator).post("/api/v1/customers/sync/", {"company": company.code,
        "rows": [{"external_ref": "C1", "account_code": "C1", "name": "Dollar Inc",
                  "currency": "USD"}]}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert Customer.objects.get(external_ref="C1").currency == "USD"


def test_a_new_customer_with_its_currency_by_csv_import(company, manager):
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    data = b"external_ref,account_code,name,currency\nC1,C1,Dollar Inc,USD\n"
    response = client.post(reverse("ledger:csv-import"), {"company": company.pk, "kind": "customers",
                           "file": SimpleUploadedFile("c.csv", data, "text/csv")})  # fmt: skip
    assert response.status_code == 200
    assert Customer.objects.get(external_ref="C1").currency == "USD"


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("moment", ["2026-01-01T00:00:00+16:00", "2026-01-01T00:00:00-23:59"])
def test_a_date_time_filter_with_an_impossible_offset_is_a_400(integrator, url, moment):
    client = api_as(integrator)
    client.raise_request_exception = False
    response = client.get(url, {"updated_since": moment})
    assert response.status_code in (200, 400), (
        response.content
    )  # 200 if the list has no such filter
    if response.status_code == 400:
        assert response.json()["errors"]


@pytest.mark.parametrize("entries", ["stranger", "999999", "99999999999999999999999", "-1,abc"])
def test_a_new_communication_over_unknown_or_other_customers_entries(
    client, controller, company, customer, entries
):
    other = EntryFactory(customer=CustomerFactory(company=company))
    ids = str(other.pk) if entries == "stranger" else entries
    client.force_login(controller)
    client.raise_request_exception = False
    url = reverse("communications:communication-create", args=[customer.pk])
    response = client.get(url, {"entries": ids})
    assert response.status_code == 200


def test_amount_times_an_exchange_rate_that_overflows_is_a_field_error(
    company, integrator, customer
):
    customer.external_ref = "C1"
    customer.save()
    client = api_as(integrator)
    client.raise_request_exception = False
    response = client.post("/api/v1/ledger-entries/sync/", {"company": company.code, "rows": [
        {"external_ref": "I1", "customer_ref": "C1", "entry_type": "invoice", "document_no": "I1",
         "document_date": "2026-10-01", "amount": "9999999999999.99", "currency": "USD",
         "exchange_rate": "999999999999.999999"}]}, format="json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "exchange_rate"
    assert not LedgerEntry.objects.exists()


def test_a_posted_entry_over_the_rate_limit_through_the_api(company, integrator, customer):
    entry = EntryFactory(customer=customer, amount=Decimal("100.00"))
    client = api_as(integrator)
    client.raise_request_exception = False
    response = client.patch(f"/api/v1/ledger-entries/{entry.pk}/",
                            {"exchange_rate": "999999999999"}, format="json")  # fmt: skip
    assert response.status_code in (400, 405), response.content
