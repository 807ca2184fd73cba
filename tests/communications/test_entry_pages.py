"""The Ledger entries tab as a workbench: row flags, the selection, Update selected entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communications.models import EntryNote, EntryStatus, Promise, StatusCode
from communications.promises import dispute_set, promise_create
from communications.services import entries_update
from ledger.models import AuditEvent
from tests.factories import CustomerFactory, EntryFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def invoice(customer, amount="100.00", **kwargs):
    kwargs.setdefault("document_date", dt.date(2026, 1, 15))
    return EntryFactory(customer=customer, amount=Decimal(amount), **kwargs)


def code(value: str) -> StatusCode:
    return StatusCode.objects.get(code=value)


def tab(client, customer, **params):
    response = client.get(reverse("communications:customer-entries", args=[customer.pk]), params)
    assert response.status_code == 200
    return response


def update_url(customer) -> str:
    return reverse("communications:entries-update", args=[customer.pk])


def post_update(client, customer, entries, **data):
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(update_url(customer), {"entries": [e.pk for e in entries], **data})


def nothing_written() -> bool:
    return not (
        Promise.objects.exists() or EntryStatus.objects.exists() or EntryNote.objects.exists()
    )


def flag_everything(customer, user, entry) -> None:
    dispute_set(user=user, entry=entry, amount=Decimal("25.00"), reason="Short delivery")
    entries_update(user=user, customer=customer, entry_ids=[entry.pk], status_code=code("QRY"),
                   query_target_on=dt.date(2026, 3, 20), note="Asked for a POD")  # fmt: skip
    promise_create(user=user, customer=customer, entry_ids=[entry.pk],
                   promised_on=dt.date(2026, 3, 31), amount=Decimal("40.00"))  # fmt: skip


# --- The tab --------------------------------------------------------------------------


def test_entries_tab_flags_dispute_status_query_promise_and_notes(client, controller, customer):
    entry = invoice(customer, document_no="INV-FLAGGED")
    invoice(customer, document_no="INV-PLAIN")
    flag_everything(customer, controller, entry)
    client.force_login(controller)
    html = tab(client, customer).content.decode()
    row = html[html.index("INV-FLAGGED") : html.index("</tr>", html.index("INV-FLAGGED"))]
    assert "Disputed 25.00" in row
    assert "QRY · by 20 Mar 2026" in row
    assert "carol" in row  # the resolution owner defaulted to the controller
    assert "Promised 40.00 GBP by 31 Mar 2026" in row
    assert "1 note" in row
    plain = html[html.index("INV-PLAIN") : html.index("</tr>", html.index("INV-PLAIN"))]
    for flag in ("Disputed", "Promised", "badge-notes", "badge-code"):
        assert flag not in plain


def test_entries_tab_rows_carry_what_the_selection_bar_sums(client, controller, customer):
    entry = invoice(customer, amount="120.50", currency="EUR", exchange_rate=Decimal("0.85"))
    client.force_login(controller)
    html = tab(client, customer).content.decode()
    assert "data-select-all" in html
    assert (f'name="entries" value="{entry.pk}" data-entry\n        data-currency="EUR" '
            f'data-remaining="120.50" data-remaining-lcy="102.43"') in html  # fmt: skip
    assert f'action="{update_url(customer)}"' in html
    assert "Update selected entries" in html
    assert "js/entries.js" in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_entries_tab_query_count_holds_with_flags(
    client, controller, company, django_assert_max_num_queries
):
    customer = CustomerFactory(company=company)
    client.force_login(controller)
    url = reverse("communications:customer-entries", args=[customer.pk])
    for _ in range(3):
        flag_everything(customer, controller, invoice(customer))
    few = _queries(client, url)
    for _ in range(20):
        flag_everything(customer, controller, invoice(customer))
    with django_assert_max_num_queries(10):
        client.get(url)
    assert _queries(client, url) == few


# --- Update selected entries: the page ------------------------------------------------


def test_update_page_lists_the_selection_with_its_sums(client, controller, customer):
    a = invoice(customer, amount="100.00", document_no="INV-A")
    b = invoice(customer, amount="50.25", document_no="INV-B")
    c = invoice(customer, amount="80.00", document_no="INV-C", currency="EUR",
                exchange_rate=Decimal("0.5"))  # fmt: skip
    invoice(customer, document_no="INV-NOT-PICKED")
    client.force_login(controller)
    response = client.get(update_url(customer), {"entries": f"{a.pk},{b.pk},{c.pk}"})
    assert response.status_code == 200
    html = response.content.decode()
    for number in ("INV-A", "INV-B", "INV-C"):
        assert number in html
    assert "INV-NOT-PICKED" not in html
    assert 'data-total="GBP">150.25<' in html
    assert 'data-total="EUR">80.00<' in html
    assert 'data-total="LCY">190.25<' in html
    assert response.context["form"]["query_target_on"].value() == TODAY


def test_update_page_offers_codes_with_their_flags(client, controller, customer):
    entry = invoice(customer)
    client.force_login(controller)
    html = client.get(update_url(customer), {"entries": entry.pk}).content.decode()
    prom, qry = code("PROM"), code("QRY")
    assert (f'value="{prom.pk}" data-promised="1" data-queried="0" '
            f'data-owner-default="0"') in html  # fmt: skip
    assert f'value="{qry.pk}" data-promised="0" data-queried="1" data-owner-default="1"' in html
    assert f'data-current-user="{controller.pk}"' in html


def test_update_page_defaults_the_target_date_to_today_in_the_company_time_zone(
    client, outsider, other_company
):
    customer = CustomerFactory(company=other_company)
    entry = invoice(customer)
    # 23:30 UTC on 10 March is already 11 March in Berlin.
    with time_machine.travel(dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False):
        client.force_login(outsider)  # signed in since 10:00 would be an idle session by now
        response = client.get(update_url(customer), {"entries": entry.pk})
    assert response.context["form"]["query_target_on"].value() == dt.date(2026, 3, 11)


def test_update_page_with_another_customers_entry_says_it_is_left_out(
    client, controller, customer, company
):
    mine = invoice(customer, document_no="INV-MINE")
    theirs = invoice(CustomerFactory(company=company), document_no="INV-THEIRS")
    client.force_login(controller)
    response = client.get(update_url(customer), {"entries": f"{mine.pk},{theirs.pk}"})
    html = response.content.decode()
    assert "INV-MINE" in html
    assert "INV-THEIRS" not in html
    assert f"Entry {theirs.pk} is not a ledger entry of customer ACC001" in html


# --- Update selected entries: what it writes ------------------------------------------


def test_status_code_and_note_go_on_every_selected_entry(client, controller, customer):
    a, b = invoice(customer), invoice(customer)
    client.force_login(controller)
    response = post_update(client, customer, [a, b], status_code=code("COPY").pk,
                           note="Copy invoice emailed")  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == reverse("communications:customer-entries", args=[customer.pk])
    for entry in (a, b):
        status = EntryStatus.objects.get(entry=entry)
        assert status.status_code.code == "COPY"
        assert status.query_target_on is None
        assert entry.notes.get().text == "Copy invoice emailed"
    followed = client.get(response["Location"])
    assert "Updated 2 entries: status code COPY and a note." in followed.content.decode()


def test_notes_are_added_never_overwritten(client, controller, customer):
    entry = invoice(customer)
    client.force_login(controller)
    post_update(client, customer, [entry], note="First call")
    post_update(client, customer, [entry], note="Second call")
    assert sorted(entry.notes.values_list("text", flat=True)) == ["First call", "Second call"]


def test_ids_may_come_comma_separated_or_repeated(client, controller, customer):
    a, b = invoice(customer), invoice(customer)
    client.force_login(controller)
    response = client.post(update_url(customer), {"entries": f"{a.pk},{b.pk}", "note": "Both"})
    assert response.status_code == 302
    assert EntryNote.objects.filter(text="Both").count() == 2


def test_promised_full_amount_ignores_the_partial_amount(client, controller, customer):
    a, b = invoice(customer, "100.00"), invoice(customer, "60.00", remaining=Decimal("30.00"))
    client.force_login(controller)
    response = post_update(client, customer, [a, b], status_code=code("PROM").pk, is_full="on",
                           amount="5.00", promised_on="2026-03-20")  # fmt: skip
    assert response.status_code == 302
    promise = Promise.objects.get()
    assert promise.is_full is True
    assert promise.amount == Decimal("130.00")
    assert promise.promised_on == dt.date(2026, 3, 20)
    assert set(promise.entries.all()) == {a, b}
    assert EntryStatus.objects.filter(status_code__code="PROM").count() == 2


def test_promised_partial_amount_is_recorded(client, controller, customer):
    entry = invoice(customer, "100.00")
    client.force_login(controller)
    response = post_update(client, customer, [entry], status_code=code("PROM").pk,
                           amount="40.00", promised_on="2026-03-31")  # fmt: skip
    assert response.status_code == 302
    promise = Promise.objects.get()
    assert (promise.is_full, promise.amount) == (False, Decimal("40.00"))
    assert entry.todos.get().description == "Check promised payment has been received"


def test_queried_code_defaults_target_to_today_and_owner_to_me(client, controller, customer):
    entry = invoice(customer)
    client.force_login(controller)
    response = post_update(client, customer, [entry], status_code=code("QRY").pk)
    assert response.status_code == 302
    status = EntryStatus.objects.get(entry=entry)
    assert status.query_target_on == TODAY
    assert status.query_owner == controller


def test_queried_code_keeps_the_target_and_owner_given(client, controller, manager, customer):
    entry = invoice(customer)
    client.force_login(controller)
    post_update(client, customer, [entry], status_code=code("POD").pk,
                query_target_on="2026-04-01", query_owner=manager.pk)  # fmt: skip
    status = EntryStatus.objects.get(entry=entry)
    assert (status.query_target_on, status.query_owner) == (dt.date(2026, 4, 1), manager)


def test_promise_fields_are_ignored_for_a_code_that_is_not_promised(client, controller, customer):
    entry = invoice(customer)
    client.force_login(controller)
    post_update(client, customer, [entry], status_code=code("HOLD").pk, amount="10",
                promised_on="2026-03-20")  # fmt: skip
    assert not Promise.objects.exists()
    assert EntryStatus.objects.get(entry=entry).status_code.code == "HOLD"


def test_status_change_is_audited(client, controller, customer):
    entry = invoice(customer)
    client.force_login(controller)
    post_update(client, customer, [entry], status_code=code("COPY").pk)
    post_update(client, customer, [entry], status_code=code("HOLD").pk)
    events = AuditEvent.objects.filter(model="communications.entrystatus", object_id=entry.pk)
    assert events.count() == 2


# --- Refusals: a clear message next to the field, nothing written ----------------------


def refused(response, field: str | None, text: str) -> None:
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(text in e for e in errors), form.errors
    assert text in response.content.decode().replace("&#x27;", "'")
    assert nothing_written()


def test_promise_above_the_selections_remaining_is_refused(client, controller, customer):
    a, b = invoice(customer, "100.00"), invoice(customer, "50.00")
    client.force_login(controller)
    response = post_update(client, customer, [a, b], status_code=code("PROM").pk,
                           amount="150.01", promised_on="2026-03-20", note="Keep me")  # fmt: skip
    refused(response, "amount", "150.01 GBP is more than the 150.00 GBP still open")
    # What the user typed is still there.
    assert response.context["form"]["note"].value() == "Keep me"
    assert 'value="150.01"' in response.content.decode()


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00"])
def test_partial_amount_of_zero_or_below_is_refused(client, controller, customer, amount):
    entry = invoice(customer)
    client.force_login(controller)
    response = post_update(client, customer, [entry], status_code=code("PROM").pk,
                           amount=amount, promised_on="2026-03-20")  # fmt: skip
    refused(response, "amount", "A promised amount must be more than zero.")


def test_partial_promise_without_an_amount_is_refused(client, controller, customer):
    entry = invoice(customer)
    client.force_login(controller)
    response = post_update(client, customer, [entry], status_code=code("PROM").pk,
                           promised_on="2026-03-20")  # fmt: skip
    refused(response, "amount", "Give the promised amount, or tick full amount.")


@pytest.mark.parametrize(
    ("day", "text"),
    [
        ("2026-03-09", "The promised date cannot be before 10 Mar 2026."),
        ("2027-12-31", "The promised date cannot be after 11 Mar 2027."),
    ],
)
def test_promised_date_out_of_range_is_refused(client, controller, customer, day, text):
    entry = invoice(customer)
    client.force_login(controller)
    response = post_update(client, customer, [entry], status_code=code("PROM").pk,
                           is_full="on", promised_on=day)  # fmt: skip
    refused(response, "promised_on", text)


def test_promise_without_a_date_is_refused(client, controller, customer):
    entry = invoice(customer)
    client.force_login(controller)
    response = post_update(client, customer, [entry], status_code=code("PROM").pk, is_full="on")
    refused(response, "promised_on", "Give the date the customer promised to pay by.")


def test_query_target_in_the_past_is_refused(client, controller, customer):
    entry = invoice(customer)
    client.force_login(controller)
    response = post_update(client, customer, [entry], status_code=code("QRY").pk,
                           query_target_on="2026-03-01")  # fmt: skip
    refused(response, "query_target_on", "The resolution target date cannot be before")


def test_queried_code_without_owner_default_needs_an_owner(client, controller, customer):
    entry = invoice(customer)
    client.force_login(controller)
    response = post_update(client, customer, [entry], status_code=code("POD").pk)
    refused(response, "query_owner", "Choose a person.")


def test_nothing_chosen_is_refused(client, controller, customer):
    entry = invoice(customer)
    client.force_login(controller)
    response = post_update(client, customer, [entry])
    refused(response, "status_code", "Choose a status code or write a note.")


@pytest.mark.parametrize("whose", ["another customer", "another company"])
def test_an_entry_of_another_customer_or_company_is_refused(
    client, controller, customer, company, other_company, whose
):
    mine = invoice(customer)
    stranger_company = company if whose == "another customer" else other_company
    theirs = invoice(CustomerFactory(company=stranger_company))
    client.force_login(controller)
    response = post_update(client, customer, [mine, theirs], status_code=code("COPY").pk,
                           note="Should not land")  # fmt: skip
    refused(response, None, f"Entry {theirs.pk} is not a ledger entry of customer ACC001")
    # The page keeps the customer's own entries selected for a second try.
    assert [e.pk for e in response.context["entries"]] == [mine.pk]


def test_a_selection_that_is_not_ids_is_refused(client, controller, customer):
    client.force_login(controller)
    response = client.post(update_url(customer), {"entries": "1,drop table", "note": "x"})
    refused(response, None, "“drop table” is not a ledger entry number; nothing was saved.")


def test_an_empty_selection_is_refused(client, controller, customer):
    client.force_login(controller)
    response = client.post(update_url(customer), {"note": "x"})
    refused(response, None, "Select at least one entry.")


# --- Access -----------------------------------------------------------------------------


def test_outsider_gets_404_on_the_tab_and_the_update_page(client, outsider, customer):
    entry = invoice(customer)
    client.force_login(outsider)
    assert client.get(reverse("communications:customer-entries", args=[customer.pk])).status_code == 404  # fmt: skip
    assert client.get(update_url(customer), {"entries": entry.pk}).status_code == 404
    response = post_update(client, customer, [entry], status_code=code("COPY").pk, note="x")
    assert response.status_code == 404
    assert nothing_written()


def test_integrator_cannot_update_entries_from_the_browser(client, integrator, customer):
    entry = invoice(customer)
    client.force_login(integrator)
    response = post_update(client, customer, [entry], note="x")
    assert response.status_code == 403
    assert nothing_written()


def test_signed_out_visitor_is_sent_to_sign_in(client, customer):
    response = client.get(update_url(customer))
    assert response.status_code == 302
    assert "login" in response["Location"]
