"""Placeholders of level texts filled in for a customer, and who a reminder goes to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from followups.placeholders import credit_contact, email_recipients, entries_text, fill
from tests.factories import ContactFactory, EntryFactory, UserFactory, payment

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture
def entries(customer):
    return [
        EntryFactory(customer=customer, document_no="INV-1", document_date=dt.date(2026, 9, 1),
                     due_date=dt.date(2026, 10, 1), amount=Decimal("1234.50")),
        EntryFactory(customer=customer, document_no="INV-2", document_date=dt.date(2026, 11, 1),
                     due_date=dt.date(2026, 11, 23), amount=Decimal("100.00"),
                     remaining=Decimal("40.25")),
    ]  # fmt: skip


def test_every_placeholder_is_filled(customer, entries):
    contact = ContactFactory(customer=customer, first_name="Jane", last_name="Doe",
                             is_credit_contact=True)  # fmt: skip
    controller = UserFactory(first_name="Carol", last_name="Clark")
    text = "{customer}|{contact}|{company}|{total}|{overdue}|{currency}|{date}|{controller}"
    filled = fill(text, customer=customer, entries=entries, as_of=AS_OF, controller=controller)
    assert filled.split("|") == [
        "Bolt & Nut Ltd", contact.full_name, "Acme Trading Ltd",
        # The total is every listed entry; overdue only what was due before the date
        # (INV-2 falls due on the day itself).
        "1,274.75 GBP", "1,234.50 GBP", "GBP", "23 Nov 2026", "Carol Clark",
    ]  # fmt: skip


def test_the_entries_placeholder_is_a_plain_text_table(customer, entries):
    filled = fill("Open:\n{entries}\nEnd", customer=customer, entries=entries, as_of=AS_OF)
    lines = filled.splitlines()
    assert lines[0] == "Open:"
    assert lines[1].split() == ["Document", "Date", "Due", "date", "Currency", "Remaining"]
    assert lines[3].split() == ["INV-1", "1", "Sep", "2026", "1", "Oct", "2026", "GBP", "1,234.50"]
    assert lines[4].split() == ["INV-2", "1", "Nov", "2026", "23", "Nov", "2026", "GBP", "40.25"]
    assert lines[5] == "Total GBP: 1,274.75"
    assert lines[-1] == "End"
    # Amounts line up on the right.
    assert lines[3].index("1,234.50") + len("1,234.50") == lines[4].index("40.25") + 5


def test_unknown_placeholders_and_stray_braces_stay_as_typed(customer, entries):
    text = "Dear {contact}, pay {amount_due} by {date} { } {{ } {customer"
    filled = fill(text, customer=customer, entries=entries, as_of=AS_OF)
    assert filled == "Dear Sir or Madam, pay {amount_due} by 23 Nov 2026 { } {{ } {customer"


def test_text_without_placeholders_is_returned_unchanged(customer, entries):
    assert fill("Plain text.", customer=customer, entries=entries, as_of=AS_OF) == "Plain text."
    assert fill("", customer=customer, entries=entries, as_of=AS_OF) == ""


def test_missing_contact_and_controller_have_polite_defaults(customer, entries):
    ContactFactory(customer=customer, first_name="Not", last_name="Credit")  # not the credit one
    filled = fill("Dear {contact}, {controller}", customer=customer, entries=entries, as_of=AS_OF)
    assert filled == "Dear Sir or Madam, Credit Control"


def test_the_customers_controller_signs_when_none_is_given(customer, entries):
    customer.controller = UserFactory(username="colin", first_name="", last_name="")
    customer.save()
    assert fill("{controller}", customer=customer, entries=entries, as_of=AS_OF) == "colin"


def test_amounts_in_several_currencies_are_listed_per_currency(customer, entries):
    usd = EntryFactory(customer=customer, currency="USD", document_no="INV-USD",
                       amount=Decimal("50.00"), exchange_rate=Decimal("0.8"),
                       due_date=dt.date(2026, 11, 30))  # fmt: skip
    filled = fill("{total} / {overdue}", customer=customer, entries=[*entries, usd], as_of=AS_OF)
    assert filled == "1,274.75 GBP and 50.00 USD / 1,234.50 GBP"
    table = entries_text([*entries, usd], customer.company)
    assert table.splitlines()[-2:] == ["Total GBP: 1,274.75", "Total USD: 50.00"]


def test_nothing_overdue_is_zero_in_the_customers_currency(customer):
    soon = EntryFactory(customer=customer, due_date=dt.date(2026, 11, 28))
    cash = payment(customer, "30.00")  # unapplied cash is never overdue; it lowers the total
    filled = fill("{total} / {overdue}", customer=customer, entries=[soon, cash], as_of=AS_OF)
    assert filled == "70.00 GBP / 0.00 GBP"
    assert entries_text([], customer.company) == "(no open items)"


def test_proposal_lines_are_read_through_their_entry(customer, entries):
    lines = [SimpleNamespace(entry=e) for e in entries]
    assert fill("{total}", customer=customer, entries=lines, as_of=AS_OF) == "1,274.75 GBP"


def test_reminders_go_to_the_credit_contact_else_the_customer(customer):
    customer.email = "accounts@bolt.example"
    customer.save()
    assert credit_contact(customer) is None
    assert email_recipients(customer) == ["accounts@bolt.example"]

    other = ContactFactory(customer=customer, email="buyer@bolt.example")
    assert email_recipients(customer) == ["accounts@bolt.example"]  # not the credit contact
    other.is_credit_contact = True
    other.save()
    assert credit_contact(customer) == other
    assert email_recipients(customer) == ["buyer@bolt.example"]

    other.email = ""
    other.save()
    assert email_recipients(customer) == ["accounts@bolt.example"]
    customer.email = ""
    customer.save()
    assert email_recipients(customer) == []
