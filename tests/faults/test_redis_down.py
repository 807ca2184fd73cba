"""Redis unreachable: sign-in, pages and the API keep answering, and the work asked for
meanwhile is recorded and runs once when the broker is back (finding 3).

Redis is "down" by pointing the cache and the Celery broker at a port nobody listens
on; the full fault (stopping a real redis-server under gunicorn and a worker) is
bench/faults.py's.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from creditcontrol.models import QueuedTask
from creditcontrol.settings import redis_caches
from creditcontrol.taskqueue import relay
from followups.models import FollowUpRun, OutboxMessage
from tests.conftest import api_as
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:9/0"  # the discard port: connection refused


@pytest.fixture
def redis_down(settings):
    from creditcontrol.celery import app

    settings.CACHES = redis_caches(DEAD)
    before = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = DEAD, False
    _forget_connections(app)
    yield
    app.conf.broker_url, app.conf.task_always_eager = before
    _forget_connections(app)


def _forget_connections(app):
    # Connections and producers made for the broker of earlier tests are pooled.
    app._pool = None
    app.amqp._producer_pool = None


def test_sign_in_pages_and_api_answer_with_redis_down(client, controller, manager, redis_down):
    response = client.post(reverse("login"), {"username": "carol", "password": "secret-pass-123"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.force_login(manager)
    assert client.get(reverse("reports:dashboard")).status_code == 200
    assert api_as(manager).get("/api/v1/customers/").status_code == 200


def test_run_now_with_redis_down_is_recorded_and_runs_once_when_it_is_back(
    client, controller, company, customer, redis_down, django_capture_on_commit_callbacks
):
    from creditcontrol.celery import app

    EntryFactory(customer=customer)
    client.force_login(controller)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("followups:runs"), {"company": company.pk})
    assert response.status_code == 302
    assert time.monotonic() - started < 5
    run = FollowUpRun.objects.get()
    assert run.status == FollowUpRun.Status.QUEUED
    pending = QueuedTask.objects.get(sent_at__isnull=True)
    assert (pending.name, pending.args, pending.attempts) == (
        "followups.tasks.run_task",
        [run.pk],
        1,
    )

    app.conf.task_always_eager = True  # the broker is back (tasks run here)
    assert relay() == 1
    assert relay() == 0
    run.refresh_from_db()
    assert run.status == FollowUpRun.Status.DONE


def test_send_statement_with_redis_down_answers_and_is_queued_once(
    client, controller, customer, redis_down, django_capture_on_commit_callbacks
):
    customer.email = "accounts@bolt.example"
    customer.save()
    EntryFactory(customer=customer)
    client.force_login(controller)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("followups:statement-send", args=[customer.pk]), {})
    assert response.status_code in (200, 302)
    assert time.monotonic() - started < 5
    assert OutboxMessage.objects.count() == 1
    assert QueuedTask.objects.filter(sent_at__isnull=True).count() == 1
