"""A small ledger whose report figures are computed by hand below (today 23 Nov 2026).

Acme Trading Ltd (GBP). Customer A bills in GBP; customer B in EUR at 0.86.

A  INV-A1  100.00  doc 01 Nov, due 01 Dec                       not yet due
   INV-A2  250.00  doc 01 Oct, due 10 Nov; PAY-A1 applies 100.00 on 20 Nov -> 150.00
   PAY-A1 -250.00  doc 20 Nov (100.00 applied)               -> -150.00
   INV-A3   80.00  doc 01 Aug, due 15 Aug                       over 90 days
   CN-A1   -30.00  doc 10 Sep                                   61-90 days (a credit)
   INV-A4   50.00  doc 20 Oct, due 05 Nov; paid whole by PAY-A2 on 18 Nov (closed today)
   PAY-A2  -50.00  doc 18 Nov (closed today)
B  INV-B1 1000.00 EUR doc 01 Sep, due 01 Oct; PAY-B1 applies 400.00 on 15 Nov -> 600.00
   PAY-B1 -400.00 EUR doc 15 Nov (closed today)
   INV-B2  333.33 EUR doc 16 Nov, due 30 Nov: LCY 286.66 (333.33 x 0.86 = 286.6638)

Aged today:     A not due 100 | 1-30 150-150=0 | 61-90 -30 | over 90 80       = 150.00
                B not due 286.66 | 31-60 516.00 (600 x 0.86)                    = 802.66
Aged on 14 Nov: PAY-A1, PAY-A2, PAY-B1 and INV-B2 did not exist yet;
                A not due 100 | 1-30 250 (A2) + 50 (A4) | 61-90 -30 | over 90 80 = 450.00
                B 31-60 860.00 (1000 x 0.86)                                    = 860.00
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from ledger.models import EntryType
from ledger.services import application_apply
from tests.factories import CustomerFactory, EntryFactory

D = Decimal


def entry(customer, number, kind, amount, doc, due=None, *, rate="1", currency=None):
    return EntryFactory(
        customer=customer, document_no=number, entry_type=kind, amount=D(amount),
        document_date=doc, due_date=due or doc, exchange_rate=D(rate),
        currency=currency or customer.currency,
    )  # fmt: skip


def build_ledger(company, manager, *, controller=None, other_controller=None):
    """The ledger of the module docstring; returns its customers and entries by name."""
    day = dt.date
    a = CustomerFactory(company=company, account_code="A001", name="Alder Joinery Ltd",
                        controller=controller)  # fmt: skip
    b = CustomerFactory(company=company, account_code="B001", name="Birke Handel GmbH",
                        currency="EUR", controller=other_controller)  # fmt: skip
    inv, pay, cn = EntryType.INVOICE, EntryType.PAYMENT, EntryType.CREDIT_NOTE
    e = SimpleNamespace(a=a, b=b)
    e.a1 = entry(a, "INV-A1", inv, "100.00", day(2026, 11, 1), day(2026, 12, 1))
    e.a2 = entry(a, "INV-A2", inv, "250.00", day(2026, 10, 1), day(2026, 11, 10))
    e.pa1 = entry(a, "PAY-A1", pay, "-250.00", day(2026, 11, 20))
    e.a3 = entry(a, "INV-A3", inv, "80.00", day(2026, 8, 1), day(2026, 8, 15))
    e.cn1 = entry(a, "CN-A1", cn, "-30.00", day(2026, 9, 10))
    e.a4 = entry(a, "INV-A4", inv, "50.00", day(2026, 10, 20), day(2026, 11, 5))
    e.pa2 = entry(a, "PAY-A2", pay, "-50.00", day(2026, 11, 18))
    e.b1 = entry(b, "INV-B1", inv, "1000.00", day(2026, 9, 1), day(2026, 10, 1), rate="0.86")
    e.pb1 = entry(b, "PAY-B1", pay, "-400.00", day(2026, 11, 15), rate="0.86")
    e.b2 = entry(b, "INV-B2", inv, "333.33", day(2026, 11, 16), day(2026, 11, 30), rate="0.86")
    for credit, debit, amount, on in (
        (e.pa1, e.a2, "100.00", day(2026, 11, 20)),
        (e.pa2, e.a4, "50.00", day(2026, 11, 18)),
        (e.pb1, e.b1, "400.00", day(2026, 11, 15)),
    ):
        application_apply(user=manager, credit_entry=credit, debit_entry=debit,
                          amount=D(amount), applied_on=on)  # fmt: skip
    for name in vars(e):
        if hasattr(getattr(e, name), "refresh_from_db"):
            getattr(e, name).refresh_from_db()
    return e
