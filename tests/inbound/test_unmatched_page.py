"""Unmatched inbound mail has a page: listed with a count in the navigation, read with its
attachments, assigned to a customer (then recorded as that customer's email received with
the usual to-do and pause) or discarded; only the company's controllers and managers see
it, and a message whose company nobody can tell only managers of every company."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from communications.models import Communication, ToDo
from creditcontrol import roles
from events.models import Event
from followups.engine import run_followups
from followups.models import Proposal
from followups.plans import plan_for
from inbound.models import InboundMessage
from inbound.services import inbound_take
from ledger.models import AuditEvent
from tests.factories import CustomerFactory, EntryFactory, user_in
from tests.reach_helpers import email_bytes, tiny_pdf

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def acme(company, other_company):
    company.email = "accounts@acme.example"
    company.save()
    return company


@pytest.fixture
def stranger_mail(acme):
    """A reply from an address nobody knows, to the company's own address, with a PDF."""
    raw = email_bytes(sender="Pat Lee <pat@newco.example>", to="accounts@acme.example",
                      subject="Re: your reminder", body="Paid on Friday, see remittance.",
                      message_id="<stranger-1@newco.example>",
                      attachments=[("remittance.pdf", tiny_pdf("Remittance"))])  # fmt: skip
    message, _new = inbound_take(raw, source="imap")
    assert message.kind == "unmatched"
    return message


def badge(html: str) -> str | None:
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    found = re.search(r'Unmatched mail <span class="badge">(\d+)</span>', nav)
    return found.group(1) if found else None


def test_unmatched_reply_is_listed_with_a_count_in_the_navigation(client, controller,
                                                                   stranger_mail):  # fmt: skip
    client.force_login(controller)
    html = client.get(reverse("home")).content.decode()
    assert badge(html) == "1"
    page = client.get(reverse("inbound:unmatched")).content.decode()
    assert "pat@newco.example" in page and "Re: your reminder" in page and "ACME" in page
    assert "23 Nov 2026 09:00" in page  # the one date format, in the company's zone


