"""Every table page fits a 1366x768 window and a 1024x768 tablet with long data (issue 13
§8): a 200-character customer name, subject, description, to-do and webhook URL must not
push the page past the window (``document.documentElement.scrollWidth``), and no row's
actions may be pushed out of view inside a scrolling table either. Screenshots go to
test-artifacts/tables/ (or $SCREENS_DIR/tables) for a person to look at."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from communications.models import CallAction, Dispute, Promise, PromiseEntry
from creditcontrol import roles
from followups.execution import proposal_execute
from ledger.services import customer_update
from reports.catalogue import CATALOGUE
from tests.browser.test_followup_worklist import proposed
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    EntryFactory,
    ToDoFactory,
    action_type,
)
from webhooks.services import endpoint_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"
SHOTS = (
    Path(os.environ.get("SCREENS_DIR", Path(__file__).resolve().parents[2] / "test-artifacts"))
    / "tables"
)
WORDS = "Supercalifragilistic Wholesale Distribution Partnership Holdings "
LONG = (WORDS * 4)[:200]
UNBROKEN = "X" * 200  # no space to wrap at: the worst case for a table cell

# The outermost elements that stick out of the window, named for the failure message.
WIDEST = """() => Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(e => e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
    .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className + '#' + e.id)"""

# Whatever sits right of a row and acts on it, and must stay in view.
ROW_ACTIONS = "td.actions, .row-actions, td .btn, td button"


@pytest.fixture
def long_data(company, controller, administrator):
    for role in (roles.MANAGER, roles.CONTROLLER):
        administrator.groups.add(Group.objects.get_or_create(name=role)[0])
    customer = CustomerFactory(company=company, name=LONG, controller=administrator,
                               credit_limit=Decimal("100.00"), city=UNBROKEN[:60],
                               email=f"{'a' * 60}@{'b' * 60}.example")  # fmt: skip
    ContactFactory(customer=customer, first_name=LONG[:60], last_name=UNBROKEN[:60],
                   email=f"{'c' * 60}@{'d' * 60}.example", is_credit_contact=True,
                   position=LONG[:100], notes=LONG)  # fmt: skip
    invoice = EntryFactory(customer=customer, amount=Decimal("123456.78"), description=LONG,
                           document_no=UNBROKEN[:40], document_date=dt.date(2026, 9, 1),
                           due_date=dt.date(2026, 10, 1), external_ref=UNBROKEN[:60])  # fmt: skip
    call = CommunicationFactory(customer=customer, our_contact=administrator, subject=LONG,
                                notes=LONG, follow_up_on=dt.date(2026, 11, 25))  # fmt: skip
    CommunicationFactory(customer=customer, our_contact=administrator, subject=UNBROKEN)
    Dispute.objects.create(company=company, customer=customer, entry=invoice,
                           amount=Decimal("50.00"), reason=LONG, owner=administrator,
                           opened_on=dt.date(2026, 11, 20))  # fmt: skip
    promise = Promise.objects.create(company=company, customer=customer, currency="GBP",
                                     amount=Decimal("100.00"), amount_lcy=Decimal("100.00"),
                                     promised_on=dt.date(2026, 11, 30), status="open")  # fmt: skip
    PromiseEntry.objects.create(promise=promise, entry=invoice, remaining_at_promise=Decimal("1"))
    CallAction.objects.create(company=company, customer=customer, communication=call,
                              action_type=action_type("Alert"), created_by=administrator,
                              notes=LONG)  # fmt: skip
    ToDoFactory(customer=customer, owner=administrator, description=LONG,
                due_on=company.today())  # fmt: skip
    shown = proposed(company, administrator, LONG, ["900.00", "100.00"])
    sent = proposed(company, administrator, UNBROKEN, ["300.00"])
    proposal_execute(user=administrator, proposal=sent)  # an outbox row and a history line
    endpoint_create(user=administrator, company=company,
                    url=f"https://hooks.example/{'x' * 180}", description=LONG)  # fmt: skip
    customer_update(user=administrator, customer=customer, on_hold=True, hold_reason=LONG)
    return customer, call, shown


def table_pages(customer, call):
    pages = {
        "work-list": "/",
        "work-list-compact": "/?density=compact",
        "customers": "/customers/",
        "card": f"/customers/{customer.pk}/",
        "entries": f"/customers/{customer.pk}/entries/",
        "communications": f"/customers/{customer.pk}/communications/",
        "timeline": f"/customers/{customer.pk}/timeline/",
        "contacts": f"/customers/{customer.pk}/contacts/",
        "history": f"/customers/{customer.pk}/history/",
        "communication": f"/communications/{call.pk}/",
        "todos": "/todos/",
        "search": "/search/?q=Supercal",
        "notifications": "/notifications/",
        "runs": "/followups/runs/",
        "outbox": "/followups/outbox/",
        "dashboard": "/reports/dashboard/",
        "team": "/team/",
        "webhooks": "/settings/webhooks/",
    }
    for report in CATALOGUE.reports.values():
        pages[f"report-{report.slug}"] = f"/reports/{report.url_path}/"
    return pages


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1024, 768)])
def test_table_pages_fit_the_window_with_long_data(live_site, browser, administrator,
                                                   long_data, width, height):  # fmt: skip
    customer, call, shown = long_data
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_site.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/login/")
    page.fill("#id_username", administrator.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    too_wide, hidden_actions, missing = {}, {}, []
    for name, path in table_pages(customer, call).items():
        response = page.goto(base + path)
        if response.status != 200:
            missing.append((name, response.status))
            continue
        if name == "work-list":  # the row's entries panel, open
            page.locator(f"#proposal-{shown.pk}").get_by_role("button", name="Entries").click()
            page.wait_for_selector(f"#entries-panel-{shown.pk}")
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide[name] = (overflow, page.evaluate(WIDEST))
        out_of_view = page.evaluate(
            """(selector) => Array.from(document.querySelectorAll(selector))
                .filter(e => e.offsetParent !== null)
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .map(e => e.textContent.trim().slice(0, 30))""",
            ROW_ACTIONS,
        )
        if out_of_view:
            hidden_actions[name] = out_of_view[:3]
    context.close()
    assert missing == []
    assert too_wide == {}, f"wider than {width} px by: {too_wide}"
    assert hidden_actions == {}, f"row actions out of view at {width} px: {hidden_actions}"
