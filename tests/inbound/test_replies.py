"""Replies come back: matched by reply address, thread or sender; recorded once with text
and attachments; a to-do that pauses chasing; automatic replies pause nothing; bounces mark
the contact; the inbound endpoint takes raw MIME behind its secret."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from communications.links import link_for, reply_address
from communications.models import Communication, ToDo
from events.models import Event
from followups.engine import run_followups
from followups.models import OutboxMessage, Proposal
from followups.plans import plan_for
from inbound.models import InboundMessage
from inbound.services import inbound_take
from tests.factories import ContactFactory, EntryFactory
from tests.reach_helpers import bounce_bytes, email_bytes, tiny_pdf

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def account(customer, controller):
    customer.controller = controller
    customer.save()
    contact = ContactFactory(customer=customer, email="jo@bolt.example", is_credit_contact=True)
    return customer, contact


@pytest.mark.django_db
def test_reply_to_the_reply_address_is_recorded_with_text_attachments_and_a_todo(account,
                                                                                  clock):  # fmt: skip
    customer, contact = account
    to = reply_address(link_for(customer))
    raw = email_bytes(sender="Jo <jo@bolt.example>", to=to, subject="Re: Zahlungserinnerung",
                      body="Wir haben gestern überwiesen.",
                      attachments=[("remittance.pdf", tiny_pdf("Remittance"))])  # fmt: skip
    message, new = inbound_take(raw, source="api")
    assert new and message.kind == "reply" and message.matched_by == "reply_address"
    c = message.communication
    assert (c.contact_type, c.customer_id, c.contact_id) == ("email_received", customer.pk,
                                                             contact.pk)  # fmt: skip
    assert "überwiesen" in c.notes and "remittance.pdf" in c.notes
    (attachment,) = message.attachments.all()
    assert attachment.file.read().startswith(b"%PDF-")
    todo = ToDo.objects.replies_unhandled().get()
    assert todo.customer_id == customer.pk and todo.owner == customer.controller
    assert Event.objects.filter(kind="reply.received", customer=customer).exists()


@pytest.mark.django_db
def test_same_message_twice_is_recorded_once(account, clock):
    raw = email_bytes(sender="jo@bolt.example", to="credit-control@example.com",
                      message_id="<same@bolt.example>")  # fmt: skip
    first, new1 = inbound_take(raw, source="imap")
    second, new2 = inbound_take(raw, source="api")
    assert (new1, new2) == (True, False) and first.pk == second.pk
    assert Communication.objects.filter(contact_type="email_received").count() == 1
    assert ToDo.objects.replies_unhandled().count() == 1


@pytest.mark.django_db
def test_reply_is_matched_by_in_reply_to_of_a_message_we_sent(account, clock):
    customer, _ = account
    OutboxMessage.objects.create(company=customer.company, customer=customer, kind="email",
                                 key="k1", as_of=NOW.date(), message_id="<sent-1@example.com>")  # fmt: skip
    raw = email_bytes(sender="someone.else@elsewhere.example", to="credit-control@example.com",
                      in_reply_to="<sent-1@example.com>")  # fmt: skip
    message, _ = inbound_take(raw, source="imap")
    assert (message.customer_id, message.matched_by) == (customer.pk, "thread")


@pytest.mark.django_db
def test_reply_is_matched_by_sender_among_contacts_else_unmatched(account, clock):
    customer, _ = account
    by_sender, _ = inbound_take(email_bytes(sender="JO@bolt.example", to="x@example.com"),
                                source="imap")  # fmt: skip
    assert (by_sender.customer_id, by_sender.matched_by) == (customer.pk, "sender")
    stranger, _ = inbound_take(email_bytes(sender="spam@nowhere.example", to="x@example.com"),
                               source="imap")  # fmt: skip
    assert (stranger.kind, stranger.customer_id, stranger.communication_id) == ("unmatched",
                                                                               None, None)  # fmt: skip


@pytest.mark.django_db
def test_automatic_reply_is_recorded_but_pauses_nothing(account, clock):
    customer, _ = account
    raw = email_bytes(sender="jo@bolt.example", to=reply_address(link_for(customer)),
                      subject="Abwesenheitsnotiz", headers={"Auto-Submitted": "auto-replied"})  # fmt: skip
    message, _ = inbound_take(raw, source="imap")
    assert message.kind == "auto_reply" and message.communication_id
    assert not ToDo.objects.replies_unhandled().exists()


@pytest.mark.django_db
def test_bounce_marks_the_contacts_address_as_bouncing(account, clock):
    _customer, contact = account
    message, _ = inbound_take(bounce_bytes(failed="jo@bolt.example",
                                           original_id="<sent-9@example.com>"), source="imap")  # fmt: skip
    contact.refresh_from_db()
    assert message.kind == "bounce" and contact.email_bounced_at == NOW
    assert not ToDo.objects.replies_unhandled().exists()


@pytest.mark.django_db
def test_unhandled_reply_pauses_chasing_until_its_todo_is_closed(account, controller, clock):
    customer, _ = account
    EntryFactory(customer=customer, due_date=dt.date(2026, 11, 1))
    plan_for(customer.company)
    inbound_take(email_bytes(sender="jo@bolt.example", to="x@example.com"), source="imap")
    run_followups(company=customer.company, as_of=NOW.date(), trigger="command")
    assert not Proposal.objects.filter(customer=customer).exists()
    todo = ToDo.objects.replies_unhandled().get()
    from communications.todos import todo_close

    todo_close(user=controller, todo=todo)
    run_followups(company=customer.company, as_of=NOW.date(), trigger="command")
    assert Proposal.objects.filter(customer=customer, status="open").exists()


@pytest.mark.django_db
def test_plan_option_off_keeps_chasing_a_customer_who_replied(account, clock):
    customer, _ = account
    EntryFactory(customer=customer, due_date=dt.date(2026, 11, 1))
    plan = plan_for(customer.company)
    plan.pause_on_reply = False
    plan.save()
    inbound_take(email_bytes(sender="jo@bolt.example", to="x@example.com"), source="imap")
    run_followups(company=customer.company, as_of=NOW.date(), trigger="command")
    assert Proposal.objects.filter(customer=customer, status="open").exists()


@pytest.mark.django_db
def test_inbound_endpoint_takes_raw_mime_behind_its_secret(client, account, settings, clock):
    customer, _ = account
    settings.INBOUND_SECRET = "inbound-secret"
    raw = email_bytes(sender="jo@bolt.example", to=reply_address(link_for(customer)),
                      message_id="<posted@bolt.example>")  # fmt: skip
    url = "/api/v1/inbound/email/"
    assert client.post(url, raw, content_type="message/rfc822").status_code == 401
    assert client.post(url, raw, content_type="message/rfc822",
                       HTTP_AUTHORIZATION="Bearer wrong").status_code == 401  # fmt: skip
    ok = client.post(url, raw, content_type="message/rfc822",
                     HTTP_AUTHORIZATION="Bearer inbound-secret")  # fmt: skip
    assert ok.status_code == 201 and ok.json()["customer"] == customer.pk
    again = client.post(url, raw, content_type="message/rfc822",
                        HTTP_AUTHORIZATION="Bearer inbound-secret")  # fmt: skip
    assert again.status_code == 200 and again.json()["new"] is False
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_inbound_endpoint_is_off_without_a_secret(client, settings):
    settings.INBOUND_SECRET = ""
    assert (
        client.post("/api/v1/inbound/email/", b"x", content_type="message/rfc822").status_code
        == 404
    )


@pytest.mark.django_db
def test_attachment_download_is_refused_to_an_outsider(client, account, outsider, controller,
                                                       clock):  # fmt: skip
    message, _ = inbound_take(email_bytes(sender="jo@bolt.example", to="x@example.com",
                                          attachments=[("a.pdf", tiny_pdf())]), source="api")  # fmt: skip
    pk = message.attachments.get().pk
    client.force_login(outsider)
    assert client.get(f"/inbound/attachments/{pk}/").status_code == 404
    client.force_login(controller)
    assert client.get(f"/inbound/attachments/{pk}/").status_code == 200


@pytest.mark.django_db
def test_reply_for_a_customer_nobody_works_is_kept_without_a_communication(customer, clock):
    ContactFactory(customer=customer, email="jo@bolt.example")
    message, new = inbound_take(email_bytes(sender="jo@bolt.example", to="x@example.com"),
                                source="imap")  # fmt: skip
    assert new and message.customer_id == customer.pk and message.communication_id is None
    assert not ToDo.objects.exists()
