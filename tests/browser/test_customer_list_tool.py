"""The customer list as a working tool, in Chromium: hide a column, search as you type,
sort by Follow-up, tick three customers, save them as a list, reload, load the list."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from creditcontrol import roles
from ledger.customer_columns import layout_for
from ledger.models import MailList
from tests.factories import CommunicationFactory, CustomerFactory, user_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
PASSWORD = "secret-pass-123"


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll ``expression`` in the page. (Playwright's wait_for_function evaluates a string
    with eval in the page, which the Content-Security-Policy rightly refuses.)"""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression):
                return
        except PlaywrightError:  # a navigation replaced the page meanwhile: ask again
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {expression}")
        page.wait_for_timeout(50)


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"customer_list_{name}.png"), full_page=True)


def visible_names(page) -> list[str]:
    return page.locator("#customer-table tbody td.name a").all_inner_texts()


def test_customer_list_as_a_working_tool(page, live_site, company):
    carol = user_in(company, roles.CONTROLLER, username="carol")
    for n, city in enumerate(["Leeds", "Leeds", "Leeds", "Leeds", "York", "Hull"]):
        customer = CustomerFactory(company=company, name=f"{city} Customer {n} Ltd", city=city)
        if city == "Leeds":
            CommunicationFactory(customer=customer,
                                 follow_up_on=dt.date(2026, 12, 20) - dt.timedelta(days=n))  # fmt: skip

    page.goto(f"{live_site.url}/login/")
    page.fill("input[name=username]", "carol")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_site.url}/customers/")
    assert page.locator('#customer-table th[data-key="postcode"]').count() == 1

    # Hide the Postcode column: kept on the server, the table re-rendered without it.
    page.click("#column-menu summary")
    with page.expect_response(lambda r: "customer-list-layout" in r.url and r.ok):
        page.uncheck('#column-choices input[value="postcode"]')
    wait_until(page, "!document.querySelector('#customer-table th[data-key=\"postcode\"]')")
    assert "postcode" not in layout_for(carol).keys
    page.click("h1")  # closes the menu
    shot(page, "1_postcode_hidden")

    # Search as you type: the results swap in without a reload.
    page.locator("#customer-q").press_sequentially("leeds", delay=40)
    wait_until(page, "document.querySelectorAll('#customer-table tbody td.name').length === 4")
    assert all("Leeds" in name for name in visible_names(page))
    assert "q=leeds" in page.url
    shot(page, "2_search_leeds")

    # Sort by Follow-up: the earliest first.
    page.click('#customer-table th[data-key="next_follow_up"] a')
    wait_until(page, "location.search.includes('sort=next_follow_up')")
    wait_until(
        page, "document.querySelector('#customer-table th[data-key=\"next_follow_up\"] a.sorted')"
    )
    assert visible_names(page) == [
        "Leeds Customer 3 Ltd", "Leeds Customer 2 Ltd", "Leeds Customer 1 Ltd",
        "Leeds Customer 0 Ltd",
    ]  # fmt: skip
    shot(page, "3_sorted_by_follow_up")

    # Tick three customers and save them as a list.
    boxes = page.locator("#customer-table tbody input[name=ids]")
    for i in range(3):
        boxes.nth(i).check()
    assert page.inner_text("#bulk-count") == "3 ticked"
    page.fill("input[name=list_name]", "Leeds calls")
    shot(page, "4_three_ticked")
    page.click("button[value=save_list]")
    page.wait_for_selector("text=Saved 3 customers as the list")
    mail_list = MailList.objects.get()
    assert mail_list.customers.count() == 3

    # Reload, reset to the full list, then load the list again.
    page.reload()
    page.select_option("#customer-mail-list", "")
    wait_until(page, "document.querySelectorAll('#customer-table tbody td.name').length === 6")
    page.select_option("#customer-mail-list", str(mail_list.pk))
    wait_until(page, "document.querySelectorAll('#customer-table tbody td.name').length === 3")
    assert sorted(visible_names(page)) == [
        "Leeds Customer 1 Ltd", "Leeds Customer 2 Ltd", "Leeds Customer 3 Ltd"]  # fmt: skip
    # The hidden column stays hidden after the reload.
    assert page.locator('#customer-table th[data-key="postcode"]').count() == 0
    shot(page, "5_list_loaded")
