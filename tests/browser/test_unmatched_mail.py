"""Unmatched mail in a real browser: the controller follows the navigation's count, reads
the message and its attachment, finds the customer by account code and assigns it; the
count goes and the customer has the email received and its to-do. Screenshots at 1366x768 and
1024x768 are saved in test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from communications.models import Communication, ToDo
from inbound.services import inbound_take
from tests.factories import CustomerFactory
from tests.reach_helpers import email_bytes, tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_controller_assigns_an_unmatched_reply_to_its_customer(live_site, page, controller,
                                                               company):  # fmt: skip
    company.email = "accounts@acme.example"
    company.save()
    customer = CustomerFactory(company=company, account_code="NEW01", name="Newco Ltd",
                               controller=controller)  # fmt: skip
    inbound_take(email_bytes(sender="Pat Lee <pat@newco.example>", to="accounts@acme.example",
                             subject="Re: your reminder", body="Paid on Friday.",
                             attachments=[("remittance.pdf", tiny_pdf("Remittance"))]),
                 source="imap")  # fmt: skip
    base = live_site.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", controller.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    link = page.locator("nav.mainnav a", has_text="Unmatched mail")
    expect(link.locator(".badge")).to_have_text("1")
    link.click()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "unmatched-list-1366.png"))
    page.get_by_role("link", name="Re: your reminder").click()
    expect(page.locator(".mail-text")).to_have_text("Paid on Friday.")
    with page.expect_download() as download:
        page.get_by_role("link", name="remittance.pdf").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.fill("#customer-q", "new01")
    page.get_by_role("button", name="Find").click()
    page.set_viewport_size({"width": 1024, "height": 768})
    page.screenshot(path=str(SHOTS / "unmatched-message-1024.png"), full_page=True)
    page.get_by_label("NEW01 Newco Ltd (ACME)").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text("recorded on Newco Ltd as an email received")
    expect(
        page.locator("nav.mainnav a", has_text="Unmatched mail").locator(".badge")
    ).to_have_count(0)
    c = Communication.objects.get(customer=customer, contact_type="email_received")
    assert "remittance.pdf" in c.notes
    assert ToDo.objects.replies_unhandled().filter(customer=customer).count() == 1
