"""The Notifications page: a user's alerts, unread first, marked read one by one or all."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from communications.models import Notification
from communications.services import call_action_record, communication_create
from tests.factories import UserFactory, action_type

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def note(user, company, text, minutes=0, read=False, customer=None):
    return Notification.objects.create(
        user=user, company=company, customer=customer, text=text, link="/customers/",
        created_at=NOW - dt.timedelta(minutes=minutes), read_at=NOW if read else None,
    )  # fmt: skip


def test_an_alert_call_action_reaches_the_managers_notifications_page(
    client, controller, manager, customer
):
    c = communication_create(user=controller, customer=customer, communication_type="telephone",
                             contact_type="telephone_made", subject="Going bust?")  # fmt: skip
    call_action_record(user=controller, communication=c, action_type=action_type("Alert"),
                       notes="Rumours of administration")  # fmt: skip
    client.force_login(manager)
    html = client.get(reverse("communications:notifications")).content.decode()
    assert "Rumours of administration" in html
    assert reverse("ledger:customer-card", args=[customer.pk]) in html
    assert 'class="badge">1<' in html  # the bell in the top bar


def test_unread_come_first_then_read_newest_first(client, manager, company):
    old_unread = note(manager, company, "Old unread", minutes=90)
    read = note(manager, company, "Already read", minutes=1, read=True)
    new_unread = note(manager, company, "New unread", minutes=5)
    client.force_login(manager)
    response = client.get(reverse("communications:notifications"))
    assert response.context["unread"] == [new_unread, old_unread]
    assert response.context["read"] == [read]
    html = response.content.decode()
    assert html.index("New unread") < html.index("Old unread") < html.index("Already read")


def test_mark_one_read_and_mark_all_read(client, manager, company):
    first, *_others = [note(manager, company, f"Alert {n}") for n in range(3)]
    client.force_login(manager)
    response = client.post(reverse("communications:notification-read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at == NOW
    assert Notification.objects.unread().count() == 2
    client.post(reverse("communications:notifications-read-all"))
    assert not Notification.objects.unread().exists()


def test_marking_read_twice_keeps_the_first_time(client, manager, company):
    n = note(manager, company, "Alert")
    client.force_login(manager)
    url = reverse("communications:notification-read", args=[n.pk])
    client.post(url)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        assert client.post(url, headers={"HX-Request": "true"}).status_code == 200
    n.refresh_from_db()
    assert n.read_at == NOW


def test_someone_elses_notification_is_not_found(client, controller, manager, outsider, company):
    n = note(manager, company, "For the manager only")
    for user in (controller, outsider):
        client.force_login(user)
        assert (
            "For the manager only"
            not in client.get(reverse("communications:notifications")).content.decode()
        )
        assert (
            client.post(reverse("communications:notification-read", args=[n.pk])).status_code == 404
        )
        client.post(reverse("communications:notifications-read-all"))
    n.refresh_from_db()
    assert n.read_at is None


def test_marking_read_needs_post(client, manager, company):
    n = note(manager, company, "Alert")
    client.force_login(manager)
    assert client.get(reverse("communications:notification-read", args=[n.pk])).status_code == 405
    assert client.get(reverse("communications:notifications-read-all")).status_code == 405


def test_a_user_without_a_role_gets_403(client, company, manager):
    n = note(manager, company, "Alert")
    client.force_login(UserFactory(companies=[company]))
    assert client.get(reverse("communications:notifications")).status_code == 403
    assert client.post(reverse("communications:notification-read", args=[n.pk])).status_code == 403
    assert client.post(reverse("communications:notifications-read-all")).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(reverse("communications:notifications")).status_code == 302
