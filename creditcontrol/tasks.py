"""The project's own periodic task: relay the work requests queued while the broker was away."""

from __future__ import annotations

from celery import shared_task


@shared_task
def relay_queued_tasks() -> int:
    """Beat, every minute: send the task outbox's pending rows (see taskqueue.py)."""
    from .taskqueue import purge_sent, relay

    sent = relay()
    purge_sent()
    return sent
