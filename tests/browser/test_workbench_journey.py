"""The controller's phone call in a real browser: tick two entries, create an interaction
with a partial promise, then find the to-do and the customer's promised payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from communications.models import Outcome, Promise, ToDo
from tests.factories import ContactFactory, CustomerFactory, EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def debtor(company, controller):
    # A transactional test before this one flushed the lists the data migration made.
    Outcome.objects.get_or_create(name="Payment promised", defaults={"creates_promise": True})
    customer = CustomerFactory(company=company, name="Harbour Foods Ltd", account_code="HARB1",
                               controller=controller)  # fmt: skip
    ContactFactory(customer=customer, first_name="Dana", last_name="Reed", is_credit_contact=True)
    today = company.today()
    for number, (amount, days_ago) in enumerate(
        [(Decimal("1200.00"), 40), (Decimal("800.50"), 20), (Decimal("99.99"), 5)], start=1
    ):
        EntryFactory(customer=customer, amount=amount, document_no=f"INV-H{number}",
                     document_date=today - dt.timedelta(days=days_ago + 30),
                     due_date=today - dt.timedelta(days=days_ago))  # fmt: skip
    return customer


def test_tick_two_entries_create_an_interaction_with_a_partial_promise(
    live_site, page, controller, debtor
):
    base = live_site.url
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{base}/login/")
    page.fill("#id_username", controller.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{base}/customers/{debtor.pk}/entries/")
    expect(page.locator("h1")).to_contain_text("Harbour Foods Ltd")
    row = page.locator("tr", has_text="INV-H1")
    row.locator("input[name=entries]").check()
    page.locator("tr", has_text="INV-H2").locator("input[name=entries]").check()
    bar = page.locator(".selection-bar")
    expect(bar.locator("[data-selection-count]")).to_have_text("2")
    expect(bar).to_contain_text("2,000.50")
    page.screenshot(path=f"{SHOTS}/journey-1-selection.png", full_page=True)
    page.locator("tr", has_text="INV-H2").locator("input[name=entries]").uncheck()
    expect(bar).to_contain_text("1,200.00")
    page.locator("tr", has_text="INV-H2").locator("input[name=entries]").check()

    page.click("text=Create interaction")
    expect(page.locator("h1")).to_have_text("New communication")
    expect(page.locator("#selection-lcy")).to_contain_text("2,000.50")
    page.fill("#id_subject", "Chased the two oldest invoices")
    page.select_option("#id_outcome", label="Payment promised")
    promised = debtor.company.today() + dt.timedelta(days=7)
    page.fill("#id_promise_amount", "1500.00")
    page.fill("#id_promised_on", promised.isoformat())
    page.screenshot(path=f"{SHOTS}/journey-2-form.png", full_page=True)
    page.click("button:has-text('Save communication')")

    promise = Promise.objects.get()
    assert promise.amount == Decimal("1500.00") and not promise.is_full
    assert sorted(promise.entries.values_list("document_no", flat=True)) == ["INV-H1", "INV-H2"]
    expect(page.locator("body")).to_contain_text("Chased the two oldest invoices")

    page.goto(f"{base}/customers/{debtor.pk}/")
    kpis = page.locator(".kpis")
    expect(kpis).to_contain_text("1,500.00")
    expect(kpis).to_contain_text(promised.strftime("%d %b %Y"))

    page.goto(f"{base}/todos/")
    todo_row = page.locator("tr", has_text="Check promised payment has been received")
    expect(todo_row).to_contain_text("HARB1")
    expect(todo_row).to_contain_text(promised.strftime("%d %b %Y"))
    page.screenshot(path=f"{SHOTS}/journey-3-todos.png", full_page=True)
    assert ToDo.objects.get().due_on == promised
