"""The customer card: header figures, the Details, Contacts and Ledger entries tabs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.models import EntryType
from tests.factories import ContactFactory, CustomerFactory, EntryFactory, payment

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def card(client, customer, tab="ledger:customer-card", **params):
    response = client.get(reverse(tab, args=[customer.pk]), params)
    assert response.status_code == 200
    return response


def test_header_shows_balance_overdue_and_credit_limit_usage(client, controller, company):
    customer = CustomerFactory(
        company=company, name="Header Ltd", credit_limit=Decimal("1000.00"),
        on_hold=True, exclude_from_followups=True, debtor_rating="bad", controller=controller,
    )  # fmt: skip
    EntryFactory(customer=customer, amount=Decimal("600.00"))  # due 31 Oct: overdue
    EntryFactory(customer=customer, amount=Decimal("300.00"), due_date=dt.date(2026, 12, 31))
    payment(customer, "50.00")
    client.force_login(controller)
    response = card(client, customer)
    html = response.content.decode()
    assert response.context["balance_lcy"] == Decimal("850.00")
    assert response.context["overdue_lcy"] == Decimal("600.00")
    assert response.context["usage"] == Decimal("85")
    for text in ("Header Ltd", "850.00", "600.00", "1,000.00", "85%", "On hold",
                 "Excluded from follow-ups", "dot-bad", company.name):  # fmt: skip
        assert text in html, text


def test_details_tab_shows_every_field(client, controller, company):
    customer = CustomerFactory(
        company=company, address_line1="1 High Street", address_line2="Unit 4", city="York",
        postcode="YO1 7HH", country="GB", email="ap@example.com", phone="01904 000000",
        payment_terms_days=45, external_ref="EXT-9",
    )  # fmt: skip
    client.force_login(controller)
    html = card(client, customer).content.decode()
    for text in ("1 High Street", "Unit 4", "York", "YO1 7HH", "ap@example.com",
                 "01904 000000", "45 days", "EXT-9"):  # fmt: skip
        assert text in html, text


def test_tabs_link_to_each_other(client, controller, customer):
    client.force_login(controller)
    html = card(client, customer).content.decode()
    for name in (
        "ledger:customer-card",
        "ledger:customer-contacts",
        "communications:customer-entries",
    ):
        assert f'href="{reverse(name, args=[customer.pk])}"' in html


def test_htmx_tab_request_returns_only_the_panel(client, controller, customer):
    client.force_login(controller)
    response = client.get(
        reverse("ledger:customer-contacts", args=[customer.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'id="card-panel"' in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_contacts_tab_marks_the_credit_control_contact(client, controller, customer):
    ContactFactory(customer=customer, first_name="Ann", last_name="Other")
    ContactFactory(customer=customer, first_name="Cara", last_name="Credit", is_credit_contact=True,
                   position="Accounts payable")  # fmt: skip
    client.force_login(controller)
    html = card(client, customer, "ledger:customer-contacts").content.decode()
    assert html.index("Cara Credit") < html.index("Ann Other")
    row = html[html.index("Cara Credit") : html.index("Ann Other")]
    assert "Credit contact" in row
    assert "Accounts payable" in row


def test_entries_tab_shows_open_items_by_default_and_all_on_request(client, controller, customer):
    EntryFactory(customer=customer, document_no="INV-OPEN")
    EntryFactory(customer=customer, document_no="INV-PAID", remaining=Decimal("0.00"))
    client.force_login(controller)
    open_html = card(client, customer, "communications:customer-entries").content.decode()
    assert "INV-OPEN" in open_html
    assert "INV-PAID" not in open_html
    all_html = card(
        client, customer, "communications:customer-entries", show="all"
    ).content.decode()
    assert "INV-OPEN" in all_html
    assert "INV-PAID" in all_html


def test_days_overdue_counts_in_the_company_time_zone(client, outsider, other_company):
    # 23:30 UTC on 20 Nov is already 21 Nov in Berlin: an entry due 20 Nov is one day late.
    customer = CustomerFactory(company=other_company)
    entry = EntryFactory(customer=customer, document_date=dt.date(2026, 11, 1),
                         due_date=dt.date(2026, 11, 20))  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC), tick=False):
        client.force_login(outsider)  # signed in at noon, the session would be idle by now
        response = card(client, customer, "communications:customer-entries")
    row = response.context["page"].object_list[0]
    assert row.pk == entry.pk
    assert row.overdue_days == 1
    assert 'class="overdue' in response.content.decode()


def test_entries_totals_equal_the_sum_to_the_penny(client, controller, customer):
    amounts = ["0.01", "1234.56", "99.99", "0.33", "10000.10"]
    for amount in amounts:
        EntryFactory(customer=customer, amount=Decimal(amount))
    EntryFactory(customer=customer, currency="EUR", exchange_rate=Decimal("0.857143"),
                 amount=Decimal("333.33"), remaining=Decimal("111.11"))  # fmt: skip
    payment(customer, "0.07")
    client.force_login(controller)
    response = card(client, customer, "communications:customer-entries")
    totals = response.context["totals"]
    by_currency = {row["currency"]: row for row in totals["per_currency"]}
    gbp = sum(Decimal(a) for a in amounts) - Decimal("0.07")
    assert by_currency["GBP"]["remaining"] == gbp == Decimal("11334.92")
    assert by_currency["EUR"]["remaining"] == Decimal("111.11")
    # 111.11 EUR at 0.857143 is 95.24 GBP (rounded half-up), added to the GBP items.
    assert totals["remaining_lcy"] == gbp + Decimal("95.24")
    html = response.content.decode()
    assert "11,334.92" in html
    assert "111.11" in html
    assert "11,430.16" in html


def test_entries_paginate_by_100_with_totals_over_all(client, controller, customer):
    for _ in range(105):
        EntryFactory(customer=customer, amount=Decimal("1.00"))
    client.force_login(controller)
    first = card(client, customer, "communications:customer-entries")
    assert len(first.context["page"].object_list) == 100
    assert first.context["totals"]["remaining_lcy"] == Decimal("105.00")
    second = card(client, customer, "communications:customer-entries", page=2)
    assert len(second.context["page"].object_list) == 5


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("show", ["open", "all"])
def test_entries_query_count_does_not_grow_with_rows(
    client, controller, company, django_assert_max_num_queries, show
):
    customer = CustomerFactory(company=company)
    client.force_login(controller)
    url = reverse("communications:customer-entries", args=[customer.pk]) + f"?show={show}"
    for _ in range(5):
        EntryFactory(customer=customer)
    few = _queries(client, url)
    for _ in range(55):
        EntryFactory(customer=customer, entry_type=EntryType.DEBIT_MEMO)
    ContactFactory.create_batch(3, customer=customer)
    with django_assert_max_num_queries(10):
        client.get(url)
    assert _queries(client, url) == few


def test_card_query_count_is_capped(client, controller, customer, django_assert_max_num_queries):
    ContactFactory.create_batch(20, customer=customer)
    client.force_login(controller)
    for name in ("ledger:customer-card", "ledger:customer-contacts"):
        with django_assert_max_num_queries(8):
            client.get(reverse(name, args=[customer.pk]))


def test_card_of_an_unknown_customer_is_404(client, controller):
    client.force_login(controller)
    assert client.get(reverse("ledger:customer-card", args=[999999])).status_code == 404
