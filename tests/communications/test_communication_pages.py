"""The Communications tab, the communication form (new and amend), its detail page, the
Complete toggle and the call-action form, as a controller uses them in the browser."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from communications.models import (
    CallAction,
    Communication,
    Dispute,
    Notification,
    Promise,
    ToDo,
    ToDoKind,
)
from communications.querysets import with_workbench_figures
from communications.services import communication_create
from creditcontrol import roles
from ledger.models import Customer
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    EntryFactory,
    UserFactory,
    action_type,
    outcome,
    user_in,
)

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def invoices(customer):
    return [
        EntryFactory(customer=customer, amount=Decimal("300.00"), document_no="INV1001",
                     document_date=dt.date(2026, 1, 5), due_date=dt.date(2026, 2, 4)),
        EntryFactory(customer=customer, amount=Decimal("200.00"), document_no="INV1002",
                     document_date=dt.date(2026, 1, 20), due_date=dt.date(2026, 2, 19)),
    ]  # fmt: skip


def call(user, customer, **fields):
    values = {"communication_type": "telephone", "contact_type": "telephone_made",
              "subject": "Overdue invoices", **fields}  # fmt: skip
    return communication_create(user=user, customer=customer, **values)


def form_data(**overrides):
    data = {
        "communication_type": "telephone", "contact_type": "telephone_made",
        "subject": "Chased the overdue invoices", "occurred_at": "2026-03-10T09:30",
        "notes": "Spoke to accounts payable.",
    }  # fmt: skip
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def create_url(customer, entries=()):
    url = reverse("communications:communication-create", args=[customer.pk])
    return url + (f"?entries={','.join(str(e.pk) for e in entries)}" if entries else "")


def post_new(client, user, customer, entries=(), **overrides):
    client.force_login(user)
    data = form_data(**{"our_contact": user.pk, **overrides})
    if entries:
        data["entries"] = [e.pk for e in entries]
    return client.post(create_url(customer, entries), data)


# --- the Communications tab ----------------------------------------------------------


def test_communications_tab_lists_newest_first_with_the_live_count(client, controller, customer):
    older = call(controller, customer, subject="First call",
                 occurred_at=NOW - dt.timedelta(days=2))  # fmt: skip
    newer = call(controller, customer, subject="Second call", follow_up_on=dt.date(2026, 3, 12))
    done = call(controller, customer, subject="Old letter", communication_type="correspondence",
                contact_type="letter_sent", letter_style="firm",
                occurred_at=NOW - dt.timedelta(days=9))  # fmt: skip
    client.force_login(controller)
    done_url = reverse("communications:communication-complete", args=[done.pk])
    client.post(done_url, {"complete": "1"})

    response = client.get(reverse("communications:customer-communications", args=[customer.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [newer, older, done]
    assert 'id="tab-communications"' in html and "(2)" in html  # two live
    for text in ("Second call", "12 Mar 2026", "Telephone made", "Letter sent", "Firm",
                 "Add communication", "Reopen", "Complete"):  # fmt: skip
        assert text in html, text


def test_communications_tab_filters_live_and_completed(client, controller, customer):
    live = call(controller, customer, subject="Live one")
    done = call(controller, customer, subject="Done one")
    client.force_login(controller)
    client.post(reverse("communications:communication-complete", args=[done.pk]))
    url = reverse("communications:customer-communications", args=[customer.pk])
    assert list(client.get(url, {"live": "true"}).context["page"].object_list) == [live]
    assert list(client.get(url, {"live": "false"}).context["page"].object_list) == [done]


def test_communications_tab_swaps_in_place_for_htmx(client, controller, customer):
    call(controller, customer)
    client.force_login(controller)
    url = reverse("communications:customer-communications", args=[customer.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="card-panel"' in html and "<html" not in html


def test_communications_tab_shows_times_in_the_company_time_zone(client, controller, customer):
    customer.company.time_zone = "Asia/Tokyo"
    customer.company.save()
    call(controller, customer, occurred_at=dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC))
    client.force_login(controller)
    html = client.get(
        reverse("communications:customer-communications", args=[customer.pk])
    ).content.decode()
    assert "10 Mar 2026 08:30" in html


def test_communications_tab_query_count_does_not_grow_with_rows(
    client, controller, customer, invoices, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(controller)
    url = reverse("communications:customer-communications", args=[customer.pk])
    call(controller, customer, entry_ids=[invoices[0].pk], outcome=outcome())
    client.get(url)  # warm the session and the role cache
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(12):
        call(controller, customer, entry_ids=[e.pk for e in invoices], subject=f"Call {n}",
             contact=ContactFactory(customer=customer), outcome=outcome())  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 13
    assert len(few.captured_queries) <= 20


# --- the new communication form ------------------------------------------------------


def test_new_form_defaults_to_now_in_the_company_time_zone_and_the_current_user(
    client, controller, customer
):
    customer.company.time_zone = "Europe/Berlin"
    customer.company.save()
    credit = ContactFactory(customer=customer, is_credit_contact=True, last_name="Payer")
    client.force_login(controller)
    response = client.get(create_url(customer))
    assert response.status_code == 200
    form = response.context["form"]
    html = response.content.decode()
    assert 'value="2026-03-10T11:00"' in html  # 10:00 UTC is 11:00 in Berlin
    assert form["our_contact"].value() == controller.pk
    assert form["contact"].value() == credit.pk
    assert 'data-creates-promise="true"' in html
    assert "Mark this communication as complete" not in html


def test_our_contact_offers_only_people_who_work_on_the_company(
    client, controller, manager, integrator, customer, outsider
):
    client.force_login(controller)
    offered = set(client.get(create_url(customer)).context["form"].fields["our_contact"].queryset)
    assert offered == {controller, manager}


def test_creating_a_communication_stores_the_balance_and_raises_the_follow_up_todo(
    client, controller, customer, invoices
):
    response = post_new(client, controller, customer, follow_up_on="2026-03-13",
                        follow_up_time="14:30", outcome=outcome("Will call back").pk)  # fmt: skip
    c = Communication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("communications:communication-detail", args=[c.pk])
    assert (c.subject, c.our_contact, c.outcome.name) == (
        "Chased the overdue invoices",
        controller,
        "Will call back",
    )
    assert c.balance_lcy == Decimal("500.00")
    assert c.occurred_at == dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)
    todo = ToDo.objects.get(communication=c)
    assert (todo.description, todo.due_on, todo.kind, todo.owner) == (
        "Follow up call from 10 Mar 2026",
        dt.date(2026, 3, 13),
        ToDoKind.FOLLOW_UP,
        controller,
    )


def test_typed_date_and_time_are_read_in_the_company_time_zone(client, controller, customer):
    customer.company.time_zone = "America/New_York"
    customer.company.save()
    post_new(client, controller, customer, occurred_at="2026-03-09T21:15")
    c = Communication.objects.get()
    assert c.occurred_at == dt.datetime(2026, 3, 10, 1, 15, tzinfo=dt.UTC)


def test_a_new_person_can_be_recorded_as_the_contact(client, controller, customer):
    post_new(client, controller, customer, contact_name="Sam Jones", contact_phone="0113 496 0000",
             contact_email="sam@example.com")  # fmt: skip
    c = Communication.objects.get()
    assert (c.contact, c.contact_display, c.contact_phone, c.contact_email) == (
        None,
        "Sam Jones",
        "0113 496 0000",
        "sam@example.com",
    )


def test_a_meeting_keeps_its_location(client, controller, customer):
    post_new(client, controller, customer, communication_type="meeting", contact_type="meeting",
             location="Their office, Leeds")  # fmt: skip
    assert Communication.objects.get().location == "Their office, Leeds"


def test_payment_promised_outcome_records_a_promise_on_the_selected_entries(
    client, controller, customer, invoices
):
    response = post_new(client, controller, customer, entries=invoices,
                        outcome=outcome("Payment promised").pk, promise_amount="350.00",
                        promised_on="2026-03-20")  # fmt: skip
    assert response.status_code == 302
    c = Communication.objects.get()
    promise = Promise.objects.get()
    assert set(c.entries.all()) == set(invoices)
    assert (promise.communication, promise.amount, promise.is_full, promise.promised_on) == (
        c,
        Decimal("350.00"),
        False,
        dt.date(2026, 3, 20),
    )
    assert set(promise.entries.all()) == set(invoices)
    check = ToDo.objects.get(kind=ToDoKind.PROMISE_CHECK)
    assert (check.description, check.due_on) == (
        "Check promised payment has been received",
        dt.date(2026, 3, 20),
    )
    figures = with_workbench_figures(Customer.objects.filter(pk=customer.pk)).get()
    assert (figures.promised_lcy, figures.promised_on) == (Decimal("350.00"), dt.date(2026, 3, 20))


def test_full_amount_promise_takes_the_selection_remaining(client, controller, customer, invoices):
    post_new(client, controller, customer, entries=invoices[:1],
             outcome=outcome("Payment promised").pk, promise_full="on", promise_amount="1",
             promised_on="2026-03-20")  # fmt: skip
    promise = Promise.objects.get()
    assert (promise.is_full, promise.amount) == (True, Decimal("300.00"))


def test_a_promise_above_the_selection_is_refused_and_nothing_is_written(
    client, controller, customer, invoices
):
    response = post_new(client, controller, customer, entries=invoices[:1],
                        outcome=outcome("Payment promised").pk, promise_amount="450.00",
                        promised_on="2026-03-20", subject="Promise too big")  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert "more than the 300.00 GBP still open" in " ".join(form.errors["promise_amount"])
    assert (Communication.objects.count(), Promise.objects.count(), ToDo.objects.count()) == (
        0,
        0,
        0,
    )
    html = response.content.decode()
    assert 'value="Promise too big"' in html and 'value="450.00"' in html  # nothing typed lost


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"letter_style": "firm"}, "letter_style", "A letter style applies to letters only."),
        ({"location": "Leeds"}, "location", "A location applies to meetings only."),
        ({"contact_type": "letter_sent"}, "contact_type", "A telephone communication is one of"),
        ({"occurred_at": "2026-03-13T09:00"}, "occurred_at", "cannot be after"),
        ({"follow_up_on": "2026-03-01"}, "follow_up_on", "cannot be before 10 Mar 2026"),
        ({"follow_up_on": "2030-01-01"}, "follow_up_on", "cannot be after"),
        ({"follow_up_time": "10:00"}, "follow_up_on", "needs a follow-up date"),
        ({"subject": ""}, "subject", "required"),
        ({"outcome": "__promise__", "promise_amount": "0"}, "promise_amount", "more than zero"),
        ({"outcome": "__promise__", "promise_amount": "-5"}, "promise_amount", "more than zero"),
        ({"outcome": "__promise__", "promise_amount": "10", "promised_on": "2026-03-01"},
         "promised_on", "cannot be before"),
        ({"outcome": "__promise__", "promise_amount": "10", "promised_on": "2028-03-01"},
         "promised_on", "cannot be after"),
    ],
)  # fmt: skip
def test_bad_input_is_shown_on_its_field_and_nothing_is_written(
    client, controller, customer, invoices, overrides, field, message
):
    if overrides.get("outcome") == "__promise__":
        overrides = {"promised_on": "2026-03-20", **overrides,
                     "outcome": outcome("Payment promised").pk}  # fmt: skip
    response = post_new(client, controller, customer, **overrides)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert 'class="field-errors"' in response.content.decode()
    assert Communication.objects.count() == 0


def test_an_entry_of_another_customer_in_the_selection_is_refused(
    client, controller, customer, invoices, company
):
    stranger = EntryFactory(customer=CustomerFactory(company=company), document_no="INV9999")
    response = post_new(client, controller, customer, entries=[invoices[0], stranger])
    assert response.status_code == 200
    assert f"Entry {stranger.pk} is not a ledger entry of customer ACC001" in (
        " ".join(response.context["form"].non_field_errors())
    )
    assert Communication.objects.count() == 0


def test_the_form_lists_the_selection_with_its_sums_per_currency_and_in_lcy(
    client, controller, customer, invoices
):
    dollars = EntryFactory(customer=customer, currency="USD", exchange_rate=Decimal("0.8"),
                           amount=Decimal("100.00"), document_no="INV-USD-1",
                           document_date=dt.date(2026, 1, 5))  # fmt: skip
    client.force_login(controller)
    response = client.get(create_url(customer, [*invoices, dollars]))
    selection = response.context["selection"]
    assert selection["per_currency"] == [("GBP", Decimal("500.00")), ("USD", Decimal("100.00"))]
    assert selection["remaining_lcy"] == Decimal("580.00")
    html = response.content.decode()
    for text in ("INV1001", "INV1002", "INV-USD-1", "500.00", "580.00", 'data-remaining="100.00"',
                 "About INV1001, INV-USD-1, INV1002"):  # fmt: skip
        assert text in html, text


def test_unticking_an_entry_on_the_form_leaves_it_out(client, controller, customer, invoices):
    client.force_login(controller)
    data = form_data(our_contact=controller.pk, entries=[invoices[1].pk])
    client.post(create_url(customer, invoices), data)
    assert list(Communication.objects.get().entries.all()) == [invoices[1]]


# --- amend and complete --------------------------------------------------------------


def test_amend_changes_the_fields_but_keeps_the_recorded_balance(
    client, controller, customer, invoices
):
    c = call(controller, customer, entry_ids=[invoices[0].pk])
    EntryFactory(customer=customer, amount=Decimal("999.00"), document_date=dt.date(2026, 3, 1))
    client.force_login(controller)
    url = reverse("communications:communication-edit", args=[c.pk])
    page = client.get(url)
    assert "Mark this communication as complete" in page.content.decode()
    assert "500.00" in page.content.decode()
    response = client.post(url, form_data(our_contact=controller.pk, subject="Amended subject",
                                          occurred_at="2026-03-10T10:00"))  # fmt: skip
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.subject, c.balance_lcy, c.is_live) == ("Amended subject", Decimal("500.00"), True)
    assert list(c.entries.all()) == [invoices[0]]


def test_the_complete_box_completes_and_takes_follow_up_and_promise_out_of_the_figures(
    client, controller, customer, invoices
):
    post_new(client, controller, customer, entries=invoices, follow_up_on="2026-03-12",
             outcome=outcome("Payment promised").pk, promise_full="on",
             promised_on="2026-03-25")  # fmt: skip
    c = Communication.objects.get()
    before = with_workbench_figures(Customer.objects.filter(pk=customer.pk)).get()
    assert (before.next_follow_up_on, before.promised_lcy) == (
        dt.date(2026, 3, 12),
        Decimal("500.00"),
    )
    data = form_data(our_contact=controller.pk, follow_up_on="2026-03-12",
                     outcome=outcome("Payment promised").pk, complete="on")  # fmt: skip
    response = client.post(reverse("communications:communication-edit", args=[c.pk]), data)
    assert response.status_code == 302
    c.refresh_from_db()
    assert not c.is_live and c.completed_by == controller
    after = with_workbench_figures(Customer.objects.filter(pk=customer.pk)).get()
    assert (after.live_communication_count, after.next_follow_up_on, after.promised_lcy) == (
        0,
        None,
        Decimal("0.00"),
    )
    assert not ToDo.objects.open().exists()
    assert Promise.objects.count() == 1  # amending did not record a second promise


def test_amending_to_payment_promised_records_the_promise(client, controller, customer, invoices):
    c = call(controller, customer, entry_ids=[invoices[1].pk])
    client.force_login(controller)
    data = form_data(our_contact=controller.pk, outcome=outcome("Payment promised").pk,
                     promise_amount="50.00", promised_on="2026-03-18")  # fmt: skip
    client.post(reverse("communications:communication-edit", args=[c.pk]), data)
    promise = Promise.objects.get()
    assert (promise.communication, promise.amount, list(promise.entries.all())) == (
        c,
        Decimal("50.00"),
        [invoices[1]],
    )


def test_amend_errors_are_shown_and_nothing_changes(client, controller, customer):
    c = call(controller, customer, subject="As recorded")
    client.force_login(controller)
    data = form_data(our_contact=controller.pk, subject="Changed", letter_style="friendly",
                     complete="on")  # fmt: skip
    response = client.post(reverse("communications:communication-edit", args=[c.pk]), data)
    assert "letters only" in " ".join(response.context["form"].errors["letter_style"])
    c.refresh_from_db()
    assert (c.subject, c.is_live) == ("As recorded", True)


def test_complete_toggle_twice_is_harmless_and_reopen_brings_the_follow_up_back(
    client, controller, customer
):
    c = call(controller, customer, follow_up_on=dt.date(2026, 3, 11))
    client.force_login(controller)
    url = reverse("communications:communication-complete", args=[c.pk])
    for _ in range(2):
        response = client.post(url, {"complete": "1"}, headers={"HX-Request": "true"})
        assert response.status_code == 200
    c.refresh_from_db()
    first_completion = c.completed_at
    assert not c.is_live and ToDo.objects.open().count() == 0
    html = response.content.decode()
    assert html.startswith("<tr") and "Reopen" in html and "Complete" in html
    # The tab title's live count is swapped out of band: none live any more.
    assert 'id="live-communication-count" hx-swap-oob="true">(0)</span>' in html

    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        client.post(url, {"complete": "1"})
    c.refresh_from_db()
    assert c.completed_at == first_completion  # completing twice changed nothing

    response = client.post(url)  # no value: toggles
    c.refresh_from_db()
    assert c.is_live and response.status_code == 302
    figures = with_workbench_figures(Customer.objects.filter(pk=customer.pk)).get()
    assert figures.next_follow_up_on == dt.date(2026, 3, 11)


def test_complete_needs_post(client, controller, customer):
    c = call(controller, customer)
    client.force_login(controller)
    assert (
        client.get(reverse("communications:communication-complete", args=[c.pk])).status_code == 405
    )


# --- detail page and call actions ----------------------------------------------------


def test_detail_page_shows_fields_entries_promises_todos_and_actions(
    client, controller, manager, customer, invoices
):
    contact = ContactFactory(customer=customer, first_name="Pat", last_name="Payer")
    post_new(client, controller, customer, entries=invoices, contact=contact.pk,
             outcome=outcome("Payment promised").pk, promise_amount="100.00",
             promised_on="2026-03-20", follow_up_on="2026-03-12")  # fmt: skip
    c = Communication.objects.get()
    client.post(reverse("communications:call-action-create", args=[c.pk]),
                {"action_type": action_type("Call").pk, "notes": "Ring on Friday"})  # fmt: skip
    response = client.get(reverse("communications:communication-detail", args=[c.pk]))
    html = response.content.decode()
    for text in ("Chased the overdue invoices", "Pat Payer", "Payment promised", "INV1001",
                 "INV1002", "100.00", "Open", "Check promised payment has been received",
                 "Follow up call from 10 Mar 2026", "Ring on Friday", "Add call action",
                 "500.00", "Notifies the company's credit managers"):  # fmt: skip
        assert text in html, text


def test_call_action_alert_notifies_the_customers_managers(client, controller, manager, customer):
    c = call(controller, customer)
    client.force_login(controller)
    response = client.post(reverse("communications:call-action-create", args=[c.pk]),
                           {"action_type": action_type("Alert").pk,
                            "notes": "Customer threatens to go bust"})  # fmt: skip
    action = CallAction.objects.get()
    assert response["Location"].endswith(f"#action-{action.pk}")
    note = Notification.objects.get()
    assert (note.user, note.customer, note.call_action) == (manager, customer, action)
    assert "Customer threatens to go bust" in note.text


def test_call_action_partial_dispute_opens_a_dispute_and_refuses_too_much(
    client, controller, customer, invoices
):
    c = call(controller, customer, entry_ids=[invoices[0].pk])
    client.force_login(controller)
    url = reverse("communications:call-action-create", args=[c.pk])
    dispute = action_type("Partial dispute").pk
    too_much = client.post(url, {"action_type": dispute, "entry": invoices[0].pk,
                                 "amount": "300.01", "notes": "Damaged goods"})  # fmt: skip
    assert too_much.status_code == 200
    assert "more than the 300.00 GBP" in " ".join(too_much.context["form"].errors["amount"])
    assert 'value="300.01"' in too_much.content.decode()
    assert not Dispute.objects.exists() and not CallAction.objects.exists()

    missing = client.post(url, {"action_type": dispute, "notes": "Damaged goods"})
    assert "is for one entry" in " ".join(missing.context["form"].errors["entry"])

    client.post(url, {"action_type": dispute, "entry": invoices[0].pk, "amount": "120.00",
                      "notes": "Damaged goods"})  # fmt: skip
    d = Dispute.objects.get()
    assert (d.entry, d.amount, d.reason, d.communication) == (
        invoices[0],
        Decimal("120.00"),
        "Damaged goods",
        c,
    )


def test_call_action_exclude_sets_the_customers_exclusion(client, controller, customer):
    c = call(controller, customer)
    client.force_login(controller)
    client.post(reverse("communications:call-action-create", args=[c.pk]),
                {"action_type": action_type("Exclude from follow-ups").pk})  # fmt: skip
    customer.refresh_from_db()
    assert customer.exclude_from_followups


def test_call_action_on_an_entry_of_another_customer_is_refused(
    client, controller, customer, company
):
    c = call(controller, customer)
    stranger = EntryFactory(customer=CustomerFactory(company=company))
    client.force_login(controller)
    response = client.post(reverse("communications:call-action-create", args=[c.pk]),
                           {"action_type": action_type("Call").pk, "entry": stranger.pk})  # fmt: skip
    assert "valid choice" in " ".join(response.context["form"].errors["entry"])
    assert not CallAction.objects.exists()


def test_call_action_form_page_renders(client, controller, customer):
    c = call(controller, customer)
    client.force_login(controller)
    response = client.get(reverse("communications:call-action-create", args=[c.pk]))
    assert response.status_code == 200
    assert 'data-behaviour="dispute"' in response.content.decode()


# --- who may see and do what ---------------------------------------------------------


def _pages(customer, c):
    return [
        ("get", reverse("communications:customer-communications", args=[customer.pk])),
        ("get", reverse("communications:communication-create", args=[customer.pk])),
        ("post", reverse("communications:communication-create", args=[customer.pk])),
        ("get", reverse("communications:communication-detail", args=[c.pk])),
        ("get", reverse("communications:communication-edit", args=[c.pk])),
        ("post", reverse("communications:communication-edit", args=[c.pk])),
        ("post", reverse("communications:communication-complete", args=[c.pk])),
        ("get", reverse("communications:call-action-create", args=[c.pk])),
        ("post", reverse("communications:call-action-create", args=[c.pk])),
    ]


def test_an_outsider_gets_404_on_every_page_and_post(client, controller, outsider, customer):
    c = call(controller, customer)
    client.force_login(outsider)
    for method, url in _pages(customer, c):
        data = form_data(our_contact=outsider.pk) if method == "post" else None
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    c.refresh_from_db()
    assert c.is_live and Communication.objects.count() == 1


def test_a_user_without_a_role_gets_403(client, controller, company, customer):
    c = call(controller, customer)
    nobody = UserFactory(companies=[company])
    client.force_login(nobody)
    for method, url in _pages(customer, c):
        assert getattr(client, method)(url).status_code == 403, (method, url)


def test_an_integrator_reads_but_cannot_write(client, controller, integrator, customer):
    c = call(controller, customer)
    client.force_login(integrator)
    read = {reverse("communications:customer-communications", args=[customer.pk]),
            reverse("communications:communication-detail", args=[c.pk])}  # fmt: skip
    for method, url in _pages(customer, c):
        expected = 200 if url in read and method == "get" else 403
        assert getattr(client, method)(url).status_code == expected, (method, url)
    detail = client.get(reverse("communications:communication-detail", args=[c.pk]))
    assert "Add call action" not in detail.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, controller, customer):
    c = call(controller, customer)
    for _method, url in _pages(customer, c):
        response = client.get(url)
        assert response.status_code in (302, 405), url


def test_another_companys_manager_is_not_offered_as_our_contact(
    client, controller, customer, other_company
):
    stranger = user_in(other_company, roles.CONTROLLER)
    response = post_new(client, controller, customer, our_contact=stranger.pk)
    assert "valid choice" in " ".join(response.context["form"].errors["our_contact"])
