"""The outbox page (managers): messages by status, and resend / mark sent / cancel."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse

from followups.models import OutboxMessage
from ledger.models import AuditEvent
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
_keys = itertools.count()


def message(company, status=Status.REVIEW, *, name="Bolt Works Ltd", kind="email", **fields):
    customer = CustomerFactory(company=company, name=name)
    return OutboxMessage.objects.create(
        company=company, customer=customer, kind=kind, key=f"test:{next(_keys)}", status=status,
        to=["ap@bolt.example"], subject=f"Reminder to {name}", as_of=dt.date(2026, 11, 23),
        **fields,
    )  # fmt: skip


def outbox(client, **params) -> str:
    response = client.get(reverse("followups:outbox"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_outbox_shows_what_needs_attention_first(client, manager, company):
    message(company, Status.REVIEW, name="Stuck Ltd")
    message(company, Status.FAILED, name="Bounced Ltd", last_error="550 mailbox unavailable")
    message(company, Status.SENT, name="Fine Ltd")
    message(company, Status.PENDING, name="Queued Ltd")
    client.force_login(manager)
    html = outbox(client)
    assert "Stuck Ltd" in html and "Bounced Ltd" in html and "550 mailbox unavailable" in html
    assert "Fine Ltd" not in html and "Queued Ltd" not in html
    assert '<span class="count count-alert">2</span>' in html
    assert ">Resend</button>" in html and ">Mark sent</button>" in html


def test_outbox_filters_by_status_and_kind(client, manager, company):
    message(company, Status.SENT, name="Mailed Ltd")
    message(company, Status.SENT, name="Posted Ltd", kind="letter")
    message(company, Status.CANCELLED, name="Dropped Ltd")
    client.force_login(manager)
    html = outbox(client, show="sent")
    assert "Mailed Ltd" in html and "Posted Ltd" in html and "Dropped Ltd" not in html
    html = outbox(client, show="sent", kind="letter")
    assert "Posted Ltd" in html and "Mailed Ltd" not in html
    html = outbox(client, show="all")
    assert all(n in html for n in ("Mailed Ltd", "Posted Ltd", "Dropped Ltd"))


def test_controllers_get_403_and_outsiders_404(client, controller, outsider, company):
    m = message(company)
    client.force_login(controller)
    assert client.get(reverse("followups:outbox")).status_code == 403
    assert client.post(reverse("followups:outbox-act", args=[m.pk, "cancel"])).status_code == 403
    client.force_login(outsider)
    assert "Bolt Works Ltd" not in outbox(client, show="all")
    assert client.post(reverse("followups:outbox-act", args=[m.pk, "cancel"])).status_code == 404
    m.refresh_from_db()
    assert m.status == Status.REVIEW


def test_resend_puts_a_message_back_in_the_queue(client, manager, company):
    m = message(company, Status.FAILED, attempts=5, last_error="timeout")
    client.force_login(manager)
    response = client.post(reverse("followups:outbox-act", args=[m.pk, "resend"]),
                           {"next": "/followups/outbox/?show=all"}, follow=True)  # fmt: skip
    assert "Email to Bolt Works Ltd: will be sent again." in response.content.decode()
    m.refresh_from_db()
    assert (m.status, m.attempts, m.last_error) == (Status.PENDING, 0, "")
    assert AuditEvent.objects.filter(model="followups.outboxmessage", object_id=m.pk).exists()


def test_mark_sent_and_cancel(client, manager, company):
    went, dropped = message(company, name="Went Ltd"), message(company, name="Dropped Ltd")
    client.force_login(manager)
    client.post(reverse("followups:outbox-act", args=[went.pk, "mark-sent"]))
    client.post(reverse("followups:outbox-act", args=[dropped.pk, "cancel"]))
    went.refresh_from_db()
    dropped.refresh_from_db()
    assert went.status == Status.SENT and went.sent_at is not None
    assert dropped.status == Status.CANCELLED


def test_a_decision_the_status_does_not_allow_is_refused(client, manager, company):
    m = message(company, Status.SENT)
    client.force_login(manager)
    response = client.post(reverse("followups:outbox-act", args=[m.pk, "cancel"]), follow=True)
    assert "cannot be cancelled" in response.content.decode()
    assert client.post(reverse("followups:outbox-act", args=[m.pk, "explode"])).status_code == 404
    m.refresh_from_db()
    assert m.status == Status.SENT


def test_outbox_query_count(client, manager, company, django_assert_max_num_queries):
    for n in range(30):
        message(company, Status.REVIEW, name=f"Review {n} Ltd")
    client.force_login(manager)
    with django_assert_max_num_queries(9):
        html = outbox(client)
    assert html.count('<tr id="message-') == 30
