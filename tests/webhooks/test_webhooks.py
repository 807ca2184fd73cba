"""Webhooks: events written in the transaction of the change, delivered signed to a real HTTP
receiver on loopback, retried with backoff, never twice after success, logged, replayed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
import time_machine
from django.db import transaction

from communications.promises import dispute_set, promise_create
from events.models import Event, EventKind
from ledger.services import customer_update
from tests.conftest import api_as
from tests.factories import EntryFactory
from tests.servers import http_receiver
from webhooks.delivery import BACKOFF, deliver, sign
from webhooks.models import Delivery
from webhooks.services import endpoint_create

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def verify(request: dict, secret: str) -> dict:
    """What a receiver does: recompute the signature over timestamp and raw body."""
    headers = {k.lower(): v for k, v in request["headers"].items()}
    timestamp = headers["x-creditcontrol-timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"],
                                    hashlib.sha256).hexdigest()  # fmt: skip
    assert hmac.compare_digest(headers["x-creditcontrol-signature"], expected)
    return json.loads(request["body"])


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
def test_event_is_written_with_the_change_and_rolled_back_with_it(customer, manager):
    try:
        with transaction.atomic():
            customer_update(user=manager, customer=customer, on_hold=True)
            assert Event.objects.filter(kind=EventKind.CUSTOMER_HOLD).count() == 1
            raise RuntimeError("the change fails")
    except RuntimeError:
        pass
    assert not Event.objects.exists()
    customer_update(user=manager, customer=customer, on_hold=True)
    customer_update(user=manager, customer=customer, on_hold=False)
    assert list(Event.objects.order_by("id").values_list("kind", flat=True)) == [
        EventKind.CUSTOMER_HOLD,
        EventKind.CUSTOMER_RELEASED,
    ]


@pytest.mark.django_db
def test_signed_delivery_reaches_a_real_receiver_once(customer, manager, controller, clock):
    entry = EntryFactory(customer=customer)
    with http_receiver() as receiver:
        endpoint = endpoint_create(user=manager, company=customer.company, url=receiver.url,
                                   events=[EventKind.PROMISE_MADE, EventKind.DISPUTE_OPENED])  # fmt: skip
        promise_create(user=controller, customer=customer, entry_ids=[entry.pk],
                       promised_on=dt.date(2026, 11, 30), is_full=True)  # fmt: skip
        customer_update(user=manager, customer=customer, on_hold=True)  # not subscribed
        assert deliver() == 1
        assert deliver() == 0  # never twice after a success
    (request,) = receiver.requests
    doc = verify(request, endpoint.secret)
    assert doc["type"] == "promise.made"
    assert doc["data"]["promise"]["entries"] == [entry.pk]
    assert doc["data"]["promise"]["amount"] == "100.00"
    d = Delivery.objects.get()
    assert (d.status, d.response_code, d.attempts) == ("delivered", 200, 1)


@pytest.mark.django_db
def test_failed_delivery_is_retried_with_backoff_then_delivered(customer, manager, controller,
                                                                clock):  # fmt: skip
    entry = EntryFactory(customer=customer)
    with http_receiver(status=500) as receiver:
        endpoint_create(user=manager, company=customer.company, url=receiver.url)
        dispute_set(user=controller, entry=entry, amount="40.00", reason="Short delivery")
        assert deliver() == 0
        d = Delivery.objects.get()
        assert (d.status, d.response_code, d.attempts) == ("pending", 500, 1)
        assert d.next_attempt_at == NOW + BACKOFF[0]
        assert deliver() == 0 and len(receiver.requests) == 1  # not due yet
        receiver.status = 204
        clock.move_to(NOW + BACKOFF[0])
        assert deliver() == 1
    d.refresh_from_db()
    assert (d.status, d.response_code, d.attempts) == ("delivered", 204, 2)
    assert len(receiver.requests) == 2


@pytest.mark.django_db
def test_unreachable_endpoint_is_logged_and_kept_for_later(customer, manager, controller, clock):
    endpoint_create(user=manager, company=customer.company, url="http://127.0.0.1:9/hook")
    customer_update(user=manager, customer=customer, on_hold=True)
    assert deliver() == 0
    d = Delivery.objects.get()
    assert d.status == "pending" and d.response_code is None and d.last_error


@pytest.mark.django_db
def test_receiver_replays_a_delivery_through_the_api(customer, integrator, manager, clock):
    with http_receiver() as receiver:
        api = api_as(integrator)
        created = api.post("/api/v1/webhook-endpoints/", {
            "company": customer.company_id, "url": receiver.url, "events": ["customer.hold"]},
            format="json")  # fmt: skip
        assert created.status_code == 201, created.content
        secret = created.json()["secret"]
        customer_update(user=manager, customer=customer, on_hold=True)
        deliver()
        log = api.get("/api/v1/webhook-deliveries/").json()["results"]
        assert [(row["event_type"], row["status"], row["response_code"]) for row in log] == [
            ("customer.hold", "delivered", 200)
        ]
        replay = api.post(f"/api/v1/webhook-deliveries/{log[0]['id']}/replay/")
        assert replay.status_code == 201
        deliver()
    assert len(receiver.requests) == 2
    first, second = (verify(r, secret) for r in receiver.requests)
    assert first["id"] == second["id"] and second["replay_of"] == first["delivery"]
    assert "secret" not in api.get("/api/v1/webhook-endpoints/").json()["results"][0]


@pytest.mark.django_db
def test_outsider_sees_no_endpoint_and_cannot_replay(customer, manager, outsider, clock):
    endpoint_create(user=manager, company=customer.company, url="http://127.0.0.1:9/hook")
    customer_update(user=manager, customer=customer, on_hold=True)
    deliver()
    api = api_as(outsider)
    assert api.get("/api/v1/webhook-endpoints/").json()["results"] == []
    assert api.get("/api/v1/webhook-deliveries/").json()["results"] == []
    pk = Delivery.objects.get().pk
    assert api.post(f"/api/v1/webhook-deliveries/{pk}/replay/").status_code == 404


@pytest.mark.django_db
def test_controller_may_not_register_endpoints(customer, controller):
    response = api_as(controller).post("/api/v1/webhook-endpoints/", {
        "company": customer.company_id, "url": "https://example.com/hook"}, format="json")  # fmt: skip
    assert response.status_code == 403


@pytest.mark.django_db
def test_settings_page_registers_an_endpoint_and_shows_the_log(client, manager, customer):
    client.force_login(manager)
    page = client.get("/settings/webhooks/")
    assert page.status_code == 200
    response = client.post("/settings/webhooks/", {
        "company": customer.company_id, "url": "https://hooks.example.com/cc",
        "events": ["promise.broken"]})  # fmt: skip
    assert response.status_code == 302
    assert "hooks.example.com" in client.get("/settings/webhooks/").content.decode()


def test_signature_is_hmac_sha256_of_timestamp_and_body():
    assert sign("k", "1", b"{}") == "sha256=" + hmac.new(b"k", b"1.{}", hashlib.sha256).hexdigest()
