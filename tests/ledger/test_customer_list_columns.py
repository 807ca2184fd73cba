"""The customer list's columns per user, the search across them, sorting on the workbench's
figures, and the page fragments htmx swaps in."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledger.customer_columns import (
    DEFAULT_COLUMNS,
    SEARCH_BLOB_SQL,
    layout_for,
    layout_save,
)
from ledger.models import Customer, CustomerListLayout
from tests.factories import (
    CommunicationFactory,
    CustomerFactory,
    EntryFactory,
    ToDoFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
URL = "/customers/"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def names_in(html: str) -> list[str]:
    return re.findall(r'<td class="name"><a href="[^"]+">([^<]+)</a>', html)


def headers_in(html: str) -> list[str]:
    return re.findall(r'<th class="[^"]*" data-key="([a-z_]+)"', html)


def test_list_url_keeps_its_name():
    assert reverse("ledger:customer-list") == URL


def test_a_new_user_gets_the_default_columns(client, controller, customer):
    client.force_login(controller)
    html = client.get(URL).content.decode()
    assert headers_in(html) == list(DEFAULT_COLUMNS)
    assert CustomerListLayout.objects.count() == 0


def test_column_preferences_round_trip(client, controller, customer):
    layout_save(
        user=controller,
        columns=[{"key": "name", "width": 300}, {"key": "email"}, {"key": "next_follow_up"}],
        unsearched=["email"],
    )
    again = layout_for(controller)
    assert again.keys == ["name", "email", "next_follow_up"]
    assert [c.width for c in again.shown] == [300, 200, 115]
    assert again.searched_keys == ["name"]
    client.force_login(controller)
    html = client.get(URL).content.decode()
    assert headers_in(html) == ["name", "email", "next_follow_up"]
    assert '<col data-key="name" style="width: 300px">' in html
    assert "Postcode</a>" not in html


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ([], "at least one column"),
        ([{"key": "password"}], "is not a column"),
        ([{"key": "name"}, {"key": "name"}], "listed twice"),
        ([{"key": "name", "width": 5}], "from 40 to 800"),
        ([{"key": "name", "width": "wide"}], "from 40 to 800"),
    ],
)
def test_a_bad_layout_is_refused_and_keeps_the_old_one(controller, columns, message):
    layout_save(user=controller, columns=[{"key": "city"}])
    with pytest.raises(ValidationError, match=message):
        layout_save(user=controller, columns=columns)
    assert layout_for(controller).keys == ["city"]


def test_each_user_has_their_own_layout(controller, manager):
    layout_save(user=controller, columns=[{"key": "city"}])
    assert layout_for(manager).keys == list(DEFAULT_COLUMNS)


@pytest.fixture
def leeds_and_york(company):
    a = CustomerFactory(company=company, name="Leeds Fasteners Ltd", city="York",
                        email="ap@fasteners.example", postcode="YO1 1AA")  # fmt: skip
    b = CustomerFactory(company=company, name="York Tools Ltd", city="Leeds",
                        email="leeds-office@tools.example", postcode="LS1 1AA")  # fmt: skip
    return a, b


def test_search_looks_in_the_shown_columns(client, controller, leeds_and_york):
    client.force_login(controller)
    assert names_in(client.get(URL, {"q": "leeds"}).content.decode()) == [
        "Leeds Fasteners Ltd", "York Tools Ltd"]  # fmt: skip
    # The email column is not shown: its text is not searched.
    assert names_in(client.get(URL, {"q": "leeds-office"}).content.decode()) == []
    layout_save(user=controller, columns=[{"key": "name"}, {"key": "email"}])
    assert names_in(client.get(URL, {"q": "leeds-office"}).content.decode()) == ["York Tools Ltd"]


def test_search_honours_excluded_columns(client, controller, leeds_and_york):
    layout_save(user=controller, columns=[{"key": "name"}, {"key": "city"}], unsearched=["city"])
    client.force_login(controller)
    assert names_in(client.get(URL, {"q": "leeds"}).content.decode()) == ["Leeds Fasteners Ltd"]
    layout_save(user=controller, columns=[{"key": "name"}, {"key": "city"}], unsearched=["name"])
    assert names_in(client.get(URL, {"q": "leeds"}).content.decode()) == ["York Tools Ltd"]


def test_searching_no_column_finds_nothing_and_says_why(client, controller, leeds_and_york):
    layout_save(user=controller, columns=[{"key": "name"}], unsearched=["name"])
    client.force_login(controller)
    html = client.get(URL, {"q": "leeds"}).content.decode()
    assert names_in(html) == []
    assert "No shown column is searched" in html


def test_search_by_controller_name_and_literal_percent(client, controller, company):
    colin = UserFactory(username="colin", first_name="Colin", last_name="Baker")
    CustomerFactory(company=company, name="Colins Customer Ltd", controller=colin)
    CustomerFactory(company=company, name="100% Tools Ltd")
    CustomerFactory(company=company, name="Other Ltd")
    client.force_login(controller)
    assert names_in(client.get(URL, {"q": "baker"}).content.decode()) == ["Colins Customer Ltd"]
    assert names_in(client.get(URL, {"q": "100%"}).content.decode()) == ["100% Tools Ltd"]
    assert names_in(client.get(URL, {"q": "_"}).content.decode()) == []


def test_the_search_index_expression_is_the_one_the_migration_builds():
    migration = importlib.import_module(
        "ledger.migrations.0003_customer_list_layout_and_mail_lists"
    )
    assert migration.SEARCH_BLOB_SQL == SEARCH_BLOB_SQL


def test_sort_by_follow_up_puts_the_earliest_first_and_none_last(client, controller, company):
    later = CustomerFactory(company=company, name="Later Ltd")
    sooner = CustomerFactory(company=company, name="Sooner Ltd")
    CustomerFactory(company=company, name="Nothing Planned Ltd")
    done = CustomerFactory(company=company, name="Completed Call Ltd")
    CommunicationFactory(customer=later, follow_up_on=dt.date(2026, 12, 10))
    ToDoFactory(customer=sooner, due_on=dt.date(2026, 11, 25))
    CommunicationFactory(customer=sooner, follow_up_on=dt.date(2026, 12, 1))
    CommunicationFactory(customer=done, follow_up_on=dt.date(2026, 11, 24),
                         completed_at=TODAY)  # fmt: skip
    client.force_login(controller)
    html = client.get(URL, {"sort": "next_follow_up"}).content.decode()
    assert names_in(html)[:2] == ["Sooner Ltd", "Later Ltd"]
    assert "25 Nov 2026" in html and "10 Dec 2026" in html
    assert "24 Nov 2026" not in html  # completed: no longer a follow-up
    descending = names_in(client.get(URL, {"sort": "-next_follow_up"}).content.decode())
    assert descending[:2] == ["Later Ltd", "Sooner Ltd"]


@pytest.mark.parametrize(
    "key", ["promised_amount", "promised_on", "live_communications", "last_contact", "email",
            "country", "payment_terms", "address", "phone"],
)  # fmt: skip
@pytest.mark.parametrize("direction", ["", "-"])
def test_every_new_column_sorts_and_shows(client, controller, company, key, direction):
    for name in ("Alpha Ltd", "Bravo Ltd"):
        c = CustomerFactory(company=company, name=name)
        CommunicationFactory(customer=c)
    layout_save(user=controller, columns=[{"key": "name"}, {"key": key}])
    client.force_login(controller)
    response = client.get(URL, {"sort": f"{direction}{key}"})
    assert response.status_code == 200
    assert sorted(names_in(response.content.decode())) == ["Alpha Ltd", "Bravo Ltd"]


def test_workbench_columns_show_live_communications_and_last_contact(client, controller, company):
    c = CustomerFactory(company=company, name="Busy Ltd")
    CommunicationFactory(customer=c, occurred_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
    CommunicationFactory(customer=c, occurred_at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
    layout_save(user=controller, columns=[{"key": "name"}, {"key": "live_communications"},
                                          {"key": "last_contact"}])  # fmt: skip
    client.force_login(controller)
    html = client.get(URL).content.decode()
    assert '<td class="num">2</td>' in html
    assert "20 Nov 2026" in html


def test_htmx_search_answers_with_the_results_only(client, controller, leeds_and_york):
    client.force_login(controller)
    response = client.get(
        URL, {"q": "york"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="customer-results"
    )
    html = response.content.decode()
    assert html.startswith('<div id="customer-results"')
    assert "<html" not in html and 'id="bulk-form"' not in html
    assert names_in(html) == ["Leeds Fasteners Ltd", "York Tools Ltd"]
    assert 'id="customer-sort" value="name" hx-swap-oob="true"' in html
    assert "HX-Target" in response["Vary"]


def test_search_counts_up_to_a_cap(client, controller, company, monkeypatch):
    from communications import views_customer_list

    monkeypatch.setattr(views_customer_list, "SEARCH_COUNT_CAP", 3)
    CustomerFactory.create_batch(5, company=company, city="Leeds")
    client.force_login(controller)
    html = client.get(URL, {"q": "leeds"}).content.decode()
    assert "More than 3 customers found" in html
    assert "5 customers." in client.get(URL).content.decode()


def test_page_with_every_column_has_a_capped_query_count(
    client, controller, company, django_assert_max_num_queries
):
    from ledger.customer_columns import COLUMNS

    layout_save(user=controller, columns=[{"key": c.key} for c in COLUMNS])
    for _ in range(55):
        customer = CustomerFactory(company=company, controller=controller)
        EntryFactory(customer=customer, amount=Decimal("10.00"))
        CommunicationFactory(customer=customer, follow_up_on=dt.date(2026, 12, 1))
    client.force_login(controller)
    for sort in ("name", "-next_follow_up", "balance", "-promised_amount", "controller"):
        with django_assert_max_num_queries(14):
            response = client.get(URL, {"sort": sort, "q": "customer"})
        assert len(names_in(response.content.decode())) == 50


def test_outsider_sees_only_their_company_in_search(client, outsider, leeds_and_york):
    client.force_login(outsider)
    assert names_in(client.get(URL, {"q": "leeds"}).content.decode()) == []


@pytest.mark.parametrize("sort", ["next_follow_up", "-next_follow_up", "-balance", "-last_contact"])
def test_sorting_a_search_by_a_figure(client, controller, company, sort):
    soon = CustomerFactory(company=company, name="Leeds Soon Ltd", city="York")
    CustomerFactory(company=company, name="Leeds Never Ltd", city="York")
    CustomerFactory(company=company, name="York Ltd", city="York")
    CommunicationFactory(customer=soon, follow_up_on=dt.date(2026, 12, 1))
    EntryFactory(customer=soon, amount=Decimal("5.00"))
    client.force_login(controller)
    names = names_in(client.get(URL, {"q": "leeds", "sort": sort}).content.decode())
    assert names == ["Leeds Soon Ltd", "Leeds Never Ltd"]


@pytest.mark.postgres
def test_the_search_can_use_the_trigram_index(controller, company):
    from django.db import connection, transaction

    CustomerFactory.create_batch(3, company=company)
    customers = Customer.objects.search("leeds").order_by()
    sql, params = customers.values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Tiny tables are scanned, and the company's index would serve a visibility
        # filter: with neither, only an index matching the search itself can answer.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "customer_search_trgm" in plan
