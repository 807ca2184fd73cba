"""Disputes: an amount of one entry, changed or ended, every change kept in its history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from communications.models import Dispute
from communications.promises import dispute_end, dispute_set
from ledger.models import AuditEvent, EntryType
from tests.factories import EntryFactory, payment

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def invoice(customer):
    return EntryFactory(customer=customer, amount=Decimal("400.00"), remaining=Decimal("250.00"))


def history(dispute):
    events = AuditEvent.objects.filter(model="communications.dispute", object_id=dispute.pk)
    return [(e.action, e.before, e.after) for e in events.order_by("pk")]


def test_opening_a_dispute_records_amount_reason_owner_and_date(controller, manager, invoice):
    dispute = dispute_set(user=controller, entry=invoice, amount="120.00",
                          reason="  Goods damaged in transit ", owner=manager)  # fmt: skip
    assert (dispute.amount, dispute.reason, dispute.owner, dispute.opened_on, dispute.is_open) == (
        Decimal("120.00"), "Goods damaged in transit", manager, TODAY, True,
    )  # fmt: skip
    assert dispute.customer_id == invoice.customer_id
    assert history(dispute)[0][0] == "create"


def test_owner_defaults_to_the_user(controller, invoice):
    assert (
        dispute_set(user=controller, entry=invoice, amount="1", reason="Price").owner == controller
    )


def test_changing_the_amount_updates_the_one_open_dispute(controller, invoice):
    first = dispute_set(user=controller, entry=invoice, amount="100.00", reason="Price")
    second = dispute_set(user=controller, entry=invoice, amount="250.00")
    assert second.pk == first.pk
    assert Dispute.objects.get().amount == Decimal("250.00")
    assert history(first)[1] == ("update", {"amount": "100.00"}, {"amount": "250.00"})


@pytest.mark.parametrize("how", ["amount zero", "dispute_end"])
def test_ending_a_dispute_sets_its_amount_to_zero_and_keeps_it(controller, invoice, how):
    dispute = dispute_set(user=controller, entry=invoice, amount="100.00", reason="Price")
    with time_machine.travel(dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC), tick=False):
        if how == "amount zero":
            dispute_set(user=controller, entry=invoice, amount="0")
        else:
            dispute_end(user=controller, dispute=dispute)
    dispute.refresh_from_db()
    assert (dispute.amount, dispute.ended_on, dispute.is_open) == (
        Decimal("0.00"), dt.date(2026, 3, 12), False,
    )  # fmt: skip
    assert history(dispute)[-1] == (
        "update", {"amount": "100.00", "ended_on": None},
        {"amount": "0.00", "ended_on": "2026-03-12"},
    )  # fmt: skip
    assert not Dispute.objects.open().exists()


def test_ending_twice_changes_nothing_and_a_new_dispute_can_follow(controller, invoice):
    dispute = dispute_set(user=controller, entry=invoice, amount="100.00", reason="Price")
    dispute_end(user=controller, dispute=dispute)
    events = AuditEvent.objects.count()
    dispute_end(user=controller, dispute=dispute)
    assert AuditEvent.objects.count() == events
    again = dispute_set(user=controller, entry=invoice, amount="20.00", reason="Short delivery")
    assert again.pk != dispute.pk
    assert Dispute.objects.count() == 2


@pytest.mark.parametrize(
    ("amount", "field", "message"),
    [
        ("250.01", "amount", "250.01 GBP is more than the 250.00 GBP still open on"),
        ("-1", "amount", "A disputed amount cannot be below zero."),
        ("12.345", "amount", "at most 2 decimals"),
        ("abc", "amount", "is not an amount"),
        ("0", "amount", "has no open dispute to end"),
    ],
)
def test_disputes_above_the_remaining_amount_or_nonsense_are_refused(controller, invoice, amount,
                                                                    field, message):  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        dispute_set(user=controller, entry=invoice, amount=amount, reason="Price")
    assert message in refused.value.message_dict[field][0]
    assert not Dispute.objects.exists()


def test_a_change_above_the_remaining_amount_is_refused_and_the_dispute_kept(controller, invoice):
    dispute_set(user=controller, entry=invoice, amount="100.00", reason="Price")
    with pytest.raises(ValidationError, match=r"more than the 250\.00 GBP"):
        dispute_set(user=controller, entry=invoice, amount="300.00")
    assert Dispute.objects.get().amount == Decimal("100.00")


def test_a_new_dispute_needs_a_reason(controller, invoice):
    with pytest.raises(ValidationError) as refused:
        dispute_set(user=controller, entry=invoice, amount="10.00", reason=" ")
    assert refused.value.message_dict == {"reason": ["Say why the customer disputes the entry."]}


@pytest.mark.parametrize("kind", ["payment", "credit note"])
def test_credits_cannot_be_disputed(controller, customer, kind):
    entry = payment(customer, "50.00") if kind == "payment" else EntryFactory(
        customer=customer, entry_type=EntryType.CREDIT_NOTE, amount=Decimal("-50.00"))  # fmt: skip
    with pytest.raises(ValidationError, match="Only an invoice or a debit memo can be disputed"):
        dispute_set(user=controller, entry=entry, amount="10.00", reason="Price")


def test_owner_outside_the_company_is_refused(controller, outsider, invoice):
    with pytest.raises(ValidationError, match="otto does not work on"):
        dispute_set(user=controller, entry=invoice, amount="10.00", reason="Price", owner=outsider)


def test_outsider_cannot_dispute(outsider, invoice):
    with pytest.raises(PermissionDenied):
        dispute_set(user=outsider, entry=invoice, amount="10.00", reason="Price")
