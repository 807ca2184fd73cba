"""The main journey in a real browser: sign in, find a customer, sort, open the card."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.factories import CustomerFactory, EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory


@pytest.fixture
def ledger(company, controller):
    big = CustomerFactory(company=company, name="Biggest Debtor Ltd", account_code="BIG1",
                          controller=controller, debtor_rating="bad")  # fmt: skip
    small = CustomerFactory(company=company, name="Bolt & Nut Ltd", account_code="ACC001",
                            postcode="LS1 4AP")  # fmt: skip
    CustomerFactory(company=company, name="Quiet Customer Ltd", account_code="QUIET")
    EntryFactory(customer=big, amount=Decimal("9000.00"), document_no="INV-BIG-1")
    EntryFactory(customer=big, amount=Decimal("1000.50"), document_no="INV-BIG-2",
                 due_date=dt.date.today() + dt.timedelta(days=30))  # fmt: skip
    EntryFactory(customer=big, currency="EUR", exchange_rate=Decimal("0.85"),
                 amount=Decimal("200.00"), document_no="INV-BIG-EUR")  # fmt: skip
    EntryFactory(customer=small, amount=Decimal("25.00"))
    return big, small


def test_sign_in_search_sort_and_open_the_ledger_entries(live_site, page, controller, ledger):
    base = live_site.url
    page.goto(f"{base}/customers/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.fill("#id_username", "carol")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Customers")

    page.fill("input[name=q]", "ls1 4ap")
    page.press("input[name=q]", "Enter")
    rows = page.locator("#customer-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bolt & Nut Ltd")

    page.click("text=Clear")
    expect(rows).to_have_count(3)
    page.click("#customer-table thead >> text=Balance")
    expect(page).to_have_url(re.compile(r"sort=balance"))
    page.click("#customer-table thead >> text=Balance")
    expect(page).to_have_url(re.compile(r"sort=-balance"))
    expect(rows.first).to_contain_text("Biggest Debtor Ltd")

    rows.first.locator("td.name a").click()
    expect(page.locator("h1")).to_contain_text("Biggest Debtor Ltd")
    expect(page.locator(".kpis")).to_contain_text("10,170.50")

    page.click("#tab-entries")
    expect(page).to_have_url(re.compile(r"/entries/"))
    totals = page.locator("#entry-totals")
    expect(totals).to_contain_text("Total in GBP")
    expect(totals).to_contain_text("10,170.50")
    expect(totals).to_contain_text("Total EUR")
    expect(page.locator("table.entries tbody tr.overdue")).to_have_count(2)

    page.click("#tab-contacts")
    expect(page.locator("#card-panel")).to_contain_text("No contacts recorded")
    page.go_back()
    expect(page.locator("#entry-totals")).to_be_visible()
