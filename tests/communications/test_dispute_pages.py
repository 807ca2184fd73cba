"""Disputes from the browser, and the entry detail page with the entry's history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from communications.models import Dispute, StatusCode
from communications.promises import promise_create
from communications.services import communication_create, entries_update
from ledger.models import AuditEvent, EntryType
from ledger.services import application_apply
from tests.factories import CustomerFactory, EntryFactory, payment

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def entry(customer):
    return EntryFactory(customer=customer, document_no="INV-100", amount=Decimal("200.00"),
                        remaining=Decimal("150.00"), document_date=dt.date(2026, 1, 15))  # fmt: skip


def dispute_url(entry) -> str:
    return reverse("communications:dispute-edit", args=[entry.pk])


def detail_url(entry) -> str:
    return reverse("communications:entry-detail", args=[entry.pk])


def post_dispute(client, entry, **data):
    return client.post(dispute_url(entry), {k: v for k, v in data.items() if v is not None})


def dispute_events(entry):
    ids = Dispute.objects.filter(entry=entry).values("pk")
    return AuditEvent.objects.filter(model="communications.dispute", object_id__in=ids)


# --- The dispute form -----------------------------------------------------------------


def test_dispute_page_shows_the_remaining_and_undisputed_amounts(client, controller, entry):
    client.force_login(controller)
    response = client.get(dispute_url(entry))
    assert response.status_code == 200
    html = response.content.decode()
    assert "150.00 GBP" in html
    assert "Open the dispute" in html
    assert response.context["undisputed"] == Decimal("150.00")


def test_opening_a_dispute(client, controller, manager, entry):
    client.force_login(controller)
    response = post_dispute(client, entry, amount="40.00", reason="Two pallets damaged",
                            owner=manager.pk)  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == detail_url(entry)
    dispute = Dispute.objects.get(entry=entry)
    assert (dispute.amount, dispute.reason, dispute.owner) == (
        Decimal("40.00"), "Two pallets damaged", manager,
    )  # fmt: skip
    assert dispute.opened_on == dt.date(2026, 3, 10)
    html = client.get(response["Location"]).content.decode()
    assert "INV-100: 40.00 GBP in dispute." in html


def test_owner_defaults_to_me(client, controller, entry):
    client.force_login(controller)
    post_dispute(client, entry, amount="10.00", reason="Price")
    assert Dispute.objects.get().owner == controller


def test_disputed_entry_is_flagged_on_the_ledger_tab(client, controller, customer, entry):
    client.force_login(controller)
    post_dispute(client, entry, amount="40.00", reason="Damaged")
    html = client.get(
        reverse("communications:customer-entries", args=[customer.pk])
    ).content.decode()
    assert "Disputed 40.00" in html
    assert "Change dispute" in html


def test_changing_the_amount_updates_the_same_dispute(client, controller, entry):
    client.force_login(controller)
    post_dispute(client, entry, amount="40.00", reason="Damaged")
    response = client.get(dispute_url(entry))
    assert response.context["form"]["amount"].value() == Decimal("40.00")
    assert response.context["undisputed"] == Decimal("110.00")
    post_dispute(client, entry, amount="60.00", reason="Damaged")
    dispute = Dispute.objects.get()
    assert dispute.amount == Decimal("60.00")
    assert dispute.is_open


def test_amount_above_the_remaining_is_refused_and_nothing_changes(client, controller, entry):
    client.force_login(controller)
    post_dispute(client, entry, amount="40.00", reason="Damaged")
    response = post_dispute(client, entry, amount="150.01", reason="More damage")
    assert response.status_code == 200
    message = "150.01 GBP is more than the 150.00 GBP still open on INV-100."
    assert message in response.context["form"].errors["amount"]
    assert message in response.content.decode()
    assert Dispute.objects.get().amount == Decimal("40.00")
    assert response.context["form"]["reason"].value() == "More damage"


def test_a_new_dispute_needs_a_reason(client, controller, entry):
    client.force_login(controller)
    response = post_dispute(client, entry, amount="40.00", reason="")
    assert "Say why the customer disputes the entry." in response.context["form"].errors["reason"]
    assert not Dispute.objects.exists()


def test_negative_amount_is_refused(client, controller, entry):
    client.force_login(controller)
    response = post_dispute(client, entry, amount="-1.00", reason="x")
    assert "A disputed amount cannot be below zero." in response.context["form"].errors["amount"]
    assert not Dispute.objects.exists()


def test_a_payment_cannot_be_disputed(client, controller, customer):
    credit = payment(customer, "50.00")
    client.force_login(controller)
    response = post_dispute(client, credit, amount="10.00", reason="x")
    assert "Only an invoice or a debit memo can be disputed." in response.content.decode()
    assert not Dispute.objects.exists()


def test_amount_zero_ends_the_dispute(client, controller, entry):
    client.force_login(controller)
    post_dispute(client, entry, amount="40.00", reason="Damaged")
    response = post_dispute(client, entry, amount="0", reason="")
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert (dispute.amount, dispute.ended_on) == (Decimal("0.00"), dt.date(2026, 3, 10))
    assert (
        "The dispute on Invoice INV-100 is ended." in client.get(detail_url(entry)).content.decode()
    )


def test_end_dispute_button_ends_it_and_twice_is_harmless(client, controller, entry):
    client.force_login(controller)
    post_dispute(client, entry, amount="40.00", reason="Damaged")
    assert post_dispute(client, entry, end="1").status_code == 302
    assert post_dispute(client, entry, end="1").status_code == 302
    assert not Dispute.objects.open().exists()
    assert dispute_events(entry).count() == 2


def test_history_lists_every_change_of_the_dispute(client, controller, entry):
    client.force_login(controller)
    post_dispute(client, entry, amount="40.00", reason="Damaged")
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        post_dispute(client, entry, amount="60.00", reason="")
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        post_dispute(client, entry, end="1")
    assert dispute_events(entry).count() == 3
    response = client.get(detail_url(entry))
    history = response.context["history"]
    assert [(e.kind, e.action) for e in history] == [
        ("Dispute", "update"), ("Dispute", "update"), ("Dispute", "create"),
    ]  # fmt: skip
    ended, changed, opened = history
    assert ("Amount", "60.00", "0.00") in ended.changes
    assert ("Amount", "40.00", "60.00") in changed.changes
    assert ("Amount", "—", "40.00") in opened.changes
    assert ("Owner", "—", "carol") in opened.changes
    html = response.content.decode()
    assert html.index("11:00") > html.index("12:00") > 0  # newest first
    assert '<span class="before">40.00</span> → <span class="after">60.00</span>' in html


# --- The entry detail page ------------------------------------------------------------


def test_entry_detail_shows_status_query_promises_communications_notes_and_applications(
    client, controller, manager, customer, entry
):
    entries_update(user=controller, customer=customer, entry_ids=[entry.pk],
                   status_code=StatusCode.objects.get(code="QRY"),
                   query_target_on=dt.date(2026, 3, 20), note="Customer asked for a POD")  # fmt: skip
    promise_create(user=controller, customer=customer, entry_ids=[entry.pk],
                   promised_on=dt.date(2026, 3, 31), amount=Decimal("75.00"))  # fmt: skip
    communication_create(user=controller, customer=customer, entry_ids=[entry.pk],
                         communication_type="telephone", contact_type="telephone_made",
                         subject="Chased INV-100")  # fmt: skip
    cash = payment(customer, "20.00")
    application_apply(user=manager, credit_entry=cash, debit_entry=entry,
                       amount=Decimal("20.00"))  # fmt: skip
    client.force_login(controller)
    response = client.get(detail_url(entry))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("INV-100", "130.00 GBP", "QRY", "Queried by the customer", "20 Mar 2026",
                 "75.00 GBP", "31 Mar 2026", "Chased INV-100", "Customer asked for a POD",
                 f"Payment {cash.document_no}"):  # fmt: skip
        assert text in html, text
    kinds = {e.kind for e in response.context["history"]}
    assert {"Status", "Promise"} <= kinds
    status = next(e for e in response.context["history"] if e.kind == "Status")
    assert ("Status code", "—", "QRY") in status.changes


def test_history_shows_status_code_changes_before_and_after(client, controller, customer, entry):
    for value in ("COPY", "HOLD"):
        entries_update(user=controller, customer=customer, entry_ids=[entry.pk],
                       status_code=StatusCode.objects.get(code=value))  # fmt: skip
    client.force_login(controller)
    history = client.get(detail_url(entry)).context["history"]
    assert ("Status code", "COPY", "HOLD") in history[0].changes


def test_entry_detail_query_count_does_not_grow_with_history(
    client, controller, customer, entry, django_assert_max_num_queries
):
    client.force_login(controller)
    for amount in ("10.00", "20.00", "30.00", "40.00"):
        post_dispute(client, entry, amount=amount, reason="x")
    with django_assert_max_num_queries(20):
        assert client.get(detail_url(entry)).status_code == 200


def test_debit_memo_can_be_disputed_too(client, controller, customer):
    memo = EntryFactory(customer=customer, entry_type=EntryType.DEBIT_MEMO,
                        document_date=dt.date(2026, 1, 15))  # fmt: skip
    client.force_login(controller)
    assert post_dispute(client, memo, amount="5.00", reason="Fee").status_code == 302


# --- Access -----------------------------------------------------------------------------


def test_outsider_gets_404_on_every_entry_page_and_post(client, outsider, controller, entry):
    client.force_login(controller)
    post_dispute(client, entry, amount="40.00", reason="Damaged")
    client.force_login(outsider)
    assert client.get(detail_url(entry)).status_code == 404
    assert client.get(dispute_url(entry)).status_code == 404
    assert post_dispute(client, entry, amount="10.00", reason="x").status_code == 404
    assert post_dispute(client, entry, end="1").status_code == 404
    assert Dispute.objects.get().amount == Decimal("40.00")


def test_unknown_entry_is_404(client, controller):
    client.force_login(controller)
    assert client.get(reverse("communications:entry-detail", args=[999999])).status_code == 404


def test_integrator_cannot_dispute_from_the_browser(client, integrator, entry):
    client.force_login(integrator)
    assert post_dispute(client, entry, amount="10.00", reason="x").status_code == 403
    assert not Dispute.objects.exists()


def test_entry_of_another_company_is_not_visible_from_its_own_customer_page(
    client, controller, other_company
):
    stranger = EntryFactory(customer=CustomerFactory(company=other_company))
    client.force_login(controller)
    assert client.get(detail_url(stranger)).status_code == 404
    assert client.get(dispute_url(stranger)).status_code == 404
