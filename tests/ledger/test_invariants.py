"""The ledger's invariants hold in the database, not only in the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ledger.models import Application, EntryType, LedgerEntry
from ledger.services import application_apply, customer_create, entry_create
from tests.factories import CustomerFactory, EntryFactory, payment


def _raw_update(entry: LedgerEntry, **fields) -> None:
    with transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(**fields)


@pytest.mark.parametrize(
    ("fields"),
    [
        {"remaining": Decimal("-0.01")},  # an invoice's remaining below zero
        {"remaining": Decimal("100.01")},  # above its amount
        {"amount": Decimal("-5.00"), "remaining": Decimal("-5.00")},  # invoice with a credit sign
        {"exchange_rate": Decimal(0)},
        {"due_date": dt.date(2026, 9, 1)},  # before the document date
        {"exclude_forever": True, "exclude_until": dt.date(2026, 12, 1)},
        {"document_no": ""},
    ],
)
def test_database_refuses_an_entry_that_breaks_an_invariant(customer, fields):
    entry = EntryFactory(customer=customer)
    with pytest.raises(IntegrityError):
        _raw_update(entry, **fields)


def test_payment_remaining_never_crosses_zero_in_the_database(customer):
    pay = payment(customer, "50")
    with pytest.raises(IntegrityError):
        _raw_update(pay, remaining=Decimal("0.01"))


def test_account_code_is_unique_within_a_company_only(company, other_company):
    CustomerFactory(company=company, account_code="DUP1")
    CustomerFactory(company=other_company, account_code="DUP1")  # another company: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(company=company, account_code="DUP1")


def test_document_number_is_unique_per_company_and_type(customer):
    EntryFactory(customer=customer, document_no="INV-1")
    payment(customer, "10", document_no="INV-1")  # a payment may share the number
    with pytest.raises(IntegrityError), transaction.atomic():
        EntryFactory(customer=customer, document_no="INV-1")


def test_external_ref_is_unique_per_company_but_blank_is_allowed_many_times(customer):
    EntryFactory(customer=customer, external_ref="")
    EntryFactory(customer=customer, external_ref="")
    EntryFactory(customer=customer, external_ref="X-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        EntryFactory(customer=customer, external_ref="X-1")


def test_service_gives_a_readable_error_for_a_duplicate_account_code(company, manager):
    customer_create(user=manager, company=company, account_code="A1", name="One")
    with pytest.raises(ValidationError) as caught:
        customer_create(user=manager, company=company, account_code="A1", name="Two")
    assert "account code" in str(caught.value).lower()


def test_application_lowers_both_remaining_amounts(customer, manager):
    invoice = EntryFactory(customer=customer, amount=Decimal("100.00"))
    cash = payment(customer, "30.00")
    application_apply(user=manager, credit_entry=cash, debit_entry=invoice, amount=Decimal("30"))
    invoice.refresh_from_db()
    cash.refresh_from_db()
    assert invoice.remaining == Decimal("70.00")
    assert invoice.remaining_lcy == Decimal("70.00")
    assert cash.remaining == Decimal("0.00")
    assert not cash.is_open


@pytest.mark.parametrize(
    ("invoice_amount", "payment_amount", "apply", "field"),
    [
        ("100.00", "150.00", "100.01", "amount"),  # more than the invoice has open
        ("100.00", "40.00", "40.01", "amount"),  # more than the payment has unapplied
        ("100.00", "40.00", "0", "amount"),
        ("100.00", "40.00", "-5", "amount"),
    ],
)
def test_application_that_would_cross_zero_is_refused_and_changes_nothing(
    customer, manager, invoice_amount, payment_amount, apply, field
):
    invoice = EntryFactory(customer=customer, amount=Decimal(invoice_amount))
    cash = payment(customer, payment_amount)
    with pytest.raises(ValidationError) as caught:
        application_apply(
            user=manager, credit_entry=cash, debit_entry=invoice, amount=Decimal(apply)
        )
    assert field in caught.value.message_dict
    invoice.refresh_from_db()
    cash.refresh_from_db()
    assert invoice.remaining == Decimal(invoice_amount)
    assert cash.remaining == -Decimal(payment_amount)
    assert not Application.objects.exists()


def test_application_between_two_customers_or_currencies_is_refused(company, manager):
    first, second = CustomerFactory(company=company), CustomerFactory(company=company)
    invoice = EntryFactory(customer=first)
    cash = payment(second, "10")
    with pytest.raises(ValidationError, match="same customer"):
        application_apply(user=manager, credit_entry=cash, debit_entry=invoice, amount=Decimal(5))
    dollars = EntryFactory(customer=first, currency="USD", exchange_rate=Decimal("0.8"))
    pounds = payment(first, "10")
    with pytest.raises(ValidationError, match="different currencies"):
        application_apply(user=manager, credit_entry=pounds, debit_entry=dollars, amount=Decimal(5))


def test_application_is_atomic_when_the_second_write_fails(customer, manager, monkeypatch):
    invoice = EntryFactory(customer=customer, amount=Decimal("100.00"))
    cash = payment(customer, "30.00")

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Application.objects, "create", explode)
    with pytest.raises(RuntimeError):
        application_apply(user=manager, credit_entry=cash, debit_entry=invoice, amount=Decimal(30))
    invoice.refresh_from_db()
    cash.refresh_from_db()
    assert invoice.remaining == Decimal("100.00")
    assert cash.remaining == Decimal("-30.00")


def test_entry_defaults_due_date_from_terms_and_lcy_from_rate(company, manager):
    customer = CustomerFactory(company=company, payment_terms_days=45)
    entry = entry_create(
        user=manager, customer=customer, entry_type=EntryType.INVOICE, document_no="I-9",
        document_date=dt.date(2026, 10, 1), amount=Decimal("100.00"), currency="USD",
        exchange_rate=Decimal("0.786543"),
    )  # fmt: skip
    assert entry.due_date == dt.date(2026, 11, 15)
    assert entry.remaining == Decimal("100.00")
    assert entry.amount_lcy == Decimal("78.65")
    assert entry.remaining_lcy == Decimal("78.65")


def test_credit_entry_with_a_positive_amount_is_refused_with_a_message(customer, manager):
    with pytest.raises(ValidationError) as caught:
        entry_create(
            user=manager, customer=customer, entry_type=EntryType.PAYMENT, document_no="P-1",
            document_date=dt.date(2026, 10, 1), amount=Decimal("10.00"),
        )  # fmt: skip
    assert caught.value.messages
    assert not LedgerEntry.objects.exists()


def test_foreign_currency_entry_without_a_rate_is_refused(customer, manager):
    with pytest.raises(ValidationError) as caught:
        entry_create(
            user=manager, customer=customer, entry_type=EntryType.INVOICE, document_no="F-1",
            document_date=dt.date(2026, 10, 1), amount=Decimal("10.00"), currency="USD",
        )  # fmt: skip
    assert "exchange rate" in caught.value.message_dict["exchange_rate"][0]
    assert not LedgerEntry.objects.exists()
