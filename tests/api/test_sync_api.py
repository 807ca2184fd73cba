"""The sync endpoints: counts or every bad row, roles, company visibility, the row limit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.models import Application, Contact, Customer, LedgerEntry
from tests.conftest import api_as
from tests.factories import CustomerFactory, EntryFactory, payment

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/sync/"


def customer_rows(n: int = 2) -> list[dict]:
    return [
        {"external_ref": f"E{i}", "account_code": f"A{i}", "name": f"Firm {i}"} for i in range(n)
    ]


def test_integrator_syncs_customers_and_gets_counts_and_ids(company, integrator):
    client = api_as(integrator)
    body = {"company": company.code, "rows": customer_rows()}
    first = client.post(CUSTOMERS, body, format="json")
    assert first.status_code == 200, first.content
    data = first.json()
    assert (data["created"], data["updated"], data["unchanged"]) == (2, 0, 0)
    assert data["ids"] == list(
        Customer.objects.order_by("external_ref").values_list("id", flat=True)
    )

    second = client.post(CUSTOMERS, {"company": company.pk, "rows": customer_rows()}, format="json")
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 2, "ids": data["ids"]}


def test_bad_rows_give_400_with_index_field_and_message_and_write_nothing(company, integrator):
    rows = customer_rows(3)
    rows[0]["credit_limit"] = "lots"
    rows[2]["debtor_rating"] = "superb"
    response = api_as(integrator).post(CUSTOMERS, {"company": company.code, "rows": rows},
                                       format="json")  # fmt: skip
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(0, "credit_limit"), (2, "debtor_rating")]
    assert all(e["message"] for e in errors)
    assert Customer.objects.count() == 0


def test_duplicate_is_reported_with_what_it_duplicates(company, integrator):
    existing = CustomerFactory(company=company, account_code="A1")
    response = api_as(integrator).post(
        CUSTOMERS, {"company": company.code, "rows": customer_rows()}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["index"], error["field"], error["duplicate_of"]) == (
        1,
        "account_code",
        existing.pk,
    )


def test_contacts_entries_and_applications_sync_over_the_api(company, integrator):
    CustomerFactory(company=company, external_ref="C1")
    client = api_as(integrator)
    contacts = client.post("/api/v1/contacts/sync/", {"company": company.code, "rows": [
        {"external_ref": "P1", "customer_ref": "C1", "last_name": "Lee"}]}, format="json")  # fmt: skip
    assert contacts.status_code == 200 and contacts.json()["created"] == 1
    entries = client.post("/api/v1/ledger-entries/sync/", {"company": company.code, "rows": [
        {"external_ref": "I1", "customer_ref": "C1", "entry_type": "invoice", "document_no": "I1",
         "document_date": "2026-10-01", "amount": 120.5},
        {"external_ref": "P1", "customer_ref": "C1", "entry_type": "payment", "document_no": "P1",
         "document_date": "2026-10-03", "amount": "-20.50"}]}, format="json")  # fmt: skip
    assert entries.status_code == 200, entries.content
    applications = client.post("/api/v1/applications/sync/", {"company": company.code, "rows": [
        {"external_ref": "AP1", "credit_ref": "P1", "debit_ref": "I1", "amount": "20.50"}]},
        format="json")  # fmt: skip
    assert applications.status_code == 200, applications.content
    assert LedgerEntry.objects.get(external_ref="I1").remaining == Decimal("100.00")
    assert (Contact.objects.count(), Application.objects.count()) == (1, 1)


def test_application_crossing_zero_is_a_400(company, integrator, customer):
    invoice = EntryFactory(customer=customer, external_ref="I1", amount=Decimal(50))
    payment(customer, "80.00", external_ref="P1")
    response = api_as(integrator).post("/api/v1/applications/sync/", {"company": company.code,
        "rows": [{"external_ref": "A", "credit_ref": "P1", "debit_ref": "I1", "amount": "60"}]},
        format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "amount"
    invoice.refresh_from_db()
    assert invoice.remaining == Decimal("50.00")


@pytest.mark.parametrize("path", ["customers", "contacts", "ledger-entries", "applications"])
def test_outsider_gets_404_for_another_company(company, outsider, path):
    response = api_as(outsider).post(f"/api/v1/{path}/sync/", {"company": company.code, "rows": []},
                                     format="json")  # fmt: skip
    assert response.status_code == 404
    response = api_as(outsider).post(f"/api/v1/{path}/sync/", {"company": company.pk, "rows": []},
                                     format="json")  # fmt: skip
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["customers", "contacts", "ledger-entries", "applications"])
def test_controller_gets_403(company, controller, path):
    response = api_as(controller).post(f"/api/v1/{path}/sync/",
                                       {"company": company.code, "rows": customer_rows()},
                                       format="json")  # fmt: skip
    assert response.status_code == 403
    assert Customer.objects.count() == 0


def test_anonymous_is_refused(company, api):
    response = api.post(CUSTOMERS, {"company": company.code, "rows": []}, format="json")
    assert response.status_code in (401, 403)


def test_more_than_ten_thousand_rows_is_refused_with_a_clear_message(company, integrator):
    rows = [{"external_ref": str(i)} for i in range(10_001)]
    response = api_as(integrator).post(CUSTOMERS, {"company": company.code, "rows": rows},
                                       format="json")  # fmt: skip
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "rows" and "10,000" in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rows": []}, "company"),
        ({"company": "ACME"}, "rows"),
        ({"company": "ACME", "rows": {"a": 1}}, "rows"),
        (["not", "an", "object"], ""),
    ],
)
def test_malformed_body_is_a_400_not_a_500(company, integrator, body, field):
    response = api_as(integrator).post(CUSTOMERS, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_rows_of_the_wrong_shape_are_400_by_index(company, integrator):
    rows = [None, 5, {"external_ref": {"nested": 1}, "account_code": "A", "name": "N"}]
    response = api_as(integrator).post(CUSTOMERS, {"company": company.code, "rows": rows},
                                       format="json")  # fmt: skip
    assert response.status_code == 400
    assert [e["index"] for e in response.json()["errors"]] == [0, 1, 2]


def test_schema_documents_the_sync_endpoints(integrator):
    response = api_as(integrator).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["customers", "contacts", "ledger-entries", "applications"]:
        operation = paths[f"/api/v1/{path}/sync/"]["post"]
        assert {"200", "400", "403", "404"} <= set(operation["responses"])
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
