"""The work list's to-do sections: broken promises and the to-dos due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from communications.models import Promise, PromiseStatus, ToDo, ToDoKind
from communications.promises import promise_create, promises_settle
from tests.factories import CompanyFactory, CustomerFactory, EntryFactory

NOON_UTC = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)

pytestmark = pytest.mark.django_db


def make_todo(customer, owner, due_on=TODAY, *, description="Call them", **kwargs) -> ToDo:
    return ToDo.objects.create(company=customer.company, customer=customer, owner=owner,
                               due_on=due_on, description=description, **kwargs)  # fmt: skip


def broken_promise(customer, owner, amount="250.00", promised_on=dt.date(2026, 3, 5)) -> ToDo:
    promise = Promise.objects.create(
        company=customer.company, customer=customer, currency=customer.currency,
        amount=Decimal(amount), amount_lcy=Decimal(amount), promised_on=promised_on,
        status=PromiseStatus.BROKEN, resolved_on=TODAY,
    )  # fmt: skip
    return make_todo(customer, owner, kind=ToDoKind.PROMISE_BROKEN, promise=promise,
                     description=f"Promise of {amount} broken")  # fmt: skip


def section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_broken_promise_appears_on_the_work_list(client, controller, company):
    customer = CustomerFactory(company=company, controller=controller, name="Slow Payer Ltd")
    entry = EntryFactory(customer=customer, amount=Decimal("300.00"))
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC), tick=False):
        promise_create(user=controller, customer=customer, entry_ids=[entry.pk],
                       promised_on=dt.date(2026, 3, 5), amount="200.00")  # fmt: skip
    with time_machine.travel(NOON_UTC, tick=False):
        promises_settle(company=company, as_of=TODAY)
        client.force_login(controller)
        html = section(home(client), "broken-promises")
    todo = ToDo.objects.get(kind=ToDoKind.PROMISE_BROKEN)
    assert "Slow Payer Ltd" in html
    assert "200.00" in html and "05 Mar 2026" in html
    assert reverse("communications:todo-detail", args=[todo.pk]) in html
    assert reverse("ledger:customer-card", args=[customer.pk]) in html
    assert '<span class="count count-alert">1</span>' in html


@time_machine.travel(NOON_UTC, tick=False)
def test_broken_promises_list_mine_first_then_colleagues(client, controller, manager, company):
    theirs = broken_promise(CustomerFactory(company=company, name="Aardvark Ltd"), manager)
    mine = broken_promise(CustomerFactory(company=company, name="Zebra Ltd"), controller)
    client.force_login(controller)
    html = section(home(client), "broken-promises")
    assert html.index("Zebra Ltd") < html.index("Aardvark Ltd")
    assert '<span class="count count-alert">2</span>' in html
    assert reverse("communications:todo-detail", args=[mine.pk]) in html
    assert reverse("communications:todo-detail", args=[theirs.pk]) in html


@time_machine.travel(NOON_UTC, tick=False)
def test_closed_broken_promise_todo_leaves_the_work_list(client, controller, customer):
    todo = broken_promise(customer, controller)
    ToDo.objects.filter(pk=todo.pk).update(status="closed", closed_at=NOON_UTC)
    client.force_login(controller)
    html = section(home(client), "broken-promises")
    assert "No broken promises" in html


@time_machine.travel(NOON_UTC, tick=False)
def test_todos_due_lists_my_todos_due_today_or_overdue(client, controller, manager, customer):
    make_todo(customer, controller, TODAY, description="Due today one")
    make_todo(customer, controller, TODAY - dt.timedelta(days=2), description="Overdue one")
    make_todo(customer, controller, TODAY + dt.timedelta(days=1), description="Tomorrow one")
    make_todo(customer, manager, TODAY, description="Mike's one")
    make_todo(customer, controller, TODAY, description="Done one", status="closed",
              closed_at=NOON_UTC)  # fmt: skip
    client.force_login(controller)
    html = section(home(client), "todos-due")
    assert "Due today one" in html and "Overdue one" in html
    assert html.index("Overdue one") < html.index("Due today one")
    for absent in ("Tomorrow one", "Mike&#x27;s one", "Done one"):
        assert absent not in html
    assert '<span class="count count-due">2</span>' in html


@time_machine.travel(NOON_UTC, tick=False)
def test_todos_due_follow_each_companys_time_zone(client, controller, customer):
    auckland = CompanyFactory(code="KIWI", time_zone="Pacific/Auckland")
    auckland.members.add(controller)
    kiwi = CustomerFactory(company=auckland)
    tomorrow = TODAY + dt.timedelta(days=1)
    make_todo(kiwi, controller, tomorrow, description="Auckland today")  # the 11th there
    make_todo(customer, controller, tomorrow, description="London tomorrow")
    client.force_login(controller)
    html = section(home(client), "todos-due")
    assert "Auckland today" in html and "London tomorrow" not in html


@time_machine.travel(NOON_UTC, tick=False)
def test_work_list_hides_another_companys_todos(client, outsider, controller, customer):
    broken_promise(customer, controller)
    make_todo(customer, controller, description="Acme secret")
    client.force_login(outsider)
    html = home(client)
    assert customer.name not in html and "Acme secret" not in html


@time_machine.travel(NOON_UTC, tick=False)
def test_work_list_query_count_does_not_grow_with_todos(
    client, controller, company, django_assert_max_num_queries
):
    for i in range(30):
        customer = CustomerFactory(company=company, controller=controller)
        EntryFactory(customer=customer)
        broken_promise(customer, controller)
        make_todo(customer, controller, TODAY - dt.timedelta(days=i % 3), description=f"Due {i}")
    client.force_login(controller)
    with django_assert_max_num_queries(12):
        html = home(client)
    assert "Showing 25 of 30" in html
