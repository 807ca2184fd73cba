"""Recording and amending communications: the rules a controller meets on the form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from communications.models import Communication, Promise, ToDo, ToDoKind
from communications.services import (
    PromiseInput,
    communication_complete,
    communication_create,
    communication_update,
)
from ledger.models import AuditEvent
from ledger.services import application_apply
from tests.factories import ContactFactory, CustomerFactory, EntryFactory, outcome, payment

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def call(user, customer, **fields):
    fields.setdefault("communication_type", "telephone")
    fields.setdefault("contact_type", "telephone_made")
    fields.setdefault("subject", "Overdue invoices")
    return communication_create(user=user, customer=customer, **fields)


def test_new_communication_defaults_to_now_and_the_user_as_our_contact(controller, customer):
    c = call(controller, customer)
    assert c.occurred_at == NOW
    assert c.our_contact == controller
    assert c.created_by == controller
    assert c.is_live


@pytest.mark.parametrize(
    ("communication_type", "contact_type", "allowed"),
    [
        ("telephone", "telephone_made", True),
        ("telephone", "telephone_received", True),
        ("telephone", "email_sent", False),
        ("correspondence", "letter_sent", True),
        ("correspondence", "email_received", True),
        ("correspondence", "meeting", False),
        ("meeting", "meeting", True),
        ("meeting", "telephone_made", False),
    ],
)
def test_contact_types_depend_on_the_communication_type(
    controller, customer, communication_type, contact_type, allowed
):
    if allowed:
        c = call(controller, customer, communication_type=communication_type,
                 contact_type=contact_type)  # fmt: skip
        assert c.contact_type == contact_type
    else:
        with pytest.raises(ValidationError) as refused:
            call(controller, customer, communication_type=communication_type,
                 contact_type=contact_type)  # fmt: skip
        assert "contact_type" in refused.value.message_dict
        assert not Communication.objects.exists()


@pytest.mark.parametrize(
    ("communication_type", "contact_type", "allowed"),
    [
        ("correspondence", "letter_sent", True),
        ("correspondence", "letter_received", True),
        ("correspondence", "email_sent", False),
        ("telephone", "telephone_made", False),
    ],
)
def test_letter_style_only_for_letters(controller, customer, communication_type, contact_type,
                                       allowed):  # fmt: skip
    fields = {"communication_type": communication_type, "contact_type": contact_type,
              "letter_style": "firm"}  # fmt: skip
    if allowed:
        assert call(controller, customer, **fields).letter_style == "firm"
    else:
        with pytest.raises(ValidationError, match="letter style applies to letters only"):
            call(controller, customer, **fields)


@pytest.mark.parametrize(
    ("communication_type", "contact_type", "allowed"),
    [("meeting", "meeting", True), ("telephone", "telephone_made", False),
     ("correspondence", "email_sent", False)],
)  # fmt: skip
def test_location_only_for_meetings(controller, customer, communication_type, contact_type,
                                    allowed):  # fmt: skip
    fields = {"communication_type": communication_type, "contact_type": contact_type,
              "location": "Their office, Leeds"}  # fmt: skip
    if allowed:
        assert call(controller, customer, **fields).location == "Their office, Leeds"
    else:
        with pytest.raises(ValidationError, match="location applies to meetings only"):
            call(controller, customer, **fields)


def test_contact_person_of_another_customer_is_refused(controller, customer, company):
    stranger = ContactFactory(customer=CustomerFactory(company=company))
    with pytest.raises(ValidationError) as refused:
        call(controller, customer, contact=stranger)
    assert refused.value.message_dict["contact"] == [
        "This person is not a contact of the customer."
    ]


def test_contact_person_is_one_of_the_customers_or_a_new_name_with_details(controller, customer):
    person = ContactFactory(customer=customer, first_name="Jane", last_name="Doe")
    assert call(controller, customer, contact=person).contact_display == "Jane Doe"
    c = call(controller, customer, contact_name="Sam Price", contact_phone="0113 496 0001",
             contact_email="sam@bolt.example")  # fmt: skip
    assert (c.contact_display, c.contact_phone, c.contact_email) == (
        "Sam Price", "0113 496 0001", "sam@bolt.example",
    )  # fmt: skip


def test_balance_is_stored_when_recording_and_never_recomputed(controller, manager, customer):
    invoice = EntryFactory(customer=customer, amount=Decimal("250.00"))
    EntryFactory(customer=customer, amount=Decimal("100.00"))
    c = call(controller, customer)
    assert c.balance_lcy == Decimal("350.00")
    application_apply(user=manager, credit_entry=payment(customer, "250.00"),
                      debit_entry=invoice, amount=Decimal("250.00"))  # fmt: skip
    communication_update(user=controller, communication=c, notes="Paid since")
    c.refresh_from_db()
    assert c.balance_lcy == Decimal("350.00")
    assert call(controller, customer).balance_lcy == Decimal("100.00")


def test_stored_balance_is_exact_to_the_cent(controller, customer):
    for cents in ("0.10", "0.20", "1234.57", "0.01"):
        EntryFactory(customer=customer, amount=Decimal(cents))
    assert call(controller, customer).balance_lcy == Decimal("1234.88")


def test_follow_up_date_raises_a_follow_up_call_todo_for_our_contact(controller, customer):
    c = call(controller, customer, follow_up_on=dt.date(2026, 3, 13))
    (todo,) = ToDo.objects.all()
    assert todo.description == "Follow up call from 10 Mar 2026"
    assert (todo.due_on, todo.owner, todo.kind) == (dt.date(2026, 3, 13), controller, "follow_up")
    assert todo.communication == c


def test_follow_up_call_is_dated_by_the_communication_in_the_companys_time_zone(
    controller, company
):
    company.time_zone = "Pacific/Auckland"
    company.save()
    customer = CustomerFactory(company=company)
    call(controller, customer, occurred_at=dt.datetime(2026, 3, 9, 20, tzinfo=dt.UTC),
         follow_up_on=dt.date(2026, 3, 12))  # fmt: skip
    assert ToDo.objects.get().description == "Follow up call from 10 Mar 2026"


def test_moving_the_follow_up_moves_its_todo_and_clearing_it_closes_it(controller, customer):
    c = call(controller, customer, follow_up_on=dt.date(2026, 3, 13))
    communication_update(user=controller, communication=c, follow_up_on=dt.date(2026, 3, 20))
    (todo,) = ToDo.objects.all()
    assert (todo.due_on, todo.status) == (dt.date(2026, 3, 20), "open")
    communication_update(user=controller, communication=c, follow_up_on=None)
    todo.refresh_from_db()
    assert todo.status == "closed"
    assert ToDo.objects.count() == 1


def test_handing_the_communication_to_a_colleague_hands_over_its_follow_up(controller, manager,
                                                                           customer):  # fmt: skip
    c = call(controller, customer, follow_up_on=dt.date(2026, 3, 13))
    communication_update(user=controller, communication=c, our_contact=manager)
    assert ToDo.objects.get().owner == manager


def test_payment_promised_needs_the_promised_amount_and_date(controller, customer):
    invoice = EntryFactory(customer=customer)
    with pytest.raises(ValidationError) as refused:
        call(controller, customer, outcome=outcome("Payment promised"), entry_ids=[invoice.pk])
    assert "promised_on" in refused.value.message_dict
    assert not Communication.objects.exists()


def test_payment_promised_creates_a_promise_on_the_selected_entries(controller, customer):
    first = EntryFactory(customer=customer, amount=Decimal("300.00"))
    EntryFactory(customer=customer, amount=Decimal("80.00"))
    c = call(controller, customer, outcome=outcome("Payment promised"), entry_ids=[first.pk],
             promise=PromiseInput(promised_on=dt.date(2026, 3, 20), amount=Decimal("120.00")))  # fmt: skip
    (promise,) = Promise.objects.all()
    assert (promise.communication, promise.amount, promise.promised_on) == (
        c, Decimal("120.00"), dt.date(2026, 3, 20),
    )  # fmt: skip
    assert list(promise.entries.all()) == [first]
    assert list(c.entries.all()) == [first]


def test_payment_promised_without_a_selection_covers_the_open_invoices(controller, customer):
    invoices = [EntryFactory(customer=customer), EntryFactory(customer=customer)]
    EntryFactory(customer=customer, remaining=Decimal("0.00"))  # paid
    call(controller, customer, outcome=outcome("Payment promised"),
         promise=PromiseInput(promised_on=dt.date(2026, 3, 20), is_full=True))  # fmt: skip
    promise = Promise.objects.get()
    assert set(promise.entries.all()) == set(invoices)
    assert promise.amount == Decimal("200.00")


def test_refused_promise_writes_no_communication_either(controller, customer):
    invoice = EntryFactory(customer=customer, amount=Decimal("100.00"))
    with pytest.raises(ValidationError, match=r"more than the 100\.00"):
        call(controller, customer, outcome=outcome("Payment promised"), entry_ids=[invoice.pk],
             promise=PromiseInput(promised_on=dt.date(2026, 3, 20), amount=Decimal("100.01")))  # fmt: skip
    assert not Communication.objects.exists()
    assert not ToDo.objects.exists()


@pytest.mark.parametrize("whose", ["another customer", "another company"])
def test_entries_of_another_customer_or_company_are_refused_and_nothing_written(
    controller, customer, company, other_company, whose
):
    owner = company if whose == "another customer" else other_company
    strange = EntryFactory(customer=CustomerFactory(company=owner))
    own = EntryFactory(customer=customer)
    with pytest.raises(ValidationError) as refused:
        call(controller, customer, entry_ids=[own.pk, strange.pk],
             follow_up_on=dt.date(2026, 3, 12))  # fmt: skip
    assert refused.value.message_dict["entries"] == [
        f"Entry {strange.pk} is not a ledger entry of customer ACC001; nothing was saved."
    ]
    assert not Communication.objects.exists()
    assert not ToDo.objects.exists()
    assert not AuditEvent.objects.filter(model="communications.communication").exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"occurred_at": dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC)}, "occurred_at",
         "cannot be after 11 Mar 2026"),
        ({"occurred_at": dt.datetime(1999, 12, 31, 9, tzinfo=dt.UTC)}, "occurred_at",
         "cannot be before 01 Jan 2000"),
        ({"follow_up_on": dt.date(2026, 3, 9)}, "follow_up_on", "cannot be before 10 Mar 2026"),
        ({"follow_up_on": dt.date(2028, 3, 11)}, "follow_up_on", "cannot be after"),
    ],
)  # fmt: skip
def test_dates_out_of_range_are_refused(controller, customer, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        call(controller, customer, **fields)
    assert message in refused.value.message_dict[field][0]
    assert not Communication.objects.exists()


def test_a_follow_up_time_needs_a_follow_up_date(controller, customer):
    with pytest.raises(ValidationError, match="follow-up time needs a follow-up date"):
        call(controller, customer, follow_up_time=dt.time(10, 30))


def test_retired_outcome_is_refused_on_new_communications(controller, customer):
    left = outcome("Left a message")
    left.is_active = False
    left.save()
    with pytest.raises(ValidationError, match="no longer in use"):
        call(controller, customer, outcome=left)


def test_amending_keeps_a_retired_outcome_already_chosen(controller, customer):
    left = outcome("Left a message")
    c = call(controller, customer, outcome=left)
    left.is_active = False
    left.save()
    c = communication_update(user=controller, communication=c, notes="Tried again")
    assert c.outcome == left


def test_fields_not_on_the_form_cannot_be_set(controller, customer):
    with pytest.raises(ValidationError) as refused:
        call(controller, customer, balance_lcy=Decimal("1.00"))
    assert "balance_lcy" in refused.value.message_dict


@pytest.mark.parametrize("who", ["outsider", "integrator"])
def test_outsiders_and_integrators_cannot_record_communications(request, customer, who):
    with pytest.raises(PermissionDenied):
        call(request.getfixturevalue(who), customer)


def test_amending_is_audited_and_can_complete_in_the_same_step(controller, customer):
    c = call(controller, customer, follow_up_on=dt.date(2026, 3, 13))
    c = communication_update(user=controller, communication=c, subject="Promised next week",
                             complete=True)  # fmt: skip
    assert not c.is_live
    assert c.subject == "Promised next week"
    assert ToDo.objects.get().status == "closed"
    changes = AuditEvent.objects.filter(model="communications.communication", action="update")
    assert sorted(list(e.after) for e in changes) == [["completed_at"], ["subject"]]


def test_completing_twice_is_harmless(controller, customer):
    c = call(controller, customer, follow_up_on=dt.date(2026, 3, 13))
    first = communication_complete(user=controller, communication=c)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        second = communication_complete(user=controller, communication=c)
    assert second.completed_at == first.completed_at == NOW
    assert ToDo.objects.get().kind == ToDoKind.FOLLOW_UP
    assert (
        AuditEvent.objects.filter(model="communications.communication", action="update").count()
        == 1
    )
