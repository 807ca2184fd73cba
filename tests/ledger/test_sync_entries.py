"""Ledger entry and application sync: defaults, signs, remaining amounts, races and query counts."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.db import connection

from ledger import sync
from ledger.models import Application, AuditEvent, LedgerEntry
from tests.factories import CustomerFactory, EntryFactory, payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cust(company):
    return CustomerFactory(company=company, external_ref="CUST-1", payment_terms_days=30)


def invoice(n: int = 1, **extra) -> dict:
    return {"external_ref": f"INV-{n}", "customer_ref": "CUST-1", "entry_type": "invoice",
            "document_no": f"INV{n}", "document_date": "2026-10-01", "amount": "100.00", **extra}  # fmt: skip


def cash(n: int = 1, amount: str = "-80.00", **extra) -> dict:
    return {"external_ref": f"PAY-{n}", "customer_ref": "CUST-1", "entry_type": "payment",
            "document_no": f"PAY{n}", "document_date": "2026-10-02", "amount": amount, **extra}  # fmt: skip


def test_new_entry_takes_its_defaults(company, integrator, cust):
    result = sync.sync_entries(user=integrator, company=company, rows=[invoice(), cash()])
    assert result.created == 2
    inv, pay = LedgerEntry.objects.get(pk=result.ids[0]), LedgerEntry.objects.get(pk=result.ids[1])
    assert inv.due_date == dt.date(2026, 10, 31)  # the customer's 30 days' terms
    assert pay.due_date == dt.date(2026, 10, 2)  # a payment is due when made
    assert (inv.remaining, inv.remaining_lcy, inv.currency) == (
        Decimal("100.00"),
        Decimal("100.00"),
        "GBP",
    )
    assert (pay.remaining, pay.amount_lcy) == (Decimal("-80.00"), Decimal("-80.00"))


def test_same_entries_twice_change_nothing(company, integrator, cust):
    rows = [invoice(1), invoice(2, due_date="2026-11-15"), cash(1, remaining="-20.00")]
    sync.sync_entries(user=integrator, company=company, rows=rows)
    stamps = dict(LedgerEntry.objects.values_list("id", "updated_at"))
    events = AuditEvent.objects.count()
    again = sync.sync_entries(user=integrator, company=company, rows=rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert dict(LedgerEntry.objects.values_list("id", "updated_at")) == stamps
    assert AuditEvent.objects.count() == events


def test_foreign_currency_entry_converts_to_lcy_and_needs_a_rate(company, integrator, cust):
    row = invoice(1, currency="usd", amount="100.00")
    result = sync.sync_entries(user=integrator, company=company, rows=[row])
    assert [e["field"] for e in result.errors] == ["exchange_rate"]
    row["exchange_rate"] = "0.785"
    assert sync.sync_entries(user=integrator, company=company, rows=[row]).created == 1
    entry = LedgerEntry.objects.get()
    assert (entry.currency, entry.amount_lcy) == ("USD", Decimal("78.50"))
    assert sync.sync_entries(user=integrator, company=company, rows=[row]).unchanged == 1


def test_sent_remaining_overwrites_ours_and_an_omitted_one_keeps_it(company, integrator, cust):
    sync.sync_entries(user=integrator, company=company, rows=[invoice()])
    result = sync.sync_entries(user=integrator, company=company,
                               rows=[invoice(remaining="30.00")])  # fmt: skip
    assert result.updated == 1
    entry = LedgerEntry.objects.get()
    assert (entry.remaining, entry.remaining_lcy) == (Decimal("30.00"), Decimal("30.00"))
    event = AuditEvent.objects.get(action="update")
    assert event.after == {"remaining": "30.00", "remaining_lcy": "30.00"}

    sync.sync_entries(user=integrator, company=company, rows=[invoice(description="Widgets")])
    entry.refresh_from_db()
    assert (entry.remaining, entry.description) == (Decimal("30.00"), "Widgets")


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        (invoice(amount="-100.00"), "amount", "invoices and debit memos are positive"),
        (cash(amount="80.00"), "amount", "credits are negative"),
        (invoice(amount="0"), "amount", "cannot be zero"),
        (invoice(remaining="150.00"), "remaining", "never crosses zero"),
        (invoice(remaining="-1.00"), "remaining", "never crosses zero"),
        (cash(remaining="5.00"), "remaining", "never crosses zero"),
        (invoice(due_date="2026-09-01"), "due_date", "before the document date"),
        (invoice(exclude_forever=True, exclude_until="2026-12-01"), "exclude_until", "not both"),
        (invoice(document_date="01/10/2026"), "document_date", "YYYY-MM-DD"),
        (invoice(amount="1,000.00"), "amount", "no thousands separators"),
        (invoice(amount="10.001"), "amount", "2 decimal places"),
        (invoice(entry_type="bill"), "entry_type", "not an entry type"),
        (invoice(exchange_rate="0"), "exchange_rate", "more than zero"),
    ],
)
def test_entry_that_would_break_a_constraint_is_refused_in_words(
    company, integrator, cust, row, field, words
):
    result = sync.sync_entries(user=integrator, company=company, rows=[invoice(9), row])
    assert [(e["index"], e["field"]) for e in result.errors] == [(1, field)]
    assert words in result.errors[0]["message"]
    assert LedgerEntry.objects.count() == 0


def test_lowering_the_amount_below_the_remaining_asks_for_the_remaining(company, integrator, cust):
    sync.sync_entries(user=integrator, company=company, rows=[invoice()])
    result = sync.sync_entries(user=integrator, company=company, rows=[invoice(amount="50.00")])
    assert result.errors[0]["field"] == "amount"
    assert "Send the remaining amount" in result.errors[0]["message"]
    ok = sync.sync_entries(user=integrator, company=company,
                           rows=[invoice(amount="50.00", remaining="50.00")])  # fmt: skip
    assert ok.updated == 1


def test_document_number_of_another_entry_is_a_duplicate(company, integrator, cust):
    existing = EntryFactory(customer=cust, document_no="INV1", external_ref="OLD")
    result = sync.sync_entries(user=integrator, company=company, rows=[invoice(1), invoice(2)])
    assert [(e["index"], e["field"], e["duplicate_of"]) for e in result.errors] == [
        (0, "document_no", existing.pk)]  # fmt: skip
    # The same number on another entry type is another document.
    ok = sync.sync_entries(user=integrator, company=company,
                           rows=[cash(1, document_no="INV1")])  # fmt: skip
    assert ok.created == 1


def test_document_number_twice_in_a_batch_is_a_duplicate(company, integrator, cust):
    result = sync.sync_entries(user=integrator, company=company,
                               rows=[invoice(1), invoice(2, document_no="INV1")])  # fmt: skip
    assert [(e["index"], e["duplicate_of"], e["duplicate_in"]) for e in result.errors] == [
        (1, 0, "batch")]  # fmt: skip


def test_entry_cannot_move_to_another_customer(company, integrator, cust):
    CustomerFactory(company=company, external_ref="CUST-2")
    sync.sync_entries(user=integrator, company=company, rows=[invoice()])
    result = sync.sync_entries(user=integrator, company=company,
                               rows=[invoice(customer_ref="CUST-2")])  # fmt: skip
    assert [e["field"] for e in result.errors] == ["customer_ref"]


def test_integrity_error_in_the_first_attempt_reruns_the_batch(
    company, integrator, cust, monkeypatch
):
    rows = [invoice(1), invoice(2)]
    sync.sync_entries(user=integrator, company=company, rows=rows)
    real_filter, calls = LedgerEntry.objects.filter, []

    # On the first attempt the stored rows are not seen (as if the other batch had not yet
    # committed), so the sync inserts them and the unique constraint refuses.
    def filter_blind_once(*args, **kwargs):
        if {"external_ref__in", "document_no__in"} & set(kwargs) and len(calls) < 2:
            calls.append(1)
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(LedgerEntry.objects, "filter", filter_blind_once)
    result = sync.sync_entries(user=integrator, company=company, rows=rows)
    assert calls == [1, 1]
    assert (result.ok, result.created, result.unchanged) == (True, 0, 2)
    assert LedgerEntry.objects.count() == 2


def test_a_clash_that_persists_is_reported_not_raised(company, integrator, cust, monkeypatch):
    sync.sync_entries(user=integrator, company=company, rows=[invoice(1)])
    real_filter = LedgerEntry.objects.filter

    def always_blind(*args, **kwargs):
        if {"external_ref__in", "document_no__in"} & set(kwargs):
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(LedgerEntry.objects, "filter", always_blind)
    result = sync.sync_entries(user=integrator, company=company, rows=[invoice(1)])
    assert not result.ok
    assert "nothing was saved" in result.errors[0]["message"]
    assert LedgerEntry.objects.count() == 1


def sqlite_batches(rows: int, fields: int) -> int:
    """Statements SQLite needs for ``rows`` inserts: Django caps it at 999 parameters each."""
    return math.ceil(rows / (connection.features.max_query_params // fields))


def test_two_thousand_entries_sync_in_a_bounded_number_of_queries(
    company, integrator, cust, django_assert_max_num_queries
):
    rows = [invoice(n) for n in range(2000)]
    limit = 40
    if connection.vendor == "sqlite":  # batches of ~50 rows, set by Django, not by the sync
        limit += sqlite_batches(2000, len(LedgerEntry._meta.concrete_fields))
        limit += sqlite_batches(2000, len(AuditEvent._meta.concrete_fields))
    with django_assert_max_num_queries(limit):
        result = sync.sync_entries(user=integrator, company=company, rows=rows)
    assert result.created == 2000
    rows[5]["description"] = "Re-dated by the accounts team"
    with django_assert_max_num_queries(limit):
        again = sync.sync_entries(user=integrator, company=company, rows=rows)
    assert (again.updated, again.unchanged) == (1, 1999)


# --- Applications -----------------------------------------------------------------------


@pytest.fixture
def open_items(cust):
    inv = EntryFactory(customer=cust, external_ref="INV-1", document_no="INV1", amount=Decimal(100))
    pay = payment(cust, "80.00", external_ref="PAY-1", document_no="PAY1")
    return inv, pay


def app(n: int, amount: str, credit: str = "PAY-1", debit: str = "INV-1") -> dict:
    return {"external_ref": f"APP-{n}", "credit_ref": credit, "debit_ref": debit, "amount": amount}


def test_application_lowers_both_entries_and_is_idempotent(company, integrator, open_items):
    inv, pay = open_items
    rows = [app(1, "30.00"), app(2, "20.00")]
    result = sync.sync_applications(user=integrator, company=company, rows=rows)
    assert result.created == 2
    inv.refresh_from_db()
    pay.refresh_from_db()
    assert (inv.remaining, inv.remaining_lcy) == (Decimal("50.00"), Decimal("50.00"))
    assert (pay.remaining, pay.remaining_lcy) == (Decimal("-30.00"), Decimal("-30.00"))
    assert Application.objects.get(external_ref="APP-1").applied_on == company.today()

    again = sync.sync_applications(user=integrator, company=company, rows=rows)
    assert (again.created, again.unchanged) == (0, 2)
    inv.refresh_from_db()
    assert inv.remaining == Decimal("50.00")


def test_applications_of_a_batch_count_against_the_same_entry(company, integrator, open_items):
    inv, pay = open_items
    rows = [app(1, "60.00"), app(2, "30.00")]  # 90 from an 80 payment
    result = sync.sync_applications(user=integrator, company=company, rows=rows)
    assert [(e["index"], e["field"]) for e in result.errors] == [(1, "amount")]
    assert "20.00" in result.errors[0]["message"]  # what the first row leaves unapplied
    assert "earlier rows of this batch" in result.errors[0]["message"]
    assert Application.objects.count() == 0
    inv.refresh_from_db()
    pay.refresh_from_db()
    assert (inv.remaining, pay.remaining) == (Decimal("100.00"), Decimal("-80.00"))


def test_recorded_application_cannot_be_changed(company, integrator, open_items):
    sync.sync_applications(user=integrator, company=company, rows=[app(1, "30.00")])
    result = sync.sync_applications(user=integrator, company=company, rows=[app(1, "35.00")])
    assert [e["field"] for e in result.errors] == ["external_ref"]
    assert "cannot be changed" in result.errors[0]["message"]
    assert Application.objects.get().amount == Decimal("30.00")


def test_application_errors_name_the_row_and_field(company, integrator, open_items, cust):
    EntryFactory(customer=cust, external_ref="INV-2", document_no="INV2", currency="EUR")
    rows = [
        app(1, "10.00", credit="INV-1", debit="INV-1"),  # an invoice is not a credit
        app(2, "10.00", debit="NOPE"),
        app(3, "0"),
        app(4, "10.00", debit="INV-2"),  # another currency
    ]
    result = sync.sync_applications(user=integrator, company=company, rows=rows)
    assert [(e["index"], e["field"]) for e in result.errors] == [
        (0, "credit_ref"), (1, "debit_ref"), (2, "amount"), (3, "debit_ref")]  # fmt: skip
