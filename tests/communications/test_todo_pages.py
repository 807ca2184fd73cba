"""The To-do pages: list tabs, the Close/Reopen toggle, a to-do by hand, details and edit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from communications.models import ToDo, ToDoKind
from creditcontrol import roles
from ledger.models import AuditEvent
from tests.factories import CompanyFactory, CustomerFactory, EntryFactory, user_in

# 12:00 UTC on 10 March 2026: still the 10th in London, already the 11th in Auckland.
NOON_UTC = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)

pytestmark = pytest.mark.django_db


def make_todo(customer, owner, due_on=TODAY, *, description="Call about invoice", entries=(),
              status="open", **kwargs) -> ToDo:  # fmt: skip
    todo = ToDo.objects.create(
        company=customer.company, customer=customer, owner=owner, due_on=due_on,
        description=description, status=status,
        closed_at=NOON_UTC if status == "closed" else None, **kwargs,
    )  # fmt: skip
    todo.entries.set(entries)
    return todo


def list_html(client, **params) -> str:
    response = client.get(reverse("communications:todo-list"), params)
    assert response.status_code == 200
    return response.content.decode()


# --- The list and its tabs -------------------------------------------------------------


def test_todo_list_shows_my_open_todos_by_default(client, controller, manager, customer):
    make_todo(customer, controller, description="Mine to call")
    make_todo(customer, manager, description="Mike's to call")
    make_todo(customer, controller, description="Mine but done", status="closed")
    client.force_login(controller)
    html = list_html(client)
    assert "Mine to call" in html
    assert "Mike&#x27;s to call" not in html
    assert "Mine but done" not in html
    assert 'aria-current="page">Mine<' in html


def test_open_tab_lists_everyones_open_todos_and_closed_tab_the_closed(
    client, controller, manager, customer
):
    make_todo(customer, controller, description="Mine to call")
    make_todo(customer, manager, description="Mike to call")
    make_todo(customer, manager, description="Already done", status="closed")
    client.force_login(controller)
    html = list_html(client, show="open")
    assert "Mine to call" in html and "Mike to call" in html
    assert "Already done" not in html
    html = list_html(client, show="closed")
    assert "Already done" in html
    assert "Mine to call" not in html
    assert ">Reopen<" in html


def test_unknown_tab_falls_back_to_mine(client, controller, manager, customer):
    make_todo(customer, manager, description="Mike to call")
    client.force_login(controller)
    assert "Mike to call" not in list_html(client, show="everything")


@time_machine.travel(NOON_UTC, tick=False)
def test_due_today_and_overdue_are_decided_in_each_companys_time_zone(
    client, controller, company, customer
):
    auckland = CompanyFactory(code="KIWI", time_zone="Pacific/Auckland")
    auckland.members.add(controller)
    kiwi = CustomerFactory(company=auckland, account_code="KIWI01", name="Kiwi Ltd")
    make_todo(customer, controller, TODAY, description="London due today")
    make_todo(customer, controller, TODAY - dt.timedelta(days=1), description="London overdue")
    make_todo(customer, controller, TODAY + dt.timedelta(days=1), description="London tomorrow")
    # In Auckland it is already the 11th: the 10th is overdue, the 11th due today.
    make_todo(kiwi, controller, TODAY, description="Auckland overdue")
    make_todo(kiwi, controller, TODAY + dt.timedelta(days=1), description="Auckland due today")
    make_todo(customer, controller, TODAY, description="Closed due today", status="closed")
    client.force_login(controller)

    html = list_html(client, show="due_today")
    assert "London due today" in html and "Auckland due today" in html
    for absent in ("London overdue", "London tomorrow", "Auckland overdue", "Closed due today"):
        assert absent not in html

    html = list_html(client, show="overdue")
    assert "London overdue" in html and "Auckland overdue" in html
    for absent in ("London due today", "London tomorrow", "Auckland due today"):
        assert absent not in html


@time_machine.travel(NOON_UTC, tick=False)
def test_overdue_rows_are_marked_in_red(client, controller, customer):
    late = make_todo(customer, controller, TODAY - dt.timedelta(days=3), description="Late one")
    on_time = make_todo(customer, controller, TODAY, description="Today's one")
    client.force_login(controller)
    html = list_html(client, show="open")
    assert f'id="todo-{late.pk}" class="todo-row overdue"' in html
    assert f'id="todo-{on_time.pk}" class="todo-row"' in html


def test_todo_list_filters_by_kind(client, controller, customer):
    make_todo(customer, controller, description="Hand-made")
    make_todo(customer, controller, description="Broken one", kind=ToDoKind.PROMISE_BROKEN)
    client.force_login(controller)
    html = list_html(client, show="open", kind="promise_broken")
    assert "Broken one" in html and "Hand-made" not in html


def test_todo_list_links_to_the_todo_and_the_customer_card(client, controller, customer):
    todo = make_todo(customer, controller)
    client.force_login(controller)
    html = list_html(client)
    assert reverse("communications:todo-detail", args=[todo.pk]) in html
    assert reverse("ledger:customer-card", args=[customer.pk]) in html


def test_todo_list_query_count_does_not_grow_with_rows(
    client, controller, customer, django_assert_max_num_queries
):
    entries = [EntryFactory(customer=customer) for _ in range(3)]
    for i in range(30):
        make_todo(customer, controller, description=f"To-do {i}", entries=entries)
    client.force_login(controller)
    with django_assert_max_num_queries(8):
        html = list_html(client, show="open")
    assert "To-do 29" in html
    assert '<td class="num">3</td>' in html


def test_todo_list_paginates(client, controller, customer):
    for i in range(55):
        make_todo(customer, controller, description=f"Item {i:02d}")
    client.force_login(controller)
    assert "Page 1 of 2" in list_html(client)
    assert "Item 54" in list_html(client, page=2)


# --- Outsiders -------------------------------------------------------------------------


def test_outsider_sees_no_todos_of_another_company(client, outsider, controller, customer):
    todo = make_todo(customer, controller, description="Secret to-do")
    client.force_login(outsider)
    assert "Secret to-do" not in list_html(client, show="open")
    assert client.get(reverse("communications:todo-detail", args=[todo.pk])).status_code == 404
    response = client.post(reverse("communications:todo-close", args=[todo.pk]))
    assert response.status_code == 404
    todo.refresh_from_db()
    assert todo.is_open
    url = reverse("communications:todo-create") + f"?customer={customer.pk}"
    assert client.get(url).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, controller, customer):
    todo = make_todo(customer, controller)
    for url in (
        reverse("communications:todo-list"),
        reverse("communications:todo-create"),
        reverse("communications:todo-detail", args=[todo.pk]),
    ):
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_integrator_may_read_todos_but_not_close_or_create_them(client, integrator, controller,
                                                                customer):  # fmt: skip
    todo = make_todo(customer, controller, description="Read only for ivan")
    client.force_login(integrator)
    assert "Read only for ivan" in list_html(client, show="open")
    assert client.post(reverse("communications:todo-close", args=[todo.pk])).status_code == 403
    assert client.get(reverse("communications:todo-create")).status_code == 403
    todo.refresh_from_db()
    assert todo.is_open


# --- Close / reopen --------------------------------------------------------------------


def test_close_toggle_closes_then_reopens_and_swaps_the_row(client, controller, customer):
    todo = make_todo(customer, controller)
    client.force_login(controller)
    url = reverse("communications:todo-close", args=[todo.pk])

    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="todo-{todo.pk}"')
    assert ">Reopen<" in html and "Closed" in html
    todo.refresh_from_db()
    assert todo.status == "closed" and todo.closed_by == controller
    assert todo.close_reason == "Closed by hand."

    html = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert ">Close<" in html
    todo.refresh_from_db()
    assert todo.is_open and todo.closed_at is None


def test_close_without_htmx_returns_to_the_page_it_came_from(client, controller, customer):
    todo = make_todo(customer, controller)
    client.force_login(controller)
    url = reverse("communications:todo-close", args=[todo.pk])
    response = client.post(url, {"next": "/todos/?show=open"})
    assert response["Location"] == "/todos/?show=open"
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("communications:todo-detail", args=[todo.pk])


def test_close_toggle_refuses_get(client, controller, customer):
    todo = make_todo(customer, controller)
    client.force_login(controller)
    assert client.get(reverse("communications:todo-close", args=[todo.pk])).status_code == 405


# --- A to-do by hand -------------------------------------------------------------------


def create_url(customer=None) -> str:
    url = reverse("communications:todo-create")
    return f"{url}?customer={customer.pk}" if customer else url


@time_machine.travel(NOON_UTC, tick=False)
def test_new_todo_for_a_customer_defaults_to_its_controller_and_offers_open_entries(
    client, controller, manager, company
):
    customer = CustomerFactory(company=company, controller=manager, account_code="ACC9")
    open_entry = EntryFactory(customer=customer, document_no="INV-OPEN")
    EntryFactory(customer=customer, document_no="INV-PAID", remaining=Decimal("0.00"))
    client.force_login(controller)
    html = client.get(create_url(customer)).content.decode()
    assert f'<option value="{manager.pk}" selected>' in html
    assert "INV-OPEN" in html and "INV-PAID" not in html
    assert f'value="{open_entry.pk}"' in html


@time_machine.travel(NOON_UTC, tick=False)
def test_new_todo_by_hand_is_created_with_its_entries(client, controller, company, customer):
    entry = EntryFactory(customer=customer)
    client.force_login(controller)
    response = client.post(create_url(customer), {
        "description": "Ask for remittance", "due_on": "2026-03-12",
        "owner": controller.pk, "entries": [entry.pk], "notes": "Ask Jane",
    })  # fmt: skip
    todo = ToDo.objects.get()
    assert response["Location"] == reverse("communications:todo-detail", args=[todo.pk])
    assert (todo.description, todo.due_on, todo.owner, todo.kind) == (
        "Ask for remittance", dt.date(2026, 3, 12), controller, ToDoKind.MANUAL)  # fmt: skip
    assert list(todo.entries.all()) == [entry]
    assert todo.created_by == controller and todo.notes == "Ask Jane"
    assert AuditEvent.objects.filter(object_id=todo.pk, action="create").exists()


@time_machine.travel(NOON_UTC, tick=False)
def test_new_todo_by_account_code_finds_the_customer(client, controller, customer):
    client.force_login(controller)
    client.post(create_url(), {"account_code": "acc001", "description": "Chase",
                               "due_on": "2026-03-10"})  # fmt: skip
    todo = ToDo.objects.get()
    assert todo.customer == customer
    assert todo.owner == controller  # no controller on the customer: whoever created it


@time_machine.travel(NOON_UTC, tick=False)
def test_account_code_of_another_companys_customer_is_not_found(client, controller, other_company):
    CustomerFactory(company=other_company, account_code="EURO1")
    client.force_login(controller)
    response = client.post(create_url(), {"account_code": "EURO1", "description": "Chase",
                                          "due_on": "2026-03-10"})  # fmt: skip
    assert "No customer of yours has the account code EURO1." in response.content.decode()
    assert not ToDo.objects.exists()


@time_machine.travel(NOON_UTC, tick=False)
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"due_on": "2026-03-09"}, "The due date cannot be before 10 Mar 2026."),
        ({"due_on": "2031-01-01"}, "The due date cannot be after"),
        ({"description": "   "}, "This field is required."),
        ({"due_on": "10/99/2026"}, "Enter a valid date."),
    ],
)
def test_new_todo_refuses_bad_input_and_keeps_what_was_typed(client, controller, customer,
                                                             change, message):  # fmt: skip
    client.force_login(controller)
    data = {"description": "Keep this text", "due_on": "2026-03-12", "notes": "Keep my notes"}
    response = client.post(create_url(customer), {**data, **change})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Keep my notes" in html
    assert not ToDo.objects.exists()


@time_machine.travel(NOON_UTC, tick=False)
def test_new_todo_refuses_an_owner_outside_the_company(client, controller, outsider, customer):
    client.force_login(controller)
    response = client.post(create_url(customer), {
        "description": "Chase", "due_on": "2026-03-12", "owner": outsider.pk})  # fmt: skip
    html = response.content.decode()
    assert 'id="id_owner_errors"' in html
    assert not ToDo.objects.exists()


@time_machine.travel(NOON_UTC, tick=False)
def test_new_todo_refuses_an_owner_without_a_working_role(client, controller, company, customer):
    integrator = user_in(company, roles.INTEGRATOR, username="bot")
    client.force_login(controller)
    client.post(create_url(customer), {
        "description": "Chase", "due_on": "2026-03-12", "owner": integrator.pk})  # fmt: skip
    assert not ToDo.objects.exists()


@time_machine.travel(NOON_UTC, tick=False)
def test_new_todo_refuses_an_entry_of_another_customer(client, controller, company, customer):
    mine = EntryFactory(customer=customer)
    stranger = EntryFactory(customer=CustomerFactory(company=company))
    client.force_login(controller)
    response = client.post(create_url(customer), {
        "description": "Chase", "due_on": "2026-03-12", "entries": [mine.pk, stranger.pk]})  # fmt: skip
    html = response.content.decode()
    assert f"Entry {stranger.pk} is not a ledger entry of customer ACC001" in html
    assert f'value="{mine.pk}" id="entry-{mine.pk}" checked' in html
    assert not ToDo.objects.exists()


# --- Details and edit ------------------------------------------------------------------


@time_machine.travel(NOON_UTC, tick=False)
def test_todo_detail_shows_fields_entries_and_close_reason(client, controller, customer):
    entry = EntryFactory(customer=customer, document_no="INV-77", remaining=Decimal("40.00"))
    todo = make_todo(customer, controller, description="Check the payment", entries=[entry],
                     status="closed", close_reason="Every entry it concerns is paid.",
                     notes="Promised by phone")  # fmt: skip
    client.force_login(controller)
    html = client.get(reverse("communications:todo-detail", args=[todo.pk])).content.decode()
    for text in ("Check the payment", "INV-77", "40.00", "Every entry it concerns is paid.",
                 "Promised by phone", "Reopen"):  # fmt: skip
        assert text in html


@time_machine.travel(NOON_UTC, tick=False)
def test_todo_edit_changes_due_date_and_owner(client, controller, manager, customer):
    todo = make_todo(customer, controller)
    client.force_login(controller)
    url = reverse("communications:todo-detail", args=[todo.pk])
    response = client.post(url, {"description": "Call again", "due_on": "2026-03-20",
                                 "owner": manager.pk, "notes": ""})  # fmt: skip
    assert response["Location"] == url
    todo.refresh_from_db()
    assert (todo.description, todo.due_on, todo.owner) == ("Call again", dt.date(2026, 3, 20),
                                                           manager)  # fmt: skip


@time_machine.travel(NOON_UTC, tick=False)
def test_todo_edit_refuses_an_impossible_date_and_keeps_the_input(client, controller, customer):
    todo = make_todo(customer, controller, description="Original")
    client.force_login(controller)
    url = reverse("communications:todo-detail", args=[todo.pk])
    response = client.post(url, {"description": "Typed text", "due_on": "2035-01-01",
                                 "owner": controller.pk})  # fmt: skip
    html = response.content.decode()
    assert "The due date cannot be after" in html and "Typed text" in html
    todo.refresh_from_db()
    assert todo.description == "Original" and todo.due_on == TODAY


def test_todo_detail_of_a_broken_promise_links_its_customer(client, controller, customer):
    todo = make_todo(customer, controller, kind=ToDoKind.PROMISE_BROKEN)
    client.force_login(controller)
    html = client.get(reverse("communications:todo-detail", args=[todo.pk])).content.decode()
    assert "Broken promise" in html
    assert reverse("ledger:customer-card", args=[customer.pk]) in html


@time_machine.travel(NOON_UTC, tick=False)
def test_choose_customer_by_account_code_keeps_what_was_typed(client, controller, customer):
    client.force_login(controller)
    response = client.get(create_url(), {"account_code": "ACC001", "description": "Typed first",
                                         "due_on": "2026-03-12"})  # fmt: skip
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "New to-do for Bolt &amp; Nut Ltd" in html
    assert 'value="Typed first"' in html and 'value="2026-03-12"' in html


def test_choose_customer_with_an_unknown_account_code_says_so(client, controller, customer):
    client.force_login(controller)
    html = client.get(create_url(), {"account_code": "NOPE", "description": "Typed"}).content
    html = html.decode()
    assert "No customer of yours has the account code NOPE." in html
    assert 'value="Typed"' in html
    assert "This field is required" not in html


def test_choose_customer_keeps_the_csrf_token_out_of_the_address(client, controller, customer):
    client.force_login(controller)
    url = reverse("communications:todo-create")
    response = client.get(url, {"csrfmiddlewaretoken": "abc", "account_code": "NOPE"})
    assert response.status_code == 302
    assert "csrfmiddlewaretoken" not in response["Location"]
    assert "account_code=NOPE" in response["Location"]
