"""The webhooks worker: woken after each commit that wrote an event, and each minute."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .delivery import deliver


@shared_task(autoretry_for=(OperationalError,), retry_backoff=10, max_retries=3)
def deliver_webhooks(limit: int = 200) -> int:
    return deliver(limit=limit)
