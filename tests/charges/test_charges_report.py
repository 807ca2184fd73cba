"""The Charges report: page, CSV and API agree with the worked example, and its totals."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import time_machine

from communications.models import Dispute
from tests.conftest import api_as
from tests.factories import CustomerFactory, EntryFactory

TODAY = dt.datetime(2026, 1, 16, 12, tzinfo=dt.UTC)


@time_machine.travel(TODAY, tick=False)
def test_csv_page_and_api_show_the_charges(client, company, manager, integrator, customer,
                                           fixed_terms):  # fmt: skip
    fixed_terms.bands.create(from_amount=D("0"), amount=D("40"))
    EntryFactory(customer=customer, document_no="INV-A", amount=D("100.00"),
                 document_date=dt.date(2026, 1, 1), due_date=dt.date(2026, 1, 1))  # fmt: skip
    usd = CustomerFactory(company=company, account_code="USD01", currency="USD")
    EntryFactory(customer=usd, document_no="INV-B", amount=D("1000.00"), currency="USD",
                 exchange_rate=D("0.8"), document_date=dt.date(2025, 12, 1),
                 due_date=dt.date(2025, 12, 17))  # 30 days: 8.22 USD = 6.58 GBP  # fmt: skip
    disputed = EntryFactory(customer=customer, document_no="INV-C", amount=D("50.00"),
                            document_date=dt.date(2025, 12, 1), due_date=dt.date(2025, 12, 1))  # fmt: skip
    Dispute.objects.create(company=company, customer=customer, entry=disputed, amount=D("50"),
                           reason="Damaged", owner=manager, opened_on=dt.date(2026, 1, 2))  # fmt: skip
    EntryFactory(customer=customer, document_no="INV-D", amount=D("70.00"),
                 document_date=dt.date(2026, 1, 16), due_date=dt.date(2026, 2, 16))  # not due  # fmt: skip

    client.force_login(manager)
    response = client.get("/reports/charges/csv/", {"company": company.pk})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    got = {r["Document"]: (r["Days"], r["Currency"], r["Interest"], r["Interest LCY"],
                           r["Compensation"], r["Total LCY"]) for r in rows}  # fmt: skip
    assert got == {
        "INV-B": ("30", "USD", "8.22", "6.58", "40.00", "46.58"),
        "INV-A": ("15", "GBP", "0.41", "0.41", "40.00", "40.41"),
    }
    assert [r["Document"] for r in rows] == ["INV-B", "INV-A"]  # oldest first
    by_total = client.get("/reports/charges/csv/", {"company": company.pk, "sort": "total"})
    ordered = list(csv.DictReader(io.StringIO(b"".join(by_total.streaming_content).decode())))
    assert [r["Document"] for r in ordered] == ["INV-A", "INV-B"]

    page = client.get("/reports/charges/", {"company": company.pk, "as_of": "2026-01-01"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "As of 01 Jan 2026" in text and "INV-B" in text and "INV-A" not in text

    api = api_as(integrator).get("/api/v1/reports/charges/", {"company": company.pk}).json()
    assert [r["document_no"] for r in api["results"]] == ["INV-B", "INV-A"]
    assert api["totals"][0]["ch_total_lcy"] == "86.99", api["totals"]
