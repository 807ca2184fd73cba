"""Sending a statement from the customer card: history, communication, one outbox email."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from communications.models import Communication
from creditcontrol import roles
from followups.models import Channel, FollowUpAction, OutboxMessage
from followups.outbox import outbox_deliver
from followups.statements import statement_send
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    CustomerFactory,
    EntryFactory,
    payment,
    user_in,
)
from tests.followups.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def account(customer):
    customer.email = "accounts@bolt.example"
    customer.save()
    EntryFactory(customer=customer, document_no="INV-1", amount=Decimal("300.00"),
                 document_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 10, 1))  # fmt: skip
    EntryFactory(customer=customer, document_no="INV-2", amount=Decimal("200.00"),
                 document_date=dt.date(2026, 11, 10), due_date=dt.date(2026, 12, 10))  # fmt: skip
    payment(customer, "50.00", document_no="PAY-1")
    EntryFactory(customer=customer, document_no="INV-PAID", remaining=Decimal("0.00"))
    return customer


def written() -> tuple[int, int, int]:
    return (FollowUpAction.objects.count(), Communication.objects.count(),
            OutboxMessage.objects.count())  # fmt: skip


def test_statement_send_records_history_a_communication_and_one_outbox_email(account, controller):
    contact = ContactFactory(customer=account, first_name="Jane", last_name="Doe",
                             email="jane@bolt.example", is_credit_contact=True)  # fmt: skip
    message = statement_send(user=controller, customer=account)

    action = FollowUpAction.objects.get()
    assert (action.channel, action.by, action.on, action.total_lcy) == (
        Channel.STATEMENT, controller, dt.date(2026, 11, 23), Decimal("450.00"))  # fmt: skip
    assert sorted(e.document_no for e in action.entries.all()) == ["INV-1", "INV-2", "PAY-1"]
    assert action.note == "Sent to jane@bolt.example."

    c = action.communication
    assert (c.communication_type, c.contact_type, c.contact, c.our_contact) == (
        "correspondence", "email_sent", contact, controller)  # fmt: skip
    assert c.subject == "Statement of account at 23 Nov 2026 sent by email"
    assert not c.is_live  # nothing is left to follow up
    assert c.balance_lcy == Decimal("450.00")

    assert (message.kind, message.key, message.to, message.attach_statement) == (
        OutboxMessage.Kind.EMAIL, f"statement:{action.pk}", ["jane@bolt.example"], True)  # fmt: skip
    assert (message.action, message.communication, message.as_of, message.created_by) == (
        action, c, dt.date(2026, 11, 23), controller)  # fmt: skip
    assert message.subject == "Acme Trading Ltd: statement of account at 23 Nov 2026"
    assert message.body.startswith("Dear Jane Doe,\n\nPlease find attached your statement")
    assert "the balance is 450.00 GBP, of which 300.00 GBP is past its due date" in message.body
    assert message.body.endswith(f"Kind regards,\n{controller.username}\nAcme Trading Ltd")


def test_the_worker_sends_the_statement_once_with_the_pdf_attached(account, controller):
    statement_send(user=controller, customer=account)
    assert outbox_deliver() == 1
    assert outbox_deliver() == 0
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["accounts@bolt.example"]
    ((name, content, mimetype),) = email.attachments
    assert (name, mimetype) == ("statement-ACC001-2026-11-23.pdf", "application/pdf")
    text = pdf_text(content)
    assert "Bolt & Nut Ltd" in text and "INV-1" in text and "PAY-1" in text
    assert "INV-PAID" not in text


def test_typed_recipients_are_checked_and_used(account, controller):
    message = statement_send(user=controller, customer=account,
                             to=" a@bolt.example; b@bolt.example,A@bolt.example ")  # fmt: skip
    assert message.to == ["a@bolt.example", "b@bolt.example"]

    with pytest.raises(ValidationError) as exc:
        statement_send(user=controller, customer=account, to="a@bolt.example, not-an-address")
    assert exc.value.message_dict["to"] == [
        "Not an email address: not-an-address. Nothing was sent."
    ]
    assert written() == (1, 1, 1)


def test_a_customer_without_an_email_address_is_refused_clearly(account, controller):
    account.email = ""
    account.save()
    ContactFactory(customer=account, email="", is_credit_contact=True)
    with pytest.raises(ValidationError) as exc:
        statement_send(user=controller, customer=account)
    assert "Bolt & Nut Ltd has no email address" in exc.value.message_dict["to"][0]
    assert written() == (0, 0, 0)


@pytest.mark.parametrize("who", ["outsider", "integrator"])
def test_only_people_working_the_customers_company_send_statements(account, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        statement_send(user=user, customer=account)
    assert written() == (0, 0, 0)


def test_the_statement_is_dated_in_the_companys_time_zone():
    company = CompanyFactory(time_zone="Pacific/Auckland", base_currency="NZD")
    customer = CustomerFactory(company=company, email="ap@kiwi.example")
    EntryFactory(customer=customer, amount=Decimal("10.00"))
    # 11:30 UTC on 23 November is 00:30 on 24 November in Auckland (UTC+13 in summer).
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, 30, tzinfo=dt.UTC), tick=False):
        message = statement_send(user=user_in(company, roles.MANAGER), customer=customer)
    assert message.as_of == dt.date(2026, 11, 24)
    assert message.action.on == dt.date(2026, 11, 24)
    assert "24 Nov 2026" in message.subject
