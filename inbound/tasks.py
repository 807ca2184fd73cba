"""The reply mailbox, polled by beat each minute when ``INBOUND_IMAP_HOST`` is set."""

from __future__ import annotations

from celery import shared_task

from .imap import poll


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def poll_mailbox(limit: int = 5000) -> dict[str, int]:
    result = poll(limit=limit)
    return {"seen": result.seen, "new": result.new, "failed": result.failed}
