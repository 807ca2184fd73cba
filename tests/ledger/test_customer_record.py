"""Editing a customer: who may change what, sync-owned master data, hold and release,
exclusion with a reason and date, the over-limit crossing, contacts with roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from communications.models import Notification, ToDo, ToDoKind
from creditcontrol import roles
from ledger import sync
from ledger.models import AuditEvent, Contact, Customer
from ledger.services import (
    application_apply,
    contact_create,
    contact_delete,
    contact_update,
    customer_exclude,
    customer_hold,
    customer_include,
    customer_release,
    customer_update,
    entry_create,
)
from tests.factories import ContactFactory, CustomerFactory, EntryFactory, payment, user_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(company):
    return CustomerFactory(company=company, external_ref="SAGE-1", name="Synced Ltd")


def test_manager_changes_credit_control_fields_with_audit_before_and_after(manager, customer,
                                                                          controller):  # fmt: skip
    customer_update(user=manager, customer=customer, credit_limit=Decimal("900.00"),
                    controller=controller, notes="Pays on the 25th", language="de")  # fmt: skip
    event = AuditEvent.objects.get(model="ledger.customer", action="update")
    assert event.before == {"credit_limit": "0.00", "controller_id": None, "notes": "",
                            "language": ""}  # fmt: skip
    assert event.after == {"credit_limit": "900.00", "controller_id": controller.pk,
                           "notes": "Pays on the 25th", "language": "de"}  # fmt: skip
    assert event.user == manager


def test_manager_edits_master_data_of_a_customer_keyed_in_here(manager, customer):
    customer_update(user=manager, customer=customer, name="Renamed Ltd", county="West Yorkshire",
                    country="GB", currency="EUR", tax_number="GB123", payment_terms_days=45)  # fmt: skip
    customer.refresh_from_db()
    assert (customer.name, customer.county, customer.currency) == (
        "Renamed Ltd",
        "West Yorkshire",
        "EUR",
    )


@pytest.mark.parametrize("field, value", [("name", "Other"), ("payment_terms_days", 60),
                                          ("country", "FR"), ("tax_number", "X1")])  # fmt: skip
def test_master_data_of_a_synced_customer_is_refused_to_the_credit_team(manager, synced, field,
                                                                       value):  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        customer_update(user=manager, customer=synced, **{field: value})
    assert "accounting system owns this field" in refused.value.message_dict[field][0]
    assert not AuditEvent.objects.exists()


def test_sending_back_the_stored_master_data_of_a_synced_customer_is_no_change(manager, synced):
    customer_update(user=manager, customer=synced, name=synced.name, credit_limit=Decimal("5"))
    assert Customer.objects.get(pk=synced.pk).credit_limit == Decimal("5.00")


def test_integrator_changes_master_data_but_not_credit_control_fields(integrator, synced):
    customer_update(user=integrator, customer=synced, name="From Sage")
    with pytest.raises(PermissionDenied, match="credit team"):
        customer_update(user=integrator, customer=synced, credit_limit=Decimal("1"))


@pytest.mark.parametrize("fields", [{"debtor_rating": "bad"}, {"notes": "Call after 10"}])
def test_controller_changes_rating_and_notes(controller, customer, fields):
    customer_update(user=controller, customer=customer, **fields)
    customer.refresh_from_db()
    assert all(getattr(customer, k) == v for k, v in fields.items())


@pytest.mark.parametrize("fields", [{"credit_limit": Decimal("1")}, {"name": "X"},
                                    {"on_hold": True}, {"exclude_from_followups": True}])  # fmt: skip
def test_controller_may_not_change_anything_else(controller, customer, fields):
    with pytest.raises(PermissionDenied):
        customer_update(user=controller, customer=customer, **fields)


def test_outsider_cannot_change_a_customer(outsider, customer):
    with pytest.raises(PermissionDenied):
        customer_update(user=outsider, customer=customer, notes="x")
    with pytest.raises(PermissionDenied):
        customer_hold(user=outsider, customer=customer, reason="x")


def test_only_a_credit_controller_can_be_the_controller(manager, customer, company):
    with pytest.raises(ValidationError, match="not a credit controller"):
        customer_update(user=manager, customer=customer, controller=manager)
    integrator = user_in(company, roles.INTEGRATOR)
    with pytest.raises(ValidationError, match="not a credit controller"):
        customer_update(user=manager, customer=customer, controller=integrator)


@pytest.mark.parametrize("bad", [{"currency": "XYZ"}, {"country": "NA1"}, {"country": "ZZ"}])
def test_currency_and_country_are_iso_codes(manager, customer, bad):
    with pytest.raises(ValidationError) as refused:
        customer_update(user=manager, customer=customer, **bad)
    assert set(refused.value.message_dict) == set(bad)


@time_machine.travel("2026-11-23 10:15:00+00:00", tick=False)
def test_hold_and_release_record_reason_who_and_when(manager, customer):
    customer_hold(user=manager, customer=customer, reason="Cheque bounced")
    customer.refresh_from_db()
    assert customer.on_hold and customer.hold_reason == "Cheque bounced"
    assert customer.hold_changed_by == manager
    assert customer.hold_changed_at.isoformat() == "2026-11-23T10:15:00+00:00"
    event = AuditEvent.objects.get(model="ledger.customer")
    assert event.after == {"on_hold": True, "hold_reason": "Cheque bounced"}
    with pytest.raises(ValidationError, match="on hold already"):
        customer_hold(user=manager, customer=customer, reason="again")
    customer_release(user=manager, customer=customer, reason="Paid in full")
    customer.refresh_from_db()
    assert not customer.on_hold and customer.hold_reason == "Paid in full"


def test_hold_needs_a_reason_and_a_manager(manager, controller, customer):
    with pytest.raises(ValidationError, match="Say why"):
        customer_hold(user=manager, customer=customer, reason="  ")
    with pytest.raises(PermissionDenied):
        customer_hold(user=controller, customer=customer, reason="x")


def test_hold_is_announced_for_webhooks(manager, customer):
    from ledger.signals import customer_hold_changed

    heard = []

    def listener(**kwargs):
        heard.append(kwargs["customer"].on_hold)

    customer_hold_changed.connect(listener)
    try:
        customer_hold(user=manager, customer=customer, reason="x")
        customer_release(user=manager, customer=customer, reason="y")
    finally:
        customer_hold_changed.disconnect(listener)
    assert heard == [True, False]


@time_machine.travel("2026-11-23 10:00:00+00:00", tick=False)
def test_exclusion_with_reason_and_until_date_and_inclusion(manager, customer):
    customer_exclude(user=manager, customer=customer, reason="Administration",
                     until=dt.date(2026, 12, 31))  # fmt: skip
    customer.refresh_from_db()
    assert (customer.exclude_from_followups, customer.exclude_reason, customer.exclude_until) == (
        True, "Administration", dt.date(2026, 12, 31))  # fmt: skip
    assert customer.is_excluded_on(dt.date(2026, 12, 30))
    assert not customer.is_excluded_on(dt.date(2026, 12, 31))
    assert list(Customer.objects.followed_up(dt.date(2026, 12, 30))) == []
    assert list(Customer.objects.followed_up(dt.date(2026, 12, 31))) == [customer]
    customer_include(user=manager, customer=customer)
    customer.refresh_from_db()
    assert (customer.exclude_from_followups, customer.exclude_reason, customer.exclude_until) == (
        False, "", None)  # fmt: skip
    assert AuditEvent.objects.filter(model="ledger.customer").count() == 2


def test_exclusion_date_must_be_ahead(manager, customer):
    with pytest.raises(ValidationError):
        customer_exclude(user=manager, customer=customer, reason="x", until=dt.date(2000, 1, 1))


def test_controller_excludes_only_through_the_call_action(controller, customer):
    with pytest.raises(PermissionDenied):
        customer_exclude(user=controller, customer=customer, reason="x")
    customer_exclude(user=controller, customer=customer, reason="x", by_call_action=True)


# --- Over the credit limit --------------------------------------------------------


@pytest.fixture
def limited(company, controller):
    return CustomerFactory(company=company, credit_limit=Decimal("1000.00"), controller=controller)


def _entry_row(ref, customer, amount):
    return {"external_ref": ref, "customer": customer.pk, "entry_type": "invoice",
            "document_no": ref, "document_date": "2026-11-01", "amount": amount}  # fmt: skip


def test_entry_sync_over_the_limit_raises_one_todo_and_notification_per_crossing(
    company, integrator, limited, controller
):
    sync.sync_entries(user=integrator, company=company,
                             rows=[_entry_row("I1", limited, "800")])  # fmt: skip
    assert not ToDo.objects.exists()
    sync.sync_entries(user=integrator, company=company,
                             rows=[_entry_row("I2", limited, "300")])  # fmt: skip
    todo = ToDo.objects.get()
    assert (todo.kind, todo.owner, todo.customer) == (ToDoKind.OVER_LIMIT, controller, limited)
    assert todo.description == "Over credit limit by 100.00 GBP"
    note = Notification.objects.get()
    assert note.user == controller and "over credit limit by 100.00" in note.text
    # Still over: no second to-do, however many syncs follow.
    sync.sync_entries(user=integrator, company=company,
                             rows=[_entry_row("I3", limited, "50")])  # fmt: skip
    assert ToDo.objects.count() == 1 and Notification.objects.count() == 1


def test_back_under_then_over_again_is_a_new_crossing(company, manager, limited):
    invoice = entry_create(user=manager, customer=limited, entry_type="invoice",
                           document_no="A1", document_date=dt.date(2026, 11, 1),
                           amount=Decimal("1200.00"))  # fmt: skip
    assert ToDo.objects.count() == 1
    paid = payment(limited, "500")
    application_apply(user=manager, credit_entry=paid, debit_entry=invoice, amount=Decimal("500"))
    limited.refresh_from_db()
    assert limited.over_limit_since is None
    entry_create(user=manager, customer=limited, entry_type="invoice", document_no="A2",
                 document_date=dt.date(2026, 11, 2), amount=Decimal("400.00"))  # fmt: skip
    assert ToDo.objects.filter(kind=ToDoKind.OVER_LIMIT).count() == 2


def test_no_limit_means_never_over(company, manager):
    customer = CustomerFactory(company=company)
    EntryFactory(customer=customer, amount=Decimal("99999"))
    customer_update(user=manager, customer=customer, notes="x")
    assert not ToDo.objects.exists()


def test_lowering_the_limit_below_the_balance_is_a_crossing(manager, limited, controller):
    EntryFactory(customer=limited, amount=Decimal("700"))
    customer_update(user=manager, customer=limited, credit_limit=Decimal("500.00"))
    assert ToDo.objects.get().description == "Over credit limit by 200.00 GBP"


def test_without_controller_the_managers_are_told(company, manager):
    customer = CustomerFactory(company=company, credit_limit=Decimal("10"))
    entry_create(user=manager, customer=customer, entry_type="invoice", document_no="B1",
                 document_date=dt.date(2026, 11, 1), amount=Decimal("20"))  # fmt: skip
    assert ToDo.objects.get().owner == manager


def test_the_sync_never_overwrites_credit_control_fields(company, integrator, manager):
    rows = [{"external_ref": "S1", "account_code": "S1", "name": "Sync Ltd", "credit_limit": "100",
             "debtor_rating": "good", "on_hold": False}]  # fmt: skip
    sync.sync_customers(user=integrator, company=company, rows=rows)
    customer = Customer.objects.get(external_ref="S1")
    assert customer.credit_limit == Decimal("100.00")  # seeds a new customer
    customer_update(user=manager, customer=customer, credit_limit=Decimal("5000"),
                    debtor_rating="bad")  # fmt: skip
    customer_hold(user=manager, customer=customer, reason="Ours")
    rows[0]["name"] = "Sync Renamed Ltd"
    result = sync.sync_customers(user=integrator, company=company, rows=rows)
    assert result.ok
    customer.refresh_from_db()
    assert customer.name == "Sync Renamed Ltd"
    assert (customer.credit_limit, customer.debtor_rating, customer.on_hold) == (
        Decimal("5000.00"), "bad", True)  # fmt: skip


# --- Contacts ---------------------------------------------------------------------


def test_reminder_recipients_to_and_cc(customer):
    to = ContactFactory(customer=customer, is_credit_contact=True)
    cc = ContactFactory(customer=customer, copy_on_reminders=True)
    ContactFactory(customer=customer, copy_on_reminders=True, is_active=False)
    ContactFactory(customer=customer, copy_on_reminders=True,
                   email_bounced_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))  # fmt: skip
    ContactFactory(customer=customer, receives_statements=True)
    assert Contact.objects.reminder_recipients(customer) == ([to], [cc])


def test_bounced_credit_contact_gets_nothing_until_corrected(controller, customer):
    contact = ContactFactory(customer=customer, is_credit_contact=True,
                             email_bounced_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))  # fmt: skip
    assert Contact.objects.reminder_recipients(customer) == ([], [])
    contact_update(user=controller, contact=contact, email="fixed@customer.example")
    contact.refresh_from_db()
    assert contact.email_bounced_at is None
    assert Contact.objects.reminder_recipients(customer) == ([contact], [])


def test_contact_roles_are_set_and_audited(controller, customer):
    contact = contact_create(user=controller, customer=customer, last_name="Jones",
                             email="j@x.example", receives_statements=True, is_billing=True,
                             copy_on_reminders=True)  # fmt: skip
    assert (contact.receives_statements, contact.is_billing, contact.copy_on_reminders) == (
        True, True, True)  # fmt: skip
    event = AuditEvent.objects.get(model="ledger.contact")
    assert event.after["receives_statements"] is True


def test_contact_with_history_is_not_deleted_but_can_be_made_inactive(controller, customer):
    from tests.factories import CommunicationFactory

    contact = ContactFactory(customer=customer)
    CommunicationFactory(customer=customer, contact=contact)
    with pytest.raises(ValidationError, match="make the contact inactive"):
        contact_delete(user=controller, contact=contact)
    contact_update(user=controller, contact=contact, is_active=False)
    contact.refresh_from_db()
    assert not contact.is_active
    fresh = ContactFactory(customer=customer)
    contact_delete(user=controller, contact=fresh)
    assert not Contact.objects.filter(pk=fresh.pk).exists()
