"""Two applications racing for the same invoice on PostgreSQL: the row locks serialise them,
so the invoice's remaining amount never crosses zero."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ledger.models import Application, LedgerEntry
from ledger.services import application_apply
from tests.factories import EntryFactory, payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_applications_at_once_cannot_overdraw_an_invoice(customer, manager):
    invoice = EntryFactory(customer=customer, amount=Decimal("100.00"))
    cashes = [payment(customer, "70.00"), payment(customer, "70.00")]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def apply(cash):
        start.wait()
        try:
            application_apply(
                user=manager, credit_entry=cash, debit_entry=invoice, amount=Decimal("70.00")
            )
            outcomes.append("applied")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(cash,)) for cash in cashes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["applied", "refused"]
    assert LedgerEntry.objects.get(pk=invoice.pk).remaining == Decimal("30.00")
    assert Application.objects.count() == 1
