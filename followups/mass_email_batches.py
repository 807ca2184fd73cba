"""Mass email in the background: a large one is recorded and worked through by the worker.

Up to ``INLINE_LIMIT`` customers are queued within the request as before (a second or
two). A larger one — the API allows 5,000 — would take minutes: the request records a
``MassEmailBatch`` (checked first, so bad texts and forbidden customers are refused at
once) and enqueues its task through the task outbox; the task calls ``mass_email_send``
chunk by chunk, each chunk in its own transaction, and counts its progress. Each message
keeps its key ``mass:<batch>:<contact>``, so a chunk run twice (a worker killed midway,
the form sent twice) queues nothing twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from creditcontrol.taskqueue import enqueue
from ledger.models import Customer

from .mass_email import MassEmailResult, _check, mass_email_send
from .models import MassEmailBatch

INLINE_LIMIT = 50
CHUNK = 100


@transaction.atomic
def mass_email_start(*, user: Any, batch: uuid.UUID, customers: list[Customer], subject: str,
                     body: str, source: str = "web") -> MassEmailResult | MassEmailBatch:  # fmt: skip
    """Queue a mass email: its result at once when small, else its batch, queued."""
    if len(customers) <= INLINE_LIMIT and not MassEmailBatch.objects.filter(batch=batch).exists():
        return mass_email_send(user=user, batch=batch, customers=customers, subject=subject,
                               body=body, source=source)  # fmt: skip
    _check(user, customers, subject, body)
    existing = MassEmailBatch.objects.filter(batch=batch).first()
    if existing is not None:
        return existing  # the same form or request again: nothing new
    try:
        with transaction.atomic():
            row = MassEmailBatch.objects.create(
                batch=batch, created_by=user, customer_ids=[c.pk for c in customers],
                subject=subject, body=body, source=source,
            )  # fmt: skip
    except IntegrityError:  # the same batch sent twice at once
        return MassEmailBatch.objects.get(batch=batch)
    from .tasks import send_mass_email  # the tasks import the services

    enqueue(send_mass_email, row.pk)
    return row


def mass_email_run(row: MassEmailBatch) -> MassEmailBatch:
    """The worker's part: every chunk of the batch's customers through mass_email_send."""
    if row.status == MassEmailBatch.Status.DONE:
        return row
    MassEmailBatch.objects.filter(pk=row.pk).update(status=MassEmailBatch.Status.SENDING,
                                                    processed=0, queued=0, already_sent=0,
                                                    unreachable=0)  # fmt: skip
    ids = row.customer_ids
    try:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            customers = list(Customer.objects.filter(pk__in=chunk).select_related("company"))
            result = mass_email_send(user=row.created_by, batch=row.batch, customers=customers,
                                     subject=row.subject, body=row.body, source=row.source)  # fmt: skip
            MassEmailBatch.objects.filter(pk=row.pk).update(
                processed=F("processed") + len(chunk), queued=F("queued") + len(result.queued),
                already_sent=F("already_sent") + len(result.already_sent),
                unreachable=F("unreachable") + len(result.unreachable),
            )  # fmt: skip
    except Exception as exc:
        MassEmailBatch.objects.filter(pk=row.pk).update(
            status=MassEmailBatch.Status.FAILED, error=str(exc)[:1000], finished_at=timezone.now()
        )
        raise
    MassEmailBatch.objects.filter(pk=row.pk).update(status=MassEmailBatch.Status.DONE,
                                                    finished_at=timezone.now())  # fmt: skip
    row.refresh_from_db()
    return row
