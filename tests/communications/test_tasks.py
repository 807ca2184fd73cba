"""The workbench's Celery tasks, called directly: the daily promise check and notification email."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from communications.models import Notification, Promise
from communications.promises import promise_create
from communications.tasks import check_promises, send_notification_email
from tests.factories import EntryFactory

NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def test_check_promises_reports_per_company(company, other_company, controller, customer):
    with time_machine.travel(NOW, tick=False):
        promise_create(user=controller, customer=customer, entry_ids=[EntryFactory(customer=customer).pk],
                       promised_on=dt.date(2026, 3, 10), is_full=True)  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 3, 11, 8, tzinfo=dt.UTC), tick=False):
        assert check_promises() == {
            "ACME": {"kept": 0, "broken": 1}, "EURO": {"kept": 0, "broken": 0},
        }  # fmt: skip
        assert check_promises()["ACME"] == {"kept": 0, "broken": 0}
    assert Promise.objects.get().status == "broken"


def test_check_promises_runs_as_a_celery_task_on_the_beat_schedule():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "communications.tasks.check_promises" in tasks


@override_settings(SITE_URL="https://cc.example/")
def test_notification_email_carries_the_text_and_a_full_link(company, manager, customer,
                                                             mailoutbox):  # fmt: skip
    note = Notification.objects.create(company=company, user=manager, customer=customer,
                                       text="Alert from carol: ACC001", link="/customers/1/")  # fmt: skip
    assert send_notification_email(note.pk) is True
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == (["mike@example.com"], "[ACME] Alert from carol: ACC001")
    assert mail.body == "Alert from carol: ACC001\n\nhttps://cc.example/customers/1/"


def test_notification_email_skips_users_without_an_address_and_vanished_notes(
    company, manager, mailoutbox
):
    manager.email = ""
    manager.save()
    note = Notification.objects.create(company=company, user=manager, text="Hello")
    assert send_notification_email(note.pk) is False
    assert send_notification_email(note.pk + 1000) is False
    assert mailoutbox == []
