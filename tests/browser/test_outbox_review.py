"""A message a dead worker left behind, as the credit manager meets it on the outbox page:
under review, with the note and the Message-ID to look for in the mail server's log, and
a button to resend it (what tests/faults/test_outbox_killed.py leaves behind)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from followups.models import OutboxMessage
from followups.outbox import outbox_claim, outbox_enqueue, outbox_flag_stale
from followups.reach import envelope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_manager_finds_the_message_under_review_with_its_message_id_and_resends_it(
    live_site, page, manager, customer
):
    message = outbox_enqueue(company=customer.company, customer=customer, kind="email",
                             key="review:1", to=["accounts@bolt.example"],
                             subject="Second reminder", body="Please pay.",
                             as_of=dt.date.today())  # fmt: skip
    claimed = outbox_claim(worker="a worker that died")
    message_id = envelope(claimed).headers["Message-ID"]  # kept before it was sent
    assert outbox_flag_stale(older_than=dt.timedelta(0)) == 1
    SHOTS.mkdir(exist_ok=True)

    page.goto(f"{live_site.url}/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_site.url}/followups/outbox/")
    row = page.locator(f"#message-{message.pk}")
    expect(row).to_contain_text("may or may not have gone")
    expect(row).to_contain_text(message_id)
    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 768})
        page.screenshot(path=f"{SHOTS}/outbox-review-{width}.png", full_page=True)
    row.get_by_role("button", name="Resend").click()
    expect(page.locator(f"#message-{message.pk}")).to_have_count(0)  # no longer needs attention
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message_id]
