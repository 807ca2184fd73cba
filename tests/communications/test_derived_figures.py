"""The customer's derived Follow-up, Promised payment and live communications, before and after
completing a communication."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from communications.promises import promise_cancel, promise_create
from communications.querysets import with_workbench_figures
from communications.services import (
    PromiseInput,
    communication_complete,
    communication_create,
    communication_reopen,
)
from communications.todos import todo_close, todo_create
from ledger.models import Customer
from tests.factories import CustomerFactory, EntryFactory, outcome

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def figures(customer):
    c = with_workbench_figures(Customer.objects.filter(pk=customer.pk)).get()
    return c.live_communication_count, c.next_follow_up_on, c.promised_lcy, c.promised_on


def communicate(user, customer, *, follow_up_on=None, promised=None, entries=()):
    extra = {}
    if promised:
        extra = {"outcome": outcome("Payment promised"),
                 "promise": PromiseInput(promised_on=promised[1], amount=Decimal(promised[0]))}  # fmt: skip
    return communication_create(
        user=user, customer=customer, communication_type="telephone",
        contact_type="telephone_made", subject="Chasing", follow_up_on=follow_up_on,
        entry_ids=[e.pk for e in entries], **extra,
    )  # fmt: skip


def test_a_customer_without_workbench_records_has_empty_figures(customer):
    assert figures(customer) == (0, None, Decimal("0.00"), None)


def test_completing_takes_follow_up_and_promise_out_of_the_figures(controller, customer):
    invoice = EntryFactory(customer=customer, amount=Decimal("500.00"))
    c = communicate(controller, customer, follow_up_on=dt.date(2026, 3, 12),
                    promised=("200.00", dt.date(2026, 3, 16)), entries=[invoice])  # fmt: skip
    assert figures(customer) == (1, dt.date(2026, 3, 12), Decimal("200.00"), dt.date(2026, 3, 16))
    communication_complete(user=controller, communication=c)
    assert figures(customer) == (0, None, Decimal("0.00"), None)
    communication_complete(user=controller, communication=c)  # twice: the same
    assert figures(customer) == (0, None, Decimal("0.00"), None)


def test_reopening_brings_follow_up_and_promise_back(controller, customer):
    invoice = EntryFactory(customer=customer, amount=Decimal("500.00"))
    c = communicate(controller, customer, follow_up_on=dt.date(2026, 3, 12),
                    promised=("200.00", dt.date(2026, 3, 16)), entries=[invoice])  # fmt: skip
    communication_complete(user=controller, communication=c)
    communication_reopen(user=controller, communication=c)
    assert figures(customer) == (1, dt.date(2026, 3, 12), Decimal("200.00"), dt.date(2026, 3, 16))


def test_follow_up_is_the_earliest_over_live_communications_and_open_todos(controller, customer):
    later = communicate(controller, customer, follow_up_on=dt.date(2026, 3, 20))
    earliest = communicate(controller, customer, follow_up_on=dt.date(2026, 3, 12))
    todo = todo_create(user=controller, customer=customer, description="Ring the buyer",
                       due_on=dt.date(2026, 3, 11))  # fmt: skip
    assert figures(customer)[:2] == (2, dt.date(2026, 3, 11))
    todo_close(user=controller, todo=todo)
    assert figures(customer)[:2] == (2, dt.date(2026, 3, 12))
    communication_complete(user=controller, communication=earliest)
    assert figures(customer)[:2] == (1, dt.date(2026, 3, 20))
    communication_complete(user=controller, communication=later)
    assert figures(customer)[:2] == (0, None)


def test_promised_payment_sums_live_promises_at_their_earliest_date(controller, customer):
    first, second = EntryFactory(customer=customer), EntryFactory(customer=customer)
    promise_create(user=controller, customer=customer, entry_ids=[first.pk],
                   promised_on=dt.date(2026, 3, 25), amount="40.00")  # fmt: skip
    other = promise_create(user=controller, customer=customer, entry_ids=[second.pk],
                           promised_on=dt.date(2026, 3, 15), amount="60.00")  # fmt: skip
    assert figures(customer)[2:] == (Decimal("100.00"), dt.date(2026, 3, 15))
    promise_cancel(user=controller, promise=other)
    assert figures(customer)[2:] == (Decimal("40.00"), dt.date(2026, 3, 25))


def test_promised_payment_is_in_the_companys_currency(controller, customer):
    usd = EntryFactory(customer=customer, currency="USD", exchange_rate=Decimal("0.8"),
                       amount=Decimal("500.00"))  # fmt: skip
    promise_create(user=controller, customer=customer, entry_ids=[usd.pk],
                   promised_on=dt.date(2026, 3, 25), is_full=True)  # fmt: skip
    assert figures(customer)[2] == Decimal("400.00")


def test_figures_of_one_customer_do_not_leak_into_another(controller, customer, company):
    neighbour = CustomerFactory(company=company)
    communicate(controller, neighbour, follow_up_on=dt.date(2026, 3, 12))
    assert figures(customer) == (0, None, Decimal("0.00"), None)
    assert figures(neighbour)[:2] == (1, dt.date(2026, 3, 12))


def test_reopening_reopens_the_check_of_a_promise_still_open(controller, customer):
    invoice = EntryFactory(customer=customer, amount=Decimal("500.00"))
    c = communicate(controller, customer, promised=("200.00", dt.date(2026, 3, 16)),
                    entries=[invoice])  # fmt: skip
    check = c.todos.get(kind="promise_check")
    communication_complete(user=controller, communication=c)
    check.refresh_from_db()
    assert check.status == "closed"
    communication_reopen(user=controller, communication=c)
    check.refresh_from_db()
    assert (check.status, check.due_on) == ("open", dt.date(2026, 3, 16))