def test_message_page_shows_text_and_serves_its_attachment(client, controller, stranger_mail):
    client.force_login(controller)
    page = client.get(reverse("inbound:unmatched-detail", args=[stranger_mail.pk])).content.decode()
    assert "Paid on Friday, see remittance." in page and "remittance.pdf" in page
    (attachment,) = stranger_mail.attachments.all()
    response = client.get(reverse("inbound-attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_sender_domain_suggests_customers_and_search_finds_by_account_code(
    client, controller, stranger_mail, acme
):
    newco = CustomerFactory(company=acme, account_code="NEW01", name="Newco Ltd",
                            email="ap@newco.example")  # fmt: skip
    CustomerFactory(company=acme, account_code="OTH01", name="Other Ltd")
    client.force_login(controller)
    url = reverse("inbound:unmatched-detail", args=[stranger_mail.pk])
    page = client.get(url).content.decode()
    assert "Newco Ltd" in page and "Other Ltd" not in page
    page = client.get(url, {"q": "oth01"}).content.decode()
    assert "Other Ltd" in page and f'value="{newco.pk}"' not in page


def test_assigning_records_an_email_received_with_todo_pause_and_webhook(
    client, controller, stranger_mail, acme
):
    customer = CustomerFactory(company=acme, account_code="NEW01", name="Newco Ltd",
                               controller=controller)  # fmt: skip
    EntryFactory(customer=customer, due_date=dt.date(2026, 11, 1))
    plan_for(acme)
    client.force_login(controller)
    response = client.post(reverse("inbound:unmatched-assign", args=[stranger_mail.pk]),
                           {"customer": customer.pk}, follow=True)  # fmt: skip
    html = response.content.decode()
    assert "recorded on Newco Ltd as an email received" in html
    assert badge(html) is None
    c = Communication.objects.get(customer=customer, contact_type="email_received")
    assert "Paid on Friday" in c.notes and "remittance.pdf" in c.notes
    todo = ToDo.objects.replies_unhandled().get()
    assert todo.customer_id == customer.pk and todo.owner == controller
    assert Event.objects.filter(kind="reply.received", customer=customer).exists()
    message = InboundMessage.objects.get(pk=stranger_mail.pk)
    assert (message.kind, message.matched_by, message.handled_by) == ("reply", "by_hand",
                                                                      controller)  # fmt: skip
    assert AuditEvent.objects.filter(model="inbound.inboundmessage", object_id=message.pk,
                                     user=controller).exists()  # fmt: skip
    run_followups(company=acme, as_of=NOW.date(), trigger="command")
    assert not Proposal.objects.filter(customer=customer).exists()  # paused until handled
    todos = client.get(reverse("communications:todo-list")).content.decode()
    assert "Read the reply from pat@newco.example: Re: your reminder" in todos


def test_an_automatic_reply_assigned_is_recorded_but_pauses_nothing(client, manager, acme):
    raw = email_bytes(sender="pat@newco.example", to="accounts@acme.example",
                      subject="Out of office", headers={"Auto-Submitted": "auto-replied"})  # fmt: skip
    message, _ = inbound_take(raw, source="api")
    customer = CustomerFactory(company=acme, controller=manager)
    client.force_login(manager)
    client.post(reverse("inbound:unmatched-assign", args=[message.pk]), {"customer": customer.pk})
    assert Communication.objects.filter(customer=customer, contact_type="email_received").exists()
    assert not ToDo.objects.replies_unhandled().exists()
    assert InboundMessage.objects.get(pk=message.pk).kind == "auto_reply"


def test_discarded_message_leaves_the_count_and_can_still_be_assigned(
    client, controller, stranger_mail, acme
):
    client.force_login(controller)
    response = client.post(reverse("inbound:unmatched-discard", args=[stranger_mail.pk]),
                           follow=True)  # fmt: skip
    html = response.content.decode()
    assert "Message discarded" in html and badge(html) is None
    assert "Re: your reminder" not in html.split("</nav>", 2)[-1]
    listed = client.get(reverse("inbound:unmatched"), {"show": "discarded"}).content.decode()
    assert "Re: your reminder" in listed
    again = client.post(reverse("inbound:unmatched-discard", args=[stranger_mail.pk]), follow=True)
    assert "already been assigned or discarded" in again.content.decode()
    customer = CustomerFactory(company=acme, controller=controller)
    client.post(reverse("inbound:unmatched-assign", args=[stranger_mail.pk]),
                {"customer": customer.pk})  # fmt: skip
    assert InboundMessage.objects.get(pk=stranger_mail.pk).customer_id == customer.pk


def test_assigning_twice_or_to_another_companys_customer_is_refused_and_writes_nothing(
    client, controller, stranger_mail, acme, other_company
):
    theirs = CustomerFactory(company=other_company)
    other_company.members.add(controller)
    client.force_login(controller)
    url = reverse("inbound:unmatched-assign", args=[stranger_mail.pk])
    html = client.post(url, {"customer": theirs.pk}, follow=True).content.decode()
    assert "This message came to Acme Trading Ltd: choose one of its customers." in html
    assert InboundMessage.objects.get(pk=stranger_mail.pk).kind == "unmatched"
    html = client.post(url, {"customer": ""}, follow=True).content.decode()
    assert "Choose the customer this message is from." in html
    ours = CustomerFactory(company=acme, controller=controller)
    client.post(url, {"customer": ours.pk})
    html = client.post(url, {"customer": ours.pk}, follow=True).content.decode()
    assert "Someone has already assigned this message" in html
    assert Communication.objects.filter(contact_type="email_received").count() == 1


def test_customer_nobody_works_is_refused_with_a_message_and_nothing_half_written(
    client, controller, stranger_mail, acme
):
    orphan = CustomerFactory(company=acme, controller=None)
    # The controller is a member, but the company has no credit manager and the customer no
    # controller: nobody to hand the reply to.
    html = None
    client.force_login(controller)
    html = client.post(reverse("inbound:unmatched-assign", args=[stranger_mail.pk]),
                       {"customer": orphan.pk}, follow=True).content.decode()  # fmt: skip
    assert "has no controller" in html
    message = InboundMessage.objects.get(pk=stranger_mail.pk)
    assert message.kind == "unmatched" and message.customer_id is None
    assert (
        not Communication.objects.exists()
        and not AuditEvent.objects.filter(model="inbound.inboundmessage").exists()
    )


def test_another_companys_manager_never_sees_nor_assigns_it(client, outsider, stranger_mail,
                                                             other_company):  # fmt: skip
    client.force_login(outsider)
    assert badge(client.get(reverse("inbound:unmatched")).content.decode()) is None
    assert "newco" not in client.get(reverse("inbound:unmatched")).content.decode()
    for name in ("inbound:unmatched-detail",):
        assert client.get(reverse(name, args=[stranger_mail.pk])).status_code == 404
    theirs = CustomerFactory(company=other_company)
    for name in ("inbound:unmatched-assign", "inbound:unmatched-discard"):
        assert client.post(reverse(name, args=[stranger_mail.pk]),
                           {"customer": theirs.pk}).status_code == 404  # fmt: skip
    (attachment,) = stranger_mail.attachments.all()
    assert client.get(reverse("inbound-attachment", args=[attachment.pk])).status_code == 404
    assert InboundMessage.objects.get(pk=stranger_mail.pk).kind == "unmatched"


def test_message_nobody_can_place_goes_to_managers_of_every_company(client, acme,
                                                                    other_company):  # fmt: skip
    raw = email_bytes(sender="who@nowhere.example", to="credit+unknown@example.com",
                      subject="Which company?")  # fmt: skip
    message, _ = inbound_take(raw, source="imap")
    assert message.kind == "unmatched" and message.company_id is None
    group_manager = user_in(acme, roles.MANAGER, username="gina")
    other_company.members.add(group_manager)
    one_company_manager = user_in(acme, roles.MANAGER, username="mo")
    controller_of_both = user_in(acme, roles.CONTROLLER, username="cat")
    other_company.members.add(controller_of_both)
    url = reverse("inbound:unmatched-detail", args=[message.pk])
    for user, status in ((group_manager, 200), (one_company_manager, 404),
                         (controller_of_both, 404)):  # fmt: skip
        client.force_login(user)
        assert client.get(url).status_code == status, user.username


def test_the_only_company_installed_owns_its_unmatched_mail(db):
    from tests.factories import CompanyFactory

    only = CompanyFactory(code="SOLO")
    message, _ = inbound_take(email_bytes(sender="x@y.example", to="credit@example.com"),
                              source="api")  # fmt: skip
    assert message.company_id == only.pk


def test_integrators_and_anonymous_have_no_page(client, integrator, stranger_mail):
    assert client.get(reverse("inbound:unmatched")).status_code == 302
    client.force_login(integrator)
    assert client.get(reverse("inbound:unmatched")).status_code == 403
    assert client.get(reverse("inbound:unmatched-detail", args=[stranger_mail.pk])).status_code in (
        403, 404)  # fmt: skip
    assert "Unmatched mail" not in client.get(reverse("reports")).content.decode()
