"""Adding a customer by hand: the sync's duplicate check, as an error or a warning."""

from __future__ import annotations

import uuid

import pytest

from ledger import duplicates, sync
from ledger.models import AuditEvent, Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/customers/new/"


def form(company, **values) -> dict:
    return {"form_token": str(uuid.uuid4()), "company": company.pk, "account_code": "NEW1", "name": "Bolt & Nut Ltd",
            "postcode": "LS1 1AA", "credit_limit": "0", "payment_terms_days": "30",
            "debtor_rating": "normal", **values}  # fmt: skip


@pytest.fixture
def existing(company):
    return CustomerFactory(company=company, account_code="ACC001", name="Bolt & Nut Ltd",
                           postcode="LS1 1AA")  # fmt: skip


def test_the_sync_and_the_form_share_one_duplicate_check():
    assert sync.account_code_holders is duplicates.account_code_holders
    assert sync.name_twins is duplicates.name_twins


def test_same_account_code_is_an_error(client, manager, company, existing):
    client.force_login(manager)
    response = client.post(URL, form(company, account_code="ACC001", name="Other Ltd"))
    assert response.status_code == 200
    assert "Account code ACC001 already belongs to Bolt &amp; Nut Ltd" in response.content.decode()
    assert Customer.objects.count() == 1


def test_same_name_and_postcode_warns_and_can_be_confirmed(client, manager, company, existing):
    client.force_login(manager)
    response = client.post(URL, form(company, name=" bolt & nut ltd", postcode="ls1 1aa"))
    html = response.content.decode()
    assert "already exists as customer ACC001" in html
    assert 'name="confirm_duplicate"' in html
    assert f"/customers/{existing.pk}/" in html
    assert Customer.objects.count() == 1
    response = client.post(URL, form(company, confirm_duplicate="on"))
    created = Customer.objects.get(account_code="NEW1")
    assert response["Location"] == f"/customers/{created.pk}/"
    assert created.currency == "GBP"
    assert AuditEvent.objects.filter(object_id=created.pk, action="create").exists()


def test_a_customer_unlike_any_other_is_added_at_once(client, manager, company, existing):
    client.force_login(manager)
    response = client.post(URL, form(company, name="Brand New Ltd"))
    assert response.status_code == 302
    assert Customer.objects.filter(name="Brand New Ltd").exists()


def test_controllers_cannot_add_customers(client, controller, company):
    client.force_login(controller)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(company)).status_code == 403


def test_outsider_cannot_add_to_another_company(client, outsider, company):
    client.force_login(outsider)
    response = client.post(URL, form(company))
    assert "Select a valid choice" in response.content.decode()
    assert not Customer.objects.exists()
