"""A manager sets a plan's late-payment charges in the browser (the UK preset and a
reminder fee), then the charges show on the customer card, the proposal and the Charges
report. Screenshots at 1366x768 (and 1024x768 for the new pages) go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect

from charges.models import ReferenceRate
from tests.factories import CustomerFactory, EntryFactory, proposal_with_lines

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def sign_in(page, base, user):
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_a_manager_sets_charges_and_they_show(live_site, page, manager, company):
    SHOTS.mkdir(exist_ok=True)
    # The live server's tests flush the tables between them (the migration's rates too).
    ReferenceRate.objects.update_or_create(series="GB-BOE", valid_from=dt.date(2025, 7, 1),
                                           defaults={"rate": Decimal("4.25")})  # fmt: skip
    base = live_site.url
    today = company.today()
    customer = CustomerFactory(company=company, name="Quayside Tiles Ltd", account_code="QT01")
    invoice = EntryFactory(customer=customer, document_no="INV-1200", amount=Decimal("1200.00"),
                           document_date=today - dt.timedelta(days=90),
                           due_date=today - dt.timedelta(days=60))  # fmt: skip
    sign_in(page, base, manager)
    page.goto(f"{base}/followups/plan/?company={company.pk}")
    expect(page.locator("#plan-charges")).to_contain_text("this plan charges nothing")
    page.click("text=Edit charges")
    expect(page.locator("h1")).to_contain_text("Late-payment charges")
    page.click("button[value=UK]")
    expect(page.locator(".msg").first).to_contain_text("UK preset is applied")
    page.fill("#id_fee_2", "5.00")
    page.click("text=Save charges")
    expect(page.locator(".msg").first).to_contain_text("Charges saved")
    expect(page.locator("#id_margin")).to_have_value("8.0000")
    expect(page.locator("#id_band_amount_1")).to_have_value("70.00")
    page.screenshot(path=str(SHOTS / "charges-plan-1366.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.screenshot(path=str(SHOTS / "charges-plan-1024.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})

    page.goto(f"{base}/followups/plan/?company={company.pk}")
    expect(page.locator("#plan-charges")).to_contain_text("level 2: 5.00")
    page.screenshot(path=str(SHOTS / "charges-plan-page-1366.png"), full_page=True)

    # 60 days at the reference rate (4.25 % from 1 July 2025) + 8 = 12.25 %: 24.16; £70.
    page.goto(f"{base}/customers/{customer.pk}/charges/")
    row = page.locator("#charges-table tbody tr").first
    expect(row).to_contain_text("INV-1200")
    expect(row).to_contain_text("24.16")
    expect(row).to_contain_text("94.16")
    page.screenshot(path=str(SHOTS / "charges-card-1366.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.screenshot(path=str(SHOTS / "charges-card-1024.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})

    proposal = proposal_with_lines(customer, 2, [(invoice, 2)], run_date=today)
    page.goto(f"{base}/proposals/{proposal.pk}/")
    charges = page.locator("#proposal-charges")
    expect(charges).to_contain_text("Reminder fee")
    expect(charges).to_contain_text("99.16")  # 24.16 + 70.00 + 5.00
    page.screenshot(path=str(SHOTS / "charges-proposal-1366.png"), full_page=True)

    page.goto(f"{base}/reports/charges/?company={company.pk}")
    expect(page.locator("table").first).to_contain_text("INV-1200")
    page.screenshot(path=str(SHOTS / "charges-report-1366.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.screenshot(path=str(SHOTS / "charges-report-1024.png"), full_page=True)
