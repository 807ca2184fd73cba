"""The customer card's History tab, the statement buttons and the stored documents."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from creditcontrol import roles
from followups.models import (
    Channel,
    Document,
    FollowUpAction,
    FollowUpActionEntry,
    OutboxMessage,
)
from followups.plans import plan_for
from tests.factories import ContactFactory, CustomerFactory, EntryFactory, UserFactory, user_in
from tests.followups.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def action(customer, *, at, channel=Channel.EMAIL, by=None, level=None, entries=(), docs=0):
    a = FollowUpAction.objects.create(
        company=customer.company, customer=customer, channel=channel, at=at,
        on=at.astimezone(customer.company.tz).date(), by=by, level=level,
        level_sequence=level.sequence if level else None, level_name=level.name if level else "",
        total_lcy=sum((e.remaining_lcy for e in entries), Decimal("0.00")),
    )  # fmt: skip
    FollowUpActionEntry.objects.bulk_create(
        FollowUpActionEntry(action=a, entry=e, level=level.sequence if level else None,
                            remaining_lcy=e.remaining_lcy)
        for e in entries
    )  # fmt: skip
    for n in range(docs):
        Document.objects.create(company=customer.company, customer=customer, action=a,
                                kind=Document.Kind.LETTER, filename=f"letter-{a.pk}-{n}.pdf",
                                content=b"%PDF-1.7 letter")  # fmt: skip
    return a


def rows(html: str) -> list[str]:
    """The History table's rows as ``action-<id>: <text of the cells>``."""
    return [
        f"{row_id}: " + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells)).strip()
        for row_id, cells in re.findall(r'<tr id="(action-\d+)">(.*?)</tr>', html, re.S)
    ]


