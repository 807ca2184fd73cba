"""Delivering the events outbox to integrators' endpoints, each delivery at most once.

1. *Fan out*: each event not yet fanned out becomes one delivery per active endpoint of
   its company that wants its kind, inserted with ``ON CONFLICT DO NOTHING`` on the
   (endpoint, event) unique index, and the event is marked fanned out, in one transaction.
2. *Claim*: a due pending delivery is marked ``sending`` with one more attempt and
   committed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; a conditional update on SQLite).
3. *Send*: ``POST`` the JSON body with ``X-Creditcontrol-Timestamp`` and
   ``X-Creditcontrol-Signature: sha256=<hex>``, the HMAC-SHA256 with the endpoint's secret
   of ``<timestamp>.<body>``. A 2xx is *delivered* (never sent again); anything else goes
   back to pending after 1, 5, 25, 125 minutes and after ``MAX_ATTEMPTS`` is *failed*.
   Each answer's status code is kept for the delivery log.
4. *Replay*: a receiver (or a manager) asks for a delivery again: a new delivery row of
   the same event, pointing at the first, sent once like any other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from creditcontrol.claims import claim_due, worker_name
from events.models import Event

from .models import Delivery, Endpoint

logger = logging.getLogger(__name__)
Status = Delivery.Status
MAX_ATTEMPTS = 6
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=25),
           dt.timedelta(minutes=125), dt.timedelta(hours=10))  # fmt: skip
SIGNATURE_HEADER = "X-Creditcontrol-Signature"
TIMESTAMP_HEADER = "X-Creditcontrol-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``<timestamp>.<body>`` with the secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def body_of(delivery: Delivery) -> bytes:
    event = delivery.event
    doc = {"id": event.pk, "delivery": delivery.pk, "type": event.kind,
           "created_at": event.created_at.isoformat(), "company": event.company_id,
           "customer": event.customer_id, "data": event.payload,
           "replay_of": delivery.replay_of_id}  # fmt: skip
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


@transaction.atomic
def fan_out(*, limit: int = 1000) -> int:
    """Step 1 for up to ``limit`` events; returns how many deliveries were made."""
    events = list(
        Event.objects.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
        .filter(fanned_out_at__isnull=True).order_by("id")[:limit]
    )  # fmt: skip
    if not events:
        return 0
    companies = {e.company_id for e in events}
    endpoints = list(Endpoint.objects.filter(company_id__in=companies, is_active=True))
    rows = [Delivery(endpoint=ep, event=e) for e in events for ep in endpoints
            if ep.company_id == e.company_id and ep.wants(e.kind)]  # fmt: skip
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    Event.objects.filter(pk__in=[e.pk for e in events]).update(fanned_out_at=timezone.now())
    return len(rows)


def claim(*, worker: str) -> Delivery | None:
    """Take one due pending delivery for ``worker`` and commit the claim (None: none due)."""
    claimed = claim_due(Delivery, worker=worker, now=timezone.now(),
                        pending=Status.PENDING, sending=Status.SENDING)  # fmt: skip
    if claimed is None:
        return None
    return Delivery.objects.select_related("endpoint", "event").get(pk=claimed)


def post(delivery: Delivery) -> int:
    """Send one delivery; the HTTP status code (raises on a network failure)."""
    body = body_of(delivery)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        delivery.endpoint.url, data=body, method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "creditcontrol-webhooks/1",
                 TIMESTAMP_HEADER: timestamp,
                 SIGNATURE_HEADER: sign(delivery.endpoint.secret, timestamp, body),
                 "X-Creditcontrol-Event": delivery.event.kind,
                 "X-Creditcontrol-Delivery": str(delivery.pk)},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def send(delivery: Delivery) -> bool:
    """Step 3 for one claimed delivery: True when delivered."""
    mine = Delivery.objects.filter(pk=delivery.pk, claimed_by=delivery.claimed_by,
                                   status=Status.SENDING)  # fmt: skip
    try:
        code = post(delivery)
        error = "" if 200 <= code < 300 else f"HTTP {code}"
    except Exception as failure:  # refused, timed out, bad TLS: try again later
        code, error = None, f"{type(failure).__name__}: {failure}"[:2000]
    if not error:
        mine.update(status=Status.DELIVERED, delivered_at=timezone.now(), response_code=code,
                    last_error="")  # fmt: skip
        return True
    logger.warning("Webhook delivery %s failed: %s", delivery.pk, error)
    if delivery.attempts >= MAX_ATTEMPTS:
        mine.update(status=Status.FAILED, response_code=code, last_error=error)
    else:
        later = timezone.now() + BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
        mine.update(status=Status.PENDING, next_attempt_at=later, response_code=code,
                    last_error=error)  # fmt: skip
    return False


def deliver(*, limit: int = 200) -> int:
    """Fan out, then claim and send due deliveries up to ``limit``; returns how many went."""
    from .services import wake_flag_set

    wake_flag_set(Endpoint.objects.filter(is_active=True).values_list("company_id", flat=True)
                  .distinct())  # fmt: skip
    fan_out()
    worker, sent = worker_name(), 0
    for _ in range(limit):
        delivery = claim(worker=worker)
        if delivery is None:
            break
        sent += send(delivery)
    return sent
