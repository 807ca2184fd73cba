"""Screens of issue 14 at 1366x768 and 1024x768 for a person to look at: the self-service
page in German, the webhook settings with their delivery log, the self-service settings,
and a reply taken in (the communication it became, with its attachment). Nothing wider
than the window. Screenshots go to test-artifacts/screens/ (or $SCREENS_DIR)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from communications.links import link_for, reply_address
from communications.models import Communication
from creditcontrol import roles
from inbound.services import inbound_take
from ledger.entry_documents import entry_document_set
from ledger.services import customer_update
from tests.factories import ContactFactory, CustomerFactory, EntryFactory
from tests.reach_helpers import email_bytes, tiny_pdf
from webhooks.services import endpoint_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"
SHOTS = Path(
    os.environ.get(
        "SCREENS_DIR", Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
    )
)


@pytest.fixture
def reach(company, administrator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for role in (roles.MANAGER, roles.CONTROLLER):
        administrator.groups.add(Group.objects.get_or_create(name=role)[0])
    company.language, company.base_currency = "de", "EUR"
    company.save()
    customer = CustomerFactory(company=company, name="Kölner Baustoffe GmbH", currency="EUR",
                               language="de", controller=administrator)  # fmt: skip
    ContactFactory(customer=customer, first_name="Jürgen", last_name="Größ",
                   email="juergen@baustoffe.example", is_credit_contact=True)  # fmt: skip
    today = company.today()
    for n, amount in enumerate(("1234.50", "860.00", "12500.00"), start=1):
        entry = EntryFactory(customer=customer, document_no=f"RE-2026-10{n}",
                             amount=Decimal(amount), document_date=today - dt.timedelta(days=70),
                             due_date=today - dt.timedelta(days=40 - 20 * n))  # fmt: skip
        entry_document_set(user=administrator, entry=entry, upload=tiny_pdf(entry.document_no),
                           filename=f"{entry.document_no}.pdf")  # fmt: skip
    endpoint_create(user=administrator, company=company, url="https://erp.example/hooks/credit",
                    description="Order system: stop orders on hold")  # fmt: skip
    customer_update(user=administrator, customer=customer, on_hold=True,
                    hold_reason="Scheck geplatzt")  # fmt: skip
    link = link_for(customer)
    inbound_take(email_bytes(sender="juergen@baustoffe.example", to=reply_address(link),
                             subject="AW: Zahlungserinnerung",
                             body="Wir haben RE-2026-101 gestern bezahlt.",
                             attachments=(("zahlung.pdf", tiny_pdf("Zahlung")),)),
                 source="imap")  # fmt: skip
    reply = Communication.objects.filter(customer=customer, contact_type="email_received").get()
    return customer, link, reply


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1024, 768)])
def test_reach_pages_at_both_widths(live_site, browser, administrator, reach, width, height):
    customer, link, reply = reach
    base = live_site.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = {}
    anonymous = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    portal = anonymous.new_page()
    portal.goto(f"{base}/self-service/{link.token}/")
    assert "Kölner Baustoffe GmbH" in portal.content()
    portal.screenshot(path=str(SHOTS / f"portal-de-{width}.png"), full_page=True)
    if portal.evaluate("document.documentElement.scrollWidth - window.innerWidth") > 0:
        too_wide["portal"] = True
    anonymous.close()
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", administrator.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    for name, path in {
        "webhooks": "/settings/webhooks/",
        "portal-settings": "/settings/self-service/",
        "reply": f"/communications/{reply.pk}/",
        "reply-timeline": f"/customers/{customer.pk}/timeline/",
    }.items():
        assert page.goto(base + path).status == 200, name
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        if page.evaluate("document.documentElement.scrollWidth - window.innerWidth") > 0:
            too_wide[name] = True
    context.close()
    assert too_wide == {}
