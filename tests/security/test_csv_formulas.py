"""CSV formula injection (finding 5): a value a spreadsheet would run as a formula is
written as text in every export, the customer export and each report's CSV; negative
numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from creditcontrol.csv_export import safe_cell
from reports.catalogue import CATALOGUE
from tests.factories import CommunicationFactory, ContactFactory, CustomerFactory, EntryFactory

pytestmark = pytest.mark.django_db

EVIL = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
        "\tTAB", "\rCR"]  # fmt: skip


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(body)) for cell in row]


def _dangerous(cells: list[str]) -> list[str]:
    return [c for c in cells if c != safe_cell(c)]


@pytest.fixture
def poisoned(company, controller):
    customer = CustomerFactory(company=company, account_code="=1+1", name=EVIL[0],
                               city=EVIL[3], controller=controller)  # fmt: skip
    ContactFactory(customer=customer, first_name=EVIL[1], last_name=EVIL[4], email="a@b.example")
    overdue = dt.date.today() - dt.timedelta(days=45)
    EntryFactory(customer=customer, document_no=EVIL[2], description=EVIL[5],
                 amount=Decimal("120.00"), document_date=overdue - dt.timedelta(days=30),
                 due_date=overdue)  # fmt: skip
    EntryFactory(customer=customer, document_no="CN-1", entry_type="credit_note",
                 amount=Decimal("-20.50"), description="=cmd")  # fmt: skip
    CommunicationFactory(customer=customer, subject=EVIL[0], notes=EVIL[3])
    return customer


def test_safe_cell_keeps_numbers_and_neutralises_formulas():
    assert [safe_cell(v) for v in EVIL] == ["'" + v for v in EVIL]
    assert [safe_cell(v) for v in ["-20.50", "+3", "-1e3", "12", "", "Ltd", 5]] == [
        "-20.50", "+3", "-1e3", "12", "", "Ltd", 5]  # fmt: skip


def test_customer_export_writes_formulas_as_text(client, controller, poisoned):
    client.force_login(controller)
    response = client.post("/customers/bulk/", {"action": "export", "ids": [poisoned.pk]})
    cells = _cells(response)
    assert not _dangerous(cells)
    assert "'" + EVIL[0] in cells and "'=1+1" in cells


@pytest.mark.parametrize("report", [r.slug for r in CATALOGUE])
def test_every_report_csv_writes_formulas_as_text(client, manager, poisoned, report):
    client.force_login(manager)
    response = client.get(reverse(f"reports:{report}-csv"))
    assert response.status_code == 200
    cells = _cells(response)
    assert not _dangerous(cells), report
