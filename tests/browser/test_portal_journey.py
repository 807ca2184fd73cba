"""The customer's self-service page in German, in a real browser: opened from the link in a
reminder letter, an invoice copy downloaded, one invoice disputed, a payment date promised
for another; then the controller sees all of it on the timeline and the proposal withdrawn."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from followups.engine import run_followups
from followups.models import Proposal, ProposalStatus
from followups.plans import plan_for
from ledger.entry_documents import entry_document_set
from tests.factories import ContactFactory, CustomerFactory, EntryFactory
from tests.reach_helpers import tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def links_in(pdf: bytes) -> list[str]:
    uris = []
    for p in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in p.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if action.get("/URI"):
                uris.append(str(action["/URI"]))
    return uris


def test_german_customer_queries_one_invoice_and_promises_another(live_site, page, browser,
                                                                  controller, company,
                                                                  settings, tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_site.url
    company.language, company.base_currency = "de", "EUR"
    company.save()
    customer = CustomerFactory(company=company, name="Kölner Baustoffe GmbH", currency="EUR",
                               controller=controller, language="de")  # fmt: skip
    ContactFactory(customer=customer, first_name="Jürgen", last_name="Größ",
                   email="juergen@baustoffe.example", is_credit_contact=True)  # fmt: skip
    today = company.today()
    due = today - dt.timedelta(days=40)
    first = EntryFactory(customer=customer, document_no="RE-2026-101", amount=Decimal("1234.50"),
                         document_date=due - dt.timedelta(days=30), due_date=due)  # fmt: skip
    second = EntryFactory(customer=customer, document_no="RE-2026-102", amount=Decimal("860.00"),
                          document_date=due - dt.timedelta(days=30), due_date=due)  # fmt: skip
    for e in (first, second):
        entry_document_set(user=controller, entry=e, upload=tiny_pdf(e.document_no),
                           filename=f"{e.document_no}.pdf")  # fmt: skip
        # Reminded up to level 3 already: the next is the formal letter (level 4).
        e.followup_level, e.followup_level_on = 3, today - dt.timedelta(days=20)
        e.save(update_fields=["followup_level", "followup_level_on"])
    plan_for(company)
    run_followups(company=company, as_of=today, trigger="command")
    proposal = Proposal.objects.get(customer=customer, status=ProposalStatus.OPEN)
    assert proposal.level.sequence == 4 and proposal.level.send_letter

    # The controller prints the letter; its footer carries the customer's link.
    base = live_site.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", controller.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    letter = page.request.get(f"{base}/proposals/{proposal.pk}/letter.pdf")
    assert letter.ok
    (link,) = [u for u in links_in(letter.body()) if "/self-service/" in u]
    assert link.startswith(base)

    # The customer, not signed in, in a German browser.
    context = browser.new_context(locale="de-DE", accept_downloads=True, java_script_enabled=False)
    customer_page = context.new_page()
    customer_page.set_default_timeout(10_000)
    try:
        customer_page.goto(link)
        expect(customer_page.locator("h1")).to_contain_text("Ihr Konto, Kölner Baustoffe GmbH")
        expect(customer_page.locator(f"#entry-{first.pk}")).to_contain_text("1.234,50")
        with customer_page.expect_download() as download:
            customer_page.locator(f"#entry-{first.pk}").get_by_role("link",
                                                                     name="Herunterladen").click()  # fmt: skip
        assert download.value.suggested_filename == "RE-2026-101.pdf"
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

        dispute = customer_page.locator(f"#dispute-{first.pk}")
        dispute.locator("textarea").fill("Die Lieferung war unvollständig.")
        dispute.get_by_role("button", name="RE-2026-101 beanstanden").click()
        expect(customer_page.locator(".portal-done")).to_contain_text("Vielen Dank")
        expect(customer_page.locator(f"#entry-{first.pk}")).to_contain_text("Beanstandet")

        promised_on = today + dt.timedelta(days=10)
        customer_page.get_by_role("checkbox", name="RE-2026-102").check()
        customer_page.locator("input[name=promised_on]").fill(promised_on.isoformat())
        customer_page.get_by_role("button", name="Senden").click()
        expect(customer_page.locator(".portal-done")).to_contain_text("Zahlungsdatum")
        expect(customer_page.locator(f"#entry-{second.pk}")).to_contain_text("Zahlung zugesagt")
        SHOTS.mkdir(exist_ok=True)
        customer_page.screenshot(path=f"{SHOTS}/portal-de.png", full_page=True)
    finally:
        context.close()

    # The dispute and the promise bring the proposal in step at once (no run needed): with
    # nothing left to chase it is withdrawn, and the controller's work list no longer
    # offers it. The next run agrees.
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    page.goto(f"{base}/")
    expect(page.locator(f"#proposal-{proposal.pk}")).to_have_count(0)
    run_followups(company=company, as_of=today, trigger="command")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN

    # The controller sees every step on the customer's timeline.
    page.goto(f"{base}/customers/{customer.pk}/timeline/")
    timeline = page.locator("ol.timeline")
    for text in ("Self-service page visited", "copy of RE-2026-101 downloaded",
                 "invoice RE-2026-101 queried", "payment of RE-2026-102 promised",
                 "Die Lieferung war unvollständig."):  # fmt: skip
        expect(timeline).to_contain_text(text)
    page.goto(f"{base}/proposals/{proposal.pk}/")
    expect(page.locator("body")).to_contain_text("This proposal is no longer due")
