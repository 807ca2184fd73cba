"""Every page of the customer record and the team administration at 1366x768 and
1024x768 (a tablet): nothing wider than the window, row actions in view. Screenshots go
to test-artifacts/screens/ (or $SCREENS_DIR) for a person to look at. And the compact
work list shows at least 25 proposals in a 1440x900 window."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from creditcontrol import roles
from team.services import password_link
from tests.browser.test_followup_worklist import proposed
from tests.factories import ContactFactory, CustomerFactory, EntryFactory, user_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"
SHOTS = Path(
    os.environ.get(
        "SCREENS_DIR", Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
    )
)
LONG = "A very long subject that goes on " * 6  # 198 characters


def sign_in(page, base, user):
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


@pytest.fixture
def record(company, controller, administrator):
    local = CustomerFactory(company=company, name="Keyed Here Ltd", controller=controller,
                            credit_limit=Decimal("5000"), notes=LONG)  # fmt: skip
    synced = CustomerFactory(
        company=company, name="Synced From Sage Ltd", external_ref="SAGE-00042"
    )
    ContactFactory(customer=local, first_name="Ann", last_name="Long-Email-Address",
                   email="accounts.payable.department.for.keyed.here@very-long-domain.example",
                   is_credit_contact=True, copy_on_reminders=True, receives_statements=True,
                   is_billing=True, notes=LONG)  # fmt: skip
    EntryFactory(customer=local, document_no="INV-SCREEN-1", description=LONG)
    user_in(company, roles.INTEGRATOR, first_name="Iris", last_name="Integration")
    return local, synced


@pytest.mark.parametrize("width, height", [(1366, 768), (1024, 768)])
def test_new_pages_fit_the_window(live_site, browser, administrator, record, width, height):
    local, synced = record
    administrator.groups.add(Group.objects.get_or_create(name=roles.MANAGER)[0])
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    base = live_site.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, base, administrator)

    class R:
        def build_absolute_uri(self, path):
            return base + path

    pages = {
        "card": f"/customers/{local.pk}/",
        "edit-local": f"/customers/{local.pk}/edit/",
        "edit-synced": f"/customers/{synced.pk}/edit/",
        "hold": f"/customers/{local.pk}/hold/",
        "exclusion": f"/customers/{local.pk}/exclusion/",
        "contacts": f"/customers/{local.pk}/contacts/",
        "contact-new": f"/customers/{local.pk}/contacts/new/",
        "timeline": f"/customers/{local.pk}/timeline/",
        "search": "/search/?q=keyed",
        "team": "/team/",
        "invite": "/team/invite/",
        "user-edit": f"/team/{administrator.pk}/",
        "account": "/account/",
        "not-found": "/no/such/page/",
        "work-list": "/",
    }
    too_wide = {}
    for name, path in pages.items():
        page.goto(base + path)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide[name] = overflow
    # A token made for the integrator: its key shown once, then listed with its last use.
    page.goto(base + "/team/")
    page.select_option("#token-person", label="Iris Integration")
    page.fill("#token-form input[name=name]", "Sage 200 nightly sync")
    page.click("#token-create")
    page.wait_for_selector("#new-key")
    page.screenshot(path=str(SHOTS / f"team-token-{width}.png"), full_page=True)
    if page.evaluate("document.documentElement.scrollWidth - window.innerWidth") > 0:
        too_wide["team-token"] = True
    # The header's search results, open.
    page.goto(base + f"/customers/{local.pk}/")
    page.fill("#global-search-input", "INV-SCREEN")
    page.wait_for_selector("#search-results a")
    page.screenshot(path=str(SHOTS / f"search-dropdown-{width}.png"))
    context.close()
    # The set-password page, signed out.
    anonymous = browser.new_context(viewport={"width": width, "height": height})
    other = anonymous.new_page()
    other.goto(password_link(R(), local.controller))
    other.screenshot(path=str(SHOTS / f"set-password-{width}.png"), full_page=True)
    anonymous.close()
    assert too_wide == {}


def test_compact_work_list_shows_25_proposals_at_1440_by_900(live_site, browser, controller,
                                                             company):  # fmt: skip
    for n in range(30):
        proposed(company, controller, f"{chr(65 + n % 26)}{n:02d} Debtor Ltd", [f"{100 + n}.00"])
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_site.url, controller)
    page.goto(live_site.url + "/?density=compact")
    page.locator("#proposals-head").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('proposals-head').scrollIntoView()")
    visible = page.evaluate("""() => Array.from(document.querySelectorAll('tbody.proposal'))
        .filter(b => { const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; })
        .length""")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "work-list-compact-1440.png"))
    context.close()
    assert visible >= 25, visible
