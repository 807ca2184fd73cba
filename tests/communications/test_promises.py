"""Promises to pay: what may be promised, and when a promise is kept or broken."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from communications.models import Promise, ToDo, ToDoKind
from communications.promises import promise_cancel, promise_create, promises_settle
from communications.tasks import check_promises
from ledger import sync
from ledger.models import AuditEvent, EntryType
from ledger.services import application_apply
from tests.factories import CompanyFactory, CustomerFactory, EntryFactory, payment, user_in

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def invoice(customer):
    return EntryFactory(customer=customer, amount=Decimal("500.00"), external_ref="INV-1")


def promise(user, customer, entries, *, on=dt.date(2026, 3, 20), **kwargs):
    return promise_create(user=user, customer=customer, entry_ids=[e.pk for e in entries],
                          promised_on=on, **kwargs)  # fmt: skip


def pay(user, customer, invoice, amount):
    application_apply(user=user, credit_entry=payment(customer, amount), debit_entry=invoice,
                      amount=Decimal(amount))  # fmt: skip


def test_full_promise_covers_the_selections_remaining_amount(controller, customer):
    entries = [EntryFactory(customer=customer, amount=Decimal("300.00"), remaining=Decimal("120.00")),
               EntryFactory(customer=customer, amount=Decimal("80.00"))]  # fmt: skip
    p = promise(controller, customer, entries, is_full=True)
    assert (p.is_full, p.amount, p.amount_lcy, p.currency) == (True, Decimal("200.00"),
                                                             Decimal("200.00"), "GBP")  # fmt: skip
    assert sorted(p.lines.values_list("remaining_at_promise", flat=True)) == [
        Decimal("80.00"), Decimal("120.00"),
    ]  # fmt: skip
    assert p.status == "open"


def test_partial_promise_in_a_foreign_currency_converts_at_the_entrys_rate(controller, customer):
    usd = EntryFactory(customer=customer, currency="USD", exchange_rate=Decimal("0.8"),
                       amount=Decimal("1000.00"))  # fmt: skip
    p = promise(controller, customer, [usd], amount="250.00")
    assert (p.amount, p.currency, p.amount_lcy) == (Decimal("250.00"), "USD", Decimal("200.00"))


def test_promise_raises_the_check_todo_due_on_the_promised_date(controller, customer, invoice):
    p = promise(controller, customer, [invoice], amount="100.00")
    (todo,) = ToDo.objects.all()
    assert todo.description == "Check promised payment has been received"
    assert (todo.due_on, todo.owner, todo.kind, todo.promise) == (
        dt.date(2026, 3, 20), controller, ToDoKind.PROMISE_CHECK, p,
    )  # fmt: skip
    assert list(todo.entries.all()) == [invoice]


def _entries(customer, kind):
    if kind == "credit":
        return [EntryFactory(customer=customer, entry_type=EntryType.CREDIT_NOTE,
                             amount=Decimal("-50.00"))]  # fmt: skip
    if kind == "paid":
        return [EntryFactory(customer=customer, remaining=Decimal("0.00"))]
    if kind == "mixed":
        return [EntryFactory(customer=customer),
                EntryFactory(customer=customer, currency="EUR", exchange_rate=Decimal("0.85"))]  # fmt: skip
    return [EntryFactory(customer=customer, amount=Decimal("100.00"))]


@pytest.mark.parametrize(
    ("kind", "kwargs", "field", "message"),
    [
        ("invoice", {"amount": "100.01"}, "amount",
         "100.01 GBP is more than the 100.00 GBP still open on the selected entries."),
        ("invoice", {"amount": "0"}, "amount", "A promised amount must be more than zero."),
        ("invoice", {"amount": "-5"}, "amount", "A promised amount must be more than zero."),
        ("invoice", {"amount": "1.005"}, "amount", "at most 2 decimals"),
        ("invoice", {}, "amount", "Give the promised amount, or tick full amount."),
        ("invoice", {"is_full": True, "on": dt.date(2026, 3, 9)}, "promised_on",
         "The promised date cannot be before 10 Mar 2026."),
        ("invoice", {"is_full": True, "on": dt.date(2027, 3, 12)}, "promised_on",
         "The promised date cannot be after 11 Mar 2027."),
        ("invoice", {"is_full": True, "on": None}, "promised_on",
         "Give the date the customer promised to pay by."),
        ("mixed", {"is_full": True}, "entries", "one currency; the selection has EUR and GBP"),
        ("credit", {"is_full": True}, "entries", "is not an invoice or debit memo"),
        ("paid", {"is_full": True}, "entries", "is already paid"),
    ],
)  # fmt: skip
def test_promises_that_cannot_be_kept_are_refused(controller, customer, kind, kwargs, field,
                                                  message):  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        promise(controller, customer, _entries(customer, kind), **kwargs)
    assert message in refused.value.message_dict[field][0]
    assert not Promise.objects.exists()
    assert not ToDo.objects.exists()


def test_an_entry_with_an_open_promise_cannot_take_a_second(controller, customer, invoice):
    promise(controller, customer, [invoice], amount="100.00")
    other = EntryFactory(customer=customer)
    with pytest.raises(ValidationError, match="already carries an open promise"):
        promise(controller, customer, [other, invoice], amount="100.00")
    assert Promise.objects.count() == 1


def test_a_cancelled_promise_frees_its_entries_and_closes_its_check(controller, customer, invoice):
    first = promise_cancel(user=controller, promise=promise(controller, customer, [invoice],
                                                            is_full=True))  # fmt: skip
    assert (first.status, first.resolved_on) == ("cancelled", TODAY)
    assert ToDo.objects.get().status == "closed"
    promise(controller, customer, [invoice], is_full=True)
    with pytest.raises(ValidationError, match="already cancelled"):
        promise_cancel(user=controller, promise=first)


def test_promise_is_kept_when_an_application_covers_it_by_the_date(manager, controller, customer,
                                                                  invoice):  # fmt: skip
    p = promise(controller, customer, [invoice], amount="300.00")
    pay(manager, customer, invoice, "200.00")
    p.refresh_from_db()
    assert p.status == "open"
    with time_machine.travel(dt.datetime(2026, 3, 20, 16, tzinfo=dt.UTC), tick=False):
        pay(manager, customer, invoice, "100.00")
    p.refresh_from_db()
    assert (p.status, p.resolved_on) == ("kept", dt.date(2026, 3, 20))
    assert ToDo.objects.get(kind=ToDoKind.PROMISE_CHECK).status == "closed"
    assert not ToDo.objects.filter(kind=ToDoKind.PROMISE_BROKEN).exists()


def test_promise_paid_after_the_date_is_broken(manager, controller, customer, invoice):
    p = promise(controller, customer, [invoice], is_full=True)
    with time_machine.travel(dt.datetime(2026, 3, 21, 9, tzinfo=dt.UTC), tick=False):
        pay(manager, customer, invoice, "500.00")
    p.refresh_from_db()
    assert (p.status, p.resolved_on) == ("broken", dt.date(2026, 3, 21))


def test_promise_is_kept_when_the_sync_applies_a_payment(integrator, controller, customer,
                                                       invoice, company):  # fmt: skip
    p = promise(controller, customer, [invoice], amount="500.00")
    cash = payment(customer, "500.00", external_ref="PAY-1")
    result = sync.sync_applications(user=integrator, company=company, rows=[
        {"external_ref": "APP-1", "credit_entry": cash.pk, "debit_entry": invoice.pk,
         "amount": "500.00"},
    ])  # fmt: skip
    assert result.ok, result.errors
    p.refresh_from_db()
    assert p.status == "kept"


def test_promise_is_kept_when_the_sync_lowers_the_remaining_amount(integrator, controller,
                                                                  customer, invoice, company):  # fmt: skip
    p = promise(controller, customer, [invoice], amount="200.00")
    result = sync.sync_entries(user=integrator, company=company,
                               rows=[{"external_ref": "INV-1", "remaining": "300.00"}])  # fmt: skip
    assert result.ok, result.errors
    p.refresh_from_db()
    assert p.status == "kept"


def test_daily_check_breaks_promises_whose_date_has_passed_unpaid(manager, controller, customer,
                                                                 invoice):  # fmt: skip
    customer.controller = controller
    customer.save()
    due_today = EntryFactory(customer=customer)
    promise(manager, customer, [invoice], on=TODAY, amount="100.00")
    kept_in_time = promise(manager, customer, [due_today], on=TODAY, is_full=True)
    pay(manager, customer, due_today, "100.00")
    assert check_promises()["ACME"] == {"kept": 0, "broken": 0}  # still today: not yet
    with time_machine.travel(dt.datetime(2026, 3, 11, 0, 30, tzinfo=dt.UTC), tick=False):
        assert check_promises()["ACME"] == {"kept": 0, "broken": 1}
    kept_in_time.refresh_from_db()
    assert kept_in_time.status == "kept"
    broken = Promise.objects.get(status="broken")
    assert broken.resolved_on == dt.date(2026, 3, 11)
    todo = ToDo.objects.get(kind=ToDoKind.PROMISE_BROKEN)
    assert (todo.owner, todo.due_on, todo.promise) == (controller, dt.date(2026, 3, 11), broken)
    assert "was broken" in todo.description
    assert list(todo.entries.all()) == [invoice]
    assert ToDo.objects.get(promise=broken, kind=ToDoKind.PROMISE_CHECK).status == "closed"


def test_broken_promise_todo_goes_to_whoever_took_it_when_no_controller(controller, customer,
                                                                       invoice):  # fmt: skip
    promise(controller, customer, [invoice], on=TODAY, is_full=True)
    with time_machine.travel(dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC), tick=False):
        check_promises()
    assert ToDo.objects.get(kind=ToDoKind.PROMISE_BROKEN).owner == controller


def test_daily_check_keeps_a_promise_paid_on_its_date(manager, controller, customer, invoice):
    p = promise(controller, customer, [invoice], on=TODAY, amount="50.00")
    # A payment recorded outside the apps' signal (an import script): the daily check sees it.
    invoice.remaining = Decimal("450.00")
    invoice.save()
    with time_machine.travel(dt.datetime(2026, 3, 11, 9, tzinfo=dt.UTC), tick=False):
        check_promises()
    p.refresh_from_db()
    assert p.status == "kept"


def test_a_second_run_of_the_daily_check_changes_nothing(controller, customer, invoice):
    promise(controller, customer, [invoice], on=TODAY, is_full=True)
    with time_machine.travel(dt.datetime(2026, 3, 11, 9, tzinfo=dt.UTC), tick=False):
        assert check_promises()["ACME"] == {"kept": 0, "broken": 1}
        state = (list(ToDo.objects.values_list("pk", "status")), AuditEvent.objects.count())
        assert check_promises()["ACME"] == {"kept": 0, "broken": 0}
        assert (list(ToDo.objects.values_list("pk", "status")), AuditEvent.objects.count()) == state


@pytest.mark.parametrize(
    ("utc_now", "broken_in"),
    [
        # 10 March 22:00 UTC: 23:00 in Berlin, already 11 March 11:00 in Auckland.
        (dt.datetime(2026, 3, 10, 22, tzinfo=dt.UTC), {"AKL"}),
        # 10 March 23:30 UTC: half past midnight on 11 March in Berlin too.
        (dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), {"AKL", "BER"}),
        (dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC), set()),
    ],
)
def test_daily_check_decides_on_each_companys_own_date(utc_now, broken_in):
    made = {}
    for code, zone in (("BER", "Europe/Berlin"), ("AKL", "Pacific/Auckland")):
        company = CompanyFactory(code=code, time_zone=zone, base_currency="EUR")
        customer = CustomerFactory(company=company)
        user = user_in(company)
        made[code] = promise(user, customer, [EntryFactory(customer=customer)], on=TODAY,
                             is_full=True)  # fmt: skip
    with time_machine.travel(utc_now, tick=False):
        check_promises()
    assert {
        code for code, p in made.items() if Promise.objects.get(pk=p.pk).status == "broken"
    } == (broken_in)


def test_settling_for_paid_entries_leaves_other_promises_alone(manager, controller, customer,
                                                              invoice):  # fmt: skip
    other = EntryFactory(customer=customer)
    untouched = promise(controller, customer, [other], on=TODAY, is_full=True)
    promise(controller, customer, [invoice], on=TODAY, is_full=True)
    with time_machine.travel(dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC), tick=False):
        result = promises_settle(company=customer.company, as_of=dt.date(2026, 3, 12),
                                 entry_ids=[invoice.pk])  # fmt: skip
    assert result == {"kept": 0, "broken": 1}
    untouched.refresh_from_db()
    assert untouched.status == "open"


def test_every_promise_change_is_audited(controller, customer, invoice):
    p = promise(controller, customer, [invoice], on=TODAY, is_full=True)
    with time_machine.travel(dt.datetime(2026, 3, 11, 9, tzinfo=dt.UTC), tick=False):
        check_promises()
    events = AuditEvent.objects.filter(model="communications.promise", object_id=p.pk)
    assert [(e.action, e.after.get("status")) for e in events.order_by("pk")] == [
        ("create", "open"), ("update", "broken"),
    ]  # fmt: skip
