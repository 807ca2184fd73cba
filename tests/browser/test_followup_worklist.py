"""The controller works the follow-up proposals on the work list in a real browser: sends
one, postpones one, and excludes an entry of the third for two weeks; each row changes in
place and the database agrees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from creditcontrol.templatetags.ui import day
from followups.models import OutboxMessage, Proposal, ProposalStatus
from ledger.models import LedgerEntry
from tests.factories import ContactFactory, CustomerFactory, EntryFactory, proposal_with_lines

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def proposed(company, controller, name: str, amounts: list[str], level: int = 2) -> Proposal:
    customer = CustomerFactory(company=company, name=name, controller=controller)
    ContactFactory(customer=customer, first_name="Robin", last_name=f"Ames {name[:3]}",
                   email=f"robin@{name[:5].lower()}.example", is_credit_contact=True)  # fmt: skip
    today = company.today()
    lines = []
    for n, amount in enumerate(amounts, start=1):
        due = today - dt.timedelta(days=10 + n)
        entry = EntryFactory(customer=customer, amount=Decimal(amount), due_date=due,
                             document_no=f"{name[:3].upper()}-{n}",
                             document_date=due - dt.timedelta(days=30))  # fmt: skip
        lines.append((entry, level))
    return proposal_with_lines(customer, level, lines, run_date=today)


def test_send_one_postpone_one_and_exclude_an_entry_for_two_weeks(
    live_site, page, controller, company
):
    send_me = proposed(company, controller, "Anchor Marine Ltd", ["900.00"])
    wait = proposed(company, controller, "Beacon Foods Ltd", ["600.00"])
    exclude = proposed(company, controller, "Coastal Paints Ltd", ["300.00", "150.00"])
    today = company.today()
    base = live_site.url
    SHOTS.mkdir(exist_ok=True)

    page.goto(f"{base}/login/")
    page.fill("#id_username", controller.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    heading = page.locator("#proposals-title")
    expect(heading).to_contain_text("Follow-up proposals due")
    expect(heading.locator(".count")).to_have_text("3")
    page.screenshot(path=f"{SHOTS}/followups-1-worklist.png", full_page=True)

    # 1. Send the first: its row turns into "Executed" and the message says what happened.
    row = page.locator(f"#proposal-{send_me.pk}")
    row.get_by_role("button", name="Send").click()
    # Sending renders the statement PDF before it answers: slow on a busy machine.
    expect(row.locator(".badge-status-executed")).to_have_text("Executed", timeout=20_000)
    expect(page.locator("#flash")).to_contain_text("Anchor Marine Ltd: First reminder executed")
    assert Proposal.objects.get(pk=send_me.pk).status == ProposalStatus.EXECUTED
    assert OutboxMessage.objects.filter(customer=send_me.customer, kind="email").count() == 1
    page.evaluate("window.__notReloaded = true")
    expect(heading.locator(".count")).to_have_text("2")  # the count follows, no reload

    # 2. Postpone the second by a week.
    until = today + dt.timedelta(days=7)
    row = page.locator(f"#proposal-{wait.pk}")
    row.locator("input[name=until]").fill(until.isoformat())
    row.get_by_role("button", name="Postpone").click()
    expect(row.locator(".badge-status-postponed")).to_have_text(f"Postponed until {day(until)}")
    wait.refresh_from_db()
    assert (wait.status, wait.postponed_until) == (ProposalStatus.POSTPONED, until)
    expect(heading.locator(".count")).to_have_text("1")

    # 3. Open the third's entries and exclude one of them for two weeks.
    row = page.locator(f"#proposal-{exclude.pk}")
    row.get_by_role("button", name="Entries").click()
    panel = row.locator(".entries-panel")
    expect(panel).to_contain_text("COA-1")
    panel.locator("tr", has_text="COA-1").locator("input[name=entries]").check()
    expect(panel.locator("select[name=period]")).to_have_value("2w")
    page.screenshot(path=f"{SHOTS}/followups-2-entries.png", full_page=True)
    panel.get_by_role("button", name="Exclude").click()
    back_on = today + dt.timedelta(days=14)
    # The proposal is brought in step at once: the excluded invoice leaves the panel, and
    # the row's count and total change in place, without a reload.
    expect(panel.locator("tr", has_text="COA-1")).to_have_count(0)
    expect(panel.locator("tr", has_text="COA-2")).to_contain_text("Chased")
    expect(page.locator(f"#count-{exclude.pk}")).to_have_text("1")
    expect(page.locator(f"#total-{exclude.pk}")).to_contain_text("150.00")
    expect(panel).to_contain_text("Excluded from follow-ups for 2 weeks: COA-1.")
    first, second = LedgerEntry.objects.filter(customer=exclude.customer).order_by("document_no")
    assert first.exclude_until == back_on and not first.exclude_forever
    assert second.exclude_until is None
    # 4. Rate the customer bad from the panel: the row's dot turns red in place.
    expect(page.locator(f"#dot-{exclude.pk} .dot-normal")).to_have_count(1)
    panel.locator("select[name=rating]").select_option("bad")
    panel.get_by_role("button", name="Save rating").click()
    expect(page.locator(f"#dot-{exclude.pk} .dot-bad")).to_have_count(1)
    expect(panel).to_contain_text("debtor rating now bad")
    assert page.evaluate("window.__notReloaded === true")
    page.screenshot(path=f"{SHOTS}/followups-3-done.png", full_page=True)

    # Reloaded, only the third is still due.
    page.reload()
    expect(page.locator("#proposals-title .count")).to_have_text("1")
    expect(page.locator(f"#proposal-{exclude.pk}")).to_be_visible()
    expect(page.locator(f"#proposal-{send_me.pk}")).to_have_count(0)
    expect(page.locator(f"#proposal-{wait.pk}")).to_have_count(0)


def test_telephone_level_done_puts_its_todo_on_the_list_without_a_reload(live_site, page,
                                                                          controller, company):  # fmt: skip
    call = proposed(company, controller, "Delta Dairies Ltd", ["450.00"], level=3)
    base = live_site.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", controller.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#todos-due")).to_contain_text("Nothing due today.")
    page.evaluate("window.__notReloaded = true")
    page.locator(f"#proposal-{call.pk}").get_by_role("button", name="Send").click()
    todos = page.locator("#todos-due")
    expect(todos).to_contain_text(
        "Telephone the customer about the overdue invoices", timeout=20_000
    )  # a busy machine
    expect(todos.locator(".count")).to_have_text("1")
    expect(page.locator("#proposals-title .count")).to_have_text("0")
    assert page.evaluate("window.__notReloaded === true")
