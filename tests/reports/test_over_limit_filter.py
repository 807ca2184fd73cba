""" "Over limit" on every report and on the customer list (issue 13 §3): one filter
(``ledger.filters.OverLimitFilter``) offered on each page, kept in its CSV, through the
page and the CSV as a manager reads them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from communications.models import CallAction, Dispute, Promise, PromiseEntry
from reports.catalogue import CATALOGUE
from tests.factories import CommunicationFactory, CustomerFactory, EntryFactory, action_type

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
SLUGS = [report.slug for report in CATALOGUE.reports.values()]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _debtor(company, controller, name: str, limit: str):
    """A customer owing 500.00 overdue, with a live call, a dispute, a promise and a call
    action: a row in every report."""
    customer = CustomerFactory(company=company, name=name, controller=controller,
                               credit_limit=Decimal(limit))  # fmt: skip
    invoice = EntryFactory(customer=customer, amount=Decimal("500.00"),
                           document_no=f"INV-{name[:4].upper()}",
                           document_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 10, 1))  # fmt: skip
    call = CommunicationFactory(customer=customer, our_contact=controller, subject="Chased",
                                follow_up_on=dt.date(2026, 11, 25))  # fmt: skip
    Dispute.objects.create(company=company, customer=customer, entry=invoice,
                           amount=Decimal("50.00"), reason="Short delivery", owner=controller,
                           opened_on=dt.date(2026, 11, 20))  # fmt: skip
    promise = Promise.objects.create(company=company, customer=customer, currency="GBP",
                                     amount=Decimal("100.00"), amount_lcy=Decimal("100.00"),
                                     promised_on=dt.date(2026, 11, 30), status="open")  # fmt: skip
    PromiseEntry.objects.create(promise=promise, entry=invoice, remaining_at_promise=Decimal("500"))
    CallAction.objects.create(company=company, customer=customer, communication=call,
                              action_type=action_type("Alert"), created_by=controller)  # fmt: skip
    return customer


@pytest.fixture
def debtors(company, controller):
    return (_debtor(company, controller, "Overdrawn Ltd", "100.00"),
            _debtor(company, controller, "Steady Ltd", "10000.00"),
            _debtor(company, controller, "Limitless Ltd", "0"))  # fmt: skip


def _names(text: str) -> list[str]:
    return [n for n in ("Overdrawn Ltd", "Steady Ltd", "Limitless Ltd") if n in text]


@pytest.mark.parametrize("slug", SLUGS)
def test_every_report_filters_over_limit_on_its_page_and_csv(client, manager, debtors, slug):
    client.force_login(manager)
    page = client.get(reverse(f"reports:{slug}")).content.decode()
    assert _names(page) == ["Overdrawn Ltd", "Steady Ltd", "Limitless Ltd"]  # the data shows
    assert '<select name="over_limit"' in page and "Over the credit limit</option>" in page
    over = client.get(reverse(f"reports:{slug}"), {"over_limit": "true"}).content.decode()
    assert _names(over) == ["Overdrawn Ltd"]
    assert '<option value="true" selected>Over the credit limit</option>' in over
    within = client.get(reverse(f"reports:{slug}"), {"over_limit": "false"}).content.decode()
    assert _names(within) == ["Steady Ltd", "Limitless Ltd"]
    csv = client.get(reverse(f"reports:{slug}-csv"), {"over_limit": "true"})
    assert csv.status_code == 200
    assert _names(b"".join(csv.streaming_content).decode()) == ["Overdrawn Ltd"]


def test_customer_list_filters_over_limit(client, manager, debtors):
    client.force_login(manager)
    over = client.get(reverse("ledger:customer-list"), {"over_limit": "true"}).content.decode()
    assert _names(over) == ["Overdrawn Ltd"]
    within = client.get(reverse("ledger:customer-list"), {"over_limit": "false"}).content.decode()
    assert _names(within) == ["Steady Ltd", "Limitless Ltd"]


def test_integrators_filter_over_limit_too(client, integrator, debtors):
    from tests.conftest import api_as

    api = api_as(integrator)
    found = api.get("/api/v1/customers/", {"over_limit": "true"}).json()["results"]
    assert [c["name"] for c in found] == ["Overdrawn Ltd"]
    found = api.get("/api/v1/reports/chase-debt/", {"over_limit": "true"}).json()["results"]
    assert _names(str(found)) == ["Overdrawn Ltd"]


def test_aged_drill_down_keeps_the_over_limit_filter(client, manager, debtors):
    client.force_login(manager)
    page = client.get(reverse("reports:aged-receivables"), {"over_limit": "true"})
    links = [part.split('"')[0] for part in page.content.decode().split('href="')[1:]]
    drills = [link for link in links if "aged-receivables/entries" in link]
    assert drills and all("over_limit=true" in link for link in drills)
