"""The browser pages: access rules, the work list, reports, settings and the customer list."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import CustomerFactory, EntryFactory, UserFactory, payment

pytestmark = pytest.mark.django_db


TODAY = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # due 31 Oct in factories: overdue


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def page_urls(customer) -> list[str]:
    return [
        reverse("home"),
        reverse("ledger:customer-list"),
        reverse("ledger:customer-card", args=[customer.pk]),
        reverse("ledger:customer-contacts", args=[customer.pk]),
        reverse("communications:customer-entries", args=[customer.pk]),
    ]


CARD_PAGES = ["ledger:customer-card", "ledger:customer-contacts", "communications:customer-entries"]


# --- Access --------------------------------------------------------------------------


def test_every_page_requires_login(client, customer):
    for url in page_urls(customer):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("name", ["reports", "settings"])
def test_reports_and_settings_require_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_role_gets_403(client, company, customer):
    user = UserFactory(companies=[company])
    client.force_login(user)
    for url in page_urls(customer):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("name", CARD_PAGES)
def test_outsider_gets_404_on_the_card_and_its_tabs(client, outsider, customer, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[customer.pk])).status_code == 404


def test_outsider_does_not_see_the_customer_in_the_list_or_work_list(client, outsider, customer):
    EntryFactory(customer=customer, amount=Decimal("500.00"))
    CustomerFactory(company=outsider.companies.get(), name="Their Own GmbH")
    client.force_login(outsider)
    listing = client.get(reverse("ledger:customer-list")).content.decode()
    assert "Bolt &amp; Nut Ltd" not in listing
    assert "Their Own GmbH" in listing
    assert "Bolt &amp; Nut Ltd" not in client.get(reverse("home")).content.decode()
    found = client.get(reverse("ledger:customer-list"), {"q": "ACC001"}).content.decode()
    assert "Bolt &amp; Nut Ltd" not in found


def test_every_role_can_open_every_page(client, controller, manager, administrator, customer):
    for user in (controller, manager, administrator):
        client.force_login(user)
        for url in page_urls(customer):
            assert client.get(url).status_code == 200, (user, url)


# --- Work list, reports, settings -------------------------------------------------------


def test_work_list_shows_overdue_customers_biggest_first(client, controller, company):
    small = CustomerFactory(company=company, name="Small Overdue Ltd")
    big = CustomerFactory(company=company, name="Big Overdue Ltd")
    current = CustomerFactory(company=company, name="Not Due Yet Ltd")
    EntryFactory(customer=small, amount=Decimal("100.00"))
    EntryFactory(customer=big, amount=Decimal("900.00"))
    EntryFactory(customer=current, amount=Decimal("5000.00"), due_date=dt.date(2026, 12, 31))
    client.force_login(controller)
    html = client.get(reverse("home")).content.decode()
    assert html.index("Big Overdue Ltd") < html.index("Small Overdue Ltd")
    assert "Not Due Yet Ltd" not in html
    assert "follow-up proposals will appear here" in html.lower()
    assert reverse("ledger:customer-card", args=[big.pk]) in html


def test_work_list_mine_shows_only_my_customers(client, controller, manager, company):
    mine = CustomerFactory(company=company, name="Mine Ltd", controller=controller)
    theirs = CustomerFactory(company=company, name="Theirs Ltd", controller=manager)
    EntryFactory(customer=mine)
    EntryFactory(customer=theirs)
    client.force_login(controller)
    html = client.get(reverse("home"), {"mine": "1"}).content.decode()
    assert "Mine Ltd" in html
    assert "Theirs Ltd" not in html


def test_reports_index_lists_the_reports(client, controller):
    client.force_login(controller)
    html = client.get(reverse("reports")).content.decode()
    for name in ("Chase Debt", "Disputed Invoice", "Aged receivables"):
        assert name in html


def test_integrator_creates_and_regenerates_an_api_token(client, integrator):
    client.force_login(integrator)
    assert "Create token" in client.get(reverse("settings")).content.decode()
    assert client.post(reverse("settings")).status_code == 302
    first = Token.objects.get(user=integrator).key
    assert first in client.get(reverse("settings")).content.decode()
    client.post(reverse("settings"))
    second = Token.objects.get(user=integrator).key
    assert second != first


def test_controller_has_no_api_token(client, controller):
    client.force_login(controller)
    assert "API token" not in client.get(reverse("settings")).content.decode()
    assert client.post(reverse("settings")).status_code == 403
    assert not Token.objects.filter(user=controller).exists()


def test_administrator_gets_admin_links(client, administrator, controller):
    client.force_login(administrator)
    assert reverse("admin:auth_user_changelist") in client.get(reverse("settings")).content.decode()
    client.force_login(controller)
    assert reverse("admin:auth_user_changelist") not in (
        client.get(reverse("settings")).content.decode()
    )


# --- Customer list -----------------------------------------------------------------------

SORT_KEYS = [
    "account_code", "name", "city", "postcode", "controller", "currency", "credit_limit",
    "balance", "overdue", "on_hold", "debtor_rating",
]  # fmt: skip


def names_in(html: str) -> list[str]:
    """Customer names in table order."""
    return re.findall(r'<td class="name"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def three(company, controller):
    a = CustomerFactory(company=company, name="Alpha Ltd", account_code="A1", postcode="AB1 1AA",
                        credit_limit=Decimal("300"), debtor_rating="bad")  # fmt: skip
    b = CustomerFactory(company=company, name="Bravo Ltd", account_code="B2", postcode="ZZ9 9ZZ",
                        credit_limit=Decimal("100"), on_hold=True, controller=controller)  # fmt: skip
    c = CustomerFactory(company=company, name="Charlie Ltd", account_code="C3", postcode="MM5 5MM",
                        credit_limit=Decimal("200"), debtor_rating="good")  # fmt: skip
    EntryFactory(customer=a, amount=Decimal("50.00"))
    EntryFactory(customer=b, amount=Decimal("700.00"))
    EntryFactory(customer=c, amount=Decimal("300.00"))
    payment(c, "10.00")
    return a, b, c


@pytest.mark.parametrize("key", SORT_KEYS)
@pytest.mark.parametrize("direction", ["", "-"])
def test_every_column_sorts(client, controller, three, key, direction):
    client.force_login(controller)
    response = client.get(reverse("ledger:customer-list"), {"sort": f"{direction}{key}"})
    assert response.status_code == 200
    assert sorted(names_in(response.content.decode())) == ["Alpha Ltd", "Bravo Ltd", "Charlie Ltd"]


def test_sort_by_name_and_by_balance(client, controller, three):
    client.force_login(controller)
    url = reverse("ledger:customer-list")
    assert names_in(client.get(url).content.decode()) == ["Alpha Ltd", "Bravo Ltd", "Charlie Ltd"]
    assert names_in(client.get(url, {"sort": "-name"}).content.decode()) == [
        "Charlie Ltd", "Bravo Ltd", "Alpha Ltd"]  # fmt: skip
    assert names_in(client.get(url, {"sort": "-balance"}).content.decode()) == [
        "Bravo Ltd", "Charlie Ltd", "Alpha Ltd"]  # fmt: skip
    assert names_in(client.get(url, {"sort": "balance"}).content.decode()) == [
        "Alpha Ltd", "Charlie Ltd", "Bravo Ltd"]  # fmt: skip
    assert names_in(client.get(url, {"sort": "debtor_rating"}).content.decode()) == [
        "Charlie Ltd", "Bravo Ltd", "Alpha Ltd"]  # fmt: skip
    assert names_in(client.get(url, {"sort": "credit_limit"}).content.decode()) == [
        "Bravo Ltd", "Charlie Ltd", "Alpha Ltd"]  # fmt: skip


def test_unknown_sort_falls_back_to_name(client, controller, three):
    client.force_login(controller)
    html = client.get(reverse("ledger:customer-list"), {"sort": "password"}).content.decode()
    assert names_in(html) == ["Alpha Ltd", "Bravo Ltd", "Charlie Ltd"]


def test_list_shows_balance_and_overdue(client, controller, three):
    client.force_login(controller)
    html = client.get(reverse("ledger:customer-list"), {"q": "Charlie"}).content.decode()
    assert "290.00" in html  # 300 invoice less 10 unapplied cash
    assert "300.00" in html  # overdue: the invoice only


@pytest.mark.parametrize(
    ("query", "expected"),
    [("bravo", ["Bravo Ltd"]), ("C3", ["Charlie Ltd"]), ("AB1", ["Alpha Ltd"]),
     ("zz9 9", ["Bravo Ltd"]), ("nothing-like-it", [])],
)  # fmt: skip
def test_search_finds_by_name_code_and_postcode(client, controller, three, query, expected):
    client.force_login(controller)
    html = client.get(reverse("ledger:customer-list"), {"q": query}).content.decode()
    assert names_in(html) == expected


def test_filters_by_on_hold_and_controller(client, controller, three):
    client.force_login(controller)
    url = reverse("ledger:customer-list")
    assert names_in(client.get(url, {"on_hold": "true"}).content.decode()) == ["Bravo Ltd"]
    assert names_in(client.get(url, {"on_hold": "false"}).content.decode()) == [
        "Alpha Ltd", "Charlie Ltd"]  # fmt: skip
    assert names_in(client.get(url, {"controller": controller.pk}).content.decode()) == [
        "Bravo Ltd"]  # fmt: skip


def test_rows_link_to_the_card_and_pages_hold_50(client, controller, company):
    CustomerFactory.create_batch(55, company=company)
    client.force_login(controller)
    first = client.get(reverse("ledger:customer-list"))
    assert len(names_in(first.content.decode())) == 50
    assert first.context["paginator"].count == 55
    second = client.get(reverse("ledger:customer-list"), {"page": 2})
    assert len(names_in(second.content.decode())) == 5
    customer = second.context["page"].object_list[0]
    assert reverse("ledger:customer-card", args=[customer.pk]) in second.content.decode()


def test_import_button_for_managers_only(client, controller, manager, customer):
    url = reverse("ledger:csv-import")
    client.force_login(manager)
    assert url in client.get(reverse("ledger:customer-list")).content.decode()
    client.force_login(controller)
    assert url not in client.get(reverse("ledger:customer-list")).content.decode()


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("sort", ["name", "-balance", "controller", "-debtor_rating"])
def test_list_query_count_does_not_grow_with_rows(
    client, controller, company, django_assert_max_num_queries, sort
):
    client.force_login(controller)
    url = reverse("ledger:customer-list")
    for _ in range(5):
        EntryFactory(customer=CustomerFactory(company=company, controller=controller))
    few = _queries(client, url, {"sort": sort})
    for _ in range(55):
        EntryFactory(customer=CustomerFactory(company=company, controller=controller))
    with django_assert_max_num_queries(12):
        response = client.get(url, {"sort": sort})
    assert len(names_in(response.content.decode())) == 50
    assert _queries(client, url, {"sort": sort}) == few
