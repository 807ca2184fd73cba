"""To-dos: the automatic ones, those made by hand, and closing when the entries are paid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from communications.models import ToDo, ToDoKind
from communications.promises import promise_create
from communications.services import communication_create
from communications.todos import todo_close, todo_create, todo_reopen, todo_update, todos_close_paid
from ledger.models import AuditEvent
from ledger.services import application_apply
from tests.factories import CustomerFactory, EntryFactory, payment

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def pay_in_full(user, entry):
    application_apply(user=user, credit_entry=payment(entry.customer, entry.remaining),
                      debit_entry=entry, amount=entry.remaining)  # fmt: skip


@pytest.mark.parametrize(
    ("made_by", "description", "due_on", "kind"),
    [
        ("communication", "Follow up call from 09 Mar 2026", dt.date(2026, 3, 16),
         ToDoKind.FOLLOW_UP),
        ("promise", "Check promised payment has been received", dt.date(2026, 3, 18),
         ToDoKind.PROMISE_CHECK),
    ],
)  # fmt: skip
def test_automatic_todos_have_exactly_these_descriptions_and_due_dates(
    controller, customer, made_by, description, due_on, kind
):
    invoice = EntryFactory(customer=customer)
    if made_by == "communication":
        communication_create(user=controller, customer=customer, communication_type="telephone",
                             contact_type="telephone_received", subject="Called back",
                             occurred_at=dt.datetime(2026, 3, 9, 15, tzinfo=dt.UTC),
                             follow_up_on=due_on, entry_ids=[invoice.pk])  # fmt: skip
    else:
        promise_create(user=controller, customer=customer, entry_ids=[invoice.pk],
                       promised_on=due_on, is_full=True)  # fmt: skip
    (todo,) = ToDo.objects.all()
    assert (todo.description, todo.due_on, todo.kind, todo.owner) == (
        description, due_on, kind, controller,
    )  # fmt: skip
    assert list(todo.entries.all()) == [invoice]


def test_todo_closes_itself_when_every_entry_it_concerns_is_paid(manager, controller, customer):
    first, second = EntryFactory(customer=customer), EntryFactory(customer=customer)
    todo = todo_create(user=controller, customer=customer, description="Chase remittance",
                       due_on=TODAY, entry_ids=[first.pk, second.pk])  # fmt: skip
    pay_in_full(manager, first)
    todo.refresh_from_db()
    assert todo.status == "open"  # one entry still open
    pay_in_full(manager, second)
    todo.refresh_from_db()
    assert (todo.status, todo.close_reason, todo.closed_by) == (
        "closed", "Every entry it concerns is paid.", None,
    )  # fmt: skip


def test_a_part_payment_does_not_close_the_todo(manager, controller, customer):
    invoice = EntryFactory(customer=customer, amount=Decimal("100.00"))
    todo = todo_create(user=controller, customer=customer, description="Chase", due_on=TODAY,
                       entry_ids=[invoice.pk])  # fmt: skip
    application_apply(user=manager, credit_entry=payment(customer, "99.99"), debit_entry=invoice,
                      amount=Decimal("99.99"))  # fmt: skip
    todo.refresh_from_db()
    assert todo.status == "open"


def test_todos_without_entries_are_never_closed_by_payments(manager, controller, customer):
    invoice = EntryFactory(customer=customer)
    todo = todo_create(user=controller, customer=customer, description="Call the MD",
                       due_on=TODAY)  # fmt: skip
    pay_in_full(manager, invoice)
    assert todos_close_paid(entry_ids=[invoice.pk]) == 0
    todo.refresh_from_db()
    assert todo.status == "open"


def test_todo_by_hand_defaults_its_owner_to_the_customers_controller(controller, manager,
                                                                     company):  # fmt: skip
    customer = CustomerFactory(company=company, controller=controller)
    todo = todo_create(user=manager, customer=customer, description="  Send a copy invoice ",
                       due_on=dt.date(2026, 3, 12), notes="They lost it")  # fmt: skip
    assert (todo.owner, todo.description, todo.kind, todo.status) == (
        controller, "Send a copy invoice", ToDoKind.MANUAL, "open",
    )  # fmt: skip
    assert AuditEvent.objects.filter(model="communications.todo", action="create").count() == 1


def test_todo_by_hand_close_reopen_and_close_twice(controller, customer):
    todo = todo_create(user=controller, customer=customer, description="Chase", due_on=TODAY)
    closed = todo_close(user=controller, todo=todo)
    assert (closed.status, closed.closed_at, closed.closed_by, closed.close_reason) == (
        "closed", NOW, controller, "Closed by hand.",
    )  # fmt: skip
    assert todo_close(user=controller, todo=todo).closed_at == NOW  # twice: unchanged
    reopened = todo_reopen(user=controller, todo=todo)
    assert (reopened.status, reopened.closed_at, reopened.close_reason) == ("open", None, "")
    events = AuditEvent.objects.filter(model="communications.todo", action="update")
    assert [e.after["status"] for e in events.order_by("pk")] == ["closed", "open"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"description": "  "}, "description", "Say what is to be done."),
        ({"due_on": None}, "due_on", "Give the date it is due."),
        ({"due_on": dt.date(2026, 3, 9)}, "due_on", "cannot be before 10 Mar 2026"),
        ({"due_on": dt.date(2028, 3, 11)}, "due_on", "cannot be after 10 Mar 2028"),
    ],
)
def test_todo_by_hand_refuses_bad_input(controller, customer, fields, field, message):
    values = {"description": "Chase", "due_on": TODAY, **fields}
    with pytest.raises(ValidationError) as refused:
        todo_create(user=controller, customer=customer, **values)
    assert message in refused.value.message_dict[field][0]
    assert not ToDo.objects.exists()


def test_owner_outside_the_company_is_refused(controller, outsider, customer):
    with pytest.raises(ValidationError) as refused:
        todo_create(user=controller, customer=customer, description="Chase", due_on=TODAY,
                    owner=outsider)  # fmt: skip
    assert refused.value.message_dict["owner"] == ["otto does not work on Acme Trading Ltd."]


def test_owner_must_be_someone_who_works_customers(controller, integrator, customer):
    with pytest.raises(ValidationError, match="ivan does not work on"):
        todo_create(user=controller, customer=customer, description="Chase", due_on=TODAY,
                    owner=integrator)  # fmt: skip


def test_entries_of_another_customer_are_refused_on_a_todo(controller, customer, company):
    stranger = EntryFactory(customer=CustomerFactory(company=company))
    with pytest.raises(ValidationError, match="is not a ledger entry of customer ACC001"):
        todo_create(user=controller, customer=customer, description="Chase", due_on=TODAY,
                    entry_ids=[stranger.pk])  # fmt: skip
    assert not ToDo.objects.exists()


def test_outsider_cannot_create_close_or_change_todos(controller, outsider, customer):
    todo = todo_create(user=controller, customer=customer, description="Chase", due_on=TODAY)
    with pytest.raises(PermissionDenied):
        todo_create(user=outsider, customer=customer, description="Chase", due_on=TODAY)
    for service in (todo_close, todo_reopen):
        with pytest.raises(PermissionDenied):
            service(user=outsider, todo=todo)
    with pytest.raises(PermissionDenied):
        todo_update(user=outsider, todo=todo, description="Mine now")


def test_todo_update_changes_what_is_allowed_and_audits_it(controller, manager, customer):
    todo = todo_create(user=controller, customer=customer, description="Chase", due_on=TODAY)
    todo_update(user=controller, todo=todo, owner=manager, due_on=dt.date(2026, 3, 12))
    todo.refresh_from_db()
    assert (todo.owner, todo.due_on) == (manager, dt.date(2026, 3, 12))
    event = AuditEvent.objects.filter(model="communications.todo", action="update").get()
    assert event.after == {"owner_id": manager.pk, "due_on": "2026-03-12"}
    with pytest.raises(ValidationError):
        todo_update(user=controller, todo=todo, status="closed")


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([7], "Entry 7 is not a ledger entry of customer ACC001"),
        ([7, 9], "Entries 7, 9 are not ledger entries of customer ACC001"),
    ],
)
def test_entries_of_another_customer_are_named_in_the_message(customer, ids, message):
    from communications.todos import not_the_customers

    assert not_the_customers(customer, ids) == message
