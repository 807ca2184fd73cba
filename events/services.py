"""``event_emit``: the one hook every app calls to tell integrators something happened.

It only writes a row, in the caller's transaction: rolled back with the change, committed
with it. The ``webhooks`` worker delivers it after the commit (``webhooks.delivery``).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from .models import Event, EventKind

# Set by the webhooks app for a company with an active endpoint: its events wake the worker
# after the commit. Without it (no endpoint, or the flag expired) beat's minute delivers.
WAKE_KEY = "webhooks:wake:{}"


def _plain(payload: dict[str, Any]) -> dict[str, Any]:
    # Decimals, dates and UUIDs as the API writes them: strings.
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def event_emit(*, kind: str, company_id: int, customer_id: int | None = None,
               **payload: Any) -> Event:  # fmt: skip
    """Record one event of ``kind`` (an ``EventKind``); ``payload`` is what the receiver reads.

    Must be called inside the transaction of the change it reports (services are atomic);
    the worker is asked to deliver once that commits when the company has an endpoint.
    """
    if kind not in EventKind.values:
        raise ValueError(f"Unknown event kind {kind!r}")
    event = Event.objects.create(
        company_id=company_id, customer_id=customer_id, kind=kind, payload=_plain(payload)
    )
    if cache.get(WAKE_KEY.format(company_id)):
        transaction.on_commit(_wake_worker)
    return event


def _wake_worker() -> None:
    # The webhooks app sits above this one: its task is found by name, never imported here.
    from celery import current_app

    if current_app.conf.task_always_eager:  # no worker (the tests): `deliver_webhooks` runs it
        return
    try:
        current_app.send_task("webhooks.tasks.deliver_webhooks")
    except Exception:  # a broker outage: the beat schedule delivers it within a minute
        return
