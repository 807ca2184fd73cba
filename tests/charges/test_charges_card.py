"""The customer card's Charges tab: the oldest invoices' charges, the totals of all of
them, and a link to the report when there are more than the tab lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import time_machine

from charges import views
from charges.models import PostedCharge
from tests.factories import EntryFactory

TODAY = dt.datetime(2026, 1, 16, 12, tzinfo=dt.UTC)


@time_machine.travel(TODAY, tick=False)
def test_the_tab_lists_the_oldest_and_totals_all(client, controller, customer, fixed_terms,
                                                 monkeypatch):  # fmt: skip
    monkeypatch.setattr(views, "CARD_LINES", 2)
    fixed_terms.bands.create(from_amount=D("0"), amount=D("40"))
    for n in range(3):
        EntryFactory(customer=customer, document_no=f"INV-{n}", amount=D("100.00"),
                     document_date=dt.date(2025, 12, 1),
                     due_date=dt.date(2026, 1, 1) - dt.timedelta(days=n))  # fmt: skip
    client.force_login(controller)
    html = client.get(f"/customers/{customer.pk}/charges/").content.decode()
    assert "INV-2" in html and "INV-1" in html and "INV-0" not in html  # oldest first
    assert "and 1 more invoice" in html
    assert f"/reports/charges/?company={customer.company_id}&amp;customer={customer.pk}" in html
    # 0.41 + 0.44 + 0.47 interest, 3 x 40 compensation
    assert "Total of 3 invoices" in html and "121.32" in html


@time_machine.travel(TODAY, tick=False)
def test_posted_charges_are_listed(client, controller, customer, fixed_terms):
    entry = EntryFactory(customer=customer, document_no="INV-9", amount=D("100.00"),
                         document_date=dt.date(2025, 12, 1), due_date=dt.date(2026, 1, 1))  # fmt: skip
    PostedCharge.objects.create(company=customer.company, customer=customer, entry=entry,
                                reference=f"CMP-{entry.pk}", kind="compensation", currency="GBP",
                                amount=D("40"), amount_lcy=D("40"), posted_ref="FIN-1")  # fmt: skip
    client.force_login(controller)
    html = client.get(f"/customers/{customer.pk}/charges/").content.decode()
    assert f"CMP-{entry.pk}" in html and "FIN-1" in html
