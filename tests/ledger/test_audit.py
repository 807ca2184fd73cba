"""Every change to customers, contacts, entries and applications leaves who, when, before, after."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from ledger.models import AuditEvent
from ledger.services import (
    application_apply,
    contact_create,
    contact_update,
    customer_create,
    customer_delete,
    customer_update,
    entry_update,
)
from tests.factories import EntryFactory, payment

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-23 10:15:00+00:00", tick=False)
def test_customer_change_records_who_when_before_and_after(company, manager):
    customer = customer_create(user=manager, company=company, account_code="AU1", name="Audit Ltd")
    customer_update(user=manager, customer=customer, credit_limit=Decimal("2500.00"), on_hold=True)
    event = AuditEvent.objects.filter(action="update").get()
    assert event.user == manager
    assert event.at.isoformat() == "2026-11-23T10:15:00+00:00"
    assert event.before == {"credit_limit": "0.00", "on_hold": False}
    assert event.after == {"credit_limit": "2500.00", "on_hold": True}
    assert event.company == company


def test_an_update_that_changes_nothing_leaves_no_event(company, manager):
    customer = customer_create(user=manager, company=company, account_code="AU2", name="Same")
    customer_update(user=manager, customer=customer, name="Same")
    assert not AuditEvent.objects.filter(action="update").exists()


def test_delete_keeps_the_last_values(company, manager):
    customer = customer_create(user=manager, company=company, account_code="AU3", name="Gone")
    pk = customer.pk
    customer_delete(user=manager, customer=customer)
    event = AuditEvent.objects.get(action="delete")
    assert event.object_id == pk
    assert event.before["name"] == "Gone"


def test_application_audits_both_remaining_amounts(customer, manager):
    invoice = EntryFactory(customer=customer, amount=Decimal("80.00"))
    cash = payment(customer, "80.00")
    application_apply(user=manager, credit_entry=cash, debit_entry=invoice, amount=Decimal(80))
    changes = {
        e.object_id: (e.before["remaining"], e.after["remaining"])
        for e in AuditEvent.objects.filter(model="ledger.ledgerentry")
    }
    assert changes == {invoice.pk: ("80.00", "0.00"), cash.pk: ("-80.00", "0.00")}
    assert AuditEvent.objects.filter(model="ledger.application", action="create").count() == 1


def test_entry_exclusion_and_expected_date_are_audited(customer, manager):
    entry = EntryFactory(customer=customer)
    entry_update(user=manager, entry=entry, exclude_until="2026-12-31",
                 expected_payment_date="2026-12-15")  # fmt: skip
    event = AuditEvent.objects.get(model="ledger.ledgerentry")
    assert event.before == {"expected_payment_date": None, "exclude_until": None}
    assert event.after == {"expected_payment_date": "2026-12-15", "exclude_until": "2026-12-31"}


def test_naming_a_new_credit_contact_demotes_the_old_one(customer, controller):
    first = contact_create(user=controller, customer=customer, last_name="First",
                           is_credit_contact=True)  # fmt: skip
    second = contact_create(user=controller, customer=customer, last_name="Second")
    contact_update(user=controller, contact=second, is_credit_contact=True)
    first.refresh_from_db()
    assert not first.is_credit_contact
    assert customer.contacts.filter(is_credit_contact=True).get() == second


def test_audit_trail_is_readable_from_the_api_by_members_only(company, manager, outsider):
    from tests.conftest import api_as

    customer = customer_create(user=manager, company=company, account_code="AU9", name="Api")
    rows = api_as(manager).get(
        f"/api/v1/audit-events/?model=ledger.customer&object_id={customer.pk}"
    )
    assert [r["action"] for r in rows.json()["results"]] == ["create"]
    assert api_as(outsider).get("/api/v1/audit-events/").json()["results"] == []
