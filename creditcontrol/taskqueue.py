"""The task outbox: enqueue work from a request without depending on the broker.

A request that wants a Celery task run calls ``enqueue(task, *args)``. That writes a
``QueuedTask`` row in the request's own transaction and, once the transaction commits,
relays it to the broker. The relay never waits long for the broker and never raises
into the request: with Redis down the row simply stays pending, and the beat task
``creditcontrol.tasks.relay_queued_tasks`` sends it when the broker is back.

1. ``enqueue`` records the intent; nothing is sent if the transaction rolls back.
2. ``relay`` claims each pending row with a conditional update (so two relays never
   publish the same row), publishes it with no retry (a refused connection fails at
   once), and marks it sent; a failure unclaims it, counts the attempt and stops the
   batch, since the broker is likely down for the rest too.
3. A row is published at most once unless the process dies between publishing and
   marking it sent; the tasks themselves are idempotent (a run that is no longer queued,
   an outbox message already claimed, a mass-email batch key already used), so that
   window repeats nothing a person would see.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import QueuedTask

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = dt.timedelta(minutes=1)


def enqueue(task: Any, *args: Any, once: bool = False, **kwargs: Any) -> QueuedTask | None:
    """Record ``task(*args, **kwargs)`` to run after this transaction commits.

    ``once``: if the same task with the same arguments is already pending, do not add
    another (for "deliver the outbox", which any number of requests may ask for)."""
    name = task if isinstance(task, str) else task.name
    if (
        once
        and QueuedTask.objects.filter(
            name=name, args=list(args), kwargs=kwargs, sent_at__isnull=True
        ).exists()
    ):
        return None
    row = QueuedTask.objects.create(name=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: relay(ids=[row.pk]))
    return row


def _claim(pk: int) -> bool:
    now = timezone.now()
    return bool(
        QueuedTask.objects.filter(pk=pk, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(claimed_at=now)
    )


def _publish(row: QueuedTask) -> None:
    from celery import current_app

    if row.name not in current_app.tasks:
        # A process that never imported the task modules (a management command, a shell):
        # the worker and the web processes have; autodiscovery runs on demand.
        current_app.loader.import_default_modules()
    task = current_app.tasks[row.name]
    # retry=False: with the broker down, fail now rather than keep the request waiting;
    # ignore_result: the result backend (Redis too) is not needed to send.
    task.apply_async(
        args=row.args, kwargs=row.kwargs, task_id=f"queued-task-{row.pk}", retry=False,
        ignore_result=True,
    )  # fmt: skip


def relay(*, ids: list[int] | None = None, limit: int = 500) -> int:
    """Publish pending rows (the given ones, or the oldest ``limit``); returns how many
    were sent. Never raises for a broker failure: the rows stay pending."""
    pending = QueuedTask.objects.filter(sent_at__isnull=True).order_by("pk")
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    sent = 0
    from celery import current_app

    for row in list(pending[:limit]):
        if not _claim(row.pk):
            continue
        if current_app.conf.task_always_eager:
            # In-process (the embedded default, the tests): run it now, errors and all.
            QueuedTask.objects.filter(pk=row.pk).update(sent_at=timezone.now(), attempts=1)
            _publish(row)
            sent += 1
            continue
        try:
            _publish(row)
        except Exception as exc:  # the broker, whatever its client raises
            log.warning("Task %s (#%s) left pending: %s", row.name, row.pk, exc)
            QueuedTask.objects.filter(pk=row.pk).update(
                claimed_at=None, attempts=row.attempts + 1, last_error=str(exc)[:1000]
            )
            break
        QueuedTask.objects.filter(pk=row.pk).update(
            sent_at=timezone.now(), attempts=row.attempts + 1
        )
        sent += 1
    return sent


def purge_sent(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Forget rows sent more than a week ago."""
    count, _ = QueuedTask.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return count
