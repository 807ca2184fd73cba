"""The customer record in a real browser: edit the credit limit and put the customer on
hold, add a statement contact, search a document number from the header and land on the
entry, filter the work list by level, complete a communication and watch the card
header change without a reload."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from communications.models import Outcome, Promise
from ledger.models import Contact, Customer
from tests.browser.test_followup_worklist import proposed
from tests.factories import CommunicationFactory, CustomerFactory, EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def sign_in(page, base, user):
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_customer_record_journey(live_site, page, manager, controller, company):
    base = live_site.url
    SHOTS.mkdir(exist_ok=True)
    customer = CustomerFactory(company=company, name="Quayside Tiles Ltd", account_code="QT01",
                               controller=controller)  # fmt: skip
    today = company.today()
    entries = [
        EntryFactory(
            customer=customer,
            document_no=f"QT-{n:04d}",
            amount=Decimal("100.00"),
            document_date=today - dt.timedelta(days=60),
            due_date=today - dt.timedelta(days=30 - n % 20),
        )
        for n in range(120)
    ]
    wanted = entries[-1]
    proposed(company, controller, "Anchor One Ltd", ["100.00"], level=1)
    proposed(company, controller, "Beacon Two Ltd", ["200.00"], level=2)
    CommunicationFactory(customer=customer, our_contact=controller,
                         subject="Promised to call back", follow_up_on=today + dt.timedelta(days=3))  # fmt: skip

    # A transactional test before this one may have flushed the lists a migration made.
    Outcome.objects.get_or_create(name="Payment promised", defaults={"creates_promise": True})
    sign_in(page, base, manager)

    # 1. Edit the credit limit.
    page.goto(f"{base}/customers/{customer.pk}/")
    page.click("#card-edit")
    expect(page.locator("h1")).to_contain_text("Edit Quayside Tiles Ltd")
    page.fill("#id_credit_limit", "25000.00")
    page.click("button:has-text('Save')")
    expect(page.locator(".kpis")).to_contain_text("25,000.00")

    # 2. Put it on hold with a reason: the header says so.
    page.click("#card-hold-action")
    page.fill("#id_reason", "Cheque returned unpaid")
    page.click("button:has-text('Put on hold')")
    expect(page.locator("#card-hold")).to_contain_text("On hold: Cheque returned unpaid")
    assert Customer.objects.get(pk=customer.pk).on_hold

    # 3. Add a contact with the statement role.
    page.click("a:has-text('Contacts')")
    page.click("#contact-add")
    page.fill("#id_first_name", "Stella")
    page.fill("#id_last_name", "Statham")
    page.fill("#id_email", "stella@quayside.example")
    page.check("#id_receives_statements")
    page.click("button:has-text('Add the contact')")
    expect(page.locator("table.contacts-table")).to_contain_text("Stella Statham")
    expect(page.locator("table.contacts-table")).to_contain_text("Statements")
    assert Contact.objects.get(last_name="Statham").receives_statements

    # 4. Search a document number from the header and land on the entry, highlighted.
    box = page.locator("#global-search-input")
    box.fill(wanted.document_no)
    expect(page.locator("#search-results a[data-kind=entry]").first).to_contain_text(
        wanted.document_no
    )
    page.screenshot(path=f"{SHOTS}/record-4-search.png")
    box.press("Enter")
    row = page.locator(f"#entry-{wanted.pk}")
    expect(row).to_be_visible()
    assert "highlight" in (row.get_attribute("class") or "")

    # 5. Filter the work list by level.
    page.goto(f"{base}/")
    page.select_option("#filter-level", "2")
    page.click("#worklist-filters button[type=submit]")
    assert "level=2" in page.url
    proposals = page.locator("#followup-proposals")
    expect(proposals).to_contain_text("Beacon Two Ltd")
    expect(proposals).not_to_contain_text("Anchor One Ltd")

    # 6. Complete a communication: the header's next follow-up changes without a reload.
    page.goto(f"{base}/customers/{customer.pk}/communications/")
    expect(page.locator("#kpi-next-follow-up")).to_contain_text(
        (today + dt.timedelta(days=3)).strftime("%d %b %Y"))  # fmt: skip
    page.evaluate("window.__notReloaded = true")
    page.locator("tr", has_text="Promised to call back").get_by_role(
        "button", name="Complete"
    ).click()
    expect(page.locator("#kpi-next-follow-up")).to_contain_text("none")
    assert page.evaluate("window.__notReloaded === true")
    page.screenshot(path=f"{SHOTS}/record-6-completed.png")

    # 7. A promise made on the card shows in the header; completing its communication takes
    # it out of "Promised payment", again without a reload.
    promised = today + dt.timedelta(days=10)
    page.click("text=Add communication")
    page.fill("#id_subject", "Promised the whole balance")
    page.select_option("#id_outcome", label="Payment promised")
    page.check("#id_promise_full")
    page.fill("#id_promised_on", promised.isoformat())
    page.click("button:has-text('Save communication')")
    assert Promise.objects.filter(customer=customer).count() == 1
    page.goto(f"{base}/customers/{customer.pk}/communications/")
    expect(page.locator("#kpi-promised")).to_contain_text(promised.strftime("%d %b %Y"))
    page.evaluate("window.__notReloaded = true")
    page.locator("tr", has_text="Promised the whole balance").get_by_role(
        "button", name="Complete"
    ).click()
    expect(page.locator("#kpi-promised")).to_contain_text("none")
    expect(page.locator("#live-communication-count")).to_have_text("(0)")
    assert page.evaluate("window.__notReloaded === true")
    page.screenshot(path=f"{SHOTS}/record-7-promise-completed.png")
