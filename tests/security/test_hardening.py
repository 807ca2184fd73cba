"""Smaller findings (10): a Content-Security-Policy, sessions that end when idle, the
outbox's bodies and addresses kept from controllers, the outbox emptied in one go."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from tests.conftest import api_as

pytestmark = pytest.mark.django_db

PAGES = ["home", "ledger:customer-list", "reports:dashboard", "followups:runs", "login"]


@pytest.mark.parametrize("page", PAGES)
def test_pages_send_a_content_security_policy_allowing_only_local_assets(client, manager, page):
    if page != "login":
        client.force_login(manager)
    response = client.get(reverse(page))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    html = response.content.decode()
    # json_script data (type="application/json") is not run; anything else inline would be.
    inline = re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", html)
    assert not inline, "inline script on the page"
    assert not re.search(r"\son[a-z]+=\"", html), "inline event handler on the page"


def test_a_session_ends_after_eight_idle_hours_but_not_while_used(client, controller):
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.post(reverse("login"), {"username": "carol", "password": "secret-pass-123"})
        for _ in range(3):  # a working day and more, with requests in between
            clock.shift(dt.timedelta(hours=7))
            assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(hours=8, seconds=1))
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_controllers_cannot_read_outbox_bodies_and_addresses(controller, manager, integrator):
    assert api_as(controller).get("/api/v1/outbox-messages/").status_code == 403
    assert api_as(manager).get("/api/v1/outbox-messages/").status_code == 200
    assert api_as(integrator).get("/api/v1/outbox-messages/").status_code == 200


def test_the_outbox_task_delivers_until_the_due_queue_is_empty(company, customer):
    from followups.models import OutboxMessage
    from followups.outbox import outbox_enqueue
    from followups.tasks import deliver_outbox

    for n in range(250):
        outbox_enqueue(company=company, customer=customer, kind=OutboxMessage.Kind.EMAIL,
                       key=f"k{n}", to=["a@b.example"], subject="s", body="b",
                       as_of=dt.date(2026, 11, 23))  # fmt: skip
    assert deliver_outbox() == 250
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