def test_history_lists_every_action_newest_first_with_who_level_entries_amount_document(
    client, controller, customer
):
    level = plan_for(customer.company).levels.get(sequence=2)
    inv1 = EntryFactory(customer=customer, document_no="INV-1", amount=Decimal("120.00"))
    inv2 = EntryFactory(customer=customer, document_no="INV-2", amount=Decimal("30.50"))
    older = action(customer, at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), by=controller,
                   level=level, entries=[inv1, inv2], docs=1)  # fmt: skip
    newer = action(customer, at=dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC),
                   channel=Channel.STATEMENT, entries=[inv1])  # fmt: skip
    client.force_login(controller)
    response = client.get(reverse("followups:customer-history", args=[customer.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    first, second = rows(html)
    # Times in the company's time zone (London is on GMT in November); no user: Automatic.
    assert first.startswith(f"action-{newer.pk}: 20 Nov 2026 23:30 Automatic — Statement")
    assert first.endswith("INV-1 120.00 GBP —")
    assert second.startswith(f"action-{older.pk}: 02 Nov 2026 09:00 carol 2. First reminder")
    assert "INV-1 L2 , INV-2 L2 150.50 GBP Reminder letter (PDF)" in second
    entry_url = reverse("communications:entry-detail", args=[inv2.pk])
    assert f'href="{entry_url}"' in html
    doc = older.documents.get()
    assert f'href="{reverse("followups:document", args=[doc.pk])}"' in html
    assert 'aria-selected="true"' in html.split('id="tab-history"', 1)[1][:200]


def test_history_is_paginated_and_its_queries_do_not_grow_with_rows(
    client, controller, customer, django_assert_max_num_queries
):
    level = plan_for(customer.company).levels.get(sequence=1)
    entries = [EntryFactory(customer=customer) for _ in range(8)]
    for n in range(30):
        action(customer, at=NOW - dt.timedelta(days=n), by=controller if n % 2 else None,
               level=level, entries=entries, docs=2)  # fmt: skip
    client.force_login(controller)
    url = reverse("followups:customer-history", args=[customer.pk])
    with django_assert_max_num_queries(10):
        first = client.get(url, HTTP_HX_REQUEST="true")
    assert len(rows(first.content.decode())) == 25
    with django_assert_max_num_queries(14):
        page_two = client.get(url + "?page=2")
    html = page_two.content.decode()
    assert len(rows(html)) == 5
    assert "Page 2 of 2" in html
    assert "and 2 more" in html  # 8 entries: six shown, the rest counted


def test_an_empty_history_says_so(client, controller, customer):
    client.force_login(controller)
    html = client.get(reverse("followups:customer-history", args=[customer.pk])).content.decode()
    assert "No follow-up actions yet" in html


def test_the_card_offers_the_history_tab_and_the_statement_buttons(client, controller, customer):
    client.force_login(controller)
    html = client.get(reverse("ledger:customer-card", args=[customer.pk])).content.decode()
    assert f'href="{reverse("followups:customer-history", args=[customer.pk])}"' in html
    assert f'href="{reverse("followups:statement-pdf", args=[customer.pk])}"' in html
    assert f'href="{reverse("followups:statement-send", args=[customer.pk])}"' in html


def test_statement_pdf_is_printed_now_for_download(client, controller, customer):
    EntryFactory(customer=customer, document_no="INV-77", amount=Decimal("77.70"))
    client.force_login(controller)
    response = client.get(reverse("followups:statement-pdf", args=[customer.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="statement-ACC001-2026-11-23.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Bolt & Nut Ltd" in text and "INV-77" in text and "77.70" in text


def test_send_statement_form_prefills_the_recipients_then_queues_the_email(
    client, controller, customer
):
    ContactFactory(customer=customer, email="jane@bolt.example", is_credit_contact=True)
    client.force_login(controller)
    url = reverse("followups:statement-send", args=[customer.pk])
    html = client.get(url).content.decode()
    assert 'name="to" id="id_to" value="jane@bolt.example"' in html

    response = client.post(url, {"to": "jane@bolt.example, boss@bolt.example"}, follow=True)
    assert response.redirect_chain == [
        (reverse("followups:customer-history", args=[customer.pk]), 302)
    ]
    message = OutboxMessage.objects.get()
    assert message.to == ["jane@bolt.example", "boss@bolt.example"]
    html = response.content.decode()
    assert "Statement queued for jane@bolt.example, boss@bolt.example" in html
    assert "Statement" in rows(html)[0]


def test_send_statement_refuses_a_customer_without_an_address_and_keeps_the_form(
    client, controller, customer
):
    client.force_login(controller)
    url = reverse("followups:statement-send", args=[customer.pk])
    assert "type one" in client.get(url).content.decode()
    response = client.post(url, {"to": ""})
    assert response.status_code == 400
    assert "Bolt &amp; Nut Ltd has no email address" in response.content.decode()
    response = client.post(url, {"to": "oops"})
    assert response.status_code == 400
    assert 'value="oops"' in response.content.decode()  # what was typed is kept
    assert not OutboxMessage.objects.exists()
    assert not FollowUpAction.objects.exists()


def test_a_stored_document_is_served_inline(client, controller, customer):
    a = action(customer, at=NOW, by=controller, docs=1)
    doc = a.documents.get()
    client.force_login(controller)
    response = client.get(reverse("followups:document", args=[doc.pk]))
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 letter"
    assert response["Content-Disposition"] == f'inline; filename="{doc.filename}"'


@pytest.mark.parametrize(
    "name", ["customer-history", "statement-pdf", "statement-send", "document"]
)
def test_another_companys_customer_or_document_is_not_found(client, outsider, customer, name):
    doc = action(customer, at=NOW, docs=1).documents.get()
    client.force_login(outsider)
    pk = doc.pk if name == "document" else customer.pk
    assert client.get(reverse(f"followups:{name}", args=[pk])).status_code == 404
    assert client.post(reverse("followups:statement-send", args=[customer.pk]),
                       {"to": "x@example.com"}).status_code == 404  # fmt: skip
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize(
    "name", ["customer-history", "statement-pdf", "statement-send", "document"]
)
def test_a_user_without_a_role_is_refused(client, company, customer, name):
    doc = action(customer, at=NOW, docs=1).documents.get()
    nobody = UserFactory()
    company.members.add(nobody)
    client.force_login(nobody)
    pk = doc.pk if name == "document" else customer.pk
    assert client.get(reverse(f"followups:{name}", args=[pk])).status_code == 403


def test_an_integrator_reads_the_history_but_does_not_send_statements(client, customer):
    integrator = user_in(customer.company, roles.INTEGRATOR)
    client.force_login(integrator)
    assert client.get(reverse("followups:customer-history", args=[customer.pk])).status_code == 200
    url = reverse("followups:statement-send", args=[customer.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"to": "x@example.com"}).status_code == 403
    assert not OutboxMessage.objects.exists()


def test_signed_out_visitors_go_to_the_sign_in_page(client, customer):
    response = client.get(reverse("followups:customer-history", args=[customer.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_history_times_follow_the_customers_company(client, other_company):
    berlin_customer = CustomerFactory(company=other_company)
    action(berlin_customer, at=dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC))
    manager = user_in(other_company, roles.MANAGER)
    client.force_login(manager)
    url = reverse("followups:customer-history", args=[berlin_customer.pk])
    html = client.get(url).content.decode()
    assert rows(html)[0].split(": ", 1)[1].startswith("24 Nov 2026 00:30")
    assert "times in Europe/Berlin" in html
