"""API of the customer list: column layout, mail lists, bulk assign, mass-email send."""

from __future__ import annotations

import uuid

import pytest

from followups.models import OutboxMessage
from ledger.models import AuditEvent, Customer, MailList
from tests.conftest import api_as
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

LAYOUT = "/api/v1/customer-list-layout/"
LISTS = "/api/v1/mail-lists/"
ASSIGN = "/api/v1/customers/assign/"
MASS = "/api/v1/mass-emails/"


def test_layout_round_trip(controller):
    api = api_as(controller)
    first = api.get(LAYOUT).json()
    assert first["columns"][0] == {"key": "debtor_rating", "width": 56, "label": "Rating"}
    assert any(c["key"] == "next_follow_up" for c in first["available"])
    sent = {"columns": [{"key": "name", "width": 260}, {"key": "email"}], "unsearched": ["email"]}
    response = api.put(LAYOUT, sent, format="json")
    assert response.status_code == 200
    again = api.get(LAYOUT).json()
    assert again["columns"] == [{"key": "name", "width": 260, "label": "Name"},
                                {"key": "email", "width": 200, "label": "Email"}]  # fmt: skip
    assert again["unsearched"] == ["email"]


def test_a_bad_layout_answers_400_by_field(controller):
    response = api_as(controller).put(LAYOUT, {"columns": [{"key": "secret"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "columns"
    assert "is not a column" in response.json()["errors"][0]["message"]


def test_layout_needs_a_role(api, company):
    assert api.get(LAYOUT).status_code in (401, 403)
    assert api_as(UserFactory(companies=[company])).get(LAYOUT).status_code == 403


def test_mail_lists_crud_and_sharing(controller, manager, outsider, company):
    a, b = CustomerFactory.create_batch(2, company=company)
    mine = api_as(controller)
    created = mine.post(LISTS, {"name": "Audit letters", "customers": [a.pk, b.pk]}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["owner"], body["company"], body["shared"]) == ("carol", company.pk, False)
    pk = body["id"]
    assert mine.post(LISTS, {"name": "Audit letters", "customers": [a.pk]},
                     format="json").status_code == 400  # fmt: skip
    theirs = api_as(manager)
    assert theirs.get(f"{LISTS}{pk}/").status_code == 404  # not shared yet
    assert mine.patch(f"{LISTS}{pk}/", {"shared": True, "customers": [a.pk]},
                      format="json").status_code == 200  # fmt: skip
    assert theirs.get(f"{LISTS}{pk}/").json()["customers"] == [a.pk]
    assert theirs.patch(f"{LISTS}{pk}/", {"name": "Mine now"}, format="json").status_code == 403
    assert theirs.delete(f"{LISTS}{pk}/").status_code == 403
    assert api_as(outsider).get(f"{LISTS}{pk}/").status_code == 404
    assert mine.delete(f"{LISTS}{pk}/").status_code == 204
    assert not MailList.objects.exists()


def test_mail_list_refuses_another_companys_customers(controller, other_company):
    stranger = CustomerFactory(company=other_company)
    response = api_as(controller).post(LISTS, {"name": "X", "customers": [stranger.pk]},
                                       format="json")  # fmt: skip
    assert response.status_code == 400


def test_only_managers_assign(controller, manager, company):
    customers = CustomerFactory.create_batch(3, company=company)
    ids = [c.pk for c in customers]
    assert api_as(controller).post(ASSIGN, {"customers": ids, "controller": controller.pk},
                                   format="json").status_code == 403  # fmt: skip
    response = api_as(manager).post(ASSIGN, {"customers": ids, "controller": controller.pk},
                                    format="json")  # fmt: skip
    assert response.status_code == 200 and response.json() == {"changed": 3}
    assert Customer.objects.filter(controller=controller).count() == 3
    assert AuditEvent.objects.filter(source="api", action="update").count() == 3
    response = api_as(manager).post(ASSIGN, {"customers": ids[:1], "controller": None},
                                    format="json")  # fmt: skip
    assert response.json() == {"changed": 1}


def test_assign_hides_other_companies_customers(manager, outsider, company):
    customer = CustomerFactory(company=company)
    response = api_as(outsider).post(ASSIGN, {"customers": [customer.pk], "controller": None},
                                     format="json")  # fmt: skip
    assert response.status_code == 400
    assert f"No customer has id {customer.pk}" in response.json()["errors"][0]["message"]


def test_mass_email_send_is_idempotent_by_batch(controller, company):
    contact = ContactFactory(customer=CustomerFactory(company=company), first_name="Ann",
                             email="ann@x.example", is_credit_contact=True)  # fmt: skip
    lonely = CustomerFactory(company=company)
    body = {"batch": str(uuid.uuid4()), "customers": [contact.customer_id, lonely.pk],
            "subject": "Hello", "body": 'Dear "First Name",'}  # fmt: skip
    api = api_as(controller)
    first = api.post(MASS, body, format="json")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["queued"] == [{"customer": contact.customer_id, "contact": contact.pk,
                               "address": "ann@x.example"}]  # fmt: skip
    assert data["unreachable"] == [{"customer": lonely.pk, "reason": "no credit-control contact"}]
    again = api.post(MASS, body, format="json")
    assert again.status_code == 200
    assert again.json()["queued"] == [] and len(again.json()["already_sent"]) == 1
    assert OutboxMessage.objects.get().body == "Dear Ann,"


def test_mass_email_outsiders(outsider, integrator, company):
    customer = CustomerFactory(company=company)
    body = {"batch": str(uuid.uuid4()), "customers": [customer.pk], "subject": "x", "body": "y"}
    assert api_as(outsider).post(MASS, body, format="json").status_code == 400
    assert api_as(integrator).post(MASS, body, format="json").status_code == 403
    assert not OutboxMessage.objects.exists()
