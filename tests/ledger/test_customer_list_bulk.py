"""The customer list's bulk actions: delete, export, assign (managers), mail lists."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ledger import customer_bulk
from ledger.customer_bulk import CONTACT_EXPORT_FIELDS, CUSTOMER_EXPORT_FIELDS
from ledger.models import AuditEvent, Customer, MailList
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    EntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BULK = "/customers/bulk/"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def four(company):
    keep = CustomerFactory(company=company, account_code="K1", name="Kept Ltd")
    EntryFactory(customer=keep)
    talked = CustomerFactory(company=company, account_code="T1", name="Talked To Ltd")
    CommunicationFactory(customer=talked)
    gone = CustomerFactory(company=company, account_code="G1", name="Gone Ltd")
    ContactFactory(customer=gone)
    gone_too = CustomerFactory(company=company, account_code="G2", name="Gone Too Ltd")
    return keep, talked, gone, gone_too


def test_delete_refuses_customers_with_entries_and_deletes_the_rest(client, manager, four):
    client.force_login(manager)
    response = client.post(BULK, {"action": "delete", "ids": [c.pk for c in four],
                                  "query": "q=ltd"})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/customers/?q=ltd"
    assert set(Customer.objects.values_list("name", flat=True)) == {"Kept Ltd", "Talked To Ltd"}
    said = " ".join(_messages(response))
    assert "Deleted 2 customers." in said
    assert "K1 Kept Ltd (has ledger entries)" in said
    assert "T1 Talked To Ltd (has communications)" in said
    deleted = AuditEvent.objects.filter(action="delete", model="ledger.customer")
    assert sorted(deleted.values_list("object_repr", flat=True)) == [
        "G1 Gone Ltd",
        "G2 Gone Too Ltd",
    ]


def test_delete_is_one_transaction(manager, four, monkeypatch):
    def fail(events):
        list(events)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(customer_bulk, "audit_bulk", fail)
    with pytest.raises(RuntimeError):
        customer_bulk.customers_delete(user=manager, customers=list(four))
    assert Customer.objects.count() == 4


def test_controllers_may_not_delete(client, controller, four):
    client.force_login(controller)
    response = client.post(BULK, {"action": "delete", "ids": [four[2].pk]})
    assert "Your role does not allow this change." in _messages(response)
    assert Customer.objects.count() == 4


def test_all_that_match_the_search(client, manager, company, four):
    client.force_login(manager)
    client.post(BULK, {"action": "delete", "all_matching": "1", "query": "q=gone"})
    assert set(Customer.objects.values_list("name", flat=True)) == {"Kept Ltd", "Talked To Ltd"}


def test_outsider_cannot_touch_another_companys_customers(client, outsider, four):
    client.force_login(outsider)
    response = client.post(BULK, {"action": "delete", "ids": [four[2].pk]})
    assert "Tick at least one customer first." in _messages(response)
    assert Customer.objects.count() == 4


def test_export_contains_every_field_and_the_contacts(client, controller, company):
    customer = CustomerFactory(company=company, account_code="EX1", name="Export Ltd",
                               credit_limit=Decimal("1234.50"), phone="0113 000",
                               controller=controller, external_ref="ERP-9")  # fmt: skip
    EntryFactory(customer=customer, amount=Decimal("80.00"))
    ContactFactory(customer=customer, first_name="Ann", last_name="Lee", is_credit_contact=True)
    ContactFactory(customer=customer, first_name="Bob", last_name="Kay")
    lonely = CustomerFactory(company=company, account_code="EX2", name="No Contacts Ltd")
    client.force_login(controller)
    response = client.post(BULK, {"action": "export", "ids": [customer.pk, lonely.pk]})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="customers.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    header = set(rows[0])
    for f in CUSTOMER_EXPORT_FIELDS:
        assert f.name in header
    for f in CONTACT_EXPORT_FIELDS:
        assert f"contact_{f.name}" in header
    assert {"company", "controller", "balance_lcy", "overdue_lcy"} <= header
    assert len(rows) == 3
    first = rows[0]
    assert (first["account_code"], first["company"], first["controller"]) == (
        "EX1",
        "ACME",
        "carol",
    )
    assert (first["credit_limit"], first["external_ref"], first["balance_lcy"]) == (
        "1234.50", "ERP-9", "80.00")  # fmt: skip
    assert (first["contact_first_name"], first["contact_is_credit_contact"]) == ("Ann", "true")
    assert rows[1]["contact_first_name"] == "Bob"
    assert rows[2]["account_code"] == "EX2" and rows[2]["contact_last_name"] == ""


def test_only_managers_assign(client, controller, manager, company):
    customers = CustomerFactory.create_batch(2, company=company)
    client.force_login(controller)
    response = client.post(BULK, {"action": "assign", "controller": controller.pk,
                                  "ids": [c.pk for c in customers]})  # fmt: skip
    assert "Your role does not allow this change." in _messages(response)
    assert not Customer.objects.filter(controller=controller).exists()
    client.force_login(manager)
    response = client.post(BULK, {"action": "assign", "controller": controller.pk,
                                  "ids": [c.pk for c in customers]})  # fmt: skip
    assert "Assigned 2 customers to carol." in _messages(response)
    assert Customer.objects.filter(controller=controller).count() == 2
    events = AuditEvent.objects.filter(model="ledger.customer", action="update")
    assert [e.after for e in events] == [{"controller_id": controller.pk}] * 2


def test_unassign_and_refuse_someone_outside_the_company(client, manager, controller, company):
    customer = CustomerFactory(company=company, controller=controller)
    stranger = UserFactory(role="Credit controller")
    client.force_login(manager)
    response = client.post(BULK, {"action": "assign", "controller": stranger.pk,
                                  "ids": [customer.pk]})  # fmt: skip
    assert "does not work customers in every company" in " ".join(_messages(response))
    client.post(BULK, {"action": "assign", "controller": "", "ids": [customer.pk]})
    customer.refresh_from_db()
    assert customer.controller is None


def test_save_a_list_load_it_and_reset(client, controller, company):
    wanted = CustomerFactory.create_batch(3, company=company)
    other = CustomerFactory(company=company, name="Not In The List Ltd")
    client.force_login(controller)
    response = client.post(BULK, {"action": "save_list", "list_name": "Christmas cards",
                                  "ids": [c.pk for c in wanted]})  # fmt: skip
    mail_list = MailList.objects.get()
    assert response["Location"] == f"/customers/?mail_list={mail_list.pk}"
    assert (mail_list.owner, mail_list.company, mail_list.shared) == (controller, company, False)
    loaded = client.get(response["Location"]).content.decode()
    assert "Christmas cards" in loaded
    assert other.name not in loaded and all(c.name in loaded for c in wanted)
    assert other.name in client.get("/customers/").content.decode()


def test_saving_again_under_the_same_name_replaces_the_list(controller, company):
    a, b = CustomerFactory.create_batch(2, company=company)
    customer_bulk.mail_list_save(user=controller, name="Mine", customers=[a])
    customer_bulk.mail_list_save(user=controller, name="Mine ", customers=[b], shared=True)
    mail_list = MailList.objects.get()
    assert list(mail_list.customers.all()) == [b] and mail_list.shared


def test_a_list_holds_one_company(client, controller, company, other_company):
    other_company.members.add(controller)
    here = CustomerFactory(company=company)
    there = CustomerFactory(company=other_company)
    client.force_login(controller)
    response = client.post(BULK, {"action": "save_list", "list_name": "Mixed",
                                  "ids": [here.pk, there.pk]})  # fmt: skip
    assert "A list holds the customers of one company" in " ".join(_messages(response))
    assert not MailList.objects.exists()


def test_shared_lists_are_seen_by_the_team_and_deleted_by_the_owner_only(
    client, controller, manager, outsider, company
):
    customer = CustomerFactory(company=company, name="Shared Customer Ltd")
    shared = customer_bulk.mail_list_save(user=controller, name="Team list", customers=[customer],
                                          shared=True)  # fmt: skip
    private = customer_bulk.mail_list_save(user=controller, name="My own", customers=[customer])
    client.force_login(manager)
    html = client.get("/customers/").content.decode()
    assert "Team list" in html and "My own" not in html
    assert client.get("/customers/", {"mail_list": private.pk}).context["paginator"].count == 0
    response = client.post(reverse("ledger:mail-list-delete", args=[shared.pk]))
    assert "Only the owner of a list may delete it." in _messages(response)
    client.force_login(outsider)
    assert client.post(reverse("ledger:mail-list-delete", args=[shared.pk])).status_code == 404
    client.force_login(controller)
    client.post(reverse("ledger:mail-list-delete", args=[shared.pk]))
    assert list(MailList.objects.all()) == [private]


def test_bulk_needs_a_role_and_a_post(client, company, controller):
    client.force_login(UserFactory(companies=[company]))
    assert client.post(BULK, {"action": "export"}).status_code == 403
    client.force_login(controller)
    assert client.get(BULK).status_code == 405
