"""A large mass email is queued as background work (finding 6): the request answers at
once with its progress, the worker queues each email once, and the same batch sent again
adds nothing. (Up to 50 customers are queued within the request, as before.)"""

from __future__ import annotations

import time
import uuid

import pytest

from followups.models import MassEmailBatch, OutboxMessage
from tests.conftest import api_as
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

MANY = 120


@pytest.fixture
def many(company):
    customers = []
    for n in range(MANY):
        customer = CustomerFactory(company=company, name=f"Customer {n:03d} Ltd")
        ContactFactory(customer=customer, first_name=f"Pat{n}", email=f"pat{n}@c.example",
                       is_credit_contact=True)  # fmt: skip
        customers.append(customer)
    return customers


def test_a_large_mass_email_by_the_api_answers_at_once_and_is_queued_once(
    controller, many, django_capture_on_commit_callbacks
):
    client = api_as(controller)
    body = {"batch": str(uuid.uuid4()), "customers": [c.pk for c in many],
            "subject": 'Your account, "First Name"', "body": "Dear \"First Name\", ..."}  # fmt: skip
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post("/api/v1/mass-emails/", body, format="json")
    assert time.monotonic() - started < 5
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued" and response.json()["total"] == MANY
    assert response["Location"] == f"/api/v1/mass-emails/{body['batch']}/"
    assert not OutboxMessage.objects.exists()  # nothing was queued within the request

    for callback in queued:  # the commit: the task outbox relays the work to the worker
        callback()
    progress = client.get(response["Location"]).json()
    assert (progress["status"], progress["processed"], progress["queued"]) == ("done", MANY, MANY)
    assert OutboxMessage.objects.count() == MANY

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/api/v1/mass-emails/", body, format="json")
    assert again.status_code == 202
    assert OutboxMessage.objects.count() == MANY  # idempotent by batch


def test_a_large_mass_email_from_the_page_shows_its_progress(
    client, controller, many, django_capture_on_commit_callbacks
):
    client.force_login(controller)
    batch = uuid.uuid4()
    sent = {"step": "send", "batch": batch, "customers": [c.pk for c in many],
            "ids": [c.pk for c in many], "subject": "Hello", "body": "Hi"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/mass-email/", sent)
    assert response.status_code == 302
    assert response["Location"] == f"/mass-email/{batch}/"
    page = client.get(response["Location"]).content.decode()
    assert f"{MANY} of {MANY} customers worked through" in page
    assert MassEmailBatch.objects.get(batch=batch).status == "done"


def test_someone_elses_batch_is_not_shown(controller, manager, many):
    row = MassEmailBatch.objects.create(batch=uuid.uuid4(), created_by=manager,
                                        customer_ids=[many[0].pk], subject="s", body="b")  # fmt: skip
    assert api_as(controller).get(f"/api/v1/mass-emails/{row.batch}/").status_code == 404
