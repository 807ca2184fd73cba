"""API access: token and session auth, roles, and no company's data leaking to another."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import api_as
from tests.factories import ContactFactory, CustomerFactory, EntryFactory, payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(customer, manager):
    """One of each kind of record in the first company, with an application."""
    from ledger.services import application_apply

    invoice = EntryFactory(customer=customer, amount=Decimal("120.00"))
    cash = payment(customer, "20.00")
    application = application_apply(
        user=manager, credit_entry=cash, debit_entry=invoice, amount=Decimal(20)
    )
    return {
        "companies": customer.company,
        "customers": customer,
        "contacts": ContactFactory(customer=customer),
        "ledger-entries": invoice,
        "applications": application,
    }


RESOURCES = ["companies", "customers", "contacts", "ledger-entries", "applications"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_outsider_gets_404_on_another_companys_record(ledger, outsider, resource):
    client = api_as(outsider)
    response = client.get(f"/api/v1/{resource}/{ledger[resource].pk}/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_outsider_lists_nothing_of_another_company(ledger, outsider, resource):
    response = api_as(outsider).get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    assert ledger[resource].pk not in listed
    if resource != "companies":  # the outsider's own company is listed, nothing else
        assert listed == set()


@pytest.mark.parametrize("resource", RESOURCES)
def test_member_sees_the_record(ledger, controller, resource):
    response = api_as(controller).get(f"/api/v1/{resource}/{ledger[resource].pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("resource", ["customers", "contacts", "ledger-entries"])
def test_outsider_cannot_change_another_companys_record(ledger, outsider, resource):
    response = api_as(outsider).patch(
        f"/api/v1/{resource}/{ledger[resource].pk}/", {"external_ref": "X"}, format="json"
    )
    assert response.status_code == 404


def test_outsider_cannot_create_in_another_company(company, outsider):
    response = api_as(outsider).post(
        "/api/v1/customers/",
        {"company": company.pk, "account_code": "Z1", "name": "Sneaky"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "company"


def test_anonymous_is_refused(ledger, api):
    assert api.get("/api/v1/customers/").status_code == 401


def test_user_without_a_role_is_refused(company, ledger):
    nobody = User.objects.create_user("nobody", password="x-pass-12345")
    company.members.add(nobody)
    assert api_as(nobody).get("/api/v1/customers/").status_code == 403


def test_token_authenticates_an_integrator(ledger, integrator):
    token = Token.objects.create(user=integrator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/customers/")
    assert response.status_code == 200
    assert [c["account_code"] for c in response.json()["results"]] == ["ACC001"]


def test_a_wrong_token_is_refused(ledger):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/customers/")
    assert response.status_code == 401


def test_session_authenticates_the_browser(ledger, controller):
    client = APIClient()
    client.force_login(controller)
    assert client.get("/api/v1/customers/").status_code == 200


def test_controller_reads_but_cannot_create_entries(customer, controller):
    client = api_as(controller)
    response = client.post(
        "/api/v1/ledger-entries/",
        {"customer": customer.pk, "entry_type": "invoice", "document_no": "I1",
         "document_date": "2026-10-01", "amount": "10.00"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 403


def test_controller_may_edit_a_contact(customer, controller):
    contact = ContactFactory(customer=customer)
    response = api_as(controller).patch(
        f"/api/v1/contacts/{contact.pk}/", {"phone": "0113 496 0000"}, format="json"
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.phone == "0113 496 0000"


def test_customers_with_entries_cannot_be_deleted(ledger, manager):
    customer = ledger["customers"]
    response = api_as(manager).delete(f"/api/v1/customers/{customer.pk}/")
    assert response.status_code == 400
    assert "cannot be deleted" in response.json()["errors"][0]["message"]
    empty = CustomerFactory(company=customer.company)
    assert api_as(manager).delete(f"/api/v1/customers/{empty.pk}/").status_code == 204
